"""Certification test world: the registry's accounts and places, plus helpers for decisions and
certificates (``make_decision``, ``make_certificate``), shared by the apps above (evaluation, public).

``stub_filings`` stands in for the re-evaluation filings an app above registers
(ocop.certification.extensions): ``stub_filings.file(certificate, "submitted")``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Case, CharField, OuterRef, QuerySet, Value, When

from ocop.certification import extensions
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind, legal_basis_on
from ocop.conftest import shared_world_fixtures
from ocop.registry.classification import LegalBasis
from ocop.registry.models import Product
from ocop.registry.tests.conftest import World, build_world, make_producer, make_product, world  # noqa: F401

TODAY = dt.date(2026, 11, 23)  # the "today" of the issue's acceptance checks


def make_decision(**fields: Any) -> Decision:
    values: dict[str, Any] = {
        "number": "123/QĐ-UBND",
        "date": dt.date(2025, 1, 10),
        "kind": DecisionKind.RECOGNITION,
        "authority": "UBND thành phố Hà Nội",
        "authority_level": AuthorityLevel.PROVINCE,
        "legal_basis": LegalBasis.QD148,
    }
    values.update(fields)
    decision = Decision(**values)
    decision.full_clean()
    decision.save()
    return decision


def make_certificate(product: Product, decision: Decision | None = None, **fields: Any) -> Certificate:
    issue = fields.get("issue_date", dt.date(2025, 1, 10))
    if decision is None:
        decision = make_decision(
            number=f"{Decision.objects.count() + 1}/QĐ-UBND",
            date=issue,
            province=product.province,
            legal_basis=fields.get("legal_basis", legal_basis_on(issue)),
            authority_level=AuthorityLevel.CENTRAL if fields.get("star") == 5 else AuthorityLevel.PROVINCE,
            authority="Bộ Nông nghiệp và Môi trường" if fields.get("star") == 5 else "UBND tỉnh",
        )
    values: dict[str, Any] = {
        "product": product,
        "decision": decision,
        "star": 4,
        "issue_date": issue,
        "legal_basis": decision.legal_basis,
    }
    values.update(fields)
    certificate = Certificate(**values)
    certificate.full_clean()
    certificate.save()
    return certificate


@pytest.fixture
def decision_factory(db) -> Callable[..., Decision]:
    return make_decision


@pytest.fixture
def certificate_factory(db) -> Callable[..., Certificate]:
    return make_certificate


@pytest.fixture
def products(world) -> dict[str, Product]:  # noqa: F811
    return build_products(world)


def build_products(world: World) -> dict[str, Product]:  # noqa: F811
    """One product in each of hn1, hn2 (Hà Nội) and hcm1; producer_hn1's organisation owns "hn1"."""
    result = {}
    for place in ("hn1", "hn2", "hcm1"):
        producer = make_producer(world.places[place])
        result[place] = make_product(producer)
    world.users["producer_hn1"].producer = result["hn1"].producer
    world.users["producer_hn1"].save()
    return result


# For a module whose every database test reads only ``products`` (test_models): built once per
# module, copied for each test (as Django's setUpTestData).
_products_of_the_module, shared_products = shared_world_fixtures(
    lambda: build_products(build_world()), name="products"
)


class StubFilings:
    """Re-evaluation filings without the app that owns them: a status per certificate, set by the test.

    Statuses: "draft" (not submitted), "submitted", any other word; "withdrawn" ones never count.
    """

    def __init__(self) -> None:
        self.filed: dict[int, str] = {}

    def file(self, certificate: Certificate, status: str = "submitted") -> None:
        self.filed[certificate.pk] = status

    def filings(self, submitted_only: bool = False) -> QuerySet:
        skip = {"withdrawn", "draft"} if submitted_only else {"withdrawn"}
        pks = [pk for pk, status in self.filed.items() if status not in skip]
        status = Case(
            *(When(pk=pk, then=Value(value)) for pk, value in self.filed.items()),
            default=Value(""),
            output_field=CharField(),
        )
        return Certificate.objects.filter(pk=OuterRef("pk"), pk__in=pks).annotate(status=status)

    def status_label(self, status: str) -> str:
        return f"Hồ sơ: {status}"

    def detail_url(self, pk: int) -> str:
        return f"/filings/{pk}/"


@pytest.fixture
def stub_filings(monkeypatch) -> StubFilings:
    """Registers a StubFilings provider for the test (the registered one comes back afterwards)."""
    stub = StubFilings()
    monkeypatch.setattr(extensions, "_filings", stub)
    return stub


@pytest.fixture
def no_filings(monkeypatch) -> None:
    """As if no app registered re-evaluation filings (the extension point's default)."""
    monkeypatch.setattr(extensions, "_filings", extensions.NoFilings())
