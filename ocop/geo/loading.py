"""Write the administrative units into the database, idempotently (see sources.py for the data rules)."""

from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from .models import Level, Structure, Unit, UnitSuccession, refresh_place_texts
from .sources import LOADER_SOURCES, Dataset, UnitRow, build_dataset

_UNIT_FIELDS = [
    "level",
    "name",
    "division_type",
    "name_folded",
    "sort_key",
    "parent_id",
    "current_province_id",
]
# Parents and current provinces must exist before the rows that point to them.
_ORDER = [
    (Structure.CURRENT, Level.PROVINCE),
    (Structure.CURRENT, Level.COMMUNE),
    (Structure.FORMER, Level.PROVINCE),
    (Structure.FORMER, Level.DISTRICT),
    (Structure.FORMER, Level.COMMUNE),
]
_BATCH = 2000


@dataclass
class LoadResult:
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    successions_created: int = 0
    successions_updated: int = 0
    successions_deleted: int = 0
    skipped: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def load_units(using: str = "default", dataset: Dataset | None = None) -> LoadResult:
    """Create or update every unit and succession by code, in one transaction; never re-creates rows."""
    data = dataset or build_dataset()
    result = LoadResult(skipped=data.skipped, corrected=data.corrected, orphans=data.orphans)
    with transaction.atomic(using=using):
        units = {(u.structure, u.code): u for u in Unit.objects.using(using).all()}
        rows_by_group: dict[tuple[str, str], list[UnitRow]] = {group: [] for group in _ORDER}
        for row in data.units:
            rows_by_group[(row.structure, row.level)].append(row)
        for group in _ORDER:
            _write_units(using, rows_by_group[group], units, result)
        _write_successions(using, data, units, result)
        refresh_place_texts(using)
    return result


def _write_units(
    using: str, rows: list[UnitRow], units: dict[tuple[str, str], Unit], result: LoadResult
) -> None:
    to_create: list[Unit] = []
    to_update: list[Unit] = []
    for row in rows:
        name_folded, key = Unit.derived_fields(row.name)
        parent = units[(row.structure, row.parent_code)] if row.parent_code else None
        # A current province is its own current province: filled in just after it is created.
        current_province = units.get((Structure.CURRENT, row.current_province_code))
        values = {
            "level": row.level,
            "name": row.name,
            "division_type": row.division_type,
            "name_folded": name_folded,
            "sort_key": key,
            "parent_id": parent.pk if parent else None,
            "current_province_id": current_province.pk if current_province else None,
        }
        unit = units.get((row.structure, row.code))
        if unit is None:
            unit = Unit(structure=row.structure, code=row.code, **values)
            units[(row.structure, row.code)] = unit
            to_create.append(unit)
        elif any(getattr(unit, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(unit, name, value)
            to_update.append(unit)
        else:
            result.units_unchanged += 1
    if to_create:
        Unit.objects.using(using).bulk_create(to_create, batch_size=_BATCH)
        if any(u.pk is None for u in to_create):  # backends that cannot return ids from bulk inserts
            ids = dict(
                Unit.objects.using(using)
                .filter(code__in=[u.code for u in to_create], structure=to_create[0].structure)
                .values_list("code", "pk")
            )
            for unit in to_create:
                unit.pk = ids[unit.code]
        self_referencing = [u for u in to_create if u.current_province_id is None]
        for unit in self_referencing:
            unit.current_province_id = unit.pk
        Unit.objects.using(using).bulk_update(self_referencing, ["current_province_id"], batch_size=_BATCH)
    if to_update:
        # Renames and moves are rare and worth auditing.
        bulk_update_with_history(
            to_update,
            Unit,
            _UNIT_FIELDS,
            batch_size=_BATCH,
            default_change_reason="load-units",
            manager=Unit.objects.db_manager(using),
        )
    result.units_created += len(to_create)
    result.units_updated += len(to_update)


def _write_successions(
    using: str, data: Dataset, units: dict[tuple[str, str], Unit], result: LoadResult
) -> None:
    wanted: dict[tuple[int, int], tuple[bool, str]] = {}
    for row in data.successions:
        former = units[(Structure.FORMER, row.former_code)]
        current = units[(Structure.CURRENT, row.current_code)]
        pair = (former.pk, current.pk)
        partial, source = wanted.get(pair, (False, row.source))
        wanted[pair] = (partial or row.partial, source)
    existing = {(s.former_id, s.current_id): s for s in UnitSuccession.objects.using(using).all()}
    to_create, to_update = [], []
    for (former_id, current_id), (partial, source) in wanted.items():
        succession = existing.get((former_id, current_id))
        if succession is None:
            to_create.append(
                UnitSuccession(former_id=former_id, current_id=current_id, partial=partial, source=source)
            )
        elif (succession.partial, succession.source) != (partial, source):
            succession.partial, succession.source = partial, source
            to_update.append(succession)
    # Rows added by hand (another source) are kept; rows the source dropped are removed.
    stale = [s.pk for pair, s in existing.items() if pair not in wanted and s.source in LOADER_SOURCES]
    UnitSuccession.objects.using(using).bulk_create(to_create, batch_size=_BATCH)
    UnitSuccession.objects.using(using).bulk_update(to_update, ["partial", "source"], batch_size=_BATCH)
    for start in range(0, len(stale), _BATCH):
        UnitSuccession.objects.using(using).filter(pk__in=stale[start : start + _BATCH]).delete()
    result.successions_created = len(to_create)
    result.successions_updated = len(to_update)
    result.successions_deleted = len(stale)
