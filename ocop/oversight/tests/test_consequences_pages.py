"""The warnings follow-up (/oversight/warnings/): filters, the correction, "Tái kiểm tra", who may
do what; the home queue item; the "Kiểm tra, giám sát" tab of product and producer pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.certification.tests.conftest import make_certificate, products, world  # noqa: F401
from ocop.core import clock, queues
from ocop.oversight import consequences
from ocop.oversight.models import Inspection, InspectionStatus, Outcome, PlanLevel, PlanStatus
from ocop.oversight.tests.test_consequences import TODAY, conclude, make_inspection, make_plan

LIST = "/oversight/warnings/"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def warn(world, product, deadline, *, plan=None, actions="Sửa nhãn", user="province_hn"):  # noqa: F811
    row = make_inspection(plan or make_plan(world), product)
    conclude(world.users[user], row, Outcome.WARNING, corrective_actions=actions, deadline=deadline)
    row.refresh_from_db()
    return row


@pytest.fixture
def warnings(world, products):  # noqa: F811
    plan = make_plan(world)
    hcm_plan = make_plan(world, province=world.places["hcm"], title="Kế hoạch TP HCM")
    rows = {
        "open": warn(world, products["hn1"], dt.date(2026, 12, 31), plan=plan, actions="Nhãn A"),
        "overdue": warn(world, products["hn2"], dt.date(2026, 11, 10), plan=plan, actions="Nhãn B"),
        "hcm": warn(
            world, products["hcm1"], dt.date(2026, 11, 1), plan=hcm_plan, actions="Nhãn C", user="admin"
        ),
    }
    closed = warn(world, products["hn1"], dt.date(2026, 11, 15), plan=plan, actions="Nhãn D")
    consequences.resolve(world.users["province_hn"], closed, resolved_on=dt.date(2026, 11, 22), note="Đã sửa")
    rows["closed"] = closed
    return rows


def shown(response) -> set[str]:
    return {row.corrective_actions for row in response.context["table"].page.object_list.data}


def test_list_filters(world, warnings, django_assert_max_num_queries):  # noqa: F811
    client = world.client("province_hn")
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    assert shown(response) == {"Nhãn A", "Nhãn B", "Nhãn D"}  # not HCM's
    assert shown(client.get(LIST, {"state": "open"})) == {"Nhãn A", "Nhãn B"}
    assert shown(client.get(LIST, {"state": "overdue"})) == {"Nhãn B"}
    assert shown(client.get(LIST, {"state": "closed"})) == {"Nhãn D"}
    assert shown(client.get(LIST, {"deadline_from": "01/12/2026"})) == {"Nhãn A"}
    national = world.client("central")
    assert shown(national.get(LIST, {"province": world.places["hcm"].code})) == {"Nhãn C"}
    assert shown(national.get(LIST, {"state": "overdue"})) == {"Nhãn B", "Nhãn C"}
    assert "quá hạn" in client.get(LIST, {"state": "overdue"}).content.decode()


def test_resolve_asks_for_confirmation_then_closes_the_warning(world, warnings):  # noqa: F811
    row = warnings["overdue"]
    client = world.client("province_hn")
    url = reverse("oversight:warning_resolve", args=[row.pk])
    data = {"resolved_on": "22/11/2026", "resolution_note": "Đã in lại nhãn", "_reason": "Biên bản xác minh"}
    page = client.post(url, data)
    assert page.status_code == 200 and "_confirmed" in page.content.decode()
    row.refresh_from_db()
    assert row.resolved_on is None  # nothing written before the confirmation
    response = client.post(url, {**data, "_confirmed": "1"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.resolved_on == dt.date(2026, 11, 22) and row.resolution_note == "Đã in lại nhãn"
    assert row.history.first().history_change_reason == "Biên bản xác minh"
    # Twice is refused with a message, nothing changes.
    again = client.post(url, {**data, "resolved_on": "23/11/2026", "_confirmed": "1"})
    assert again.status_code == 400 and "đã được ghi nhận khắc phục" in again.content.decode()


def test_resolve_refuses_bad_input(world, warnings):  # noqa: F811
    client = world.client("province_hn")
    url = reverse("oversight:warning_resolve", args=[warnings["open"].pk])
    future = client.post(url, {"resolved_on": "30/11/2026", "resolution_note": "x", "_confirmed": "1"})
    assert future.status_code == 400 and "không được ở tương lai" in future.content.decode()
    empty = client.post(url, {"resolved_on": "22/11/2026", "resolution_note": "  "})
    assert empty.status_code == 400
    warnings["open"].refresh_from_db()
    assert warnings["open"].resolved_on is None


def test_reinspect_plans_a_follow_up_once(world, warnings):  # noqa: F811
    row = warnings["overdue"]
    client = world.client("province_hn")
    url = reverse("oversight:warning_reinspect", args=[row.pk])
    assert client.post(url).status_code == 302
    follow_up = Inspection.objects.get(follow_up_of=row.inspection)
    assert follow_up.plan == row.inspection.plan
    assert follow_up.producer_id == row.inspection.producer_id
    assert follow_up.status == InspectionStatus.PLANNED
    assert list(follow_up.inspected_products.values_list("product", flat=True)) == [row.product_id]
    assert client.post(url).status_code == 302
    assert Inspection.objects.filter(follow_up_of=row.inspection).count() == 1  # reused, not doubled
    page = client.get(reverse("oversight:warning_detail", args=[row.pk])).content.decode()
    assert str(follow_up) in page


def test_reinspect_uses_another_active_plan_or_says_why_not(world, warnings):  # noqa: F811
    row = warnings["open"]
    plan = row.inspection.plan
    plan.status = PlanStatus.CLOSED
    plan.save()
    client = world.client("province_hn")
    url = reverse("oversight:warning_reinspect", args=[row.pk])
    response = client.post(url, follow=True)
    assert "Không có kế hoạch kiểm tra đang thực hiện" in response.content.decode()
    assert not Inspection.objects.filter(follow_up_of=row.inspection).exists()
    other = make_plan(world, title="Kế hoạch đột xuất tháng 12")
    client.post(url)
    assert Inspection.objects.get(follow_up_of=row.inspection).plan == other


# who may record a correction or plan a re-inspection of a Hà Nội warning (province plan)
MATRIX = {
    "admin": 302,
    "central": 302,
    "province_hn": 302,
    "province_hcm": 404,
    "commune_hn1": 403,
    "commune_hn2": 404,
    "council_hn": 404,
    "producer_hn1": 403,
    "viewer_hn": 403,
}


@pytest.mark.parametrize(("name", "status"), MATRIX.items())
def test_permission_matrix(world, warnings, name, status):  # noqa: F811
    row = warnings["open"]
    client = world.client(name)
    detail = client.get(reverse("oversight:warning_detail", args=[row.pk]))
    assert detail.status_code == (404 if status == 404 else 200)
    if status == 302:
        assert "Ghi nhận đã khắc phục" in detail.content.decode()
    elif status == 403:
        assert "Ghi nhận đã khắc phục" not in detail.content.decode()
    resolve = client.post(
        reverse("oversight:warning_resolve", args=[row.pk]),
        {"resolved_on": "22/11/2026", "resolution_note": "ok", "_confirmed": "1"},
    )
    assert resolve.status_code == status
    reinspect = client.post(reverse("oversight:warning_reinspect", args=[row.pk]))
    assert reinspect.status_code == status
    row.refresh_from_db()
    assert (row.resolved_on is not None) == (status == 302)
    assert Inspection.objects.filter(follow_up_of=row.inspection).exists() == (status == 302)


def test_the_province_does_not_follow_up_the_ministrys_warnings(world, products):  # noqa: F811
    plan = make_plan(world, level=PlanLevel.CENTRAL, province=None, title="Kế hoạch của Bộ")
    row = warn(world, products["hn1"], dt.date(2026, 12, 31), plan=plan, user="central")
    client = world.client("province_hn")
    assert client.get(reverse("oversight:warning_detail", args=[row.pk])).status_code == 200
    assert client.post(reverse("oversight:warning_reinspect", args=[row.pk])).status_code == 403


def test_queue_item_counts_overdue_warnings(world, warnings, products):  # noqa: F811
    items = {item.key: item for item in queues.collect(world.users["province_hn"], TODAY)}
    item = items["oversight_warnings_overdue"]
    assert item.count == 1 and item.due == dt.date(2026, 11, 10) and item.overdue
    assert item.url == f"{LIST}?state=overdue"
    assert "oversight_warnings_overdue" not in {
        i.key for i in queues.collect(world.users["commune_hn1"], TODAY)
    }


# --- the "Kiểm tra, giám sát" tab ------------------------------------------------------------------


def test_tab_on_product_and_producer_pages(world, warnings, products):  # noqa: F811
    product = products["hn1"]
    own = world.client("producer_hn1")
    page = own.get(reverse("registry:product_detail", args=[product.pk]), {"tab": "oversight"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kiểm tra, giám sát" in html and "Nhãn A" in html and "31/12/2026" in html
    assert "Đã khắc phục 22/11/2026" in html
    producer_page = own.get(
        reverse("registry:producer_detail", args=[product.producer_id]), {"tab": "oversight"}
    )
    assert "Nhãn A" in producer_page.content.decode()
    # An officer in scope sees it; another producer sees neither the page nor the inspections.
    officer = world.client("commune_hn1").get(
        reverse("registry:product_detail", args=[product.pk]), {"tab": "oversight"}
    )
    assert "Nhãn A" in officer.content.decode()
    other = User.objects.create(
        username="producer_hcm1", role=Role.PRODUCER, producer=products["hcm1"].producer
    )
    world.users["producer_hcm1"] = other
    stranger = world.client("producer_hcm1")
    assert stranger.get(reverse("registry:product_detail", args=[product.pk])).status_code == 404
    theirs = stranger.get(
        reverse("registry:product_detail", args=[products["hcm1"].pk]), {"tab": "oversight"}
    )
    assert "Nhãn C" in theirs.content.decode() and "Nhãn A" not in theirs.content.decode()
