"""The history of a plan's targets (kept after a target is deleted), for the plan's "Lịch sử" tab."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ocop.core.history import ACTIONS, Change, HistoryEntry

from . import indicators
from .models import Plan, Target

LIMIT = 200


@dataclass
class TargetEntry:
    target: str  # the target's indicator and deadline, as it was
    entry: HistoryEntry


def _label(record: object) -> str:
    indicator = indicators.find(record.indicator)  # type: ignore[attr-defined]
    name = str(indicator.name) if indicator is not None else record.indicator  # type: ignore[attr-defined]
    return f"{name} ({record.deadline:%d/%m/%Y})"  # type: ignore[attr-defined]


def target_history(plan: Plan) -> list[TargetEntry]:
    """Every recorded change of the plan's targets, newest first (two queries at most)."""
    records = list(
        Target.history.filter(plan_id=plan.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:LIMIT]
    )
    # Each change is compared with the same target's previous record (read with the page when it
    # is on it, else in one more query).
    missing = {record.id for record in records}
    older = {}
    if records:
        oldest = records[-1]
        for record in Target.history.filter(id__in=missing, history_id__lt=oldest.history_id).order_by(
            "-history_id"
        ):
            older.setdefault(record.id, record)
    entries = []
    for index, record in enumerate(records):
        previous = next((r for r in records[index + 1 :] if r.id == record.id), older.get(record.id))
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                label = str(Target._meta.get_field(change.field).verbose_name)
                changes.append(Change(label, change.old, change.new))
        user = record.history_user
        entries.append(
            TargetEntry(
                _label(record),
                HistoryEntry(
                    when=record.history_date,
                    user=(user.get_full_name() or user.get_username()) if user else _("Hệ thống"),
                    action=str(ACTIONS.get(record.history_type, record.history_type)),
                    reason=record.history_change_reason or "",
                    request_id=getattr(record, "request_id", "") or "",
                    changes=changes,
                ),
            )
        )
    return entries
