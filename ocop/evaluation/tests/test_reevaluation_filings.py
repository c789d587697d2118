"""Re-evaluation dossiers as certification's filings (certification_hooks, registered in ready()):
the expiring-certificates page and `ocop remind` see them."""

from __future__ import annotations

import pytest

from ocop.certification import extensions, reminders
from ocop.certification.models import ReminderKind
from ocop.certification.tests.test_lifecycle_pages import (  # noqa: F401 - fixtures
    EXPIRING,
    TODAY,
    expiring,
    expiring_in,
    fixed_today,
    listed,
)
from ocop.evaluation.certification_hooks import ReevaluationDossiers
from ocop.evaluation.models import Dossier, DossierKind, DossierStatus

from .conftest import make_certificate

pytestmark = pytest.mark.django_db


def test_evaluation_registers_its_dossiers() -> None:
    assert isinstance(extensions.filings_provider(), ReevaluationDossiers)


def test_expiring_page_shows_the_reevaluation_dossier(world, expiring) -> None:  # noqa: F811
    open_ = expiring["open"]
    dossier = Dossier.objects.create(
        product=open_.product, kind=DossierKind.REEVALUATION, sheet="B07", previous_certificate=open_
    )
    client = world.client("province_hn")
    page = client.get(EXPIRING).content.decode()
    assert "Đang soạn" in page and dossier.get_absolute_url() in page
    assert listed(client.get(EXPIRING, {"dossier": "yes"}).content.decode(), expiring) == {"open"}
    assert listed(client.get(EXPIRING, {"dossier": "no", "days": 365}).content.decode(), expiring) == {
        "not_yet"
    }
    dossier.status = DossierStatus.WITHDRAWN
    dossier.save()
    assert listed(client.get(EXPIRING, {"dossier": "yes"}).content.decode(), expiring) == set()


def test_a_submitted_dossier_stops_the_closing_reminder_a_draft_does_not(products) -> None:
    certificate = make_certificate(products["hn2"], star=3, issue_date=expiring_in(125))
    dossier = Dossier.objects.create(
        product=products["hn2"],
        kind=DossierKind.REEVALUATION,
        sheet="B07",
        previous_certificate=certificate,
        status=DossierStatus.DRAFT,
    )
    due = {(item.certificate.pk, item.kind) for item in reminders.due_reminders(TODAY)}
    assert (certificate.pk, ReminderKind.WINDOW_CLOSING) in due
    dossier.status = DossierStatus.SUBMITTED
    dossier.save()
    assert not [item for item in reminders.due_reminders(TODAY) if item.certificate.pk == certificate.pk]
    dossier.status = DossierStatus.WITHDRAWN
    dossier.save()
    due = {(item.certificate.pk, item.kind) for item in reminders.due_reminders(TODAY)}
    assert (certificate.pk, ReminderKind.WINDOW_CLOSING) in due
