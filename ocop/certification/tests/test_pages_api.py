"""Certificate pages, the product's certificate tab and the API: scoped, with live status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.certification import codes
from ocop.certification import models as certification
from ocop.certification.filtersets import CertificateFilterSet
from ocop.certification.models import DecisionKind, RevocationGround
from ocop.core import clock

from .conftest import TODAY, make_certificate, make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def certificates(products) -> dict[str, certification.Certificate]:
    revocation = make_decision(
        number="9/QĐ-UBND", date=dt.date(2026, 3, 1), kind=DecisionKind.REVOCATION, legal_basis="QD148+1489"
    )
    return {
        "expired": make_certificate(products["hn1"], star=4, issue_date=dt.date(2023, 1, 10)),
        "valid": make_certificate(products["hn2"], star=4, issue_date=dt.date(2025, 1, 10)),
        "revoked": make_certificate(
            products["hcm1"],
            star=3,
            issue_date=dt.date(2024, 4, 2),
            revoked_on=dt.date(2026, 3, 1),
            revocation_ground=RevocationGround.B,
            revocation_decision=revocation,
        ),
        "expiring": make_certificate(products["hn1"], star=3, issue_date=dt.date(2024, 2, 1)),
    }


def codes_in(html: str, certificates: dict) -> set[str]:
    return {name for name, c in certificates.items() if c.code in html}


def test_the_valid_filter_keeps_exactly_the_certificates_whose_status_is_valid(
    certificates, products, monkeypatch
) -> None:
    """ "Còn hiệu lực" in the lists and the API is written as conditions an index can serve, not as
    the status CASE: on every day, the same certificates as those whose status is "valid"."""
    superseded = make_certificate(products["hn2"], star=3, issue_date=dt.date(2023, 6, 1))
    successor = make_certificate(products["hn2"], star=5, issue_date=dt.date(2026, 12, 1))  # pending today
    certification.Certificate.objects.filter(pk=superseded.pk).update(superseded_by=successor)
    seen = set()
    for day in (
        dt.date(2024, 3, 1),
        dt.date(2025, 6, 1),
        TODAY,
        dt.date(2026, 12, 1),
        dt.date(2027, 2, 1),
        dt.date(2028, 2, 1),
    ):
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        statuses = certification.Certificate.objects.with_status(day)
        expected = set(statuses.filter(status="valid").values_list("pk", flat=True))
        found = CertificateFilterSet({"status": "valid"}, queryset=certification.Certificate.objects.all()).qs
        assert set(found.values_list("pk", flat=True)) == expected, day
        seen.add(frozenset(expected))
    # superseded only once its successor is issued; revoked from its revocation; expired after expiry
    assert superseded.pk in set().union(*seen) and len(seen) >= 4


def test_list_filters_and_status_words(world, certificates) -> None:
    client = world.client("central")
    url = reverse("certification:certificate_list")
    page = client.get(url).content.decode()
    assert codes_in(page, certificates) == set(certificates)
    assert "Hết hiệu lực" in page and "Bị thu hồi" in page and "Còn hiệu lực" in page
    assert codes_in(client.get(url, {"status": "valid"}).content.decode(), certificates) == {
        "valid",
        "expiring",
    }
    assert codes_in(client.get(url, {"status": "revoked"}).content.decode(), certificates) == {"revoked"}
    assert codes_in(client.get(url, {"expiring_within": 180}).content.decode(), certificates) == {"expiring"}
    assert codes_in(client.get(url, {"star": 3, "province": "79"}).content.decode(), certificates) == {
        "revoked"
    }
    assert codes_in(client.get(url, {"legal_basis": "QD1048+781"}).content.decode(), certificates) == {
        "expired"
    }
    assert codes_in(client.get(url, {"q": certificates["valid"].code}).content.decode(), certificates) == {
        "valid"
    }
    # the recognition decision's number, as typed (letters in either case)
    number = certificates["revoked"].decision.number.replace("UBND", "ubnd")
    assert codes_in(client.get(url, {"q": number}).content.decode(), certificates) == {"revoked"}
    # the place and the producer's name find certificates too (issue 12.5)
    assert codes_in(client.get(url, {"q": "ho chi minh"}).content.decode(), certificates) == {"revoked"}
    producer = certificates["valid"].product.producer
    producer.name = "HTX Chè Tân Cương"
    producer.save()
    assert codes_in(client.get(url, {"q": "che tan cuong"}).content.decode(), certificates) == {"valid"}


def test_commune_officer_sees_only_their_commune(world, certificates) -> None:
    client = world.client("commune_hn2")
    page = client.get(reverse("certification:certificate_list")).content.decode()
    assert codes_in(page, certificates) == {"valid"}
    assert client.get(certificates["expired"].get_absolute_url()).status_code == 404
    assert client.get(certificates["valid"].get_absolute_url()).status_code == 200
    producer = world.client("producer_hn1").get(reverse("certification:certificate_list")).content.decode()
    assert codes_in(producer, certificates) == {"expired", "expiring"}


def test_detail_page(world, certificates) -> None:
    page = world.client("province_hcm").get(certificates["revoked"].get_absolute_url()).content.decode()
    assert "Bị thu hồi" in page and "9/QĐ-UBND" in page and "không còn đáp ứng" in page


def test_product_certificate_tab(world, products, certificates) -> None:
    client = world.client("province_hn")
    url = products["hn1"].get_absolute_url()
    info = client.get(url).content.decode()
    assert "?tab=certificates" in info and "Giấy chứng nhận" in info
    tab = client.get(url, {"tab": "certificates"})
    html = tab.content.decode()
    counts = {extra["key"]: extra["count"] for extra in tab.context["extra_tabs"]}  # registry extensions
    assert counts["certificates"] == 2
    assert certificates["expired"].code in html and certificates["expiring"].code in html
    assert "10/01/2026" in html  # expiry of the 2023 certificate
    assert "text-bg-secondary" in html and "Hết hiệu lực" in html
    assert certificates["valid"].code not in html


def test_product_list_shows_the_current_star_without_n_plus_1(world, products, certificates) -> None:
    page = world.client("central").get(reverse("registry:product_list")).content.decode()
    assert 'aria-label="3 sao"' in page and 'aria-label="4 sao"' in page


def test_api_list_and_scoping(world, certificates) -> None:
    client = world.client("central")
    body = client.get("/api/v1/certificates/", {"status": "valid", "expiring_within": 180}).json()
    assert body["count"] == 1 and body["items"][0]["code"] == certificates["expiring"].code
    item = client.get(f"/api/v1/certificates/{certificates['revoked'].code}").json()
    assert item["status"] == "revoked" and item["revocation_ground"] == "b"
    assert item["decision"]["authority_level"] == "province" and item["province"] == "79"
    valid = client.get(f"/api/v1/certificates/{certificates['valid'].code}").json()
    assert (valid["star"], valid["expiry"], valid["status"]) == (4, "2028-01-10", "valid")
    commune = world.client("commune_hn2")
    listed = commune.get("/api/v1/certificates/").json()
    assert [c["code"] for c in listed["items"]] == [certificates["valid"].code]
    assert commune.get(f"/api/v1/certificates/{certificates['expired'].code}").status_code == 404
    assert client.get("/api/v1/certificates/", {"province": "79"}).json()["count"] == 1


def test_api_detects_a_mistyped_code(world, certificates) -> None:
    code = certificates["valid"].code
    position = len(code) - 3
    typo = code[:position] + ("7" if code[position] != "7" else "8") + code[position + 1 :]
    assert not codes.is_valid(typo)
    response = world.client("central").get(f"/api/v1/certificates/{typo}")
    assert response.status_code == 422 and "ký tự kiểm tra" in response.json()["detail"]


def test_api_product_current_star_is_real(world, certificates, products) -> None:
    body = world.client("central").get("/api/v1/products/").json()
    stars = {item["id"]: item["current_star"] for item in body["items"]}
    assert stars[products["hn2"].pk] == 4 and stars[products["hcm1"].pk] is None


def test_admin_pages(world, certificates) -> None:
    client = world.client("admin")
    certificate = certificates["revoked"]
    for url in (
        reverse("admin:certification_certificate_changelist"),
        reverse("admin:certification_certificate_change", args=[certificate.pk]),
        reverse("admin:certification_decision_changelist"),
        reverse("admin:certification_decision_change", args=[certificate.decision_id]),
    ):
        assert client.get(url).status_code == 200, url
