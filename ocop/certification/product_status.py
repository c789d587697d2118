"""A product's star and programme status, defined by its certificates (one definition, SQL and Python).

Registered with the registry as its `CertificateSource` (ocop.registry.extensions) when the app
is ready: the registry asks, it never imports this app.

- star: that of the valid certificate on the day (highest star, then the latest issued);
- star: none once the product has been removed from the programme (Art. 9, an inspection's
  conclusion), whatever its certificates say;
- status: discontinued and removed stay so; with a certificate issued by the day, recognised when
  one is valid, revoked when the latest (by issue date) is revoked, otherwise expired; without
  certificates, the recorded stage.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import LessThanOrEqual
from django.template.loader import render_to_string

from ocop.core import clock
from ocop.core.scoping import VIEW, restrict
from ocop.registry.classification import ProductStatus
from ocop.registry.extensions import CertificateSource
from ocop.registry.models.products import LEFT_PROGRAMME

from .models import Certificate, CertificateStatus


def _day(today: dt.date | None) -> dt.date:
    return today if today is not None else clock.today()


# The two expressions are built once per day and shared: annotate() copies an expression before
# resolving it (as with a module-level Q or F), and building them (querysets of certificates with
# their validity conditions) cost every list page and API call ~2 ms.


@lru_cache(maxsize=4)
def _current_star(day: dt.date) -> models.Expression:
    best = Certificate.objects.current_for_products(day).filter(product=OuterRef("pk"))
    # A product removed from the programme no longer counts as OCOP (a test on the outer row).
    return models.Case(
        models.When(status=ProductStatus.REMOVED.value, then=models.Value(None)),
        default=Subquery(best.values("star")[:1]),
        output_field=models.PositiveSmallIntegerField(),
    )


@lru_cache(maxsize=4)
def _programme_status(day: dt.date) -> models.Expression:
    issued = Certificate.objects.filter(product=OuterRef("pk"), issue_date__lte=day)
    latest_revoked_on = Subquery(issued.order_by("-issue_date", "-pk").values("revoked_on")[:1])

    def then(status: ProductStatus) -> models.Value:
        return models.Value(status.value)

    return models.Case(
        models.When(status__in=sorted(LEFT_PROGRAMME), then=F("status")),
        models.When(Exists(issued.valid_on(day)), then=then(ProductStatus.RECOGNISED)),
        models.When(LessThanOrEqual(latest_revoked_on, day), then=then(ProductStatus.REVOKED)),
        models.When(Exists(issued), then=then(ProductStatus.EXPIRED)),
        default=F("status"),
        output_field=models.CharField(),
    )


# Filters. A list filtered on the annotations above made PostgreSQL compute them for every
# product (a CASE keeps its subqueries correlated: 20,000 of them, 250 ms for
# "?status=recognised"). The filters are conditions on sets of certificates instead, written for
# each database: on PostgreSQL "id IN (products of those certificates)", each set read once
# (hashed); on SQLite EXISTS, one index probe per product, which it does faster than it builds
# the sets. test_programme_status holds them equal to the annotations on any day.


def _of_product(certificates: QuerySet, using: str) -> Q:
    if connections[using].vendor == "postgresql":
        return Q(pk__in=certificates.values("product_id"))
    return Q(Exists(certificates.filter(product=OuterRef("pk"))))


def _latest_revoked(day: dt.date, using: str) -> Q:
    """The product's latest certificate issued by ``day`` (issue date, then id) is revoked by then."""
    issued = Certificate.objects.filter(issue_date__lte=day)
    later = issued.filter(product=OuterRef("product")).filter(
        Q(issue_date__gt=OuterRef("issue_date")) | Q(issue_date=OuterRef("issue_date"), pk__gt=OuterRef("pk"))
    )
    return _of_product(issued.filter(revoked_on__lte=day).exclude(Exists(later)), using)


def _star_condition(star: int | None, day: dt.date, using: str) -> Q:
    # The star of the best valid certificate (the highest), none for a product removed (Art. 9).
    removed = Q(status=ProductStatus.REMOVED.value)
    valid = Certificate.objects.valid_on(day)
    if star is None:
        return removed | ~_of_product(valid, using)
    higher = _of_product(valid.filter(star__gt=star), using)
    return ~removed & _of_product(valid.filter(star=star), using) & ~higher


def _status_condition(status: str, day: dt.date, using: str) -> Q:
    # The branches of _programme_status, in its order: left the programme, recognised, revoked,
    # expired, and without certificates the recorded stage (which may hold a legacy value).
    if status in LEFT_PROGRAMME:
        return Q(status=status)
    valid = _of_product(Certificate.objects.valid_on(day), using)
    issued = _of_product(Certificate.objects.filter(issue_date__lte=day), using)
    if status == ProductStatus.RECOGNISED:
        by_certificates = valid
    elif status == ProductStatus.REVOKED:
        by_certificates = ~valid & _latest_revoked(day, using)
    elif status == ProductStatus.EXPIRED:
        by_certificates = issued & ~valid & ~_latest_revoked(day, using)
    else:
        by_certificates = Q(pk__in=[])
    return ~Q(status__in=sorted(LEFT_PROGRAMME)) & (by_certificates | (~issued & Q(status=status)))


class Certificates(CertificateSource):
    def current_star(self, today: dt.date | None) -> models.Expression:
        return _current_star(_day(today))

    def programme_status(self, today: dt.date | None) -> models.Expression:
        return _programme_status(_day(today))

    def star_condition(self, star: int | None, today: dt.date | None, using: str = "default") -> Q:
        return _star_condition(star, _day(today), using)

    def programme_status_condition(self, status: str, today: dt.date | None, using: str = "default") -> Q:
        return _status_condition(status, _day(today), using)

    def programme_status_on(self, product: Any, today: dt.date | None) -> str:
        if product.status in LEFT_PROGRAMME:
            return product.status
        day = _day(today)
        issued = product.certificates.filter(issue_date__lte=day).select_related("superseded_by")
        statuses = [c.status_on(day) for c in issued.order_by("-issue_date", "-pk")]
        if not statuses:
            return product.status
        if CertificateStatus.VALID in statuses:
            return ProductStatus.RECOGNISED.value
        if statuses[0] == CertificateStatus.REVOKED:
            return ProductStatus.REVOKED.value
        return ProductStatus.EXPIRED.value

    def current_certificate(self, product: Any) -> Certificate | None:
        if product.status == ProductStatus.REMOVED:
            return None
        return product.certificates.current_for_products().select_related("decision").first()

    def issued_in_year(self, year: int) -> Q:
        return Q(Exists(Certificate.objects.filter(product=OuterRef("pk"), issue_date__year=year)))


# --- the product page's "Giấy chứng nhận" tab (ocop.registry.extensions) ---


def product_certificates(product: Any, user: Any) -> QuerySet[Certificate]:
    """The certificates of a product the user may see, newest first, with their status for today."""
    return (
        restrict(Certificate.objects.filter(product=product), user, VIEW)
        .select_related("decision", "revocation_decision", "superseded_by")
        .with_status(clock.today())
        .order_by("-issue_date", "-pk")
    )


def product_tab_count(product: Any, user: Any) -> int:
    return product_certificates(product, user).count()


def product_tab_render(request: Any, product: Any) -> tuple[str, int]:
    certificates = list(product_certificates(product, request.user))
    context = {"product": product, "certificates": certificates}
    html = render_to_string("certification/includes/product_certificates.html", context, request=request)
    return html, len(certificates)
