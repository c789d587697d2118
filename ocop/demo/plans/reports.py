"""The demo's periodic report (issue 14): Hà Nội's six-month report, generated and filed by the
province office through the same steps an officer takes (``ocop.plans.periodic.steps``), so its
figures are frozen as any filed report's are.

The period is the latest first half-year that is over on the day the demo is loaded (01/01–30/06
of this year from July on, of last year before). Run again, it finds the report and adds nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ocop.core import clock

from ..data import DEMO_REASON, DemoContext

NARRATIVE = (
    "Trong 6 tháng đầu năm, thành phố tiếp tục triển khai Kế hoạch thực hiện Chương trình OCOP giai đoạn "
    "2026–2030: tổ chức đánh giá, phân hạng đợt 1, đánh giá lại các sản phẩm có giấy chứng nhận sắp hết "
    "hạn và thu hồi giấy chứng nhận của sản phẩm vi phạm. Khó khăn: nhiều chủ thể là hộ sản xuất chưa có "
    "mã số mã vạch và tem truy xuất nguồn gốc. Kiến nghị: tăng kinh phí hỗ trợ xây dựng thương hiệu và "
    "tập huấn cho chủ thể."
)
# Số liệu mẫu, không phải báo cáo thật của thành phố.
NOTE = "\n\n(Báo cáo mẫu của dữ liệu dùng thử.)"


def load_reports(ctx: DemoContext) -> None:
    from ocop.plans.models import PeriodicReport, PlanLevel, ReportKind
    from ocop.plans.periodic import steps

    officer = ctx.users.get("tinh.hanoi")
    if officer is None:
        return
    today = clock.today()
    year = today.year if today.month > 6 else today.year - 1
    province = ctx.units["01"]
    made = 0
    exists = PeriodicReport.objects.filter(
        level=PlanLevel.PROVINCE, province=province, kind=ReportKind.SEMIANNUAL, year=year
    ).exists()
    if not exists:
        report = steps.new_report(ReportKind.SEMIANNUAL, year, province)
        report.narrative = NARRATIVE + NOTE
        report._change_reason = DEMO_REASON
        steps.generate(report, officer)
        steps.file(report, officer)
        made = 1
    ctx.count("reports", made)
    ctx.write(_("Báo cáo định kỳ: %(reports)d báo cáo mới (đã nộp).") % {"reports": made})
