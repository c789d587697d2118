"""Plans with their targets, scaled down to the demo, and manual indicator values (see the package)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..data import DEMO_REASON, DemoContext

SCALED = "Chỉ tiêu thu nhỏ theo quy mô của dữ liệu mẫu."


@dataclass(frozen=True)
class DemoTarget:
    indicator: str  # a code of ocop.plans.indicators
    value: Decimal
    deadline: dt.date
    note: str = ""


@dataclass(frozen=True)
class DemoPlan:
    title: str
    level: str  # "country" or "province"
    province: str | None  # current province code
    start_year: int
    end_year: int
    document_number: str
    document_date: dt.date
    document_issuer: str
    author: str  # the demo account that recorded it
    targets: tuple[DemoTarget, ...]
    budget: Decimal | None = None
    note: str = ""


def _end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


DEMO_PLANS: list[DemoPlan] = [
    DemoPlan(
        "Kế hoạch thực hiện Chương trình Mỗi xã một sản phẩm thành phố Hà Nội giai đoạn 2021–2025",
        "province",
        "01",
        2021,
        2025,
        "145/KH-UBND",
        dt.date(2022, 5, 24),
        "UBND thành phố Hà Nội",
        "tinh.hanoi",
        (
            DemoTarget(
                "new_products", Decimal(20), _end(2025), "Kế hoạch: thêm 2.000 sản phẩm OCOP từ 3 sao."
            ),
            DemoTarget(
                "share_cooperatives_enterprises",
                Decimal(70),
                _end(2025),
                "Kế hoạch: ít nhất 70% chủ thể là tổ hợp tác, hợp tác xã, doanh nghiệp.",
            ),
        ),
        note="Mục tiêu theo Kế hoạch 145/KH-UBND ngày 24/05/2022. " + SCALED,
    ),
    DemoPlan(
        "Kế hoạch thực hiện Chương trình Mỗi xã một sản phẩm thành phố Hà Nội giai đoạn 2026–2030",
        "province",
        "01",
        2026,
        2030,
        "38/KH-UBND",
        dt.date(2026, 2, 10),
        "UBND thành phố Hà Nội",
        "tinh.hanoi",
        (
            DemoTarget("new_products", Decimal(4), _end(2026), "Chỉ tiêu năm 2026."),
            DemoTarget("new_products", Decimal(20), _end(2030)),
            DemoTarget("products_recognised", Decimal(30), _end(2030)),
            DemoTarget("share_5_star", Decimal(3), _end(2030)),
            DemoTarget("share_cooperatives_enterprises", Decimal(70), _end(2030)),
            DemoTarget("traceable_products", Decimal(80), _end(2030)),
            DemoTarget("reevaluated_on_time", Decimal(90), _end(2030)),
            DemoTarget("training_classes", Decimal(60), _end(2030)),
            DemoTarget("points_of_sale", Decimal(30), _end(2030)),
        ),
        note="Dữ liệu mẫu: số và ngày văn bản minh họa. " + SCALED,
    ),
    DemoPlan(
        "Chương trình Mỗi xã một sản phẩm thành phố Hải Phòng giai đoạn 2021–2025, định hướng đến năm 2030",
        "province",
        "31",
        2021,
        2025,
        "674/QĐ-UBND",
        dt.date(2021, 3, 9),
        "UBND thành phố Hải Phòng",
        "tinh.haiphong",
        (
            DemoTarget(
                "new_products", Decimal(6), _end(2025), "Chương trình: phát triển, nâng cấp 335 sản phẩm."
            ),
            DemoTarget("products_recognised", Decimal(8), _end(2025)),
        ),
        budget=Decimal(165_000_000_000),
        note=(
            "Kinh phí hơn 165 tỷ đồng và 335 sản phẩm như Quyết định 674/QĐ-UBND ngày 09/03/2021. "
            "Số liệu tính theo thành phố Hải Phòng hiện nay (gồm cả tỉnh Hải Dương cũ từ 01/07/2025). "
            + SCALED
        ),
    ),
    DemoPlan(
        "Chương trình Mỗi xã một sản phẩm giai đoạn 2021–2025",
        "country",
        None,
        2021,
        2025,
        "919/QĐ-TTg",
        dt.date(2022, 8, 1),
        "Thủ tướng Chính phủ",
        "trunguong",
        (
            DemoTarget(
                "share_cooperatives_enterprises",
                Decimal(70),
                _end(2025),
                "Ít nhất 40% chủ thể là hợp tác xã và 30% là doanh nghiệp nhỏ và vừa.",
            ),
            DemoTarget(
                "share_5_star",
                Decimal(4),
                _end(2025),
                "Khoảng 400–500 sản phẩm 5 sao trên 10.000 sản phẩm OCOP.",
            ),
        ),
        note="Mục tiêu theo Quyết định 919/QĐ-TTg ngày 01/08/2022.",
    ),
    DemoPlan(
        "Kế hoạch triển khai Chương trình Mỗi xã một sản phẩm giai đoạn 2026–2030",
        "country",
        None,
        2026,
        2030,
        "1520/KH-BNNMT",
        dt.date(2026, 3, 16),
        "Bộ Nông nghiệp và Môi trường",
        "trunguong",
        (
            DemoTarget("communes_with_ocop", Decimal(40), _end(2030)),
            DemoTarget("share_5_star", Decimal(5), _end(2030)),
        ),
        note="Dữ liệu mẫu: số và ngày văn bản minh họa. " + SCALED,
    ),
]


@dataclass(frozen=True)
class DemoManualValue:
    indicator: str  # a manual indicator code of ocop.plans.indicators
    province: str
    period_start: dt.date
    period_end: dt.date
    value: Decimal
    source: str
    entered_by: str


DEMO_MANUAL_VALUES: list[DemoManualValue] = [
    DemoManualValue(
        "training_classes",
        "01",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        Decimal(7),
        "Báo cáo 6 tháng đầu năm 2026 của Văn phòng Điều phối nông thôn mới thành phố",
        "tinh.hanoi",
    ),
    DemoManualValue(
        "points_of_sale",
        "01",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        Decimal(12),
        "Báo cáo 6 tháng đầu năm 2026 của Văn phòng Điều phối nông thôn mới thành phố",
        "tinh.hanoi",
    ),
    # The real figure: support under policy 6 of Nghị quyết 13/2017/NQ-HĐND in 2019–2020.
    DemoManualValue(
        "support_funds",
        "31",
        dt.date(2019, 1, 1),
        dt.date(2020, 12, 31),
        Decimal(6_388),
        "Hỗ trợ nâng cấp sản phẩm theo chính sách 6, Nghị quyết 13/2017/NQ-HĐND",
        "tinh.haiphong",
    ),
]


def load_plans(ctx: DemoContext) -> None:
    """The plans with their targets, and the manual values; a plan already there is left alone."""
    from ocop.plans.models import ManualValue, Plan, Target

    created = {"plans": 0, "targets": 0, "values": 0}
    for demo in DEMO_PLANS:
        province = ctx.units[demo.province] if demo.province else None
        if Plan.objects.filter(level=demo.level, province=province, title=demo.title).exists():
            continue
        plan = Plan(
            level=demo.level, province=province, title=demo.title, start_year=demo.start_year,
            end_year=demo.end_year, document_number=demo.document_number, document_date=demo.document_date,
            document_issuer=demo.document_issuer, budget=demo.budget, note=demo.note,
            created_by=ctx.users.get(demo.author),
        )  # fmt: skip
        plan.full_clean()
        plan._change_reason = DEMO_REASON
        plan.save()
        created["plans"] += 1
        for item in demo.targets:
            target = Target(
                plan=plan, indicator=item.indicator, value=item.value, deadline=item.deadline, note=item.note
            )
            target.full_clean()
            target._change_reason = DEMO_REASON
            target.save()
            created["targets"] += 1
    for item in DEMO_MANUAL_VALUES:
        province = ctx.units[item.province]
        key = {
            "indicator": item.indicator, "province": province, "commune": None,
            "period_start": item.period_start, "period_end": item.period_end,
        }  # fmt: skip
        if ManualValue.objects.filter(**key).exists():
            continue
        value = ManualValue(
            **key, value=item.value, source=item.source, entered_by=ctx.users.get(item.entered_by)
        )
        value.full_clean()
        value._change_reason = DEMO_REASON
        value.save()
        created["values"] += 1
    for name, n in created.items():
        ctx.count(name, n)
    ctx.write(
        _("Kế hoạch OCOP: %(plans)d kế hoạch mới, %(targets)d chỉ tiêu mới, %(values)d số liệu nhập tay mới.")
        % created
    )
