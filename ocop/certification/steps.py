"""What every workflow step shares: the refusal (``StepError``) and the checks a step makes first.

The steps themselves live with their records: revocation in ocop.certification.revocation, the
evaluation procedure (dossiers, rounds, councils, recognition) in the evaluation app's workflow,
which imports these rather than the other way round.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from ocop.core.scoping import can

__all__ = ["StepError", "allowed", "fresh", "is_office", "require", "role"]


class StepError(ValidationError):
    """A step that cannot be taken now: the message says why, in the user's language."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise StepError(message)


def fresh(obj: Any) -> Any:
    """Lock the row and reload it: a step decides on the stored state, never on a stale copy."""
    if obj.pk is not None:
        list(type(obj)._base_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
        obj.refresh_from_db()
    return obj


def allowed(user: Any, action: str, obj: Any) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def role(user: Any) -> str:
    return getattr(user, "role", "")


def is_office(user: Any, province_id: int | None) -> bool:
    """The provincial OCOP office of that province (or the national agency / admin)."""
    if role(user) in ("admin", "central"):
        return True
    return role(user) == "province" and province_id is not None and user.scope_province_id == province_id
