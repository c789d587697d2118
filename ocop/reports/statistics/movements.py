"""What happened within a period (`flows`): certificates issued to new products and to products
re-evaluated (and among those, upgraded), certificates that expired and certificates revoked.

The certificates of a product are ordered by issue date, then id. Within [start, end]:

- new: the certificate is the product's first (a product newly recognised; one per product);
- re-evaluated: issued in the period to a product that had an earlier certificate;
- upgraded: re-evaluated with a star above that of the product's previous certificate;
- expired: its last day of validity (the printed expiry, or the end of an Art. 12.3 extension) fell
  in the period and before today, it was not revoked by then, and the product got no later
  certificate issued on or before that day;
- revoked: revoked in the period.

Every figure is a count of certificates, and `Flows.records(kind)` gives the certificates counted
(the same conditions), so a page can list what is behind a number. The counts of several periods
come from one statement (`flows_of_periods`: window functions over each product's certificates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, When, Window
from django.db.models.functions import Lag, Lead, RowNumber

from ocop.certification.models import Certificate

from .scope import Scope, today, year_end

KINDS = ("new", "reevaluated", "upgraded", "expired", "revoked")


def _earlier() -> QuerySet:
    same = Certificate.objects.filter(product_id=OuterRef("product_id"))
    return same.filter(
        Q(issue_date__lt=OuterRef("issue_date")) | Q(issue_date=OuterRef("issue_date"), pk__lt=OuterRef("pk"))
    )


def annotated(scope: Scope) -> QuerySet:
    """The scope's certificates with what the flows test: ``has_earlier``, ``previous_star``,
    ``lapse`` (last day of validity) and ``has_successor`` (a later certificate issued by then)."""
    condition = scope.products("product__")
    certificates = Certificate.objects.all()
    if condition is None:
        return certificates.none()
    if condition:
        certificates = certificates.filter(condition)
    same = Certificate.objects.filter(product_id=OuterRef("product_id"))
    later = same.filter(
        Q(issue_date__gt=OuterRef("issue_date")) | Q(issue_date=OuterRef("issue_date"), pk__gt=OuterRef("pk"))
    ).filter(issue_date__lte=OuterRef("lapse"))
    return certificates.annotate(
        has_earlier=Exists(_earlier()),
        previous_star=Subquery(_earlier().order_by("-issue_date", "-pk").values("star")[:1]),
        lapse=Case(
            When(extended_until__gt=F("expiry"), then=F("extended_until")),
            default=F("expiry"),
            output_field=DateField(),
        ),
    ).annotate(has_successor=Exists(later))


def conditions(start: dt.date, end: dt.date) -> dict[str, Q]:
    """The condition of each flow on `annotated` certificates."""
    issued = Q(issue_date__gte=start, issue_date__lte=end)
    reevaluated = issued & Q(has_earlier=True)
    lapsed_by = min(end, today() - dt.timedelta(days=1))  # valid today: not expired yet
    return {
        "new": issued & Q(has_earlier=False),
        "reevaluated": reevaluated,
        "upgraded": reevaluated & Q(star__gt=F("previous_star")),
        "expired": Q(lapse__gte=start, lapse__lte=lapsed_by)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=F("lapse")))
        & Q(has_successor=False),
        "revoked": Q(revoked_on__gte=start, revoked_on__lte=end),
    }


def _touching(start: dt.date, end: dt.date) -> Q:
    """A cheap pre-filter: certificates with a date of interest in the period."""
    return (
        Q(issue_date__gte=start, issue_date__lte=end)
        | Q(expiry__gte=start, expiry__lte=end)
        | Q(extended_until__gte=start, extended_until__lte=end)
        | Q(revoked_on__gte=start, revoked_on__lte=end)
    )


@dataclass(frozen=True)
class Flows:
    scope: Scope
    start: dt.date
    end: dt.date
    new: int = 0
    reevaluated: int = 0
    upgraded: int = 0
    expired: int = 0
    revoked: int = 0

    def count(self, kind: str) -> int:
        if kind not in KINDS:
            raise KeyError(kind)
        return getattr(self, kind)

    def records(self, kind: str) -> QuerySet:
        """The certificates behind the figure ``kind`` (for "new": each new product's first)."""
        if kind not in KINDS:
            raise KeyError(kind)
        return (
            annotated(self.scope)
            .filter(_touching(self.start, self.end))
            .filter(conditions(self.start, self.end)[kind])
            .select_related("product", "decision")
            .order_by("issue_date", "pk")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            **{kind: getattr(self, kind) for kind in KINDS},
        }


def _sequence(scope: Scope) -> QuerySet:
    """The scope's certificates in each product's order (issue date, then id), with what the
    flows test as window functions: ``n`` (1: the product's first), ``previous_star``,
    ``next_issue`` (the next certificate's issue date) and ``lapse`` — the same facts as
    `annotated`'s subqueries, in one pass (test_statistics checks both against each other)."""
    condition = scope.products("product__")
    certificates = Certificate.objects.all()
    if condition is None:
        return certificates.none()
    if condition:
        certificates = certificates.filter(condition)
    order = {"partition_by": [F("product_id")], "order_by": [F("issue_date").asc(), F("pk").asc()]}
    return (
        certificates.order_by()
        .annotate(
            n=Window(RowNumber(), **order),
            previous_star=Window(Lag("star"), **order),
            next_issue=Window(Lead("issue_date"), **order),
            lapse=Case(
                When(extended_until__gt=F("expiry"), then=F("extended_until")),
                default=F("expiry"),
                output_field=DateField(),
            ),
        )
        .values("star", "issue_date", "revoked_on", "n", "previous_star", "next_issue", "lapse")
    )


# Each flow on a row of `_sequence`: the date that puts it in a period, and what else it needs (the
# conditions of `conditions`, on the window's facts). An expired certificate's date is its lapse,
# at the latest the day before today.
_FLOWS = {
    "new": ("issue_date", "n = 1"),
    "reevaluated": ("issue_date", "n > 1"),
    "upgraded": ("issue_date", "n > 1 AND star > previous_star"),
    "expired": (
        "lapse",
        "(revoked_on IS NULL OR revoked_on > lapse) AND (next_issue IS NULL OR next_issue > lapse)",
    ),
    "revoked": ("revoked_on", "1 = 1"),
}


def _calendar_years(periods: Sequence[tuple[dt.date, dt.date]]) -> list[int] | None:
    """The years of ``periods`` when each is a whole calendar year up to today (`year_end`), no two
    the same; None otherwise."""
    years = [start.year for start, _end in periods]
    whole = all(start == dt.date(start.year, 1, 1) and end == year_end(start.year) for start, end in periods)
    return years if whole and len(set(years)) == len(years) else None


def _year_of(connection: Any, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)"
    return f"CAST(substr({column}, 1, 4) AS INTEGER)"  # ISO dates as text: no function per row


def _totals_by_year(connection: Any, inner: str, params: list, years: list[int]) -> list[int]:
    """The flows of whole calendar years (`_calendar_years`), in `flows_of_periods`' order: each
    row's dates grouped by their year, one CASE per flow instead of one per flow and year (the
    years' table of the whole country, eight years: SQLite 228 → 112 ms)."""
    day = connection.ops.adapt_datefield_value
    first, yesterday = dt.date(min(years), 1, 1), today() - dt.timedelta(days=1)
    groups = {}  # the date column → the flows it dates
    for kind, (column, _condition) in _FLOWS.items():
        groups.setdefault(column, []).append(kind)
    width = max(len(kinds) for kinds in groups.values())  # UNION ALL: as many columns in each
    selects, bounds = [], []
    for index, (column, kinds) in enumerate(groups.items()):
        sums = [f"COALESCE(SUM(CASE WHEN {_FLOWS[kind][1]} THEN 1 ELSE 0 END), 0)" for kind in kinds]
        sums += ["0"] * (width - len(kinds))
        selects.append(
            f"SELECT {_year_of(connection, column)}, {index}, {', '.join(sums)} FROM f"
            f" WHERE {column} >= %s AND {column} <= %s GROUP BY 1"
        )
        bounds += [day(first), day(yesterday if column == "lapse" else today())]
    found: dict[tuple[int, str], int] = {}
    with connection.cursor() as cursor:
        # One statement: the rows of `_sequence` once (a common table expression), one grouping
        # per date column.
        cursor.execute(f"WITH f AS MATERIALIZED ({inner}) {' UNION ALL '.join(selects)}", [*params, *bounds])
        kinds_of = list(groups.values())
        for year, index, *counts in cursor.fetchall():
            for kind, count in zip(kinds_of[index], counts, strict=False):
                found[(int(year), kind)] = int(count)
    return [found.get((year, kind), 0) for year in years for kind in _FLOWS]


def flows_of_periods(scope: Scope, periods: Sequence[tuple[dt.date, dt.date]]) -> list[Flows]:
    """The flows of each period, in one statement (one pass over the scope's certificates)."""
    totals: list[int] = []
    if periods:
        try:
            inner, params = _sequence(scope).query.sql_with_params()
        except EmptyResultSet:  # a scope that sees nothing
            inner = None
        if inner is not None:
            connection = connections[Certificate.objects.db]
            years = _calendar_years(periods)
            if years is not None:
                totals = _totals_by_year(connection, inner, list(params), years)
            else:
                day = connection.ops.adapt_datefield_value
                yesterday = today() - dt.timedelta(days=1)
                columns, bounds = [], []
                for start, end in periods:
                    for kind, (column, condition) in _FLOWS.items():
                        last = min(end, yesterday) if kind == "expired" else end
                        columns.append(
                            f"COALESCE(SUM(CASE WHEN {column} >= %s AND {column} <= %s AND {condition}"
                            " THEN 1 ELSE 0 END), 0)"
                        )
                        bounds += [day(start), day(last)]
                with connection.cursor() as cursor:
                    # The sums come first in the text, so their bounds come first among the parameters.
                    cursor.execute(f"SELECT {', '.join(columns)} FROM ({inner}) f", [*bounds, *params])
                    totals = list(cursor.fetchone())
    kinds = len(_FLOWS)
    return [
        Flows(
            scope,
            start,
            end,
            **{kind: int(totals[index * kinds + k]) if totals else 0 for k, kind in enumerate(_FLOWS)},
        )
        for index, (start, end) in enumerate(periods)
    ]


def flows(scope: Scope, start: dt.date, end: dt.date) -> Flows:
    """The flows of ``scope`` within [start, end] (both included)."""
    if end < start:
        from django.utils.translation import gettext as _

        raise ValueError(_("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
    return flows_of_periods(scope, [(start, end)])[0]
