"""Officers and consumers' reports: who sees which report and the reporter's contact, the triage
steps (link to an inspection, close with a reason), the home-page queue and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import Client

from ocop.certification.steps import StepError
from ocop.core import queues
from ocop.oversight import triage
from ocop.oversight.models import ConsumerReport, ReportStatus
from ocop.oversight.registrations.reports import QUEUE_KEY
from ocop.oversight.views.reports import add_producers_url
from ocop.registry.tests.conftest import make_producer

from .reports_world import (
    TODAY,
    catalogue,
    empty_cache,
    fixed_today,
    make_inspection,
    make_plan,
    make_report,
    media_in_tmp,
    png_bytes,
    world,
)

# Fixtures shared with the other report tests: pytest finds them by name in this module.
FIXTURES = (catalogue, empty_cache, fixed_today, media_in_tmp, world)

pytestmark = pytest.mark.django_db

CONTACT = "0911 222 333"


@pytest.fixture
def reports(catalogue, world) -> dict[str, ConsumerReport]:
    hn_product = catalogue.products["expired"]
    hn = make_report(
        code=catalogue.certificates["expired"].code,
        product=hn_product,
        certificate=catalogue.certificates["expired"],
        province=world.places["hn"],
        contact_name="Người Mua Hà Nội",
        contact=CONTACT,
        description="Tem OCOP trên sản phẩm hết hạn.",
    )
    hn.photo.save("x.png", ContentFile(png_bytes()), save=False)
    hn.photo_type = "image/png"
    hn.save()
    return {
        "hn": hn,
        "hn_closed": make_report(
            province=world.places["hn"], status=ReportStatus.CLOSED, outcome="Đã xử lý."
        ),
        "hcm": make_report(
            product=catalogue.products["hcm"], province=world.places["hcm"], contact="hcm@example.vn"
        ),
        "unrouted": make_report(code="GIA-MAO", contact="central@example.vn"),
    }


def receipts(html: str, reports: dict[str, ConsumerReport]) -> set[str]:
    return {name for name, report in reports.items() if report.receipt_code in html}


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "status", "seen"),
    [
        ("admin", 200, {"hn", "hn_closed", "hcm", "unrouted"}),
        ("central", 200, {"hn", "hn_closed", "hcm", "unrouted"}),
        ("province_hn", 200, {"hn", "hn_closed"}),
        ("province_hcm", 200, {"hcm"}),
        ("viewer_hn", 200, {"hn", "hn_closed"}),
        ("commune_hn1", 403, set()),
        ("council_hn", 403, set()),
        ("producer_hn1", 403, set()),
    ],
)
def test_list_matrix(world, reports, account, status, seen) -> None:
    response = world.client(account).get("/oversight/reports/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert receipts(html, reports) == seen
        assert CONTACT not in html  # never in the list, whoever reads it


def test_list_anonymous_goes_to_login(reports) -> None:
    response = Client().get("/oversight/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_new_first_and_filters(world, reports, django_assert_max_num_queries) -> None:
    client = world.client("central")
    for n in range(5):
        make_report(province=world.places["hn"], description=f"Phản ánh số {n}")
    with django_assert_max_num_queries(12):
        html = client.get("/oversight/reports/").content.decode()
    assert html.index(reports["unrouted"].receipt_code) < html.index(reports["hn_closed"].receipt_code)
    closed = client.get("/oversight/reports/", {"status": "closed"}).content.decode()
    assert receipts(closed, reports) == {"hn_closed"}
    assert receipts(client.get("/oversight/reports/", {"province": "79"}).content.decode(), reports) == {
        "hcm"
    }
    assert receipts(client.get("/oversight/reports/", {"routed": "none"}).content.decode(), reports) == {
        "unrouted"
    }
    by_receipt = client.get("/oversight/reports/", {"q": reports["hn"].receipt_code.lower()}).content.decode()
    assert receipts(by_receipt, reports) == {"hn"}
    by_product = client.get("/oversight/reports/", {"q": "mat ong"}).content.decode()
    assert receipts(by_product, reports) == {"hn"}
    today = TODAY.strftime("%d/%m/%Y")
    assert client.get("/oversight/reports/", {"kind": "quality", "created_after": today}).status_code == 200


@pytest.mark.parametrize(
    ("account", "status", "contact"),
    [
        ("admin", 200, True),
        ("central", 200, True),
        ("province_hn", 200, True),
        ("viewer_hn", 200, False),
        ("province_hcm", 404, False),
        ("commune_hn1", 403, False),
        ("council_hn", 403, False),
        ("producer_hn1", 403, False),
    ],
)
def test_detail_matrix(world, reports, account, status, contact) -> None:
    report = reports["hn"]
    response = world.client(account).get(f"/oversight/reports/{report.pk}/")
    assert response.status_code == status
    html = response.content.decode()
    assert (CONTACT in html) is contact
    assert (f"/oversight/reports/{report.pk}/photo/" in html) is contact
    if status == 200:
        assert "Tem OCOP trên sản phẩm hết hạn." in html
    photo = world.client(account).get(f"/oversight/reports/{report.pk}/photo/")
    assert photo.status_code == (200 if contact else 404)
    if contact:
        assert b"".join(photo.streaming_content) == report.photo.open("rb").read()
        assert photo["Cache-Control"] == "private, no-store" and photo["X-Content-Type-Options"] == "nosniff"


def test_history_never_keeps_the_contact(reports) -> None:
    record = reports["hn"].history.first()
    assert not hasattr(record, "contact") and not hasattr(record, "contact_name")


# --- triage ---------------------------------------------------------------------------------------


def test_link_to_an_inspection_of_the_producer(world, catalogue, reports) -> None:
    report = reports["hn"]
    plan = make_plan(world.places["hn"])
    inspection = make_inspection(plan, catalogue.producer)
    other = make_inspection(plan, make_producer(world.places["hn2"]))
    client = world.client("province_hn")
    page = client.get(f"/oversight/reports/{report.pk}/").content.decode()
    assert f'value="{inspection.pk}"' in page and f'value="{other.pk}"' not in page
    asked = client.post(f"/oversight/reports/{report.pk}/link/", {"inspection": inspection.pk})
    assert asked.status_code == 200 and "Xác nhận" in asked.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW  # nothing written before the confirmation
    done = client.post(
        f"/oversight/reports/{report.pk}/link/", {"inspection": inspection.pk, "_confirmed": "1"}
    )
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.inspection == inspection
    assert report.handled_by == world.users["province_hn"]
    public = Client().get(f"/phan-anh/{report.receipt_code}/").content.decode()
    assert "Đang xử lý" in public


def test_link_refusals(world, catalogue, reports) -> None:
    plan = make_plan(world.places["hn"])
    elsewhere = make_inspection(plan, make_producer(world.places["hn2"]))
    with pytest.raises(StepError):
        triage.link(world.users["province_hn"], reports["hn"], elsewhere)
    with pytest.raises(PermissionDenied):
        triage.link(world.users["viewer_hn"], reports["hn"], elsewhere)
    with pytest.raises(PermissionDenied):
        triage.link(world.users["province_hcm"], reports["hn"], elsewhere)
    hcm_plan = make_plan(world.places["hcm"])
    hcm_inspection = make_inspection(hcm_plan, catalogue.products["hcm"].producer)
    with pytest.raises(PermissionDenied):  # an inspection out of the officer's scope
        triage.link(world.users["province_hn"], reports["hn"], hcm_inspection)
    with pytest.raises(StepError):
        triage.link(world.users["province_hn"], reports["hn_closed"], elsewhere)
    # a form posting an inspection that is not offered changes nothing
    client = world.client("province_hn")
    client.post(
        f"/oversight/reports/{reports['hn'].pk}/link/", {"inspection": elsewhere.pk, "_confirmed": "1"}
    )
    reports["hn"].refresh_from_db()
    assert reports["hn"].status == ReportStatus.NEW
    assert (
        world.client("viewer_hn").post(f"/oversight/reports/{reports['hn'].pk}/link/", {}).status_code == 403
    )


def test_close_with_a_reason(world, reports) -> None:
    report = reports["hn"]
    client = world.client("province_hn")
    missing = client.post(f"/oversight/reports/{report.pk}/close/", {"reason": " "})
    assert missing.status_code == 400 and "Hãy ghi lý do đóng phản ánh." in missing.content.decode()
    asked = client.post(f"/oversight/reports/{report.pk}/close/", {"reason": "Trùng phản ánh trước."})
    assert asked.status_code == 200 and "Đóng phản ánh" in asked.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.NEW
    client.post(
        f"/oversight/reports/{report.pk}/close/", {"reason": "Trùng phản ánh trước.", "_confirmed": "1"}
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.outcome == "Trùng phản ánh trước."
    assert report.history.first().history_change_reason == "Trùng phản ánh trước."
    with pytest.raises(StepError):
        triage.close(world.users["province_hn"], report, "Lần nữa")
    with pytest.raises(PermissionDenied):
        triage.close(world.users["province_hcm"], reports["hn"], "Không phải tỉnh mình")


def test_add_to_plan_link_is_safe(world, catalogue, reports) -> None:
    producer_id = reports["hn"].product.producer_id
    url = add_producers_url(123, producer_id)
    assert url == "" or url.endswith(f"?producer={producer_id}")
    make_plan(world.places["hn"])
    assert world.client("province_hn").get(f"/oversight/reports/{reports['hn'].pk}/").status_code == 200
    assert list(triage.plan_choices(world.users["province_hcm"], reports["hn"])) == []


# --- queue ----------------------------------------------------------------------------------------


def test_queue_counts_new_reports(world, reports) -> None:
    def count(account: str) -> int | None:
        items = {item.key: item for item in queues.collect(world.users[account], TODAY)}
        return items[QUEUE_KEY].count if QUEUE_KEY in items else None

    assert count("province_hn") == 1  # the closed one is done
    assert count("province_hcm") == 1
    assert count("central") == 1  # the one no province handles
    for account in ("viewer_hn", "commune_hn1", "council_hn", "producer_hn1"):
        assert count(account) is None
    item = next(i for i in queues.collect(world.users["central"], TODAY) if i.key == QUEUE_KEY)
    assert item.url == "/oversight/reports/?status=new&routed=none"
    assert "Phản ánh mới cần xử lý" in world.client("province_hn").get("/").content.decode()


# --- API ------------------------------------------------------------------------------------------


def test_api_list_and_contact(world, reports) -> None:
    handler = world.client("province_hn").get("/api/v1/oversight/reports").json()
    assert {item["receipt_code"] for item in handler["items"]} == {
        reports["hn"].receipt_code,
        reports["hn_closed"].receipt_code,
    }
    hn = next(item for item in handler["items"] if item["id"] == reports["hn"].pk)
    assert hn["contact"] == CONTACT and hn["has_photo"] is True and hn["province"] == "01"
    viewer = world.client("viewer_hn").get(f"/api/v1/oversight/reports/{reports['hn'].pk}").json()
    assert viewer["contact"] is None and viewer["contact_name"] is None and viewer["has_photo"] is None
    assert (
        world.client("province_hcm").get(f"/api/v1/oversight/reports/{reports['hn'].pk}").status_code == 404
    )
    for account in ("commune_hn1", "council_hn", "producer_hn1"):
        assert world.client(account).get("/api/v1/oversight/reports").status_code == 403
    filtered = world.client("central").get("/api/v1/oversight/reports", {"routed": "none"}).json()
    assert [item["id"] for item in filtered["items"]] == [reports["unrouted"].pk]


def test_api_close_and_link(world, catalogue, reports) -> None:
    client = world.client("province_hn")
    url = f"/api/v1/oversight/reports/{reports['hn'].pk}"
    assert client.post(f"{url}/close", {"reason": ""}, content_type="application/json").status_code == 422
    plan = make_plan(world.places["hn"])
    inspection = make_inspection(plan, catalogue.producer)
    linked = client.post(f"{url}/link", {"inspection": inspection.pk}, content_type="application/json")
    assert linked.status_code == 200 and linked.json()["status"] == "in_progress"
    assert linked.json()["inspection"] == inspection.pk
    closed = client.post(
        f"{url}/close",
        {"reason": "Đã kiểm tra", "outcome": "Cơ sở đã khắc phục."},
        content_type="application/json",
    )
    assert closed.status_code == 200 and closed.json()["outcome"] == "Cơ sở đã khắc phục."
    again = client.post(f"{url}/close", {"reason": "Lần nữa"}, content_type="application/json")
    assert again.status_code == 422
    viewer = world.client("viewer_hn").post(
        f"/api/v1/oversight/reports/{reports['hn_closed'].pk}/close",
        {"reason": "x"},
        content_type="application/json",
    )
    assert viewer.status_code == 403
