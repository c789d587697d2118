"""No lost updates: every edit carries the version of the row it read (optimistic locking).

A row's *version* is its ``auto_now`` timestamp (``updated`` / ``updated_at``) as whole
microseconds since the epoch — exact on SQLite and PostgreSQL, both store microseconds — or, for
a model without one (``accounts.User``), a digest of its stored field values (a model lists
fields that change by themselves, like ``last_login``, in ``version_ignored_fields``).

Check and write happen in one transaction holding the row's lock (``lock_row``:
``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite ``atomic()`` opens with ``BEGIN IMMEDIATE``,
which takes the database's write lock): the second of two concurrent writers waits, then reads
the first one's version and is refused. A read-compare-write without the lock would still race.

- Pages: ``generic.VersionedUpdateMixin`` / ``VersionedDeleteMixin`` (class-based views) or
  ``stale_form_context`` (function views); the form carries the version in the hidden field
  ``_version`` (``core/includes/version_field.html``). A stale form comes back with the user's
  input kept and, field by field, the value saved meanwhile next to the user's.
- API: ``GET`` of one object sends ``ETag``; ``PUT``/``PATCH``/``DELETE`` honour ``If-Match`` —
  a mismatch is ``412 {"detail": …}``. A write without ``If-Match`` (or a form without
  ``_version``) is accepted: last writer wins, as before (README, "Sửa đồng thời").
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header
from ninja.errors import HttpError

VERSION_FIELD = "_version"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# `if_match: IfMatch = None` in an endpoint's signature declares the header in the OpenAPI schema.
IfMatch = Header(
    None,
    alias="If-Match",
    description=(
        "ETag nhận được khi đọc (GET); khác phiên bản hiện tại → 412. Bỏ trống: ghi đè (người ghi sau "
        "thắng). / The ETag read; a mismatch is a 412; without it the last writer wins."
    ),
)


def _timestamp_field(model: type[models.Model]) -> models.DateTimeField | None:
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateTimeField) and getattr(field, "auto_now", False):
            return field
    return None


def version_of(obj: models.Model) -> str:
    """The version token of a saved row (compare two tokens read from the database)."""
    field = _timestamp_field(type(obj))
    if field is not None:
        stamp = getattr(obj, field.attname)
        if stamp is None:
            return ""
        if stamp.tzinfo is None:  # USE_TZ=False installations
            stamp = stamp.replace(tzinfo=UTC)
        return str((stamp - _EPOCH) // timedelta(microseconds=1))
    ignored = set(getattr(obj, "version_ignored_fields", ()))
    digest = hashlib.sha256()
    for field in obj._meta.concrete_fields:
        if field.name not in ignored:
            digest.update(f"{field.attname}={field.value_to_string(obj)!r}\x00".encode())
    return digest.hexdigest()[:32]


def lock_row(model: type[models.Model], pk: Any) -> None:
    """Lock one row until the end of the current transaction (call inside ``transaction.atomic()``)."""
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk"))


def stored(obj: models.Model) -> models.Model:
    """The row as stored now (a fresh instance, the caller's object untouched)."""
    return type(obj)._base_manager.get(pk=obj.pk)


# --- pages ---


def read_version(request: HttpRequest) -> str | None:
    """The version a submitted form was built from; None when the form carries none."""
    value = request.POST.get(VERSION_FIELD, "").strip()
    return value or None


def is_stale(obj: models.Model, read: str | None) -> bool:
    return read is not None and read != version_of(obj)


def _display(field: forms.Field, value: Any) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(field, forms.BooleanField):
        return _("Có") if field.to_python(value) else _("Không")
    if isinstance(field, forms.FileField):
        return str(getattr(value, "name", value))
    if isinstance(field, forms.ModelChoiceField):
        if isinstance(value, models.Model):
            return str(value)
        try:
            found = field.to_python(value)
        except forms.ValidationError:
            return str(value)
        return str(found) if found is not None else "—"
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in field.choices if not isinstance(label, list | tuple)}
        return str(labels.get(str(value), value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def conflicts(submitted: forms.BaseForm, current: forms.BaseForm) -> list[dict[str, Any]]:
    """Field by field, where the stored row (`current`, an unbound form of it) differs from what
    the user typed (`submitted`, bound): label, their value (saved meanwhile) and yours."""
    rows = []
    for name, field in submitted.fields.items():
        if isinstance(field.widget, forms.PasswordInput) or name not in current.fields:
            continue
        initial = current[name].initial
        data = submitted[name].data
        if isinstance(field, forms.FileField) and not data:
            continue  # no new file chosen: the stored one stays
        try:
            changed = field.has_changed(initial, data)
        except forms.ValidationError:
            changed = True
        if changed:
            rows.append(
                {
                    "name": name,
                    "label": field.label or name,
                    "theirs": _display(field, initial),
                    "yours": _display(field, data),
                }
            )
    return rows


def stale_form_context(
    submitted: forms.BaseForm, current: forms.BaseForm, obj: models.Model
) -> dict[str, Any]:
    """What a stale form page adds to its context: the new version (saving again overwrites,
    knowingly) and the field-by-field conflicts. The user's input stays in `submitted`."""
    return {
        "version": version_of(obj),
        "stale": True,
        "stale_message": _(
            "Trong lúc bạn sửa, người khác đã lưu thay đổi cho hồ sơ này. Chưa có gì được lưu từ lần gửi "
            "của bạn, những gì bạn nhập vẫn còn nguyên. Hãy xem lại các trường khác nhau bên dưới rồi "
            "bấm “Lưu” lần nữa để ghi đè."
        ),
        "conflicts": conflicts(submitted, current),
    }


def stale_delete_context(obj: models.Model) -> dict[str, Any]:
    """A delete confirmed on a page read before someone else's change: nothing deleted yet."""
    return {
        "version": version_of(obj),
        "stale": True,
        "stale_message": _(
            "Trong lúc bạn xem, người khác đã lưu thay đổi cho hồ sơ này. Chưa xoá gì; hãy xem lại hồ sơ "
            "rồi bấm “Xoá” lần nữa nếu vẫn muốn xoá."
        ),
    }


# --- API ---


def etag(obj: models.Model) -> str:
    return f'"{version_of(obj)}"'


def set_etag(response: HttpResponse, obj: models.Model, *, reload: bool = False) -> None:
    """`ETag` of `obj` on a ninja temporal response; reload=True reads it back as stored first."""
    response["ETag"] = etag(stored(obj) if reload else obj)


def _tags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):  # weak tags never match (RFC 9110 §13.1.1), we hand out none
            continue
        if part:
            tags.append(part)
    return tags


def check_if_match(if_match: str | None, obj: models.Model) -> None:
    """412 unless `If-Match` names the stored version (or is "*"); no header: no check.

    Call with the row locked (``lock_row`` inside ``transaction.atomic()``) and `obj` read after.
    """
    if if_match is None or not if_match.strip():
        return
    tags = _tags(if_match)
    if "*" in tags or etag(obj) in tags:
        return
    raise HttpError(
        412,
        _(
            "Hồ sơ đã được người khác thay đổi sau khi bạn đọc (ETag hiện tại: %(etag)s). Hãy đọc lại (GET) "
            "rồi gửi lại với If-Match mới."
        )
        % {"etag": etag(obj)},
    )
