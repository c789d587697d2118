"""One recognition decision for results recorded at different times (ocop.certification.decisions):
the workflow, the round page and POST /api/v1/decisions/recognition reuse the decision on file
(same number, date and authority) and refuse the same number with another date or authority.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.certification.models import Decision
from ocop.evaluation import workflow
from ocop.evaluation.models import Level
from ocop.evaluation.workflow import StepError
from ocop.registry.tests.conftest import make_product

from .conftest import make_decision
from .test_workflow import MEMBERS, _council, _forwarded
from .test_workflow_api import _four_star

pytestmark = pytest.mark.django_db

NUMBER, DAY, AUTHORITY = "1234/QĐ-UBND", dt.date(2026, 6, 20), "UBND TP Hà Nội"


@pytest.fixture
def closed(world, products):
    """A Hà Nội round with three closed 4★ results (three products of hn1's producer)."""
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    seats = _council(world, round_)
    four = _four_star()
    evaluations = []
    for product in (
        products["hn1"],
        make_product(products["hn1"].producer),
        make_product(products["hn1"].producer),
    ):
        evaluation = workflow.add_to_round(office, _forwarded(world, product), round_, advisory_review="Đủ")
        for name in MEMBERS:
            workflow.declare(seats[name], evaluation, has_conflict=False)
            workflow.save_sheet(seats[name], evaluation, four, submit=True)
        workflow.record_consensus(seats["secretary"], evaluation, four)
        workflow.close(seats["chair"], evaluation)
        evaluation.refresh_from_db()
        assert evaluation.star == 4
        evaluations.append(evaluation)
    return round_, evaluations


def test_one_decision_recorded_in_three_steps_page_and_api(world, client, closed) -> None:
    round_, (first, second, third) = closed
    office = world.users["province_hn"]
    decision = workflow.recognise(office, [first], number=NUMBER, date=DAY, authority=AUTHORITY)
    assert not decision.reused

    # The round page: the same decision gets the second certificate.
    page_client = world.client("province_hn")
    response = page_client.post(
        reverse("evaluation:round_recognise", args=[round_.pk]),
        {
            "decision-evaluations": [second.pk],
            "decision-number": NUMBER,
            "decision-date": DAY.isoformat(),
            "decision-authority": "UBND TP  Hà Nội",  # spacing does not make another decision
            "_confirmed": "1",  # past the confirmation step (ocop.core.confirm)
        },
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert f"Đã ghi thêm 1 giấy chứng nhận vào quyết định đã có {NUMBER}" in text, text
    assert "nay có 2 giấy chứng nhận" in text
    assert Decision.objects.filter(number=NUMBER).count() == 1

    # The API: the same number with another date is refused, naming the decision on file.
    _token, key = ApiToken.issue(office)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def post(body: dict):
        return client.post(
            "/api/v1/decisions/recognition", json.dumps(body), content_type="application/json", **auth
        )

    body = {"evaluations": [third.pk], "number": NUMBER, "date": "2026-06-21", "authority": AUTHORITY}
    refused = post(body)
    assert refused.status_code == 422
    assert f"đã được dùng cho quyết định {NUMBER} ngày 20/06/2026 của {AUTHORITY}" in refused.json()["detail"]
    assert not third.certificates.exists()
    created = post({**body, "date": DAY.isoformat(), "signer": "Phó Chủ tịch"})
    assert created.status_code == 201, created.content.decode()
    assert created.json()["id"] == decision.pk and len(created.json()["certificates"]) == 3
    decision.refresh_from_db()
    assert decision.certificates.count() == 3 and decision.signer == "Phó Chủ tịch"
    assert decision.history.first().history_change_reason  # the signer filled in, with a reason


def test_recognition_never_attaches_to_another_provinces_or_a_revocation_decision(
    world, products, closed
) -> None:
    _round, (first, _second, _third) = closed
    office = world.users["province_hn"]
    make_decision(number="77/QĐ-UBND", date=DAY, authority=AUTHORITY, province=products["hcm1"].province)
    with pytest.raises(StepError, match="tỉnh khác hoặc cấp khác"):
        workflow.recognise(office, [first], number="77/QĐ-UBND", date=DAY, authority=AUTHORITY)
    make_decision(
        number="78/QĐ-UBND",
        date=DAY,
        authority=AUTHORITY,
        province=products["hn1"].province,
        kind="revocation",
    )
    with pytest.raises(StepError, match="là quyết định thu hồi, không phải quyết định công nhận"):
        workflow.recognise(office, [first], number="78/QĐ-UBND", date=DAY, authority=AUTHORITY)
    assert not first.certificates.exists()
