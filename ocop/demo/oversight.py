"""The demo's oversight (Art. 9): a plan of Đồng Tháp with inspections in every state, the
Ministry's 5★ plan, consumer reports and scan signals — made through the same steps as the pages.

- Đồng Tháp's plan of the year, active: HTX Nông nghiệp Lấp Vò inspected (Nem compliant; Quýt hồng
  warned, with its re-inspection planned); CTCP Thực phẩm Sa Đéc inspected (Bánh phồng tôm "no
  longer met" → revocation proposal → revoked by the province; Hủ tiếu compliant); HTX Xoài cát Hòa
  Lộc still to inspect (the phone journey records it).
- An ad hoc plan: Xoài sấy dẻo Hòa Lộc no longer made → removed from the programme; a visit called off.
- The Ministry's 5★ plan (Cà phê Arabica Cầu Đất), planned.
- Reports: an expired certificate still sold (new), one linked to the warned inspection, one closed.
- Scans: the expired and the revoked certificates still scanned, a surge, a mistyped code; then
  ``signals.refresh()`` turns them into signals.

Run again, it finds its plans by title and adds nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

DEMO_REASON = "Dữ liệu mẫu (ocop demo)"
PLAN_TITLE = "Kế hoạch kiểm tra, giám sát sản phẩm OCOP tỉnh Đồng Tháp năm {year}"
AD_HOC_TITLE = "Kiểm tra đột xuất theo phản ánh của người tiêu dùng, tỉnh Đồng Tháp năm {year}"
CENTRAL_TITLE = "Kế hoạch kiểm tra sản phẩm OCOP 5 sao năm {year}"
CENTRAL_TEAM = (
    "Văn phòng Điều phối nông thôn mới Trung ương\nCục Chất lượng, Chế biến và Phát triển thị trường"
)
TEAM = "Chi cục Phát triển nông thôn (chủ trì)\nSở Công Thương\nSở Y tế (Chi cục An toàn vệ sinh thực phẩm)"

LAP_VO = "Hợp tác xã Nông nghiệp Lấp Vò"
SA_DEC = "Công ty Cổ phần Thực phẩm Sa Đéc"
HOA_LOC = "Hợp tác xã Xoài cát Hòa Lộc"
DRIED_MANGO = "Xoài sấy dẻo Hòa Lộc"


def _png(text: str, size: tuple[int, int] = (360, 120)) -> bytes:
    """A small picture (Pillow comes with WeasyPrint): a scribbled signature or a site photo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    width, height = size
    points = [(10 + i * (width - 20) // 12, height // 2 + (18 if i % 2 else -18)) for i in range(13)]
    draw.line(points, fill="navy", width=3)
    draw.text((10, height - 20), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _signature(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode(_png(name)).decode()


def _photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.png", _png(name, (640, 480)), content_type="image/png")


def _producer(name: str) -> Any:
    from ocop.registry.models import Producer

    return Producer.objects.filter(name=name).first()


def _record(
    office: Any,
    inspection: Any,
    *,
    day: dt.date,
    person: str,
    not_met: dict[str, str],
    photo: str,
    signed: bool = True,
    summary: str = "",
) -> Any:
    """Answer the whole checklist (as evaluated, except ``not_met``: product name → note)."""
    from ocop.oversight import checklist, steps
    from ocop.oversight.models import Answer

    checklist.build(inspection)  # the form builds it when first opened
    findings = {}
    flagged = set()
    for finding in inspection.findings.select_related("product").order_by("position", "pk"):
        note = not_met.get(finding.product.name)
        if note and finding.product.name not in flagged and finding.kind == "criterion":
            flagged.add(finding.product.name)
            findings[finding.pk] = {"answer": Answer.NOT_MET, "note": note}
        else:
            findings[finding.pk] = {"answer": Answer.AS_EVALUATED, "note": ""}
    data: dict[str, Any] = {
        "inspected_on": day,
        "location": f"Cơ sở sản xuất của {inspection.producer.name}",
        "inspectors": "Lê Minh Châu (Chi cục Phát triển nông thôn)\nĐại diện Sở Công Thương",
        "inspected_person": person,
        "summary": summary,
        "findings": findings,
    }
    if signed:
        data["signature"] = _signature(person)
    else:
        data.update(
            signature_refused=True, refusal_note="Đại diện chủ thể vắng mặt lúc kết thúc buổi kiểm tra."
        )
    return steps.save_record(office, inspection, data=data, files={None: [_photo(photo)]})


def load_oversight(ctx: Any) -> None:
    from ocop.accounts.models import User
    from ocop.certification.models import Certificate
    from ocop.certification.revocation import revoke
    from ocop.core import clock
    from ocop.geo.models import Unit
    from ocop.oversight import consequences, intake, planning, signals, steps, triage
    from ocop.oversight.models import (
        ConsumerReport,
        InspectionPlan,
        Outcome,
        PlanKind,
        PlanLevel,
        PlanStatus,
        ReportKind,
    )
    from ocop.public.models import MissedLookup, ScanCount
    from ocop.registry.models import Product

    today = clock.today()
    year = today.year
    office = User.objects.filter(username="tinh.dongthap").first()
    central = User.objects.filter(username="trunguong").first()
    province = Unit.objects.filter(code="82", level="province", structure="current").first()
    if office is None or central is None or province is None:
        return
    if InspectionPlan.objects.filter(title=PLAN_TITLE.format(year=year)).exists():
        return
    lap_vo, sa_dec, hoa_loc = _producer(LAP_VO), _producer(SA_DEC), _producer(HOA_LOC)
    if None in (lap_vo, sa_dec, hoa_loc):
        return

    start = dt.date(year, 1, 1)
    plan = planning.create_plan(
        office,
        members=[office],
        level=PlanLevel.PROVINCE,
        kind=PlanKind.PERIODIC,
        province=province,
        year=year,
        title=PLAN_TITLE.format(year=year),
        number=f"45/KH-UBND ngày 15/01/{year}",
        starts_on=start,
        ends_on=dt.date(year, 12, 31),
        team=TEAM,
    )
    planning.activate(office, plan)
    inspections = {i.producer_id: i for i in planning.add_producers(office, plan, [lap_vo, sa_dec, hoa_loc])}
    ctx.count("inspection plans")
    ctx.count("inspections", len(inspections))

    # HTX Lấp Vò: Nem compliant, Quýt hồng warned (deadline in a month), its re-inspection planned.
    day = today - dt.timedelta(days=21)
    lap_vo_visit = _record(
        office,
        inspections[lap_vo.pk],
        day=day,
        person="Huỳnh Văn Phúc, Giám đốc",
        not_met={},
        photo="Kho bảo quản quýt",
    )
    outcomes = {}
    for item in lap_vo_visit.inspected_products.select_related("product"):
        if item.product.name == "Quýt hồng Lấp Vò":
            outcomes[item.pk] = {
                "outcome": Outcome.WARNING,
                "corrective_actions": (
                    "Bổ sung ngày thu hoạch và hạn sử dụng trên nhãn hộp; dán tem OCOP đúng mẫu."
                ),
                "deadline": today + dt.timedelta(days=30),
            }
        else:
            outcomes[item.pk] = {"outcome": Outcome.COMPLIANT}
    steps.conclude(office, lap_vo_visit, outcomes=outcomes)
    warned = lap_vo_visit.inspected_products.get(outcome=Outcome.WARNING)
    consequences.reinspect(office, warned)

    # CTCP Sa Đéc: Bánh phồng tôm no longer meets a criterion → revocation proposal, decided by the
    # province; Hủ tiếu compliant (it stays in its re-evaluation window on the province's home page).
    day = today - dt.timedelta(days=12)
    sa_dec_visit = _record(
        office,
        inspections[sa_dec.pk],
        day=day,
        person="Nguyễn Văn Tài, Phó Giám đốc",
        not_met={
            "Bánh phồng tôm Sa Giang": "Không còn duy trì kiểm soát chất lượng theo hồ sơ; "
            "phiếu kiểm nghiệm gần nhất không đạt chỉ tiêu vi sinh."
        },
        photo="Dây chuyền bánh phồng tôm",
        signed=False,
    )
    outcomes = {}
    for item in sa_dec_visit.inspected_products.select_related("product"):
        if item.product.name == "Bánh phồng tôm Sa Giang":
            outcomes[item.pk] = {"outcome": Outcome.REVOCATION, "ground": "b"}
        else:
            outcomes[item.pk] = {"outcome": Outcome.COMPLIANT}
    steps.conclude(office, sa_dec_visit, outcomes=outcomes)
    revoked = sa_dec_visit.inspected_products.get(outcome=Outcome.REVOCATION)
    certificate = revoked.certificate or Certificate.objects.filter(product=revoked.product).first()
    if certificate is not None and certificate.revoked_on is None:
        revoke(
            office,
            certificate,
            ground="b",
            number=f"{200 + today.timetuple().tm_yday}/QĐ-UBND",
            date=today - dt.timedelta(days=5),
            authority="UBND tỉnh Đồng Tháp",
            signer="Chủ tịch UBND tỉnh",
            reason=consequences.revocation_reason(sa_dec_visit),
        )

    # An ad hoc plan after a report: Xoài sấy dẻo is no longer made, so it leaves the programme;
    # the visit to Sa Đéc planned in it was called off.
    ad_hoc = planning.create_plan(
        office,
        members=[office],
        level=PlanLevel.PROVINCE,
        kind=PlanKind.AD_HOC,
        province=province,
        year=year,
        title=AD_HOC_TITLE.format(year=year),
        starts_on=today - dt.timedelta(days=40),
        ends_on=today + dt.timedelta(days=20),
        team=TEAM,
    )
    planning.activate(office, ad_hoc)
    dried = Product.objects.filter(producer=hoa_loc, name=DRIED_MANGO).first()
    if dried is not None:
        (removal_visit,) = planning.add_producers(office, ad_hoc, [hoa_loc], products=[dried])
        removal_visit = _record(
            office,
            removal_visit,
            day=today - dt.timedelta(days=30),
            person="Lê Văn Hòa, Giám đốc",
            not_met={DRIED_MANGO: "Cơ sở đã ngừng sản xuất xoài sấy dẻo từ quý II, không còn sản phẩm."},
            photo="Xưởng sấy ngừng hoạt động",
            summary="Hợp tác xã xác nhận đã ngừng sản xuất xoài sấy dẻo.",
        )
        steps.conclude(
            office,
            removal_visit,
            outcomes={
                item.pk: {"outcome": Outcome.REMOVAL} for item in removal_visit.inspected_products.all()
            },
        )
    (called_off,) = planning.add_producers(office, ad_hoc, [sa_dec])
    planning.remove_inspection(office, called_off, reason="Đã kiểm tra trong kế hoạch định kỳ của năm.")

    # The Ministry's 5★ plan (Art. 9.4.b).
    five_star = Certificate.objects.filter(star=5, revoked_on__isnull=True).select_related(
        "product__producer"
    )
    national = planning.create_plan(
        central,
        members=[central],
        level=PlanLevel.CENTRAL,
        kind=PlanKind.PERIODIC,
        year=year,
        title=CENTRAL_TITLE.format(year=year),
        starts_on=start,
        ends_on=dt.date(year, 12, 31),
        team=CENTRAL_TEAM,
    )
    planning.activate(central, national)
    producers = {c.product.producer for c in five_star}
    if producers:
        planning.add_producers(central, national, sorted(producers, key=lambda p: p.pk))
    ctx.count("inspection plans", 2)

    # Consumers' reports (through the public form's intake).
    expired = (
        Certificate.objects.filter(product__name="Bánh phồng nếp Lấp Vò").order_by("-issue_date").first()
    )
    if expired is not None:
        intake.submit(
            intake.resolve(expired.code),
            kind=ReportKind.EXPIRED_SOLD,
            description=(
                "Cửa hàng vẫn bày bán với tem OCOP 3 sao, quét mã thì báo giấy chứng nhận đã hết hiệu lực."
            ),
            where_bought="Cửa hàng đặc sản Sa Đéc, chợ Sa Đéc",
            where_province=province,
            contact_name="Trần Thị Hoa",
            contact="0909 123 456",
        )
    quyt = Certificate.objects.filter(product__name="Quýt hồng Lấp Vò").order_by("-issue_date").first()
    if quyt is not None:
        linked = intake.submit(
            intake.resolve(quyt.code),
            kind=ReportKind.LABEL_INFO,
            description="Hộp quýt không ghi ngày thu hoạch, tem OCOP in mờ.",
            where_bought="Siêu thị tại TP. Hồ Chí Minh",
        )
        triage.link(office, linked, lap_vo_visit)
        closed = intake.submit(
            intake.resolve(quyt.code),
            kind=ReportKind.QUALITY,
            description="Quýt bị dập nhiều.",
            where_bought="Chợ đầu mối",
        )
        triage.close(
            office,
            closed,
            "Đã làm việc với hợp tác xã: lô hàng bị dập do vận chuyển, không phải vi phạm tiêu chí OCOP.",
        )
    ctx.count("consumer reports", ConsumerReport.objects.count())

    # Scans: the expired and the revoked certificates keep being scanned, Nem Lấp Vò has a surge,
    # and a code one character off Nem's certificate is typed again and again.
    rows = []

    def scans(certificate: Any, days: range, per_day: int) -> None:
        for back in days:
            rows.append(
                ScanCount(
                    day=today - dt.timedelta(days=back),
                    kind="certificate",
                    object_id=certificate.pk,
                    source="qr",
                    count=per_day,
                    product_id=certificate.product_id,
                )
            )

    if expired is not None:
        scans(expired, range(1, 29, 2), 4)
    revoked_cert = Certificate.objects.filter(
        product__name="Hạt sen sấy Tháp Mười", revoked_on__isnull=False
    ).first()
    if revoked_cert is not None:
        scans(revoked_cert, range(1, 20, 3), 3)
    nem = (
        Certificate.objects.filter(product__name="Nem Lấp Vò", revoked_on__isnull=True)
        .order_by("-issue_date")
        .first()
    )
    if nem is not None:
        scans(nem, range(2, 30), 2)
        scans(nem, range(1, 2), 60)
        typo = nem.code[:-3] + ("0" if nem.code[-3] != "0" else "1") + nem.code[-2:]
        MissedLookup.objects.bulk_create(
            [MissedLookup(day=today - dt.timedelta(days=back), code=typo, count=3) for back in (1, 2, 4)],
            ignore_conflicts=True,
        )
    ScanCount.objects.bulk_create(rows, ignore_conflicts=True)
    found = signals.refresh(today)
    ctx.count("scan signals", found.get("created", 0))
    ctx.write(f"  oversight: {PlanStatus.ACTIVE.label} — {plan.title}")
