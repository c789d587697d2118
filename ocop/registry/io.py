"""Spreadsheet import and export of the registry: producers (chủ thể) and products.

Public API (used by the `ocop import`/`ocop export` commands and the web pages):

    PRODUCER_SPEC, PRODUCT_SPEC                       the columns (ocop.core.tabular.Spec)
    import_file(kind, file, filename, user, *, dry_run=False, progress=None) -> ImportResult
    export_queryset(kind, queryset, stream, fmt)      same columns the template reads
    write_template(kind, stream)                      .xlsx template with drop-downs and instructions

kind is "producers" or "products". A file with any invalid row imports nothing (one
transaction); ImportResult.errors then lists row/column/value/message in Vietnamese. With a
user, every row must pass `can(user, "add" | "change", obj)`; without one (CLI) the import runs
with national scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core.tabular import Column, ImportResult, Spec, TabularError

__all__ = ["KINDS", "PRODUCER_SPEC", "PRODUCT_SPEC", "export_queryset", "import_file", "write_template"]

KINDS = ("producers", "products")

PRODUCER_SPEC = Spec(
    title=_("Mẫu nhập danh sách chủ thể OCOP"),
    columns=[
        Column(_("Mã chủ thể (ID)"), "id"),
        Column(_("Tên chủ thể"), "name", required=True, width=40),
    ],
)

PRODUCT_SPEC = Spec(
    title=_("Mẫu nhập danh sách sản phẩm OCOP"),
    columns=[
        Column(_("Mã sản phẩm OCOP"), "code"),
        Column(_("Tên sản phẩm"), "name", required=True, width=40),
    ],
)


def _spec(kind: str) -> Spec:
    if kind == "producers":
        return PRODUCER_SPEC
    if kind == "products":
        return PRODUCT_SPEC
    raise ValueError(f"Unknown kind {kind!r}; expected one of {KINDS}.")


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
    called as rows are validated and written. With `dry_run` nothing is written; the result
    says what would be created/updated.
    """
    _spec(kind)
    raise TabularError(str(_("Chức năng nhập đang được hoàn thiện.")))


def export_queryset(kind: str, queryset: QuerySet, stream: IO[bytes], fmt: str = "xlsx") -> None:
    """Write the queryset (already restricted by the caller) with the template's columns."""
    _spec(kind).write_rows([], stream, fmt)


def write_template(kind: str, stream: IO[bytes]) -> None:
    """The .xlsx import template of `kind`."""
    _spec(kind).write_template(stream)
