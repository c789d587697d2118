"""Scan signal pages and API: who sees which signal, the explanations, dismissing with a note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.core import clock
from ocop.core.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from ocop.oversight.models import ScanSignal, SignalStatus
from ocop.registry.tests.conftest import make_producer, make_product, world  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    settings.OCOP_SCAN_REGION_HEADER = ""


def make_signal(product, rule: str = "surge", **fields) -> ScanSignal:
    values = {
        "rule": rule,
        "product": product,
        "first_day": TODAY,
        "last_day": TODAY,
        "scans": 45,
        "detail": {"day": TODAY.isoformat(), "median": 4, "threshold": 20, "lookback_days": 28},
    }
    values.update(fields)
    return ScanSignal.objects.create(**values)


@pytest.fixture
def placed(world):  # noqa: F811
    """A signal on a product of commune hn1 (Hà Nội), one of hn2, one of TP HCM."""
    hn1 = make_product(make_producer(world.places["hn1"]), name="Miến dong Sơn Hà")
    hn2 = make_product(make_producer(world.places["hn2"]), name="Bánh chưng Tranh Khúc")
    hcm = make_product(make_producer(world.places["hcm1"]), name="Bánh tráng Củ Chi")
    return {
        "hn1": make_signal(hn1),
        "hn2": make_signal(hn2, code="X"),
        "hcm": make_signal(hcm),
    }


VISIBLE = {
    "admin": {"hn1", "hn2", "hcm"},
    "central": {"hn1", "hn2", "hcm"},
    "province_hn": {"hn1", "hn2"},
    "province_hcm": {"hcm"},
    "commune_hn1": {"hn1"},
    "viewer_hn": {"hn1", "hn2"},
    "viewer_hn1": {"hn1"},
}
MAY_DISMISS = {"admin", "central", "province_hn"}  # of the Hà Nội hn1 signal


@pytest.mark.parametrize("name", [*VISIBLE, "council_hn", "producer_hn1"])
def test_who_sees_which_signal(world, placed, name) -> None:  # noqa: F811
    client = world.client(name)
    response = client.get(reverse("oversight:signal_list"))
    if name not in VISIBLE:
        assert response.status_code == 403
        assert client.get(placed["hn1"].get_absolute_url()).status_code == 403
        assert client.get("/api/v1/oversight/signals").status_code == 403
        return
    assert response.status_code == 200
    shown = {key for key, signal in placed.items() if signal.product.name in response.content.decode()}
    assert shown == VISIBLE[name]
    for key, signal in placed.items():
        expected = 200 if key in VISIBLE[name] else 404
        assert client.get(signal.get_absolute_url()).status_code == expected
        assert client.get(f"/api/v1/oversight/signals/{signal.pk}").status_code == expected
    api = client.get("/api/v1/oversight/signals").json()
    assert {item["product"]["name"] for item in api["items"]} == {
        placed[key].product.name for key in VISIBLE[name]
    }


@pytest.mark.parametrize("name", [*VISIBLE, "council_hn", "producer_hn1", "province_hcm"])
def test_who_may_dismiss(world, placed, name) -> None:  # noqa: F811
    signal = placed["hn1"]
    client = world.client(name)
    url = reverse("oversight:signal_dismiss", args=[signal.pk])
    response = client.post(url, {"note": "Đã gọi điện, lô hàng khuyến mãi", CONFIRM_FIELD: CONFIRM_VALUE})
    signal.refresh_from_db()
    if name in MAY_DISMISS:
        assert response.status_code == 302
        assert signal.status == SignalStatus.DISMISSED
        assert signal.status_note == "Đã gọi điện, lô hàng khuyến mãi"
    else:
        assert response.status_code in (403, 404)
        assert signal.status == SignalStatus.OPEN
    api = client.post(
        f"/api/v1/oversight/signals/{placed['hn2'].pk}/dismiss",
        {"note": "Không sao"},
        content_type="application/json",
    )
    sees_it = "hn2" in VISIBLE.get(name, set())
    assert api.status_code == (200 if name in MAY_DISMISS else 403 if sees_it else 404)


def test_dismissing_asks_for_confirmation_then_a_note(world, placed) -> None:  # noqa: F811
    signal = placed["hn1"]
    client = world.client("province_hn")
    url = reverse("oversight:signal_dismiss", args=[signal.pk])
    page = client.post(url, {"note": "Lô hàng khuyến mãi"})
    assert page.status_code == 200 and "Bỏ qua dấu hiệu" in page.content.decode()
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN  # nothing written before the confirmation
    client.post(url, {"note": "", CONFIRM_FIELD: CONFIRM_VALUE})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    client.post(url, {"note": "Lô hàng khuyến mãi", CONFIRM_FIELD: CONFIRM_VALUE})
    signal.refresh_from_db()
    assert signal.status == SignalStatus.DISMISSED and signal.detail["dismissed_scans"] == 45
    api = world.client("province_hn").post(
        f"/api/v1/oversight/signals/{placed['hn2'].pk}/dismiss", {"note": ""}, content_type="application/json"
    )
    assert api.status_code == 422


def test_the_list_explains_every_rule_and_says_no_personal_data(world, placed) -> None:  # noqa: F811
    page = world.client("province_hn").get(reverse("oversight:signal_list")).content.decode()
    for label in (
        "Giấy chứng nhận hết hiệu lực, bị thu hồi hoặc đã được thay thế vẫn được quét",
        "Được quét nhiều ở vùng xa nơi sản xuất",
        "Lượt quét tăng đột biến",
        "Mã không tồn tại, gần giống một mã thật",
    ):
        assert label in page
    assert "Không quy tắc nào dùng dữ liệu cá nhân" in page
    assert "Ngày 01/12/2026 có 45 lượt quét, trong khi trung vị 28 ngày trước đó là 4 lượt/ngày" in page
    assert 'data-inactive-rule="far_scans"' in page and "OCOP_SCAN_REGION_HEADER" in page


def test_the_far_scans_rule_is_not_said_inactive_once_configured(world, placed, settings) -> None:  # noqa: F811
    settings.OCOP_SCAN_REGION_HEADER = "X-Region-Code"
    page = world.client("province_hn").get(reverse("oversight:signal_list")).content.decode()
    assert "data-inactive-rule" not in page


def test_filters(world, placed) -> None:  # noqa: F811
    client = world.client("admin")
    make_signal(
        placed["hn1"].product, rule="mistyped", code="OCOP-01-2025-000123-Q", detail={"real_code": "X"}
    )

    def names(query: str) -> list[str]:
        items = client.get(f"/api/v1/oversight/signals?{query}").json()["items"]
        return sorted(f"{item['product']['name']}:{item['rule']}" for item in items)

    assert names("province=79") == ["Bánh tráng Củ Chi:surge"]
    assert names("rule=mistyped") == ["Miến dong Sơn Hà:mistyped"]
    assert names("q=ocop-01-2025-000123-q") == ["Miến dong Sơn Hà:mistyped"]
    assert names("q=mien dong") == ["Miến dong Sơn Hà:mistyped", "Miến dong Sơn Hà:surge"]
    placed["hcm"].status = SignalStatus.PLANNED
    placed["hcm"].save()
    assert names("status=planned") == ["Bánh tráng Củ Chi:surge"]
    commune = placed["hn2"].product.commune.code
    assert names(f"commune={commune}") == ["Bánh chưng Tranh Khúc:surge"]
    page = client.get(reverse("oversight:signal_list"), {"rule": "mistyped"}).content.decode()
    assert "Mã “OCOP-01-2025-000123-Q” không có giấy chứng nhận nào" in page
    assert "Bánh tráng Củ Chi" not in page


def test_the_detail_page_shows_the_figures_and_the_ways_on(world, placed) -> None:  # noqa: F811
    signal = placed["hn1"]
    page = world.client("province_hn").get(signal.get_absolute_url()).content.decode()
    assert "Ngày 01/12/2026 có 45 lượt quét" in page
    assert 'id="signal-data"' in page and "chart.umd.min.js" in page
    assert "Bỏ qua, không cần kiểm tra" in page
    viewer = world.client("viewer_hn").get(signal.get_absolute_url()).content.decode()
    assert "Bỏ qua, không cần kiểm tra" not in viewer


def test_the_plan_link_names_the_producer_when_the_plans_page_exists(world, placed, monkeypatch) -> None:  # noqa: F811
    from ocop.oversight.models import InspectionPlan, PlanStatus
    from ocop.oversight.views import signals as views

    signal = placed["hn1"]
    InspectionPlan.objects.create(
        province=world.places["hn"],
        year=2026,
        title="Kiểm tra định kỳ 2026",
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=60),
        status=PlanStatus.ACTIVE,
    )
    real_reverse = views.reverse

    def reverse_with_plans(name, *args, **kwargs):
        if name == "oversight:plan_add_producers":
            return f"/oversight/plans/{kwargs.get('args', args and args[0])[0]}/add-producers/"
        return real_reverse(name, *args, **kwargs)

    user = world.users["province_hn"]
    links = views.plan_links(user, signal)
    assert links == [] or links[0]["url"].endswith(f"?producer={signal.product.producer_id}")
    monkeypatch.setattr(views, "reverse", reverse_with_plans)
    (link,) = views.plan_links(user, signal)
    assert link["title"] == "Kiểm tra định kỳ 2026"
    assert link["url"].endswith(f"/add-producers/?producer={signal.product.producer_id}")
    assert views.plan_links(world.users["province_hcm"], signal) == []


def test_the_list_runs_a_fixed_number_of_queries(world, placed, django_assert_max_num_queries) -> None:  # noqa: F811
    client = world.client("province_hn")
    client.get(reverse("oversight:signal_list"))  # warm caches (units, session)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("oversight:signal_list"))
    producer = placed["hn1"].product.producer
    for i in range(30):
        make_signal(make_product(producer, name=f"Sản phẩm {i}"), rule="surge")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("oversight:signal_list"))
    assert response.content.decode().count("Lượt quét tăng đột biến") >= 30


def test_open_signals_come_first(world, placed) -> None:  # noqa: F811
    placed["hn1"].status = SignalStatus.DISMISSED
    placed["hn1"].save()
    placed["hn2"].status = SignalStatus.PLANNED
    placed["hn2"].save()
    items = world.client("admin").get("/api/v1/oversight/signals").json()["items"]
    assert [item["status"] for item in items] == ["open", "planned", "dismissed"]
    page = world.client("admin").get(reverse("oversight:signal_list")).content.decode()
    assert (
        page.index("Bánh tráng Củ Chi") < page.index("Bánh chưng Tranh Khúc") < page.index("Miến dong Sơn Hà")
    )
