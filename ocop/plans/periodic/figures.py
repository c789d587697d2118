"""The figures a periodic report freezes, counted from the platform (``build``).

Every number comes from the one statistics code path (``ocop.reports.statistics``: the snapshot as
of a day, the flows of a period, read through their attributes) and from the plans' progress
(``ocop.plans.progress``); nothing here re-counts products. The result is plain JSON in the
report's own layout (``VERSION``), so a report filed today still reads the same whatever the
statistics module returns in later releases.

Layout (version 1)::

    {"version": 1,
     "unit": {"level": "country|province|commune", "code": "01", "name": "Thành phố Hà Nội"},
     "period": {"kind": "semiannual", "year": 2026, "start": "2026-01-01", "end": "2026-06-30"},
     "as_of": "2026-06-30", "complete": true, "generated_on": "2026-07-03",
     "stars": {"3": n, "4": n, "4p": n, "5": n, "revoked": n, "none": n},
     "ocop": n, "share_5_star": 1.2 | null,
     "sectors": [{"code": "I", "name": "…", "products": n, "ocop": n}],
     "producers": [{"code": "HTX", "name": "…", "count": n, "ocop": n}],
     "cooperatives_and_enterprises_share": 41.5 | null,
     "communes_with_ocop": n,
     "areas": {"level": "province|commune",
               "rows": [{"code", "name", "3", "4", "4p", "5", "revoked", "none"}]} | null,
     "flows": {"new": n, "reevaluated": n, "upgraded": n, "expired": n, "revoked": n},
     "targets": [rows of ocop.plans.progress.rows_for, as of "as_of"],
     "rollup": null | {"filed": [{"report", "code", "name", "filed_on", "as_of", "stars", "ocop", "flows"}],
                       "missing": [{"code", "name"}],
                       "totals": {"stars": {...}, "ocop": n, "flows": {...}}}}

``rollup`` is the national report's: the provinces' filed reports of the same kind and period.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from ocop.geo.models import Level, Structure, Unit
from ocop.reports import statistics

from ..models import PeriodicReport, PlanLevel, ReportStatus
from . import rules

VERSION = 1
STARS = ("3", "4", "4p", "5")  # the OCOP stars; "4" excludes the potential 5★ ("4p")
OCOP = STARS
CATEGORIES = (*STARS, "revoked", "none")
FLOWS = ("new", "reevaluated", "upgraded", "expired", "revoked")


def _scope(report: PeriodicReport) -> statistics.Scope:
    if report.level == PlanLevel.COUNTRY:
        return statistics.Scope()
    if report.level == PlanLevel.PROVINCE:
        return statistics.Scope(province=report.province)
    return statistics.Scope(province=report.province, commune=report.commune)


def _unit(report: PeriodicReport) -> dict[str, str]:
    unit = report.unit
    return {
        "level": report.level,
        "code": unit.code if unit is not None else "",
        "name": report.unit_name,
    }


def _areas(report: PeriodicReport, snapshot: statistics.Snapshot) -> dict[str, Any] | None:
    """The national report's provinces (all of them), a province's communes with products."""

    def row(unit: statistics.UnitRow) -> dict[str, Any]:
        counts = unit.counts
        return {"code": unit.code, "name": unit.name, **{key: int(counts.get(key, 0)) for key in CATEGORIES}}

    if report.level == PlanLevel.COUNTRY:
        return {"level": "province", "rows": [row(unit) for unit in snapshot.by_province]}
    if report.level == PlanLevel.PROVINCE:
        rows = [row(unit) for unit in snapshot.by_commune]
        return {"level": "commune", "rows": [r for r in rows if any(r[key] for key in CATEGORIES)]}
    return None


def targets(report: PeriodicReport, day: dt.date) -> list[dict[str, Any]]:
    """The unit's plan targets and their progress as of ``day`` (the one place reading the plans)."""
    from ocop.plans.progress import rows_for

    # Through JSON once: decimals and dates become what the JSON column stores and reads back.
    return json.loads(
        json.dumps(list(rows_for(report.province_id, report.commune_id, day)), cls=DjangoJSONEncoder)
    )


def _rollup(report: PeriodicReport) -> dict[str, Any]:
    """The provinces' filed reports of the same kind and period, the provinces that have not filed,
    and the totals of the filed ones (their frozen key figures)."""
    filed = (
        PeriodicReport.objects.filter(
            level=PlanLevel.PROVINCE,
            kind=report.kind,
            period_start=report.period_start,
            status=ReportStatus.FILED,
        )
        .select_related("province")
        .order_by("province__sort_key", "province__code")
    )
    rows = []
    for other in filed:
        frozen = other.figures or {}
        stars = {key: int((frozen.get("stars") or {}).get(key, 0)) for key in CATEGORIES}
        rows.append(
            {
                "report": other.pk,
                "code": other.province.code,
                "name": (frozen.get("unit") or {}).get("name") or other.province.name,
                "filed_on": timezone.localtime(other.filed_at).date().isoformat() if other.filed_at else None,
                "as_of": frozen.get("as_of"),
                "stars": stars,
                "ocop": sum(stars[key] for key in OCOP),
                "flows": {key: int((frozen.get("flows") or {}).get(key, 0)) for key in FLOWS},
            }
        )
    reported = {row["code"] for row in rows}
    provinces = Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by(
        "sort_key", "code"
    )
    missing = [
        {"code": code, "name": name}
        for code, name in provinces.values_list("code", "name")
        if code not in reported
    ]
    stars_total = rules.add_up([row["stars"] for row in rows], CATEGORIES)
    return {
        "filed": rows,
        "missing": missing,
        "totals": {
            "stars": stars_total,
            "ocop": sum(stars_total[key] for key in OCOP),
            "flows": rules.add_up([row["flows"] for row in rows], FLOWS),
        },
    }


def build(report: PeriodicReport, day: dt.date, today: dt.date) -> dict[str, Any]:
    """The report's figures as of ``day`` (its period's end, or ``today`` while it runs)."""
    scope = _scope(report)
    snapshot = statistics.snapshot(scope, day)
    flows = statistics.flows(scope, report.period_start, day)
    by_category = snapshot.by_category
    stars = {key: int(by_category.get(key, 0)) for key in CATEGORIES}
    return {
        "version": VERSION,
        "unit": _unit(report),
        "period": {
            "kind": report.kind,
            "year": report.year,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        },
        "as_of": day.isoformat(),
        "complete": rules.is_complete(report.period_end, day),
        "generated_on": today.isoformat(),
        "stars": stars,
        "ocop": sum(stars[key] for key in OCOP),
        "share_5_star": snapshot.share_5_star,
        "sectors": [
            {"code": row.key, "name": str(row.label), "products": row.count, "ocop": row.ocop}
            for row in snapshot.by_sector
        ],
        "producers": [
            {"code": row.key, "name": str(row.label), "count": row.count, "ocop": row.ocop}
            for row in snapshot.producers_by_type
        ],
        "cooperatives_and_enterprises_share": snapshot.cooperatives_and_enterprises_share,
        "communes_with_ocop": int(snapshot.communes_with_ocop),
        "areas": _areas(report, snapshot),
        "flows": {key: int(flows.count(key)) for key in FLOWS},
        "targets": targets(report, day),
        "rollup": _rollup(report) if report.level == PlanLevel.COUNTRY else None,
    }
