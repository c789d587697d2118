"""`import_file`: reads a producer or product file, builds and checks every row with the kind's
importer, and writes all of them in one transaction, or nothing when a row is wrong (or on a dry
run), reporting progress as it goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from ocop.core.tabular import ImportResult

from .importer import _change_reason, _Importer, _Row
from .producers import _ProducerImporter
from .products import _ProductImporter
from .specs import _spec

_ORDER = {"create": 0, "update": 1, "unchanged": 2}


def _preview_order(row: _Row) -> int:
    return _ORDER.get(row.action, 3)


_IMPORTERS: dict[str, type[_Importer]] = {"producers": _ProducerImporter, "products": _ProductImporter}


def import_file(
    kind: str,
    file: Any,
    filename: str,
    user: Any | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction (or nothing at all).

    Raises TabularError when the file itself is unreadable (wrong type, corrupt, empty, missing
    required columns); row problems come back in ImportResult.errors. `progress(done, total)` is
    called as rows are validated, then written (total = 2 × rows). With `dry_run` nothing is
    written; the result says what would be created/updated. `preview` holds every row, new and
    changed ones first (row number, "create"/"update"/"unchanged", the values read, the changes and
    the matched place: _Importer.preview).
    """
    # A cell breaking the text rule (NUL…) is already an error of its row (core.tabular).
    rows = [_Row(n, values, errors=list(values.errors)) for n, values in _spec(kind).read(file, filename)]
    importer = _IMPORTERS[kind](user)
    importer.reason = _change_reason(filename)
    report = progress or (lambda done, total: None)
    total = 2 * len(rows)
    importer.prepare(rows)
    result = ImportResult(dry_run=dry_run)
    for index, row in enumerate(rows, start=1):
        importer.build(row)
        result.errors.extend(row.errors)
        if index % 200 == 0:
            report(index, total)
    report(len(rows), total)
    # Every row, new and changed ones first (in the file's order): the wizard pages through them.
    result.preview = [importer.preview(row) for row in sorted(rows, key=_preview_order)]
    result.created = sum(1 for row in rows if row.action == "create")
    result.updated = sum(1 for row in rows if row.action == "update")
    result.unchanged = sum(1 for row in rows if row.action == "unchanged")
    if result.errors or dry_run:
        report(total, total)  # nothing to write: the job is done
        if result.errors:
            result.created = result.updated = result.unchanged = 0
        return result
    with transaction.atomic():
        importer.write(rows, lambda done: report(len(rows) + done, total))
    report(total, total)
    return result
