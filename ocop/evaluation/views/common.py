"""What the evaluation pages share: a workflow refusal as message text, the redirect back to an
object's page, and how the scoring-page steps fetch their evaluation (in scope, for a change).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect

from ocop.core.scoping import CHANGE, get_restricted_object_or_404

from ..models import Evaluation


def _step_error_text(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _redirect_back(obj: Any, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(obj.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _evaluation_queryset() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(
        "round__province", "dossier__product__producer", "dossier__product__commune", "closed_by"
    )


def _evaluation_for_step(request: HttpRequest, pk: int) -> Evaluation:
    return get_restricted_object_or_404(_evaluation_queryset(), request.user, CHANGE, pk=pk)
