"""/api/v1/oversight/plans: the same scope and rules as the pages, errors as {"detail"}."""

from __future__ import annotations

import pytest

from ocop.accounts.models import ApiToken
from ocop.oversight.models import Inspection, InspectionPlan, PlanStatus

from .test_plans import Oversight, fixed_today, ov, world  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/api/v1/oversight/plans"


def call(ov: Oversight, user: str, method: str, path: str = BASE, body: dict | None = None):  # noqa: F811
    client = ov.world.client(user)
    _, key = ApiToken.issue(ov.world.users[user], name="test")
    headers = {"Authorization": f"Bearer {key}"}
    if method == "get":
        return client.get(path, body or {}, headers=headers)
    return client.post(path, body or {}, content_type="application/json", headers=headers)


def test_list_is_scoped_with_progress(ov) -> None:  # noqa: F811
    expected = {
        "admin": 4,
        "central": 4,
        "province_hn": 2,
        "province_hcm": 1,
        "viewer_hn": 2,
        "commune_hn1": 0,
        "council_hn": 0,
        "producer_hn1": 0,
    }
    for user, count in expected.items():
        response = call(ov, user, "get")
        assert response.status_code == 200, user
        body = response.json()
        assert body["count"] == count and len(body["items"]) == count, user
    body = call(ov, "central", "get", body={"level": "central", "kind": "evaluation_review"}).json()
    assert [item["title"] for item in body["items"]] == ["Kiểm tra công tác đánh giá của Hà Nội"]
    body = call(ov, "central", "get", body={"province": "79"}).json()
    assert [item["province"]["code"] for item in body["items"]] == ["79"]
    assert call(ov, "central", "get", body={"limit": 1}).json()["count"] == 4
    assert call(ov, "central", "get", body={"level": "nope"}).status_code == 422


def test_detail_has_progress_and_inspections(ov) -> None:  # noqa: F811
    plan = ov.plans["hn"]
    response = call(
        ov, "province_hn", "post", f"{BASE}/{plan.pk}/producers", {"producers": [ov.producers["hn1"].pk]}
    )
    assert response.status_code == 201
    body = response.json()
    assert [item["producer_name"] for item in body["created"]] == ["Hợp tác xã Đồng Xanh"]
    assert sorted(body["created"][0]["products"]) == sorted(
        [ov.products["hn1_tea"].pk, ov.products["hn1_rice"].pk]
    )
    detail = call(ov, "province_hn", "get", f"{BASE}/{plan.pk}").json()
    assert (detail["producers_planned"], detail["producers_inspected"]) == (1, 0)
    assert (detail["products_planned"], detail["products_inspected"]) == (2, 0)
    assert detail["inspections"][0]["status"] == "planned"
    # Out of scope: hidden.
    assert call(ov, "province_hcm", "get", f"{BASE}/{plan.pk}").status_code == 404
    assert call(ov, "province_hn", "get", f"{BASE}/{ov.plans['central'].pk}").status_code == 404
    assert call(ov, "central", "get", f"{BASE}/99999999").json() == {"detail": "Không tìm thấy."}


def _new(**fields) -> dict:
    body = {"year": 2026, "title": "Kế hoạch qua API", "starts_on": "2026-12-01", "ends_on": "2026-12-31"}
    body.update(fields)
    return body


def test_create_matrix(ov) -> None:  # noqa: F811
    # Province office: its own province (by default), never another's or a central plan.
    response = call(ov, "province_hn", "post", body=_new())
    assert response.status_code == 201, response.json()
    assert (response.json()["level"], response.json()["province"]["code"]) == ("province", "01")
    assert call(ov, "province_hn", "post", body=_new(province="79")).status_code == 403
    assert call(ov, "province_hn", "post", body=_new(level="central")).status_code == 403
    response = call(ov, "province_hn", "post", body=_new(kind="evaluation_review"))
    assert response.status_code == 422 and "Điều 10.1.b" in response.json()["detail"]
    # The Ministry: central plans, a review names its province.
    assert call(ov, "central", "post", body=_new(level="central")).status_code == 201
    assert (
        call(ov, "central", "post", body=_new(level="central", kind="evaluation_review")).status_code == 422
    )
    response = call(
        ov, "central", "post", body=_new(level="central", kind="evaluation_review", province="01")
    )
    assert response.status_code == 201
    assert call(ov, "central", "post", body=_new(province="01")).status_code == 422
    # Roles that never plan.
    for user in ("commune_hn1", "viewer_hn", "council_hn", "producer_hn1"):
        assert call(ov, user, "post", body=_new()).status_code == 403, user
    # Bad input: 422 with a detail; unknown fields refused.
    assert call(ov, "province_hn", "post", body=_new(ends_on="2026-11-01")).status_code == 422
    response = call(ov, "province_hn", "post", body=_new(status="closed"))
    assert response.status_code == 422 and "status" in response.json()["detail"]
    members = [ov.world.users["province_hcm"].pk]
    assert call(ov, "province_hn", "post", body=_new(members=members)).status_code == 422
    response = call(ov, "central", "post", body=_new(level="central", members=[ov.world.users["central"].pk]))
    assert response.status_code == 201 and response.json()["members"][0]["role"] == "central"
    assert InspectionPlan.objects.filter(title="Kế hoạch qua API").count() == 4


def test_add_producers_matrix(ov) -> None:  # noqa: F811
    plan = ov.plans["hn"]
    url = f"{BASE}/{plan.pk}/producers"
    hn1, hcm1 = ov.producers["hn1"].pk, ov.producers["hcm1"].pk
    assert call(ov, "province_hn", "post", url, {"producers": [hcm1]}).status_code == 404
    assert call(ov, "province_hcm", "post", url, {"producers": [hcm1]}).status_code == 404
    assert call(ov, "viewer_hn", "post", url, {"producers": [hn1]}).status_code == 403
    assert call(ov, "commune_hn1", "post", url, {"producers": [hn1]}).status_code == 403
    # Only the tea: the given products.
    body = {"producers": [hn1], "products": [ov.products["hn1_tea"].pk]}
    response = call(ov, "province_hn", "post", url, body)
    assert response.status_code == 201
    assert response.json()["created"][0]["products"] == [ov.products["hn1_tea"].pk]
    again = call(ov, "province_hn", "post", url, {"producers": [hn1]})
    assert again.status_code == 201 and again.json()["created"] == []
    bad = {"producers": [ov.producers["hn2"].pk], "products": [ov.products["hn2_none"].pk]}
    assert call(ov, "province_hn", "post", url, bad).status_code == 422
    assert call(ov, "province_hn", "post", url, {"producers": []}).status_code == 422
    InspectionPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    response = call(ov, "province_hn", "post", url, {"producers": [ov.producers["hn2"].pk]})
    assert response.status_code == 422 and "kết thúc" in response.json()["detail"]
    assert Inspection.objects.count() == 1
    # The Ministry's plans are the Ministry's.
    review = f"{BASE}/{ov.plans['review'].pk}/producers"
    assert call(ov, "province_hn", "post", review, {"producers": [hn1]}).status_code == 403
    assert call(ov, "central", "post", review, {"producers": [hn1]}).status_code == 201
