"""The folded place names a record can be found by (plain Python, no Django).

A product or producer points to one unit (current or former). Search matches a term against the
unit's ``place_text``: its own short name, its parents', its current province's, and across the
1 July 2025 reorganisation the names on the other side — a current unit lists the former units it
was made from (with their districts and provinces), a former unit lists the current units it went
into. So "Đồng Tháp", "dong thap", a former district "Lấp Vò" or a former province "Tiền Giang"
all find the records of the place. Short names only: the division types ("xã", "tỉnh") would make
every record match "xa".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ocop.core.text import fold

SEPARATOR = " | "


@dataclass(frozen=True)
class PlaceUnit:
    id: int
    short_name: str
    parent_id: int | None
    current_province_id: int | None


def place_texts(units: Iterable[PlaceUnit], successions: Iterable[tuple[int, int]]) -> dict[int, str]:
    """unit id → its place text, for every unit given; ``successions`` are (former id, current id)."""
    by_id = {unit.id: unit for unit in units}
    folded = {unit.id: fold(unit.short_name) for unit in by_id.values()}
    others: dict[int, list[int]] = defaultdict(list)  # the units across the reorganisation
    for former_id, current_id in successions:
        if former_id in by_id and current_id in by_id:
            others[current_id].append(former_id)
            others[former_id].append(current_id)

    def lineage(unit_id: int) -> list[int]:
        ids, seen = [], set()
        while unit_id is not None and unit_id in by_id and unit_id not in seen:
            seen.add(unit_id)
            ids.append(unit_id)
            unit_id = by_id[unit_id].parent_id
        return ids

    texts = {}
    for unit in by_id.values():
        ids = lineage(unit.id)
        if unit.current_province_id is not None:
            ids.append(unit.current_province_id)
        for other in sorted(others[unit.id]):
            ids.extend(lineage(other))
        names = []
        for unit_id in ids:
            name = folded.get(unit_id)
            if name and name not in names:
                names.append(name)
        texts[unit.id] = SEPARATOR.join(names)
    return texts
