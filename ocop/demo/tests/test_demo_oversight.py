"""`ocop demo` shows oversight as a province lives it: a plan with inspections in every state, a
warning being followed up, a revocation that came from an inspection, a removed product, consumer
reports in the triage queue and scan signals (the expired certificate still scanned)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ocop.certification.models import Certificate
from ocop.oversight.models import (
    ConsumerReport,
    InspectedProduct,
    Inspection,
    InspectionPlan,
    Outcome,
    ScanSignal,
)
from ocop.registry.classification import ProductStatus
from ocop.registry.models import Product

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_loaded) -> None:
    """The demo, run once for this module's tests (demo/tests/conftest.py)."""


def test_demo_oversight_has_every_state(demo) -> None:
    statuses = set(Inspection.objects.values_list("status", flat=True))
    assert statuses == {"planned", "done", "cancelled"}
    assert set(InspectionPlan.objects.values_list("level", flat=True)) == {"province", "central"}

    warned = InspectedProduct.objects.get(outcome=Outcome.WARNING)
    assert warned.resolved_on is None and warned.deadline is not None
    follow_up = Inspection.objects.get(follow_up_of=warned.inspection)
    assert follow_up.status == "planned"

    proposed = InspectedProduct.objects.get(outcome=Outcome.REVOCATION, ground="b")
    certificate = Certificate.objects.get(pk=proposed.certificate_id)
    assert certificate.revoked_on is not None and certificate.revocation_ground == "b"
    assert "biên bản kiểm tra" in certificate.revocation_decision.history.first().history_change_reason

    removed = InspectedProduct.objects.get(outcome=Outcome.REMOVAL).product
    assert Product.objects.get(pk=removed.pk).status == ProductStatus.REMOVED

    assert set(ConsumerReport.objects.values_list("status", flat=True)) == {"new", "in_progress", "closed"}
    assert {"expired_scanned", "revoked_scanned", "surge", "mistyped"} <= set(
        ScanSignal.objects.values_list("rule", flat=True)
    )


def test_demo_twice_adds_no_oversight(demo) -> None:
    before = (Inspection.objects.count(), ConsumerReport.objects.count(), ScanSignal.objects.count())
    call_command("demo", verbosity=0)
    assert (Inspection.objects.count(), ConsumerReport.objects.count(), ScanSignal.objects.count()) == before


def test_oversight_in_the_admin_is_scoped_and_read_only(demo, client) -> None:
    from ocop.accounts.models import User

    admin_user = User.objects.filter(is_superuser=True).first() or User.objects.get(username="quantri")
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client.force_login(admin_user)
    for name in (
        "inspectionplan",
        "inspection",
        "inspectedproduct",
        "finding",
        "attachment",
        "consumerreport",
        "scansignal",
    ):
        assert client.get(f"/admin/oversight/{name}/").status_code == 200, name
    assert client.get("/admin/oversight/inspection/add/").status_code == 403
    report = ConsumerReport.objects.exclude(contact="").first()
    page = client.get(f"/admin/oversight/consumerreport/{report.pk}/change/")
    assert page.status_code == 200  # the admin handles it: the contact is there, not editable
    assert report.contact in page.content.decode()
