"""Everything round-trips (issue 10, point 7): producers, products and history exported from the demo
and imported into an empty installation give the same records, certificate statuses and dashboard."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.db.models import ProtectedError

from ocop.accounts.models import Role, User
from ocop.certification import io as history
from ocop.certification.models import Certificate, CertificateCodeCounter, Decision
from ocop.demo import data as demo
from ocop.registry import io as registry_io
from ocop.registry.models import Producer, Product, ProductCodeCounter
from ocop.reports import dashboard

pytestmark = pytest.mark.django_db

_RECORD_APPS = ("oversight", "public", "evaluation", "certification", "documents", "registry")


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _empty_the_records() -> None:
    """What an empty installation holds: units and accounts, no producer, product or certificate."""
    User.objects.filter(producer__isnull=False).update(producer=None)
    # Links that go round in circles (a certificate and the certificate replacing it, a dossier and
    # the certificate it re-evaluates) are cut before the rows go.
    Certificate.objects.update(superseded_by=None, evaluation=None)
    if apps.is_installed("ocop.oversight"):
        apps.get_model("oversight", "Inspection").objects.update(follow_up_of=None)
    if apps.is_installed("ocop.evaluation"):
        apps.get_model("evaluation", "Dossier").objects.update(previous_certificate=None)
    models = [
        m
        for label in _RECORD_APPS
        if apps.is_installed(f"ocop.{label}")
        for m in apps.get_app_config(label).get_models()
        if not m.__name__.startswith("Historical")
    ]
    blocked: list[str] = []
    for _attempt in range(len(models) + 1):
        blocked = []
        for model in models:
            try:
                model._base_manager.all().delete()
            except ProtectedError as error:
                blocked.append(f"{model.__name__}: {error.args[0]}")
        if not blocked:
            return
    raise AssertionError(blocked)


def _records() -> dict[str, list]:
    return {
        "producers": sorted(
            Producer.objects.values_list(
                "name", "producer_type", "legal_form", "tax_code", "household_id", "unit__code", "status",
                "representative_name", "phone", "email", "workforce_total",
            )
        ),
        "products": sorted(
            Product.objects.values_list(
                "code", "name", "producer__tax_code", "classification_set", "legacy_classification",
                "legacy_code", "gtin", "status", "unit__code", "packaging",
            )
        ),
        "decisions": sorted(
            Decision.objects.values_list(
                "kind", "number", "date", "authority", "authority_level", "legal_basis"
            )
        ),
        "certificates": sorted(
            (c.code, c.product.code, c.star, c.potential_5_star, c.issue_date, c.expiry, c.legal_basis,
             c.decision.number, c.revoked_on, c.revocation_ground,
             c.revocation_decision.number if c.revocation_decision else "",
             c.superseded_by.code if c.superseded_by else "", c.status)
            for c in Certificate.objects.select_related(
                "product", "decision", "revocation_decision", "superseded_by"
            )
        ),
    }  # fmt: skip


def _figures(user: User) -> dashboard.Dashboard:
    return dashboard.build(user)


def test_demo_exported_and_imported_into_an_empty_installation_shows_the_same_dashboard() -> None:
    demo.load_demo(write=lambda line: None)
    admin = User.objects.filter(role=Role.ADMIN).first()
    assert admin is not None
    figures_before = _figures(admin)
    records_before = _records()
    assert figures_before.products_ocop and len(records_before["certificates"]) >= 10
    statuses = {row[-1] for row in records_before["certificates"]}
    assert {"valid", "expired", "revoked", "superseded"} <= statuses

    files = {}
    for kind in ("producers", "products"):
        files[kind] = io.BytesIO()
        model = Producer if kind == "producers" else Product
        registry_io.export_queryset(kind, model.objects.all(), files[kind], "xlsx")
    files["history"] = io.BytesIO()
    history.export_queryset(Certificate.objects.all(), files["history"], "xlsx")

    _empty_the_records()
    ProductCodeCounter.objects.all().delete()
    CertificateCodeCounter.objects.all().delete()
    assert not Product.objects.exists() and not Certificate.objects.exists()

    for kind in ("producers", "products"):
        result = registry_io.import_file(kind, files[kind].getvalue(), f"{kind}.xlsx", None)
        assert result.ok, [str(e) for e in result.errors]
    result = history.import_file(files["history"].getvalue(), "history.xlsx", None)
    assert result.ok, [str(e) for e in result.errors]

    assert _records() == records_before
    assert _figures(admin) == figures_before
    # Codes issued after the import continue after the adopted ones.
    assert ProductCodeCounter.objects.exists() and CertificateCodeCounter.objects.exists()
