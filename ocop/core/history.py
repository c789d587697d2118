"""Reads the audit history of an object for the reusable "Lịch sử" tab and the API."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

ACTIONS = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xoá")}


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    when: datetime
    user: str
    action: str
    reason: str
    request_id: str
    changes: list[Change] = field(default_factory=list)


def history_entries(obj: models.Model, limit: int = 200) -> list[HistoryEntry]:
    """Newest first; each entry lists the fields it changed with old and new values."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                label = _field_label(obj, change.field)
                changes.append(Change(label, change.old, change.new))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=(record.history_user.get_full_name() or record.history_user.get_username())
                if record.history_user
                else str(_("Hệ thống")),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                request_id=getattr(record, "request_id", "") or "",
                changes=changes,
            )
        )
    return entries


def _field_label(obj: models.Model, name: str) -> str:
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the record was written
        return name
