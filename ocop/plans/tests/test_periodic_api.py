"""/api/v1/plans/reports: the pages' rules through the API (roles × reports × actions), the frozen
figures, the refusals as {"detail"}, the version check of the narrative."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.accounts.models import ApiToken
from ocop.certification.tests.conftest import make_certificate
from ocop.plans.models import PeriodicReport, ReportStatus
from ocop.registry.tests.conftest import make_producer, make_product

from .test_periodic_pages import CHANGES, SEES, reports  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "/api/v1/plans/reports"
LIST = f"{BASE}/"  # the list, and where a report is made
NEVER_ACT = {"council_hn", "producer_hn1", "viewer_hn", "viewer_hn1"}  # 403 on every write


def call(data, user: str, method: str, path: str = LIST, body: dict | None = None, **headers: str):
    client = data.world.client(user)
    _, key = ApiToken.issue(data.world.users[user], name="test")
    headers = {"Authorization": f"Bearer {key}", **headers}
    if method == "get":
        return client.get(path, body or {}, headers=headers)
    send = client.patch if method == "patch" else client.post
    return send(path, body or {}, content_type="application/json", headers=headers)


def test_list_is_scoped(data, reports) -> None:  # noqa: F811
    for user in data.world.users:
        response = call(data, user, "get")
        assert response.status_code == 200, user
        ids = {item["id"] for item in response.json()["items"]}
        assert ids == {report.pk for name, report in reports.items() if user in SEES[name]}, user
    # The national report first, then each province followed by its communes.
    order = [item["id"] for item in call(data, "central", "get").json()["items"]]
    assert order == [reports[name].pk for name in ("country", "hn", "hn1", "hcm")]
    body = call(data, "central", "get", body={"level": "province", "province": "01"}).json()
    assert [item["id"] for item in body["items"]] == [reports["hn"].pk]
    item = body["items"][0]
    assert item["as_of"] == "2026-06-30" and item["status"] == "draft" and item["unit"]["code"] == "01"
    assert item["title"] == "Báo cáo 6 tháng đầu năm 2026 — Thành phố Hà Nội"
    assert call(data, "central", "get", body={"kind": "monthly"}).status_code == 422


@pytest.mark.parametrize("name", sorted(SEES))
def test_matrix_detail(data, reports, name) -> None:  # noqa: F811
    report = reports[name]
    for user in data.world.users:
        response = call(data, user, "get", f"{BASE}/{report.pk}")
        assert response.status_code == (200 if user in SEES[name] else 404), user
        if response.status_code == 200:
            body = response.json()
            assert body["figures"]["as_of"] == "2026-06-30" and response["ETag"]


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_matrix_writes(data, reports, name) -> None:  # noqa: F811
    report = reports[name]
    for user in data.world.users:
        refused = 403 if user in NEVER_ACT else 404
        generate = call(data, user, "post", f"{BASE}/{report.pk}/generate")
        narrative = call(data, user, "patch", f"{BASE}/{report.pk}", {"narrative": f"Đánh giá của {user}"})
        filing = call(data, user, "post", f"{BASE}/{report.pk}/file")
        stored = PeriodicReport.objects.get(pk=report.pk)
        if user in CHANGES[name]:
            assert (generate.status_code, narrative.status_code, filing.status_code) == (200, 200, 200), user
            assert stored.status == ReportStatus.FILED and stored.narrative == f"Đánh giá của {user}"
            assert filing.json()["filed_by"] == user and filing.json()["status"] == "filed"
            PeriodicReport.objects.filter(pk=report.pk).update(
                status=ReportStatus.DRAFT, filed_at=None, filed_by=None, narrative="Đánh giá"
            )
        else:
            assert (generate.status_code, narrative.status_code, filing.status_code) == (refused,) * 3, user
            assert stored.status == ReportStatus.DRAFT and not stored.narrative.startswith("Đánh giá của")
            assert "detail" in filing.json()


def test_create_by_unit_code_and_its_refusals(data) -> None:
    response = call(data, "province_hn", "post", body={"unit": "01", "kind": "semiannual", "year": 2026})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["level"] == "province" and body["figures"]["stars"]["4p"] == 1 and body["status"] == "draft"
    commune = data.places["hn1"].code
    response = call(data, "province_hn", "post", body={"unit": commune, "kind": "annual", "year": 2026})
    assert response.status_code == 201 and response.json()["level"] == "commune"
    assert response.json()["as_of"] == "2026-11-23"
    for user, body, status, message in (
        ("province_hn", {"unit": "01", "kind": "semiannual", "year": 2026}, 409, "Đã có báo cáo"),
        ("province_hn", {"unit": "01", "kind": "semiannual", "year": 2027}, 422, "Kỳ báo cáo chưa bắt đầu"),
        ("province_hn", {"unit": "01", "kind": "semiannual", "year": 2017}, 422, "year"),
        ("province_hn", {"unit": "01", "kind": "monthly", "year": 2026}, 422, "kind"),
        (
            "province_hn",
            {"unit": "99", "kind": "semiannual", "year": 2026},
            422,
            "Không tìm thấy tỉnh hoặc xã",
        ),
        ("province_hn", {"unit": "79", "kind": "semiannual", "year": 2026}, 403, "không có quyền"),
        ("province_hn", {"unit": "01", "kind": "semiannual", "year": 2026, "status": "filed"}, 422, "status"),
        ("central", {"unit": "01", "kind": "semiannual", "year": 2026}, 403, "không có quyền"),
        ("viewer_hn", {"unit": "01", "kind": "semiannual", "year": 2026}, 403, "không có quyền"),
    ):
        response = call(data, user, "post", body=body)
        assert response.status_code == status, (body, response.json())
        assert message in response.json()["detail"], response.json()
    assert PeriodicReport.objects.count() == 2
    response = call(data, "central", "post", body={"kind": "semiannual", "year": 2026})
    assert response.status_code == 201 and response.json()["unit"] is None
    assert response.json()["figures"]["rollup"]["missing"]


def test_filed_report_is_frozen_in_the_api(data, reports) -> None:  # noqa: F811
    report = reports["hn"]
    assert call(data, "province_hn", "post", f"{BASE}/{report.pk}/file").status_code == 200
    before = call(data, "central", "get", f"{BASE}/{report.pk}").json()
    make_certificate(make_product(make_producer(data.places["hn1"])), star=5, issue_date=dt.date(2026, 6, 1))
    for method, path, body in (
        ("post", f"{BASE}/{report.pk}/generate", None),
        ("patch", f"{BASE}/{report.pk}", {"narrative": "Sửa"}),
        ("post", f"{BASE}/{report.pk}/file", None),
    ):
        response = call(data, "province_hn", method, path, body)
        assert response.status_code == 422 and "Báo cáo đã nộp" in response.json()["detail"]
    after = call(data, "central", "get", f"{BASE}/{report.pk}").json()
    assert after["figures"] == before["figures"] and after["narrative"] == before["narrative"]
    xlsx = call(data, "central", "get", f"{BASE}/{report.pk}/xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_narrative_honours_if_match(data, reports) -> None:  # noqa: F811
    report = reports["hn"]
    etag = call(data, "province_hn", "get", f"{BASE}/{report.pk}")["ETag"]
    response = call(
        data, "province_hn", "patch", f"{BASE}/{report.pk}", {"narrative": "Một"}, **{"If-Match": etag}
    )
    assert response.status_code == 200 and response["ETag"] != etag
    response = call(
        data, "province_hn", "patch", f"{BASE}/{report.pk}", {"narrative": "Hai"}, **{"If-Match": etag}
    )
    assert response.status_code == 412
    assert PeriodicReport.objects.get(pk=report.pk).narrative == "Một"
    response = call(data, "province_hn", "patch", f"{BASE}/{report.pk}", {"narrative": "x" * 20_001})
    assert response.status_code == 422 and "narrative" in response.json()["detail"]


def test_filing_without_narrative_is_a_422(data, reports) -> None:  # noqa: F811
    report = reports["hn"]
    PeriodicReport.objects.filter(pk=report.pk).update(narrative="")
    response = call(data, "province_hn", "post", f"{BASE}/{report.pk}/file")
    assert response.status_code == 422
    assert response.json()["detail"] == "Cần viết nội dung đánh giá trước khi nộp báo cáo."


def test_list_queries_do_not_grow(data, reports, django_assert_max_num_queries) -> None:  # noqa: F811
    client = data.world.client("central")  # the browser's session
    client.get(LIST)
    with django_assert_max_num_queries(4):  # session, user, count, the page
        assert client.get(LIST).json()["count"] == 4
    with django_assert_max_num_queries(3):
        assert client.get(f"{BASE}/{reports['country'].pk}").status_code == 200
