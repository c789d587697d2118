from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and `ocop demo`: the top floor, it may import every app and none imports it."""

    name = "ocop.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
