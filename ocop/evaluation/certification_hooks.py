"""What the evaluation app plugs into ocop.certification (its extension points).

``register()`` is called once from ``EvaluationConfig.ready()``.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet
from django.urls import reverse

from ocop.certification import extensions
from ocop.core.choices import choice_label

from .models import Dossier, DossierKind, DossierStatus

# A dossier still being written (or withdrawn) has not been submitted to the commune.
NOT_SUBMITTED = (DossierStatus.DRAFT, DossierStatus.WITHDRAWN)


class ReevaluationDossiers:
    """Re-evaluation filings of a certificate: the dossiers of kind REEVALUATION naming it (Art. 7.6.a)."""

    def filings(self, submitted_only: bool = False) -> QuerySet[Dossier]:
        dossiers = Dossier.objects.filter(kind=DossierKind.REEVALUATION, previous_certificate=OuterRef("pk"))
        if submitted_only:
            return dossiers.exclude(status__in=NOT_SUBMITTED)
        return dossiers.exclude(status=DossierStatus.WITHDRAWN)

    def status_label(self, status: str) -> str:
        return choice_label(DossierStatus, status)

    def detail_url(self, pk: int) -> str:
        return reverse("evaluation:dossier_detail", args=[pk])


def register() -> None:
    extensions.register_filings(ReevaluationDossiers())
