"""The skeleton every kind's importer shares: a row of the file (`_Row`: its values, the object
it builds, create / update / unchanged, its errors) and `_Importer`, the per-row helpers (reading
cells, locating, the models' full_clean, the scope check, what changed) and the steps a kind fills
in (prepare, build, write), plus the small helpers of writing (copies, batches, bulk creation with
history).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from ocop.core import bulk
from ocop.core.scoping import ADD, CHANGE, can, refused_changes
from ocop.core.tabular import RowError, Spec
from ocop.geo.models import Structure, Unit

from .. import codes
from .common import _CellError, _format, _Located, _Locator, _parse_choice, _unit_label

# --- import --------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    obj: models.Model | None = None
    existing: bool = False
    original: models.Model | None = None
    changed: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if not self.existing:
            return "create"
        return "update" if self.changed else "unchanged"

    adopted_code: codes.ProductCode | None = None
    adopted_commune: Unit | None = None
    errors: list[RowError] = field(default_factory=list)
    # Where the row's place came from (the column and what it says) and what it was matched to.
    located: _Located | None = None
    located_from: tuple[str, str] = ("", "")


# Derived or automatic: never a reason to rewrite a record.
_UNCOMPARED = {"id", "search_text", "sort_key", "created", "updated"}


class _Importer:
    kind: str
    reason: str = ""
    model: type[models.Model]
    spec: Spec
    # Fields the importer checks itself, left out of the model's validation: the place (found by
    # the locator), and what a kind adds.
    own_checks: tuple[str, ...] = ("unit", "province", "commune")

    def __init__(self, user: Any | None) -> None:
        self.user = user
        self.locator = _Locator()
        self.headers = {c.key: str(c.header) for c in self.spec.columns}
        self._choices: dict[str, dict[str, str | _CellError]] = {}
        self._labels: dict[tuple[type[models.Model], Any], str] = {}

    # helpers

    def error(self, row: _Row, key: str, message: str) -> None:
        column = self.headers.get(key, "")
        value = row.values.get(key, "") if key else ""
        row.errors.append(RowError(row.number, column, value, str(message)))

    def parse(self, row: _Row, key: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        try:
            return parser(row.values.get(key, ""))
        except _CellError as error:
            self.error(row, key, str(error))
            return default

    def choice(self, row: _Row, key: str) -> str:
        # A file repeats a handful of values thousands of times: each is read once.
        value = row.values.get(key, "")
        cache = self._choices.setdefault(key, {})
        if value not in cache:
            cache[value] = self._read_choice(key, value)
        outcome = cache[value]
        if isinstance(outcome, _CellError):
            self.error(row, key, str(outcome))
            return ""
        return outcome

    def _read_choice(self, key: str, value: str) -> str | _CellError:
        """The code `value` stands for: the code, or its label in the active language or in any
        other language of the platform (an export made in English imports back)."""
        try:
            return _parse_choice(value, self.spec.column(key).choices or [])
        except _CellError as error:
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    try:
                        return _parse_choice(value, self.spec.column(key).choices or [])
                    except _CellError:
                        continue
            return error

    def location(self, row: _Row, text_key: str) -> _Located | None:
        for key, finder in (
            ("unit_code", self.locator.by_current_code),
            ("former_unit_code", self.locator.by_former_code),
            (text_key, self.locator.by_text),
        ):
            value = row.values.get(key, "")
            if value:
                try:
                    row.located, row.located_from = finder(value), (key, value)
                    return row.located
                except _CellError as error:
                    self.error(row, key, str(error))
                    return None
        return None

    def place(self, obj: Any, located: _Located) -> None:
        obj.unit, obj.province, obj.commune = located.unit, located.province, located.commune

    def label(self, model: type[models.Model], pk: Any) -> str:
        """The name of a related record in the preview (a file repeats the same few: each read once)."""
        if pk is None:
            return ""
        key = (model, pk)
        if key not in self._labels:
            found = model._default_manager.filter(pk=pk).first()
            self._labels[key] = (
                _unit_label(found) if isinstance(found, Unit) else str(found) if found is not None else ""
            )
        return self._labels[key]

    def shown(self, obj: models.Model, field: models.Field) -> str:
        """A field's value as the preview shows it (choices stay codes: the page translates them)."""
        value = getattr(obj, field.attname)
        if field.is_relation:
            return self.label(field.related_model, value)
        return _format(value)

    def full_clean(self, row: _Row, obj: models.Model, exclude: Iterable[str] = ()) -> None:
        try:
            # Constraints off: the models' clean() checks the same uniqueness (tax code, GTIN) with a
            # better message, and the conditional constraint check costs queries even for blanks.
            obj.full_clean(exclude=[*self.own_checks, *exclude], validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = name if name in self.headers else ""
                if name == NON_FIELD_ERRORS or not key:
                    for message in messages:
                        row.errors.append(RowError(row.number, "", "", message))
                    continue
                for message in messages:
                    self.error(row, key, message)

    def check_scope(self, row: _Row, obj: models.Model, original: models.Model | None) -> None:
        if self.user is None:
            return
        if original is not None and not can(self.user, CHANGE, original):
            row.errors.append(RowError(row.number, "", "", _("Bạn không có quyền sửa bản ghi này.")))
        elif not can(self.user, CHANGE if original is not None else ADD, obj):
            row.errors.append(
                RowError(
                    row.number,
                    "",
                    "",
                    _("Bản ghi nằm ngoài phạm vi quản lý của bạn (hoặc bạn không có quyền thêm)."),
                )
            )

    def column_of(self, row: _Row, name: str) -> str:
        """The column (key) of the file that wrote model field `name`, "" when none did."""
        if name == "unit":
            given = [key for key in ("unit_code", "former_unit_code") if row.values.get(key)]
            return given[0] if given else "unit_code"
        if name == "producer":
            return "producer_tax_code" if row.values.get("producer_tax_code") else "producer_name"
        return name if name in self.headers else ""

    def check_fields(self, row: _Row, obj: models.Model, original: models.Model | None) -> None:
        """The field policy of core.scoping: locked fields, derived fields and moves (per column)."""
        if self.user is None or original is None or not can(self.user, CHANGE, original):
            return  # out of scope altogether: check_scope says so
        for name, message in refused_changes(self.user, original, obj, self.reason).items():
            self.error(row, self.column_of(row, name), message)

    # steps

    def prepare(self, rows: list[_Row]) -> None:
        """Bulk look-ups before the per-row work (kinds that override it call it too)."""
        self.locator.prefetch(
            Structure.CURRENT, [r.values["unit_code"] for r in rows if r.values.get("unit_code")], (2, 5)
        )
        self.locator.prefetch(
            Structure.FORMER,
            [r.values["former_unit_code"] for r in rows if r.values.get("former_unit_code")],
            (2, 3, 5),
        )

    def build(self, row: _Row) -> None:
        raise NotImplementedError

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        raise NotImplementedError

    def preview(self, row: _Row) -> dict:
        """The row as the wizard's preview shows it: its values, what it changes (column → [old,
        new]; `_place` for the place) and how its place was matched (`_place`)."""
        shown: dict[str, Any] = {"row": row.number, "action": row.action, **row.values}
        obj, original = row.obj, row.original
        if row.errors or obj is None:
            return shown
        if row.located is not None:
            key, given = row.located_from
            located = row.located
            current = located.commune or located.province
            shown["_place"] = {
                "given": given,
                "column": self.headers.get(key, ""),
                "former": _unit_label(located.unit) if located.unit.structure == Structure.FORMER else "",
                "current": f"{_unit_label(current)} ({current.code})" if current is not None else "",
            }
        if original is not None and row.changed:
            changes: dict[str, list[str]] = {}
            for f in obj._meta.concrete_fields:
                if f.attname not in row.changed or f.name in ("province", "commune"):
                    continue  # the province and commune follow the unit
                key = "_place" if f.name == "unit" else self.column_of(row, f.name) or f.name
                changes[key] = [self.shown(original, f), self.shown(obj, f)]
            shown["_changes"] = changes
        return shown

    def finish(self, row: _Row, obj: models.Model, original: models.Model | None) -> None:
        """After the row's own checks: the model's validation, the scope, and what would change."""
        self.full_clean(row, obj)
        before = len(row.errors)
        self.check_fields(row, obj, original)
        if len(row.errors) == before:  # a refused field already says which column is out of bounds
            self.check_scope(row, obj, original)
        row.obj, row.original = obj, original
        if original is not None:
            row.changed = [
                f.attname
                for f in obj._meta.concrete_fields
                if f.attname not in _UNCOMPARED and getattr(obj, f.attname) != getattr(original, f.attname)
            ]


def _change_reason(filename: str) -> str:
    return _("Nhập từ tệp %(name)s") % {"name": filename}


def _copy(instance: models.Model) -> models.Model:
    """A detached copy of a saved instance (the scope check compares it with the original)."""
    clone = type(instance).from_db(
        instance._state.db,
        [f.attname for f in instance._meta.concrete_fields],
        [getattr(instance, f.attname) for f in instance._meta.concrete_fields],
    )
    return clone


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Values per IN list: within SQLite's limit on query parameters, whatever the file's size.
IN_CHUNK = 900


def _filter_in(queryset: models.QuerySet, field: str, values: Iterable[Any]) -> Iterator[Any]:
    """The rows of `queryset` whose `field` is one of `values`, one query per IN_CHUNK values."""
    wanted = sorted(set(values))
    for chunk in _batches(wanted, IN_CHUNK):
        yield from queryset.filter(**{f"{field}__in": chunk})


def _bulk_create(objs: list[models.Model], user: Any, reason: str) -> None:
    # bulk_create_with_history's rows, without the ORM's compilation of each value (ocop.core.bulk).
    bulk.insert_with_history(objs, user=user, reason=reason)
