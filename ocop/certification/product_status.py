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

from django.db import models
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


class Certificates(CertificateSource):
    def current_star(self, today: dt.date | None) -> models.Expression:
        return _current_star(_day(today))

    def programme_status(self, today: dt.date | None) -> models.Expression:
        return _programme_status(_day(today))

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
