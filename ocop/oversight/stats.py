"""Figures of post-recognition oversight per unit and period (issue 13, point 5).

``figures(user, unit=..., start=..., end=...)`` answers "Đã kiểm tra 41/50 chủ thể, 334 sản phẩm;
thu hồi 10, đưa 65 ra khỏi chương trình" for a province or commune in the user's scope (default:
the user's own scope; the whole country for national roles) and a period (default: this year):

- planned: the inspections (not cancelled) of the plans overlapping the period, plus the
  inspections done in the period (an inspection done outside its plan's dates was planned too),
  so that inspected ≤ planned; producers and products are counted once each;
- inspected: inspections with status done whose ``inspected_on`` is in the period;
- findings of those inspections by kind (criterion / mark) × answer; the conclusions of their
  products by outcome; the warnings they gave (open, closed = corrected, overdue = open past
  the deadline); the products removed from the programme (outcome "removal": counted on the
  oversight outcome, whatever the registry records);
- revocations: every certificate revoked in the period, by ground (Art. 8.1), and how many of them
  an inspection proposed (an inspected product concluded "revocation" on that certificate);
- consumer reports received in the period (and how many of them are closed) and the scan signals
  open now.

Everything goes through ``restrict(user, "view")``; producers, council members and accounts
without a unit get nothing here. A handful of grouped queries whatever the data size (each one
grouped by province, so the per-province breakdown of national users costs nothing more).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ocop.certification.models import Certificate, RevocationGround
from ocop.core import clock, scoping
from ocop.geo.models import Level, Structure, Unit

from .models import (
    Answer,
    ConsumerReport,
    Finding,
    FindingKind,
    InspectedProduct,
    Inspection,
    InspectionStatus,
    Outcome,
    ReportStatus,
    ScanSignal,
    SignalStatus,
)

# Roles that read the oversight figures (producers follow their own inspections on their pages).
ROLES = frozenset({scoping.ADMIN, scoping.CENTRAL, scoping.PROVINCE, scoping.COMMUNE, scoping.VIEWER})
ANSWERS = (Answer.AS_EVALUATED, Answer.CHANGED, Answer.NOT_MET)
GROUNDS = tuple(ground.value for ground in RevocationGround)


def may_view(user: Any) -> bool:
    """Whether the user's role reads oversight figures at all."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or getattr(user, "role", None) in ROLES)
    )


def area_of(user: Any) -> str:
    """ "national", "province", "commune" or "none": the area the user's figures cover."""
    if not may_view(user):
        return "none"
    if user.role in scoping.NATIONAL_ROLES:
        return "national"
    if user.scope_commune_id is not None:
        return "commune"
    if user.scope_province_id is not None:
        return "province"
    return "none"


def units_in_scope(user: Any, province: Unit | None = None) -> QuerySet[Unit]:
    """The current provinces and communes the user may pick (communes only of one province)."""
    area = area_of(user)
    units = Unit.objects.filter(structure=Structure.CURRENT).select_related("current_province")
    if area == "national":
        if province is None:
            return units.filter(level=Level.PROVINCE).order_by("sort_key", "code")
        return units.filter(
            Q(pk=province.pk) | Q(level=Level.COMMUNE, current_province=province.pk)
        ).order_by("-level", "sort_key", "code")
    if area == "province":
        return units.filter(
            Q(pk=user.scope_province_id) | Q(level=Level.COMMUNE, current_province=user.scope_province_id)
        ).order_by("-level", "sort_key", "code")
    if area == "commune":
        return units.filter(pk=user.scope_commune_id)
    return units.none()


def in_scope(user: Any, unit: Unit) -> bool:
    """May the user read the figures of ``unit`` (a current province or commune)?"""
    if unit.structure != Structure.CURRENT or unit.level not in (Level.PROVINCE, Level.COMMUNE):
        return False
    area = area_of(user)
    if area == "national":
        return True
    if area == "province":
        province = unit.pk if unit.level == Level.PROVINCE else unit.current_province_id
        return province == user.scope_province_id
    if area == "commune":
        return unit.pk == user.scope_commune_id
    return False


def default_unit(user: Any) -> Unit | None:
    """The user's own scope unit (None: the whole country, or nothing at all)."""
    area = area_of(user)
    if area in ("province", "commune"):
        return user.scope_commune or user.scope_province
    return None


def period(start: dt.date | None = None, end: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period asked for: this year by default; a missing bound from the year of the other."""
    if start is None and end is None:
        year = clock.today().year
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if start is None:
        start = dt.date(end.year, 1, 1)  # type: ignore[union-attr]
    if end is None:
        end = dt.date(start.year, 12, 31)
    if end < start:
        raise ValueError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    return start, end


def _unit_filter(unit: Unit | None, province: str, commune: str) -> Q:
    if unit is None:
        return Q()
    if unit.level == Level.COMMUNE:
        return Q(**{commune: unit.pk})
    return Q(**{province: unit.pk})


def _resolve_unit(user: Any, unit: Unit | int | str | None) -> Unit | None:
    if unit is None or unit == "":
        return default_unit(user)
    if not isinstance(unit, Unit):
        try:
            unit = Unit.objects.select_related("current_province").get(pk=int(unit))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise PermissionDenied(_("Địa bàn không có hoặc ngoài phạm vi của bạn.")) from None
    if not in_scope(user, unit):
        raise PermissionDenied(_("Địa bàn không có hoặc ngoài phạm vi của bạn."))
    return unit


def _zero_row() -> dict[str, int]:
    return dict.fromkeys(
        (
            "inspections_planned",
            "inspections_done",
            "producers_planned",
            "producers_inspected",
            "products_planned",
            "products_inspected",
            "compliant",
            "warning",
            "revocation",
            "reevaluation",
            "removal",
            "removed",
            "warnings_open",
            "warnings_closed",
            "warnings_overdue",
            "revocations",
            "revocations_from_inspection",
            "reports_received",
            "reports_new",
            "reports_in_progress",
            "reports_closed",
            "signals_open",
        ),
        0,
    )


def figures(
    user: Any,
    *,
    unit: Unit | int | str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    with_findings: bool = True,
    with_breakdown: bool = True,
) -> dict[str, Any]:
    """The oversight figures of ``unit`` (default: the user's scope) in ``start``–``end``.

    ``with_findings=False`` skips the findings' query (zeros), ``with_breakdown=False`` the list of
    provinces (None): the home page's card needs neither.

    Raises PermissionDenied for a unit outside the user's scope, ValueError for an end before the
    start. The keys are documented in the README ("Số liệu kiểm tra, giám sát").
    """
    start, end = period(start, end)
    area = area_of(user)
    chosen = _resolve_unit(user, unit) if area != "none" else None
    today = clock.today()
    rows: dict[int | None, dict[str, int]] = {}

    def row(province_id: int | None) -> dict[str, int]:
        return rows.setdefault(province_id, _zero_row())

    done = Q(status=InspectionStatus.DONE, inspected_on__gte=start, inspected_on__lte=end)
    planned = ~Q(status=InspectionStatus.CANCELLED) & (
        Q(plan__starts_on__lte=end, plan__ends_on__gte=start) | done
    )

    findings = {kind.value: dict.fromkeys((a.value for a in ANSWERS), 0) for kind in FindingKind}
    grounds = dict.fromkeys(GROUNDS, 0)
    if area != "none":
        # 1. Inspections: producers planned and inspected.
        inspections = Inspection.objects.restrict(user, scoping.VIEW).filter(
            _unit_filter(chosen, "producer__province", "producer__commune"), planned
        )
        for values in (
            inspections.order_by()
            .values("producer__province")
            .annotate(
                inspections_planned=Count("pk"),
                inspections_done=Count("pk", filter=done),
                producers_planned=Count("producer", distinct=True),
                producers_inspected=Count("producer", distinct=True, filter=done),
            )
        ):
            target = row(values.pop("producer__province"))
            for key, value in values.items():
                target[key] += value

        # 2. Inspected products: planned and inspected, their outcomes, warnings, removals.
        ip_done = Q(
            inspection__status=InspectionStatus.DONE,
            inspection__inspected_on__gte=start,
            inspection__inspected_on__lte=end,
        )
        ip_planned = ~Q(inspection__status=InspectionStatus.CANCELLED) & (
            Q(inspection__plan__starts_on__lte=end, inspection__plan__ends_on__gte=start) | ip_done
        )
        warning = ip_done & Q(outcome=Outcome.WARNING)
        products = InspectedProduct.objects.restrict(user, scoping.VIEW).filter(
            _unit_filter(chosen, "inspection__producer__province", "inspection__producer__commune"),
            ip_planned,
        )
        for values in (
            products.order_by()
            .values("inspection__producer__province")
            .annotate(
                products_planned=Count("product", distinct=True),
                products_inspected=Count("product", distinct=True, filter=ip_done),
                compliant=Count("pk", filter=ip_done & Q(outcome=Outcome.COMPLIANT)),
                warning=Count("pk", filter=warning),
                revocation=Count("pk", filter=ip_done & Q(outcome=Outcome.REVOCATION)),
                reevaluation=Count("pk", filter=ip_done & Q(outcome=Outcome.REEVALUATION)),
                removal=Count("pk", filter=ip_done & Q(outcome=Outcome.REMOVAL)),
                removed=Count("product", distinct=True, filter=ip_done & Q(outcome=Outcome.REMOVAL)),
                warnings_open=Count("pk", filter=warning & Q(resolved_on__isnull=True)),
                warnings_closed=Count("pk", filter=warning & Q(resolved_on__isnull=False)),
                warnings_overdue=Count(
                    "pk", filter=warning & Q(resolved_on__isnull=True, deadline__lt=today)
                ),
            )
        ):
            target = row(values.pop("inspection__producer__province"))
            for key, value in values.items():
                target[key] += value

        # 3. Findings of the inspections done in the period, by kind and answer.
        for kind, answer, count in (
            ()
            if not with_findings
            else (
                Finding.objects.restrict(user, scoping.VIEW)
                .filter(
                    _unit_filter(chosen, "inspection__producer__province", "inspection__producer__commune"),
                    inspection__status=InspectionStatus.DONE,
                    inspection__inspected_on__gte=start,
                    inspection__inspected_on__lte=end,
                    answer__in=[a.value for a in ANSWERS],
                )
                .order_by()
                .values_list("kind", "answer")
                .annotate(n=Count("pk"))
            )
        ):
            if kind in findings and answer in findings[kind]:
                findings[kind][answer] += count

        # 4. Revocations in the period, by ground; those an inspection proposed.
        proposed = InspectedProduct.objects.filter(certificate=OuterRef("pk"), outcome=Outcome.REVOCATION)
        for province_id, ground, count, from_inspection in (
            Certificate.objects.restrict(user, scoping.VIEW)
            .filter(
                _unit_filter(chosen, "product__province", "product__commune"),
                revoked_on__gte=start,
                revoked_on__lte=end,
            )
            .order_by()
            .values_list("product__province", "revocation_ground")
            .annotate(n=Count("pk"), from_inspection=Count("pk", filter=Q(Exists(proposed))))
        ):
            grounds[ground] = grounds.get(ground, 0) + count
            target = row(province_id)
            target["revocations"] += count
            target["revocations_from_inspection"] += from_inspection

        # 5. Consumer reports received in the period, by status.
        status_key = {
            ReportStatus.NEW: "reports_new",
            ReportStatus.IN_PROGRESS: "reports_in_progress",
            ReportStatus.CLOSED: "reports_closed",
        }
        for province_id, status, count in (
            ConsumerReport.objects.restrict(user, scoping.VIEW)
            .filter(
                _unit_filter(chosen, "province", "product__commune"),
                created__date__gte=start,
                created__date__lte=end,
            )
            .order_by()
            .values_list("province", "status")
            .annotate(n=Count("pk"))
        ):
            target = row(province_id)
            target["reports_received"] += count
            if status in status_key:
                target[status_key[status]] += count

        # 6. Scan signals open now (whatever the period: they wait for a decision).
        for province_id, count in (
            ScanSignal.objects.restrict(user, scoping.VIEW)
            .filter(_unit_filter(chosen, "product__province", "product__commune"), status=SignalStatus.OPEN)
            .order_by()
            .values_list("product__province")
            .annotate(n=Count("pk"))
        ):
            row(province_id)["signals_open"] += count

    total = _zero_row()
    for values in rows.values():
        for key, value in values.items():
            total[key] += value

    by_province = None
    if area == "national" and chosen is None and with_breakdown:
        # 7. Every current province, zeros included (a province with nothing planned is information).
        by_province = []
        for pk, code, name in (
            Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
            .order_by("sort_key", "code")
            .values_list("pk", "code", "name")
        ):
            by_province.append({"province": {"id": pk, "code": code, "name": name}, **_shape(rows.get(pk))})

    return {
        "area": area,
        "unit": None
        if chosen is None
        else {"id": chosen.pk, "code": chosen.code, "name": chosen.name, "level": chosen.level},
        "start": start,
        "end": end,
        "today": today,
        **_shape(total),
        "findings": findings,
        "revocations": {
            "total": total["revocations"],
            "from_inspection": total["revocations_from_inspection"],
            "by_ground": grounds,
        },
        "by_province": by_province,
    }


def _shape(values: dict[str, int] | None) -> dict[str, Any]:
    """The counters of one row in the nested shape of the figures (the API's and the page's)."""
    v = values or _zero_row()
    return {
        "inspections": {"planned": v["inspections_planned"], "done": v["inspections_done"]},
        "producers": {"planned": v["producers_planned"], "inspected": v["producers_inspected"]},
        "products": {"planned": v["products_planned"], "inspected": v["products_inspected"]},
        "conclusions": {
            "compliant": v["compliant"],
            "warning": v["warning"],
            "revocation": v["revocation"],
            "reevaluation": v["reevaluation"],
            "removal": v["removal"],
        },
        "warnings": {
            "issued": v["warning"],
            "open": v["warnings_open"],
            "closed": v["warnings_closed"],
            "overdue": v["warnings_overdue"],
        },
        "revocations": {
            "total": v["revocations"],
            "from_inspection": v["revocations_from_inspection"],
        },
        "removed": v["removed"],
        "reports": {
            "received": v["reports_received"],
            "new": v["reports_new"],
            "in_progress": v["reports_in_progress"],
            "closed": v["reports_closed"],
        },
        "signals": {"open": v["signals_open"]},
    }


__all__ = ["ROLES", "area_of", "default_unit", "figures", "in_scope", "may_view", "period", "units_in_scope"]
