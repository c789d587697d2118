"""/api/v1/plans/: plans, targets, progress, indicators and manual values, as clients use them."""

from __future__ import annotations

import pytest

from ocop.accounts.models import ApiToken
from ocop.plans import progress
from ocop.plans.models import ManualValue, Plan, Target

from .conftest import TODAY, Data, make_plan, make_target

pytestmark = pytest.mark.django_db

BASE = "/api/v1/plans/"


def call(data: Data, user: str, method: str, path: str = "", body: dict | None = None, **headers):
    client = data.world.client(user)
    client.logout()
    _, key = ApiToken.issue(data.world.users[user], name="test")
    headers = {"Authorization": f"Bearer {key}", **headers}
    if method == "get":
        return client.get(BASE + path, body or {}, headers=headers)
    return getattr(client, method)(BASE + path, body or {}, content_type="application/json", headers=headers)


def test_a_province_creates_its_plan_and_targets_and_reads_progress(data: Data) -> None:
    response = call(
        data,
        "province_hn",
        "post",
        body={
            "province": "01",
            "title": "Kế hoạch OCOP Hà Nội 2026–2030",
            "start_year": 2026,
            "end_year": 2030,
            "document_number": "125/KH-UBND",
            "document_date": "2026-03-15",
            "budget": 12_000_000_000,
        },
        **{"X-Audit-Reason": "Ban hành"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "province" and body["province"]["code"] == "01" and body["commune"] is None
    assert body["budget"] == 12_000_000_000 and body["targets"] == []
    plan = Plan.objects.get(pk=body["id"])
    assert plan.created_by == data.world.users["province_hn"]
    assert plan.history.get().history_change_reason == "Ban hành"
    for indicator, value in (("share_5_star", 3), ("share_cooperatives_enterprises", 70)):
        response = call(
            data,
            "province_hn",
            "post",
            f"{plan.pk}/targets",
            {"indicator": indicator, "value": value, "deadline": "2030-12-31"},
        )
        assert response.status_code == 201, response.json()
    response = call(data, "province_hn", "get", f"{plan.pk}/progress", {"day": TODAY.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["day"] == "2026-11-23"
    rows = {row["indicator"]: row for row in body["rows"]}
    assert rows["share_5_star"] == {
        "plan_id": plan.pk,
        "plan": "Kế hoạch OCOP Hà Nội 2026–2030",
        "indicator": "share_5_star",
        "name": "Tỷ lệ sản phẩm 5 sao",
        "unit": "%",
        "target": 3.0,
        "deadline": "2030-12-31",
        "baseline": 16.67,
        "current": 16.67,
        "share": 100.0,
        "expected": rows["share_5_star"]["expected"],
        "on_track": True,
    }
    assert rows["share_cooperatives_enterprises"]["current"] == 66.67
    assert rows["share_cooperatives_enterprises"]["baseline"] == 50.0
    assert rows["share_cooperatives_enterprises"]["on_track"] is True
    # The same rows as ocop.plans.progress gives the periodic reports.
    assert body["rows"] == progress.rows_for(data.places["hn"].pk, None, TODAY)


def test_units_by_code_and_refusals(data: Data) -> None:
    base = {"title": "KH", "start_year": 2026, "end_year": 2026}
    # A commune by its code alone (its province follows).
    response = call(data, "province_hn", "post", body={**base, "commune": data.places["hn1"].code})
    assert response.status_code == 201 and response.json()["level"] == "commune"
    assert response.json()["province"]["code"] == "01"
    cases = [
        ("province_hn", {**base, "province": "79"}, 403),  # another province
        ("province_hn", base, 403),  # the country
        ("central", {**base, "province": "01"}, 403),  # the central office plans for the country
        ("province_hn", {**base, "province": "99"}, 422),
        ("province_hn", {**base, "province": "01", "commune": data.places["hcm1"].code}, 422),
        ("province_hn", {**base, "province": "01", "end_year": 2025}, 422),
        ("province_hn", {**base, "province": "01", "level": "country"}, 422),  # unknown field
        ("viewer_hn", {**base, "province": "01"}, 403),
    ]
    for user, body, status in cases:
        response = call(data, user, "post", body=body)
        assert response.status_code == status, (user, body, response.json())
        assert "detail" in response.json()
    assert call(data, "central", "post", body=base).status_code == 201


def test_update_with_versions_and_target_rules(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    target = make_target(plan, "products_5_star", 2)
    response = call(data, "province_hn", "get", f"{plan.pk}")
    etag = response["ETag"]
    assert (
        call(data, "province_hn", "patch", f"{plan.pk}", {"title": "Mới"}, **{"If-Match": etag}).status_code
        == 200
    )
    # The version read before that write is stale now.
    response = call(data, "province_hn", "patch", f"{plan.pk}", {"title": "Cũ"}, **{"If-Match": etag})
    assert response.status_code == 412 and Plan.objects.get(pk=plan.pk).title == "Mới"
    # The unit is not changed through the API; shortening past a target's deadline is refused.
    assert call(data, "province_hn", "patch", f"{plan.pk}", {"province": "79"}).status_code == 422
    response = call(data, "province_hn", "patch", f"{plan.pk}", {"end_year": 2028})
    assert response.status_code == 422 and "end_year" in response.json()["detail"]
    # Targets: a twin, a share above 100, a deadline outside the plan, an unknown indicator.
    for body in (
        {"indicator": "products_5_star", "value": 3, "deadline": "2030-12-31"},
        {"indicator": "share_5_star", "value": 130, "deadline": "2030-12-31"},
        {"indicator": "share_5_star", "value": 3, "deadline": "2031-12-31"},
        {"indicator": "nope", "value": 3, "deadline": "2030-12-31"},
    ):
        response = call(data, "province_hn", "post", f"{plan.pk}/targets", body)
        assert response.status_code == 422, body
    response = call(
        data,
        "province_hn",
        "put",
        f"targets/{target.pk}",
        {
            "indicator": "products_5_star",
            "value": 4,
            "deadline": "2028-12-31",
            "baseline": 1,
        },
    )
    assert response.status_code == 200 and response.json()["baseline"] == 1.0
    assert Target.objects.get(pk=target.pk).deadline.year == 2028
    assert [t["id"] for t in call(data, "viewer_hn", "get", f"{plan.pk}/targets").json()] == [target.pk]
    assert call(data, "province_hn", "get", "99999999999999999999").status_code == 404


def test_indicators_and_manual_values(data: Data) -> None:
    body = call(data, "viewer_hn", "get", "indicators").json()
    assert len(body) == 16
    share = next(item for item in body if item["code"] == "share_5_star")
    assert (
        share["percent"] and share["computed"] and share["records"] == "product" and share["kind"] == "level"
    )
    training = next(item for item in body if item["code"] == "training_classes")
    assert not training["computed"] and training["kind"] == "flow" and training["records"] == "manual_value"
    value = {
        "indicator": "training_classes",
        "commune": data.places["hn1"].code,
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "value": 4,
        "source": "Báo cáo xã",
    }
    response = call(data, "commune_hn1", "post", "manual-values", value)
    assert response.status_code == 201, response.json()
    assert (
        response.json()["level"] == "commune"
        and response.json()["commune"]["code"] == data.places["hn1"].code
    )
    assert ManualValue.objects.get().entered_by == data.world.users["commune_hn1"]
    assert call(data, "commune_hn1", "post", "manual-values", value).status_code == 422  # twice
    assert (
        call(data, "commune_hn1", "post", "manual-values", {**value, "indicator": "share_5_star"}).status_code
        == 422
    )
    assert (
        call(data, "commune_hn2", "post", "manual-values", {**value, "period_end": "2026-12-31"}).status_code
        == 403
    )
    assert (
        call(data, "central", "post", "manual-values", {**value, "commune": None}).status_code == 201
    )  # country
    listed = call(data, "province_hn", "get", "manual-values", {"indicator": "training_classes"}).json()
    assert listed["count"] == 1 and listed["items"][0]["value"] == 4.0
    assert call(data, "province_hn", "get", "manual-values", {"level": "nope"}).status_code == 422
