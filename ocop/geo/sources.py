"""Vietnam's administrative units as published in the `vietnam-provinces` package, cleaned up.

Plain Python (no Django): builds the rows the loader writes, so the data rules (codes, names,
succession, known faults in the source tables) can be read and tested on their own.

Known faults handled here (see also docs in the geo tests):

* The ward conversion table repeats each former ward's province and district, and one row puts a
  Long An ward (27691, Phường 4 of Tân An) in Tiền Giang. The former province and district are
  therefore always taken from the legacy table, never from the conversion row.
* The five island special zones formed from districts without communes (Bạch Long Vĩ, Cồn Cỏ,
  Hoàng Sa, Lý Sơn, Côn Đảo) have no row in the conversion table: they are mapped by hand from
  their former district (source "manual").
* The conversion table was made from a slightly newer pre-2025 list than the legacy table: some
  of its former ward codes are not in the legacy table (skipped) and some legacy wards have no
  row (kept without successor; they still resolve to a current province through their district).
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

CURRENT, FORMER = "current", "former"
PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"

SOURCE_CONVERSION = "conversion-2025"  # the official ward conversion table, row by row
SOURCE_DERIVED = "derived"  # former province → current province(s), from its communes' rows
SOURCE_MANUAL = "manual"  # island districts without communes → special zones
LOADER_SOURCES = (SOURCE_CONVERSION, SOURCE_DERIVED, SOURCE_MANUAL)

# Former district (no communes) → current special zone made from it.
ISLAND_DISTRICTS: dict[str, tuple[str, str]] = {
    "318": ("11948", "Bạch Long Vĩ"),
    "471": ("19742", "Cồn Cỏ"),
    "498": ("20333", "Hoàng Sa"),
    "536": ("21548", "Lý Sơn"),
    "755": ("26732", "Côn Đảo"),
}

_CODE_WIDTH = {PROVINCE: 2, DISTRICT: 3, COMMUNE: 5}
_TYPE_PREFIX = re.compile(
    r"^(thành phố|tỉnh|thị xã|thị trấn|quận|huyện|phường|xã|đặc khu)\s+(?=\S)", re.IGNORECASE
)


def code(level: str, number: int) -> str:
    """Official code as a zero-padded string: province '01', district '001', commune '00001'."""
    return f"{int(number):0{_CODE_WIDTH[level]}d}"


@lru_cache(maxsize=65536)  # a list shows the same provinces and communes on every row
def short_name(name: str) -> str:
    """The name without its division type: 'Tỉnh Đồng Tháp' → 'Đồng Tháp', 'Phường 4' stays."""
    stripped = _TYPE_PREFIX.sub("", name.strip(), count=1)
    # "Phường 4", "Quận 1": the number alone is not a name, keep the type.
    return name.strip() if stripped.isdigit() else stripped


@dataclass(frozen=True, slots=True)
class UnitRow:
    structure: str
    level: str
    code: str
    name: str
    division_type: str
    parent_code: str | None
    current_province_code: str


@dataclass(frozen=True, slots=True)
class SuccessionRow:
    former_code: str
    current_code: str
    partial: bool
    source: str


@dataclass(slots=True)
class Dataset:
    units: list[UnitRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    # Faults in the source, for the loader's report (former commune codes).
    skipped: list[str] = field(default_factory=list)  # conversion rows for codes absent from the legacy table
    corrected: list[str] = field(default_factory=list)  # conversion rows naming the wrong former province
    orphans: list[str] = field(default_factory=list)  # former communes without any conversion row

    def count(self, structure: str, level: str) -> int:
        return sum(1 for u in self.units if u.structure == structure and u.level == level)


def _majority(codes: Iterable[str]) -> str | None:
    """Most frequent code, ties broken by the lower code, so the choice is stable."""
    counts = Counter(codes)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], c))


def build_dataset() -> Dataset:
    """Read the package and return every unit and succession row, faults corrected."""
    from vietnam_provinces import _lookup as current_lookup
    from vietnam_provinces import _ward_conversion_2025 as ward_conversion
    from vietnam_provinces.legacy import _lookup as legacy_lookup

    data = Dataset()

    # Current structure: provinces and communes, no districts.
    current_provinces = current_lookup.PROVINCE_MAPPING
    current_communes = current_lookup.WARD_MAPPING
    for number, p in current_provinces.items():
        c = code(PROVINCE, number)
        data.units.append(UnitRow(CURRENT, PROVINCE, c, p.name, str(p.division_type), None, c))
    commune_province: dict[str, str] = {}
    for number, w in current_communes.items():
        c, pc = code(COMMUNE, number), code(PROVINCE, int(w.province_code))
        commune_province[c] = pc
        data.units.append(UnitRow(CURRENT, COMMUNE, c, w.name, str(w.division_type), pc, pc))

    # Former structure: where each former commune and district lies, from the legacy table only.
    legacy_provinces = legacy_lookup.PROVINCE_MAPPING
    legacy_districts = legacy_lookup.DISTRICT_MAPPING
    legacy_communes = legacy_lookup.WARD_MAPPING
    district_of_commune = {
        code(COMMUNE, n): code(DISTRICT, int(w.district_code)) for n, w in legacy_communes.items()
    }
    province_of_district = {
        code(DISTRICT, n): code(PROVINCE, int(d.province_code)) for n, d in legacy_districts.items()
    }

    successors: dict[str, list[str]] = defaultdict(list)
    skipped, relocated = data.skipped, data.corrected
    for number, entry in ward_conversion.OLD_TO_NEW.items():
        former = code(COMMUNE, number)
        if former not in district_of_commune:
            skipped.append(former)
            continue
        district = district_of_commune[former]
        row_place = (
            code(DISTRICT, entry.old_ward.district_code),
            code(PROVINCE, entry.old_ward.province_code),
        )
        if row_place != (district, province_of_district[district]):
            relocated.append(former)
        for new in entry.new_wards:
            current = code(COMMUNE, new.code)
            successors[former].append(current)
            data.successions.append(
                SuccessionRow(former, current, entry.old_ward.is_partly_merged, SOURCE_CONVERSION)
            )
    for district, (current, short) in ISLAND_DISTRICTS.items():
        if (
            short not in legacy_districts[int(district)].name
            or short not in current_communes[int(current)].name
        ):
            raise ValueError(
                f"Island mapping {district} → {current} ({short}) no longer matches the source data"
            )
        successors[district].append(current)
        data.successions.append(SuccessionRow(district, current, False, SOURCE_MANUAL))

    data.orphans = sorted(set(district_of_commune) - set(successors))

    # Current province of each former unit: where its successors (or its communes' successors) lie.
    def provinces_of(former_code: str) -> list[str]:
        return [commune_province[c] for c in successors.get(former_code, ())]

    district_votes: dict[str, list[str]] = defaultdict(list)
    province_votes: dict[str, list[str]] = defaultdict(list)
    for commune, district in district_of_commune.items():
        votes = provinces_of(commune)
        district_votes[district] += votes
        province_votes[province_of_district[district]] += votes
    for district in ISLAND_DISTRICTS:
        votes = provinces_of(district)
        district_votes[district] += votes
        province_votes[province_of_district[district]] += votes

    former_province_current: dict[str, str] = {}
    for number, p in legacy_provinces.items():
        c = code(PROVINCE, number)
        votes = province_votes.get(c, [])
        target = _majority(votes)
        if target is None:
            raise ValueError(f"Former province {c} has no successor")
        former_province_current[c] = target
        data.units.append(UnitRow(FORMER, PROVINCE, c, p.name, str(p.division_type), None, target))
        targets = sorted(set(votes))
        for t in targets:
            data.successions.append(SuccessionRow(c, t, len(targets) > 1, SOURCE_DERIVED))
    district_current: dict[str, str] = {}
    for number, d in legacy_districts.items():
        c = code(DISTRICT, number)
        parent = province_of_district[c]
        district_current[c] = _majority(district_votes.get(c, ())) or former_province_current[parent]
        data.units.append(
            UnitRow(FORMER, DISTRICT, c, d.name, str(d.division_type), parent, district_current[c])
        )
    for number, w in legacy_communes.items():
        c = code(COMMUNE, number)
        parent = district_of_commune[c]
        target = _majority(provinces_of(c)) or district_current[parent]
        data.units.append(UnitRow(FORMER, COMMUNE, c, w.name, str(w.division_type), parent, target))
    return data
