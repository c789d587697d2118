from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ocop.reports"
    label = "reports"
    verbose_name = "Báo cáo, thống kê"
