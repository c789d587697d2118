"""Filtering products by their current star and by the year they were recognised, in the UI and the API."""

import datetime as dt

import pytest
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.certification import models as certification
from ocop.certification.models import AuthorityLevel, Certificate, Decision
from ocop.core import clock

from .conftest import make_producer, make_product


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 23))


def _certify(product, star: int, issued: dt.date) -> Certificate:
    decision = Decision.objects.create(
        number=f"{product.pk}{star}/QĐ-UBND",
        date=issued,
        authority="UBND thành phố Hà Nội",
        authority_level=AuthorityLevel.PROVINCE,
        province=product.province,
        legal_basis=certification.legal_basis_on(issued),
    )
    return Certificate.objects.create(product=product, decision=decision, star=star, issue_date=issued)


@pytest.fixture
def products(world):
    producer = make_producer(world.places["hn1"])
    four = make_product(producer, name="Mật ong bốn sao")
    _certify(four, 4, dt.date(2025, 1, 10))
    lapsed = make_product(producer, name="Chè hết hạn")
    _certify(lapsed, 3, dt.date(2023, 1, 10))  # expired on 10/01/2026
    none = make_product(producer, name="Bánh chưa đánh giá")
    return four, lapsed, none


def _names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].page.object_list}


def test_ui_filters_by_current_star_and_year(world, products):
    client = world.client("province_hn")
    url = reverse("registry:product_list")
    assert _names(client.get(url, {"star": "4"})) == {"Mật ong bốn sao"}
    assert _names(client.get(url, {"star": "none"})) == {"Chè hết hạn", "Bánh chưa đánh giá"}
    assert _names(client.get(url, {"star": "3"})) == set()
    assert _names(client.get(url, {"year": "2023"})) == {"Chè hết hạn"}


def test_api_filters_by_star_and_rejects_bad_values(world, products):
    _, key = ApiToken.issue(world.users["province_hn"])
    headers = {"Authorization": f"Bearer {key}"}
    body = world.client("province_hn").get("/api/v1/products/?star=4", headers=headers).json()
    assert [item["name"] for item in body["items"]] == ["Mật ong bốn sao"]
    assert body["items"][0]["current_star"] == 4
    bad = world.client("province_hn").get("/api/v1/products/?star=7", headers=headers)
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)


def test_national_list_renders_communes_only_for_the_chosen_province(world):
    client = world.client("central")
    url = reverse("registry:product_list")
    page = client.get(url)
    assert page.context["filter"].form.fields["commune"].queryset.count() == 0
    chosen = client.get(url, {"province": "01"})
    communes = chosen.context["filter"].form.fields["commune"].queryset
    assert communes.count() > 0 and set(communes.values_list("current_province__code", flat=True)) == {"01"}
    # A commune given in the URL alone still filters.
    commune = world.places["hn1"]
    assert client.get(url, {"commune": commune.code}).context["filter"].is_valid()
