"""Public-site test world: the registry's places and accounts, and products in every certificate state.

"Today" is fixed (ocop.core.clock.today) and the cache is emptied before each test, so a
test sees exactly what it built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.test import Client

from ocop.certification.models import Certificate, DecisionKind, RevocationGround
from ocop.certification.tests.conftest import TODAY, make_certificate, make_decision
from ocop.conftest import shared_world_fixtures
from ocop.core import clock
from ocop.registry import codes as registry_codes
from ocop.registry.classification import ProducerType
from ocop.registry.models import Producer, Product
from ocop.registry.tests.conftest import World, build_world, make_producer, make_product, world  # noqa: F401

__all__ = ["TODAY", "PRIVATE", "Catalogue", "gtin_with_check"]

# The producer's personal and contact data: must never appear on a public page.
PRIVATE = {
    "representative_name": "Nguyễn Thị Bí Mật",
    "phone": "0912 345 678",
    "email": "chu.ho@example.vn",
    "address": "Số 17 ngõ 42 đường Kín Đáo",
    "tax_code": "0101234565",
}


def gtin_with_check(body: str) -> str:
    """A GTIN-13 from its first 12 digits."""
    return body + str(registry_codes.gtin_check_digit(body))


@dataclass
class Catalogue:
    producer: Producer
    products: dict[str, Product] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.fixture
def catalogue(world) -> Catalogue:  # noqa: F811
    return build_catalogue(world)


def build_catalogue(world: World) -> Catalogue:  # noqa: F811
    """One producer in Hà Nội (hn1) with products whose certificates are valid, expired, revoked,
    superseded (by a valid one), plus a product never recognised; one producer in TP HCM."""
    producer = make_producer(
        world.places["hn1"],
        name="Hợp tác xã Nông sản Sạch Đông Anh",
        producer_type=ProducerType.HTX,
        representative_position="Giám đốc",
        **PRIVATE,
    )
    other = make_producer(world.places["hcm1"], name="Cơ sở Bánh tráng Củ Chi")
    result = Catalogue(producer=producer)
    result.products = {
        "valid": make_product(
            producer,
            name="Gạo nếp cái hoa vàng",
            name_en="Golden flower sticky rice",
            classification_set="B03",
            description="Gạo nếp thơm dẻo.",
            story="Giống lúa cổ của làng.",
            packaging="Túi 2 kg",
            gtin=gtin_with_check("893504950001"),
        ),
        "expired": make_product(producer, name="Mật ong rừng", classification_set="B04"),
        "revoked": make_product(producer, name="Trà sen Tây Hồ", classification_set="B11"),
        "superseded": make_product(producer, name="Miến dong", classification_set="B06"),
        "unpublished": make_product(producer, name="Tương bần chưa công nhận", classification_set="B09"),
        "hcm": make_product(other, name="Bánh tráng phơi sương", classification_set="B06"),
    }
    p = result.products
    revocation = make_decision(
        number="77/QĐ-UBND",
        date=dt.date(2026, 3, 1),
        kind=DecisionKind.REVOCATION,
        legal_basis="QD148+1489",
        authority="UBND thành phố Hà Nội",
    )
    old = make_certificate(p["superseded"], star=3, issue_date=dt.date(2024, 2, 1))
    new = make_certificate(p["superseded"], star=4, issue_date=dt.date(2025, 6, 1))
    old.superseded_by = new
    old.save()
    result.certificates = {
        "valid": make_certificate(p["valid"], star=4, issue_date=dt.date(2025, 1, 10), number="15/GCN"),
        "expired": make_certificate(p["expired"], star=3, issue_date=dt.date(2023, 1, 10)),
        "revoked": make_certificate(
            p["revoked"],
            star=4,
            issue_date=dt.date(2024, 4, 2),
            revoked_on=dt.date(2026, 3, 1),
            revocation_ground=RevocationGround.B,
            revocation_decision=revocation,
        ),
        "superseded": old,
        "successor": new,
        "hcm": make_certificate(p["hcm"], star=3, issue_date=dt.date(2025, 3, 3)),
    }
    cache.clear()
    return result


# Built once per module (as Django's setUpTestData), copied for each test: the modules whose every
# test reads this catalogue take their ``world`` and ``catalogue`` from it (ocop/public/tests/shared.py).
_catalogue_of_the_module, shared_catalogue = shared_world_fixtures(
    lambda: _world_and_catalogue(build_world()), name="catalogue", today=TODAY
)


def _world_and_catalogue(world: World) -> tuple[World, Catalogue]:  # noqa: F811
    return world, build_catalogue(world)
