"""History import of past inspections and removals (ocop.oversight.io, kind "inspections").

Hà Nội: producer A (hn1) with products a1, a2 (a2 has a certificate), producer B (hn2) with b1;
TP HCM: producer C with c1. Today is 23/11/2026.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock
from ocop.oversight import io as oversight_io
from ocop.oversight import stats
from ocop.oversight.io import INSPECTION_SPEC, import_file
from ocop.oversight.models import InspectedProduct, Inspection, InspectionPlan, InspectionStatus, Outcome
from ocop.registry import extensions
from ocop.registry.classification import ProductStatus
from ocop.registry.io import CellError
from ocop.registry.tests.conftest import World, make_producer, make_product, world  # noqa: F401

TODAY = dt.date(2026, 11, 23)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings, tmp_path: Path) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def places(world: World):  # noqa: F811
    a = make_producer(world.places["hn1"], name="Hợp tác xã Chè Tân Cương", tax_code="0100109106")
    b = make_producer(world.places["hn2"], name="Hộ kinh doanh Mật ong Ba Vì")
    c = make_producer(world.places["hcm1"])
    products = {
        "a1": make_product(a, name="Chè búp"),
        "a2": make_product(a, name="Chè xanh"),
        "b1": make_product(b, name="Mật ong"),
        "c1": make_product(c),
    }
    certificate = make_certificate(products["a2"], issue_date=dt.date(2024, 3, 1))
    return {"world": world, "products": products, "certificate": certificate, "a": a, "b": b}


def xlsx(rows: list[dict[str, str]]) -> bytes:
    stream = io.BytesIO()
    INSPECTION_SPEC.write_rows(rows, stream, "xlsx")
    return stream.getvalue()


def row(product, **values: str) -> dict[str, str]:
    base = {
        "plan_title": "Kiểm tra định kỳ 2025",
        "plan_number": "12/KH-SNN",
        "plan_year": "2025",
        "product_code": product.code,
        "inspected_on": "16/06/2025",
        "conclusion": "compliant",
    }
    base.update(values)
    return base


def happy_rows(p) -> list[dict[str, str]]:
    products = p["products"]
    return [
        row(products["a1"], conclusion="Đạt", note="Cơ sở sạch sẽ"),
        row(products["a2"], conclusion="Đề nghị thu hồi", ground="b"),
        row(
            products["b1"],
            conclusion="Cảnh báo",
            corrective_actions="Ghi hạn sử dụng trên nhãn",
            deadline="16/07/2025",
            resolved_on="10/07/2025",
            inspected_on="20/06/2025",
        ),
    ]


def test_kind_is_registered_for_the_wizard_and_the_command() -> None:
    kind = extensions.import_kinds.get("inspections")
    assert kind is not None and kind.model is Inspection and kind.run is import_file


def test_import_creates_plan_inspections_and_conclusions(places) -> None:
    user = places["world"].users["province_hn"]
    result = import_file(xlsx(happy_rows(places)), "lich-su.xlsx", user)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    plan = InspectionPlan.objects.get()
    assert (plan.title, plan.number, plan.year, plan.province, plan.level) == (
        "Kiểm tra định kỳ 2025",
        "12/KH-SNN",
        2025,
        places["world"].places["hn"],
        "province",
    )
    assert plan.status == "closed"
    inspections = {i.producer_id: i for i in Inspection.objects.all()}
    assert len(inspections) == 2
    first = inspections[places["a"].pk]
    assert first.status == InspectionStatus.DONE and first.inspected_on == dt.date(2025, 6, 16)
    assert first.conclusion == Outcome.REVOCATION  # the gravest of its products
    assert first.summary == "Cơ sở sạch sẽ"
    revoked = InspectedProduct.objects.get(product=places["products"]["a2"])
    assert (revoked.outcome, revoked.ground, revoked.certificate) == (
        "revocation",
        "b",
        places["certificate"],
    )
    warned = InspectedProduct.objects.get(product=places["products"]["b1"])
    assert warned.outcome == "warning" and warned.deadline == dt.date(2025, 7, 16)
    assert warned.resolved_on == dt.date(2025, 7, 10)
    assert not first.findings.exists()  # no checklist for history
    # The history counts in the figures of 2025.
    figures = stats.figures(user, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert figures["producers"] == {"planned": 2, "inspected": 2}
    assert figures["products"]["inspected"] == 3
    assert figures["warnings"] == {"issued": 1, "open": 0, "closed": 1, "overdue": 0}
    assert first.history.first().history_change_reason.startswith("Nhập lịch sử kiểm tra")


def test_reimport_changes_nothing_and_a_changed_row_updates(places) -> None:
    user = places["world"].users["province_hn"]
    content = xlsx(happy_rows(places))
    import_file(content, "lich-su.xlsx", user)
    counts = (InspectionPlan.objects.count(), Inspection.objects.count(), InspectedProduct.objects.count())
    again = import_file(content, "lich-su.xlsx", user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts == (
        InspectionPlan.objects.count(),
        Inspection.objects.count(),
        InspectedProduct.objects.count(),
    )
    rows = happy_rows(places)
    rows[2]["deadline"] = "30/07/2025"
    changed = import_file(xlsx(rows), "lich-su.xlsx", user)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert InspectedProduct.objects.get(product=places["products"]["b1"]).deadline == dt.date(2025, 7, 30)


def test_removal_records_the_oversight_outcome(places) -> None:
    user = places["world"].users["province_hn"]
    rows = [row(places["products"]["a1"], conclusion="Đưa ra khỏi chương trình OCOP")]
    assert import_file(xlsx(rows), "x.xlsx", user).errors == []
    item = InspectedProduct.objects.get()
    assert item.outcome == Outcome.REMOVAL and item.inspection.conclusion == Outcome.REMOVAL
    # The registry's status follows where the registry knows removal (ProductStatus.REMOVED).
    removed = getattr(ProductStatus, "REMOVED", None)
    item.product.refresh_from_db()
    if removed is not None:
        assert item.product.status == removed
    else:
        assert item.product.status == places["products"]["a1"].status
    figures = stats.figures(user, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert figures["removed"] == 1


def test_a_planned_inspection_of_the_plan_is_recorded_as_done(places) -> None:
    world_ = places["world"]
    plan = InspectionPlan.objects.create(
        province=world_.places["hn"],
        year=2025,
        title="Kiểm tra định kỳ 2025",
        number="12/KH-SNN",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    planned = Inspection.objects.create(plan=plan, producer=places["a"])
    rows = [row(places["products"]["a1"], plan_title="kiểm tra định kỳ 2025")]
    result = import_file(xlsx(rows), "x.xlsx", world_.users["province_hn"])
    assert result.errors == []
    planned.refresh_from_db()
    assert planned.status == InspectionStatus.DONE and Inspection.objects.count() == 1
    assert InspectionPlan.objects.count() == 1


def test_dry_run_writes_nothing_and_previews(places) -> None:
    result = import_file(
        xlsx(happy_rows(places)), "x.xlsx", places["world"].users["province_hn"], dry_run=True
    )
    assert result.ok and result.created == 3
    assert [r["action"] for r in result.preview] == ["create"] * 3
    assert result.preview[0]["product"] == "Chè búp"
    assert not InspectionPlan.objects.exists() and not Inspection.objects.exists()


def test_producer_by_name_and_product_by_name(places) -> None:
    rows = [
        {
            **row(places["products"]["b1"], product_code=""),
            "producer_name": "hộ kinh doanh mật ong ba vì",
            "product_name": "Mật ong",
        },
        {
            **row(places["products"]["a1"], product_code=""),
            "producer_tax_code": "0100109106",
            "product_name": "Chè búp",
        },
    ]
    result = import_file(xlsx(rows), "x.xlsx", places["world"].users["province_hn"])
    assert result.errors == []
    assert set(InspectedProduct.objects.values_list("product__name", flat=True)) == {"Mật ong", "Chè búp"}


def messages(result) -> dict[tuple[int, str], str]:
    return {(e.row, e.column): e.message for e in result.errors}


def test_bad_rows_are_named_and_nothing_is_written(places) -> None:
    products = places["products"]
    rows = [
        row(products["a1"]),  # fine, but the file is refused as a whole
        row(products["a2"], conclusion="warning"),  # no corrective actions nor deadline
        row(products["b1"], conclusion="revocation"),  # no ground
        row(products["b1"], conclusion="revocation", ground="a", inspected_on="21/06/2025"),
        row(products["a1"], inspected_on="31/02/2025", plan_title="Khác"),
        row(products["a1"], product_code="01-99999-9-2020"),
        row(products["a1"], conclusion="tốt lắm", inspected_on="17/06/2025"),
        row(products["a1"], inspected_on="01/01/2027"),
        {
            **row(products["a1"], inspected_on="18/06/2025"),
            "producer_tax_code": "0100109106",
            "product_code": products["b1"].code,
        },
        row(products["a1"]),  # the same product in the same inspection as row 2
    ]
    result = import_file(xlsx(rows), "x.xlsx", places["world"].users["province_hn"])
    found = messages(result)
    assert found[(3, "Yêu cầu khắc phục")] == "Cảnh báo phải nêu yêu cầu khắc phục."
    assert found[(3, "Hạn khắc phục")] == "Cảnh báo phải có hạn khắc phục."
    assert "căn cứ" in found[(4, "Căn cứ thu hồi")]
    assert (
        found[(5, "Căn cứ thu hồi")] == "Căn cứ thu hồi khi kiểm tra phải là điểm b, c hoặc d khoản 1 Điều 8."
    )
    assert found[(6, "Ngày kiểm tra")].startswith("Ngày không hợp lệ")
    assert found[(7, "Mã sản phẩm")] == "Không tìm thấy sản phẩm có mã này (trong phạm vi của bạn)."
    assert found[(8, "Kết luận")].startswith("Kết luận phải là compliant")
    assert found[(9, "Ngày kiểm tra")] == "Ngày kiểm tra không thể sau hôm nay."
    assert found[(10, "Mã sản phẩm")] == "Sản phẩm này không thuộc chủ thể đã ghi trên dòng."
    assert found[(11, "")].startswith("Trùng với dòng 2")
    assert not InspectionPlan.objects.exists() and not InspectedProduct.objects.exists()


def test_province_imports_only_its_province(places) -> None:
    world_ = places["world"]
    hcm = places["products"]["c1"]
    result = import_file(xlsx([row(hcm)]), "x.xlsx", world_.users["province_hn"])
    assert (
        messages(result)[(2, "Mã sản phẩm")] == "Không tìm thấy sản phẩm có mã này (trong phạm vi của bạn)."
    )
    # A plan of another province for a Hà Nội producer: refused.
    result = import_file(
        xlsx([row(places["products"]["a1"], province="79")]), "x.xlsx", world_.users["central"]
    )
    assert "tỉnh của kế hoạch" in messages(result)[(2, "Tỉnh")]
    # A province office does not write the Ministry's plans.
    result = import_file(
        xlsx([row(places["products"]["a1"], plan_level="central")]), "x.xlsx", world_.users["province_hn"]
    )
    assert "không có quyền" in " ".join(e.message for e in result.errors)
    # The Ministry does, for any province (and the CLI runs with national scope).
    result = import_file(
        xlsx([row(hcm, plan_level="central", plan_kind="ad_hoc")]), "x.xlsx", world_.users["central"]
    )
    assert result.errors == []
    plan = InspectionPlan.objects.get()
    assert plan.level == "central" and plan.province is None and plan.kind == "ad_hoc"
    assert not InspectedProduct.objects.restrict(world_.users["province_hn"]).exists()


def test_wizard_template_and_roles(places) -> None:
    world_ = places["world"]
    response = world_.client("province_hn").get(reverse("registry:import_template", args=["inspections"]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    content = b"".join(response.streaming_content) if response.streaming else response.content
    header = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()[0]
    assert header[:3] == ["Tên kế hoạch", "Số kế hoạch", "Năm kế hoạch"]
    assert (
        world_.client("commune_hn1").get(reverse("registry:import", args=["inspections"])).status_code == 403
    )
    assert (
        world_.client("producer_hn1").get(reverse("registry:import", args=["inspections"])).status_code == 403
    )


def test_wizard_upload_preview_confirm(places) -> None:
    client = places["world"].client("province_hn")
    upload = SimpleUploadedFile("lich-su.xlsx", xlsx(happy_rows(places)), content_type=XLSX)
    response = client.post(reverse("registry:import", args=["inspections"]), {"file": upload})
    assert response.status_code == 200
    assert response.context["result"].created == 3 and not Inspection.objects.exists()
    token = response.context["upload"].token
    response = client.post(reverse("registry:import_confirm", args=["inspections", token]))
    assert response.status_code == 302
    assert InspectedProduct.objects.count() == 3


def test_command_imports_a_file(places, tmp_path: Path) -> None:
    path = tmp_path / "lich-su.xlsx"
    path.write_bytes(xlsx(happy_rows(places)))
    call_command("import", "inspections", str(path))
    assert InspectedProduct.objects.count() == 3


def test_outcome_words() -> None:
    assert oversight_io._parse_outcome("đạt") == "compliant"
    assert oversight_io._parse_outcome("Cảnh báo, yêu cầu khắc phục") == "warning"
    assert oversight_io._parse_outcome("đề nghị thu hồi giấy chứng nhận") == "revocation"
    assert oversight_io._parse_outcome("REMOVAL") == "removal"
    with pytest.raises(CellError):
        oversight_io._parse_outcome("không duy trì tiêu chí")
    assert oversight_io._parse_ground("điểm c") == "c"
    assert oversight_io._parse_ground("d)") == "d"


@given(st.text(max_size=60))
def test_cell_readers_answer_a_value_or_a_vietnamese_error(text: str) -> None:
    for parse, allowed in (
        (oversight_io._parse_outcome, {"", *(o.value for o in Outcome)}),
        (oversight_io._parse_ground, {"", "b", "c", "d"}),
    ):
        try:
            value = parse(text)
        except CellError as error:
            assert str(error)
        else:
            assert value in allowed
