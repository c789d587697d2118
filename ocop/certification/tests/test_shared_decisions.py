"""One revocation decision, several certificates (ocop.certification.decisions), on the page and the API.

A province that revoked ten products in one decision records it as one decision; the same number
with another date or authority is refused naming the decision on file; a province never attaches
a certificate to another province's decision.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.certification import revocation
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind
from ocop.certification.steps import StepError
from ocop.core import clock
from ocop.registry.tests.conftest import make_product

from .conftest import make_certificate, make_decision

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
NUMBER = "2000/QĐ-UBND"
AUTHORITY = "UBND Thành phố Hà Nội"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def hanoi(products) -> list[Certificate]:
    """Ten 3–4★ certificates of Hà Nội products (hn1's producer and hn2's)."""
    result = []
    for n in range(10):
        base = products["hn1"] if n % 2 else products["hn2"]
        product = base if n < 2 else make_product(base.producer)
        result.append(make_certificate(product, star=3 + n % 2, issue_date=dt.date(2025, 1, 10)))
    return result


def form(**overrides: str) -> dict[str, str]:
    data = {
        "ground": "b",
        "conclusion_on": "2026-11-25",
        "number": NUMBER,
        "date": "2026-12-01",
        "authority": AUTHORITY,
        "signer": "Nguyễn Văn A",
        "revoked_on": "",
        "reason": "Kết luận kiểm tra số 12/KL-SNNMT: sản phẩm không còn đạt tiêu chí.",
        "_confirmed": "1",  # past the confirmation step (ocop.core.confirm)
    }
    data.update(overrides)
    return data


def revoke_url(certificate: Certificate) -> str:
    return reverse("certification:certificate_revoke", args=[certificate.code])


def api_post(client, user, url: str, body: dict):
    _token, key = ApiToken.issue(user)
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def api_body(**overrides: str) -> dict[str, str]:
    body = {
        "number": NUMBER,
        "date": "2026-12-01",
        "authority": AUTHORITY,
        "ground": "b",
        "reason": "Kết luận",
    }
    body.update(overrides)
    return body


def test_ten_certificates_revoked_on_the_page_under_one_decision(world, hanoi) -> None:
    client = world.client("province_hn")
    for n, certificate in enumerate(hanoi):
        # The authority typed with other case and spacing is still the same decision.
        authority = "ubnd thành phố  hà nội" if n % 2 else AUTHORITY
        response = client.post(revoke_url(certificate), form(authority=authority), follow=True)
        page = response.content.decode()
        assert response.status_code == 200 and "Đã thu hồi giấy chứng nhận" in page, page
        if n:
            assert "quyết định đã có" in page and f"nay thu hồi {n + 1} giấy chứng nhận" in page
    decision = Decision.objects.get(number=NUMBER)
    assert decision.kind == DecisionKind.REVOCATION and decision.authority == AUTHORITY
    assert decision.revoked_certificates.count() == 10
    assert decision.history.count() == 1  # created once, never rewritten
    for certificate in hanoi:
        certificate.refresh_from_db()
        assert certificate.revocation_decision == decision and certificate.status_on(TODAY) == "revoked"
        assert certificate.history.first().history_change_reason.startswith("Kết luận kiểm tra")


def test_same_number_other_date_or_authority_is_refused_naming_the_decision(world, hanoi) -> None:
    client = world.client("province_hn")
    client.post(revoke_url(hanoi[0]), form())
    for changed in (
        {"date": "2026-11-30", "conclusion_on": "2026-11-20"},
        {"authority": "Sở Nông nghiệp Hà Nội"},
    ):
        page = client.post(revoke_url(hanoi[1]), form(**changed)).content.decode()
        assert f"Số quyết định {NUMBER} đã được dùng cho quyết định {NUMBER} ngày 01/12/2026" in page
        hanoi[1].refresh_from_db()
        assert hanoi[1].revoked_on is None
    assert Decision.objects.filter(number=NUMBER).count() == 1


def test_the_same_number_in_another_year_is_another_decision(world, products, hanoi) -> None:
    # Numbers restart every year: last year's 2000/QĐ-UBND of the province is not in the way.
    make_decision(
        number=NUMBER,
        date=dt.date(2025, 12, 1),
        kind=DecisionKind.REVOCATION,
        authority=AUTHORITY,
        province=products["hn1"].province,
    )
    assert world.client("province_hn").post(revoke_url(hanoi[0]), form()).status_code == 302
    hanoi[0].refresh_from_db()
    assert hanoi[0].revocation_decision.date == TODAY
    assert Decision.objects.filter(number=NUMBER).count() == 2


def test_a_province_never_attaches_to_another_provinces_decision(world, products, hanoi) -> None:
    hcm = make_decision(
        number=NUMBER,
        date=TODAY,
        kind=DecisionKind.REVOCATION,
        authority=AUTHORITY,  # as if mistyped by Hồ Chí Minh City
        province=products["hcm1"].province,
        legal_basis="QD26/2026",
    )
    page = world.client("province_hn").post(revoke_url(hanoi[0]), form()).content.decode()
    assert "đã được ghi cho tỉnh khác hoặc cấp khác" in page
    hanoi[0].refresh_from_db()
    assert hanoi[0].revoked_on is None and hcm.revoked_certificates.count() == 0
    # Another province's decision with the same number but its own authority is not in the way.
    hcm.authority = "UBND Thành phố Hồ Chí Minh"
    hcm.save()
    assert world.client("province_hn").post(revoke_url(hanoi[0]), form()).status_code == 302
    assert Decision.objects.filter(number=NUMBER).count() == 2


def test_kind_and_signer_must_match(world, products, hanoi) -> None:
    make_decision(
        number=NUMBER,
        date=TODAY,
        authority=AUTHORITY,
        province=products["hn1"].province,
        legal_basis="QD26/2026",
    )
    user = world.users["province_hn"]
    arguments = {"ground": "b", "number": NUMBER, "date": TODAY, "authority": AUTHORITY}
    with pytest.raises(StepError, match="là quyết định công nhận, không phải quyết định thu hồi"):
        revocation.revoke(user, hanoi[0], **arguments)
    arguments["number"] = "2001/QĐ-UBND"
    first = revocation.revoke(user, hanoi[0], **arguments)  # no signer given
    second = revocation.revoke(user, hanoi[1], signer="Nguyễn Văn A", reason="Kết luận 13", **arguments)
    assert first == second and second.reused
    second.refresh_from_db()
    assert second.signer == "Nguyễn Văn A"  # filled in once, with the reason in its history
    assert second.history.first().history_change_reason == "Kết luận 13"
    with pytest.raises(StepError, match="đã ghi người ký “Nguyễn Văn A”"):
        revocation.revoke(user, hanoi[2], signer="Trần Văn B", **arguments)


def test_api_records_several_certificates_under_one_decision(world, client, hanoi, products) -> None:
    office = world.users["province_hn"]
    for certificate in hanoi[:3]:
        response = api_post(client, office, f"/api/v1/certificates/{certificate.code}/revocation", api_body())
        assert response.status_code == 200, response.content.decode()
        assert response.json()["revocation_decision"]["number"] == NUMBER
    decision = Decision.objects.get(number=NUMBER)
    detail = client.get(
        f"/api/v1/decisions/{decision.pk}", HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(office)[1]}"
    ).json()
    assert sorted(detail["certificates"]) == sorted(c.code for c in hanoi[:3])
    refused = api_post(
        client, office, f"/api/v1/certificates/{hanoi[3].code}/revocation", api_body(date="2026-11-30")
    )
    assert refused.status_code == 422 and "đã được dùng cho quyết định" in refused.json()["detail"]
    # The Ministry's 5★ decisions are the Ministry's: one decision for two 5★ certificates.
    fives = [make_certificate(products[p], star=5, issue_date=dt.date(2025, 3, 3)) for p in ("hn2", "hcm1")]
    body = api_body(number="15/QĐ-BNNMT", authority="Bộ Nông nghiệp và Môi trường")
    for five in fives:
        response = api_post(
            client, world.users["central"], f"/api/v1/certificates/{five.code}/revocation", body
        )
        assert response.status_code == 200, response.content.decode()
    central = Decision.objects.get(number="15/QĐ-BNNMT")
    assert central.authority_level == AuthorityLevel.CENTRAL and central.revoked_certificates.count() == 2
