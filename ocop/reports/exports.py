"""The dashboard's figures as a spreadsheet: products of each area by star category as of a day."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from ocop.core.tabular import Column, Spec

from .statistics import Snapshot

STATISTICS = Spec(
    title=_("Thống kê sản phẩm OCOP"),
    columns=[
        Column(_("Mã địa bàn"), "code", width=10),
        Column(_("Địa bàn"), "name", width=36),
        Column(_("3 sao"), "three", width=10),
        Column(_("4 sao"), "four", width=10),
        Column(_("4 sao tiềm năng 5 sao"), "potential", width=12),
        Column(_("5 sao"), "five", width=10),
        Column(_("Sản phẩm OCOP"), "ocop", width=12),
        Column(_("Bị thu hồi"), "revoked", width=10),
        Column(_("Chưa có sao"), "none", width=10),
        Column(_("Tổng số sản phẩm"), "total", width=12),
        Column(_("Tính đến ngày"), "day", width=14),
    ],
)


def _rows(snapshot: Snapshot) -> Iterator[dict[str, Any]]:
    """One row per commune (a province or commune shown) or per province, then the scope's total."""
    areas = snapshot.by_commune or snapshot.by_province
    for area in areas:
        yield {
            "code": area.code,
            "name": area.name,
            "three": area.three,
            "four": area.four,
            "potential": area.potential,
            "five": area.five,
            "ocop": area.ocop,
            "revoked": area.revoked,
            "none": area.none,
            "total": area.total,
            "day": snapshot.day,
        }
    counts = snapshot.by_category
    yield {
        "code": snapshot.scope.code or "",
        "name": _("Tổng: %(scope)s") % {"scope": snapshot.scope.label},
        "three": counts.get("3", 0),
        "four": counts.get("4", 0),
        "potential": counts.get("4p", 0),
        "five": counts.get("5", 0),
        "ocop": snapshot.products_ocop,
        "revoked": counts.get("revoked", 0),
        "none": counts.get("none", 0),
        "total": snapshot.products_total,
        "day": snapshot.day,
    }


def write_statistics(snapshot: Snapshot, stream: IO[bytes], fmt: str) -> None:
    STATISTICS.write_rows(_rows(snapshot), stream, fmt)
