# ruff: noqa: F811 - the fixtures imported from the other tests are redefined as arguments
"""/api/v1/oversight/ inspections and findings: the same steps as the phone form, scoped, {detail} errors."""

from __future__ import annotations

import uuid

import pytest

from ocop.evaluation.tests.test_workflow_api import Api
from ocop.oversight import checklist
from ocop.oversight.models import Answer, Inspection, InspectionStatus, Outcome

from .test_inspections import (  # noqa: F401
    DAY,
    _today_and_media,
    legacy,
    make_certificate,
    make_inspection,
    make_product,
    png_data_url,
    products,
    world,
)

BASE = "/api/v1/oversight"


@pytest.fixture
def api(world, client):
    return lambda who: Api(client, world.users[who])


def test_list_detail_and_findings_are_scoped(api, legacy, django_assert_max_num_queries):
    checklist.build(legacy)
    for _n in range(5):  # more rows do not mean more queries
        other = make_inspection(legacy.plan, make_product(legacy.producer))
        checklist.build(other)
    officer = api("province_hn")
    with django_assert_max_num_queries(8):
        assert officer.get(f"{BASE}/inspections").json()["count"] == 6
    with django_assert_max_num_queries(8):
        assert officer.get(f"{BASE}/findings").json()["count"] == 36
    listed = api("province_hn").get(
        f"{BASE}/inspections", plan=legacy.plan_id, status="planned", producer=legacy.producer_id
    )
    assert listed.status_code == 200 and listed.json()["count"] == 6
    assert api("province_hn").get(f"{BASE}/inspections", status="done").json()["count"] == 0
    assert api("province_hcm").get(f"{BASE}/inspections").json()["count"] == 0
    # The producer reads its inspections once concluded, never a planned visit.
    assert api("producer_hn1").get(f"{BASE}/inspections", producer=legacy.producer_id).json()["count"] == 0
    Inspection.objects.filter(pk=legacy.pk).update(status=InspectionStatus.DONE)
    assert api("producer_hn1").get(f"{BASE}/inspections", producer=legacy.producer_id).json()["count"] == 1
    detail = api("viewer_hn").get(f"{BASE}/inspections/{legacy.pk}").json()
    assert [f["code"] for f in detail["findings"]] == ["G", "M1", "M2", "M3", "M4", "M5"]
    assert detail["products"][0]["star"] == 4 and detail["products"][0]["outcome"] == ""
    assert api("province_hcm").get(f"{BASE}/inspections/{legacy.pk}").status_code == 404
    findings = api("commune_hn1").get(f"{BASE}/findings", inspection=legacy.pk).json()
    assert findings["count"] == 6 and findings["items"][1]["label"].startswith("Nhãn hàng hóa")


def test_record_then_conclude_through_the_api(api, legacy):
    checklist.build(legacy)
    officer = api("province_hn")
    findings = [{"id": f.pk, "answer": Answer.AS_EVALUATED} for f in legacy.findings.all()]
    key = str(uuid.uuid4())
    body = {
        "submission_key": key,
        "inspected_on": "2026-11-20",
        "inspected_person": "Trần Thị B",
        "signature": png_data_url(),
        "findings": findings,
    }
    response = officer.post(f"{BASE}/inspections/{legacy.pk}/record", body)
    assert response.status_code == 200, response.content
    assert response.json()["signed"] is True
    # Replayed with the same key: the saved result, nothing written again.
    history = legacy.history.count()
    again = officer.post(f"{BASE}/inspections/{legacy.pk}/record", {**body, "inspected_person": "Khác"})
    assert again.status_code == 200 and again.json()["inspected_person"] == "Trần Thị B"
    assert legacy.history.count() == history
    product = legacy.inspected_products.get().product_id
    missing = officer.post(
        f"{BASE}/inspections/{legacy.pk}/conclude", {"outcomes": [{"product": product, "outcome": "warning"}]}
    )
    assert missing.status_code == 422 and "khắc phục" in missing.json()["detail"]
    done = officer.post(
        f"{BASE}/inspections/{legacy.pk}/conclude",
        {
            "outcomes": [
                {
                    "product": product,
                    "outcome": "warning",
                    "corrective_actions": "Sửa nhãn",
                    "deadline": "2026-12-31",
                }
            ]
        },
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == InspectionStatus.DONE and done.json()["conclusion"] == Outcome.WARNING
    late = officer.post(f"{BASE}/inspections/{legacy.pk}/record", {"summary": "sửa sau"})
    assert late.status_code == 422 and "đã kết luận" in late.json()["detail"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("producer_hn1", 403), ("viewer_hn", 403), ("commune_hn1", 403), ("province_hcm", 404)],
)
def test_writes_refused_outside_the_officers_scope(api, legacy, who, status):
    response = api(who).post(f"{BASE}/inspections/{legacy.pk}/record", {"summary": "x"})
    assert response.status_code == status and "detail" in response.json()
    legacy.refresh_from_db()
    assert legacy.summary == ""


def test_bad_input_is_a_422_naming_it(api, legacy):
    officer = api("province_hn")
    unknown = officer.post(f"{BASE}/inspections/{legacy.pk}/record", {"conclusion": "compliant"})
    assert unknown.status_code == 422
    bad = officer.post(f"{BASE}/inspections/{legacy.pk}/record", {"signature": "data:image/png;base64,AAAA"})
    assert bad.status_code == 422 and "signature" in bad.json()["detail"]
    other = officer.post(
        f"{BASE}/inspections/{legacy.pk}/conclude",
        {"outcomes": [{"product": 999999, "outcome": "compliant"}]},
    )
    assert other.status_code == 422
