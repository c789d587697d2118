"""Statistics rules on small, purpose-built worlds: which certificate decides a product's
category, the day a certificate expires, and random histories against the certification app's own
definitions. (The Hà Nội history the other statistics tests share is built once per module; these
tests build their own rows, so they live apart.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop.certification.models import Certificate, CertificateStatus
from ocop.core import clock
from ocop.registry.classification import ProductStatus
from ocop.registry.models import Producer, ProducerStatus, Product
from ocop.reports import statistics
from ocop.reports.statistics import Scope, movements, stock

from .conftest import D, World, extend, issue, make_producer, make_product, supersede
from .test_statistics import categories


def test_the_best_valid_certificate_decides_potential(world: World) -> None:
    """Two valid 4★ certificates: the latest issued decides whether it is "tiềm năng 5 sao"."""
    producer = make_producer(world.places["hn1"])
    later_potential, later_plain, five = (make_product(producer) for _ in range(3))
    issue(later_potential, 4, D(2024, 1, 10))
    issue(later_potential, 4, D(2024, 3, 10), potential_5_star=True)
    issue(later_plain, 4, D(2024, 1, 10), potential_5_star=True)
    issue(later_plain, 4, D(2024, 3, 10))
    issue(five, 4, D(2024, 1, 10), potential_5_star=True)
    issue(five, 5, D(2024, 2, 10))
    figures = statistics.snapshot(Scope(), D(2024, 6, 30))
    assert figures.by_category == categories(four=1, potential=1, five=1)


def test_ties_on_the_issue_day_go_to_the_certificate_recorded_last(world: World) -> None:
    """Two certificates of one product issued the same day (two decisions): as
    CertificateQuerySet.current_for_products orders them, the one recorded last (highest id) is
    the best among equal stars, and the latest issued for revocation."""
    producer = make_producer(world.places["hn1"])
    potential, plain, revoked = (make_product(producer) for _ in range(3))
    issue(potential, 4, D(2024, 1, 10))
    issue(potential, 4, D(2024, 1, 10), potential_5_star=True)
    issue(plain, 4, D(2024, 1, 10), potential_5_star=True)
    issue(plain, 4, D(2024, 1, 10))
    issue(revoked, 3, D(2020, 1, 10))
    issue(revoked, 3, D(2020, 1, 10), revoked_on=D(2021, 1, 1))
    figures = statistics.snapshot(Scope(), D(2024, 6, 30))
    assert figures.by_category == categories(four=1, potential=1, revoked=1)
    for product, key in ((potential, "4p"), (plain, "4")):
        best = Certificate.objects.current_for_products(D(2024, 6, 30)).filter(product=product).first()
        assert ("4p" if best.potential_5_star else "4") == key


def test_a_certificate_valid_today_has_not_expired(world: World, monkeypatch) -> None:
    producer = make_producer(world.places["hn1"])
    issue(make_product(producer), 3, D(2021, 6, 30))  # last valid day 30/06/2024
    monkeypatch.setattr(clock, "today", lambda: D(2024, 6, 30))
    assert statistics.flows(Scope(), D(2024, 1, 1), D(2024, 12, 31)).expired == 0
    monkeypatch.setattr(clock, "today", lambda: D(2024, 7, 1))
    assert statistics.flows(Scope(), D(2024, 1, 1), D(2024, 12, 31)).expired == 1


# --- random histories against the certification app's own definitions -----------------------------

FIRST = D(2019, 9, 1)
certificate_plan = st.tuples(
    st.integers(0, 2300),  # issue: days after FIRST
    st.sampled_from([3, 4, 5]),
    st.booleans(),  # potential 5★ (4★ only)
    st.one_of(st.none(), st.integers(0, 1200)),  # revoked: days after issue
    st.booleans(),  # supersedes the product's previous certificate
    st.one_of(st.none(), st.integers(1, 180)),  # extension past the printed expiry
)
product_plan = st.tuples(
    st.sampled_from([ProductStatus.REGISTERED, ProductStatus.REMOVED, ProductStatus.DISCONTINUED]),
    st.integers(0, 2600),  # created: days after FIRST (clamped to today)
    st.lists(certificate_plan, max_size=3),
)


def _reference_category(product: Product, day: dt.date) -> str | None:
    """The category by the certification app's Python rules; None if the product did not exist."""
    certificates = list(product.certificates.select_related("superseded_by"))
    issued = [c for c in certificates if c.issue_date <= day]
    if timezone.localtime(product.created).date() > day and not issued:
        return None
    if product.status == ProductStatus.REMOVED:
        return "none"
    valid = [c for c in issued if c.status_on(day) == CertificateStatus.VALID]
    if valid:
        best = max(valid, key=lambda c: (c.star, c.issue_date, c.pk))
        return "4p" if best.star == 4 and best.potential_5_star else str(best.star)
    return "revoked" if product.programme_status_on(day) == ProductStatus.REVOKED else "none"


def _reference_flows(start: dt.date, end: dt.date) -> Counter:
    flows: Counter = Counter()
    today = clock.today()
    by_product: dict[int, list[Certificate]] = {}
    for certificate in Certificate.objects.order_by("issue_date", "pk"):
        by_product.setdefault(certificate.product_id, []).append(certificate)
    for certificates in by_product.values():
        for index, certificate in enumerate(certificates):
            if start <= certificate.issue_date <= end:
                if index == 0:
                    flows["new"] += 1
                else:
                    flows["reevaluated"] += 1
                    flows["upgraded"] += certificate.star > certificates[index - 1].star
            lapse = certificate.valid_until
            successor = any(later.issue_date <= lapse for later in certificates[index + 1 :])
            revoked_first = certificate.revoked_on is not None and certificate.revoked_on <= lapse
            if start <= lapse <= end and lapse < today and not successor and not revoked_first:
                flows["expired"] += 1
            if certificate.revoked_on and start <= certificate.revoked_on <= end:
                flows["revoked"] += 1
    return flows


def _first(plan: tuple) -> int:
    return plan[0]  # issue order (the other fields may be None, which do not compare)


def _build(world: World, plans) -> None:
    today = clock.today()
    producer = make_producer(world.places["hn1"])
    for status, created, certificate_plans in plans:
        product = make_product(producer)
        previous = None
        for offset, star, potential, revoked, supersedes, extension in sorted(certificate_plans, key=_first):
            day = min(FIRST + dt.timedelta(days=offset), today)
            revoked_on = min(day + dt.timedelta(days=revoked), today) if revoked is not None else None
            certificate = issue(
                product, star, day, potential_5_star=potential and star == 4, revoked_on=revoked_on
            )
            if extension is not None:
                extend(certificate, certificate.expiry + dt.timedelta(days=extension))
            if supersedes and previous is not None:
                supersede(previous, certificate)
            previous = certificate
        created_day = min(FIRST + dt.timedelta(days=created), today)
        Product.objects.filter(pk=product.pk).update(
            status=status, created=statistics.scope.end_of(created_day) - dt.timedelta(hours=1)
        )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plans=st.lists(product_plan, min_size=1, max_size=4),
    day=st.integers(0, 2700),
    period=st.tuples(st.integers(0, 2700), st.integers(0, 500)),
)
def test_random_histories_match_the_certificate_rules(world: World, plans, day: int, period) -> None:
    with transaction.atomic():
        _build(world, plans)
        today = clock.today()
        day = min(FIRST + dt.timedelta(days=day), today)
        expected = Counter(
            category
            for product in Product.objects.all()
            if (category := _reference_category(product, day)) is not None
        )
        figures = statistics.snapshot(Scope(), day)
        assert figures.by_category == {key: expected[key] for key in statistics.CATEGORIES}
        # The snapshot's stock stands for the day's in the years' table (dashboard.figures).
        assert figures.communes_with_ocop == (1 if any(expected[key] for key in statistics.OCOP) else 0)
        # Producers by type: those existing on the day (created by then, or with a certificate
        # issued by then), not dissolved; "ocop" with a product holding an OCOP star.
        producers: dict[str, list[int]] = {}
        for producer in Producer.objects.exclude(status=ProducerStatus.DISSOLVED):
            products = list(producer.products.all())
            issued = Certificate.objects.filter(product__producer=producer, issue_date__lte=day).exists()
            if timezone.localtime(producer.created).date() <= day or issued:
                row = producers.setdefault(producer.producer_type, [0, 0])
                row[0] += 1
                row[1] += any(_reference_category(product, day) in statistics.OCOP for product in products)
        assert {row.key: [row.count, row.ocop] for row in figures.producers_by_type if row.count} == producers

        # The years' stocks: every day at once, from one pass over the certificates.
        days = sorted({day, FIRST, today, *(min(FIRST + dt.timedelta(days=n), today) for n in period)})
        stocks = stock.stocks(Scope(), days)
        for on, (counts, communes) in zip(days, stocks, strict=True):
            reference = Counter(
                category
                for product in Product.objects.all()
                if (category := _reference_category(product, on)) is not None
            )
            assert {key: counts.get(key, 0) for key in statistics.CATEGORIES} == {
                key: reference[key] for key in statistics.CATEGORIES
            }, on
            assert communes == (1 if any(reference[key] for key in statistics.OCOP) else 0), on
        # The snapshot counted in the same pass as the days' stocks (the dashboard's figures).
        combined, combined_stocks = statistics.snapshot_and_stocks(Scope(), day, days)
        assert combined.to_dict() == figures.to_dict() and combined_stocks == stocks

        start = FIRST + dt.timedelta(days=period[0])
        end = start + dt.timedelta(days=period[1])
        flows = statistics.flows(Scope(), start, end)
        reference = _reference_flows(start, end)
        assert {kind: flows.count(kind) for kind in statistics.KINDS} == {
            kind: reference[kind] for kind in statistics.KINDS
        }
        assert {kind: flows.records(kind).count() for kind in statistics.KINDS} == {
            kind: reference[kind] for kind in statistics.KINDS
        }
        # Every certificate issued in the period is either a first or a re-evaluation.
        issued = Certificate.objects.filter(issue_date__gte=start, issue_date__lte=end).count()
        assert flows.new + flows.reevaluated == issued

        # Whole calendar years (the years' table) are grouped by year in SQL: the same rules.
        years = range(FIRST.year, today.year + 1)
        periods = [(D(year, 1, 1), statistics.year_end(year)) for year in years]
        for (first, last), of_year in zip(periods, movements.flows_of_periods(Scope(), periods), strict=True):
            expected_flows = _reference_flows(first, last)
            assert {kind: of_year.count(kind) for kind in statistics.KINDS} == {
                kind: expected_flows[kind] for kind in statistics.KINDS
            }, first.year
        transaction.set_rollback(True)
