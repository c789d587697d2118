"""/reports/map/ (URL name ``reports:map``): the province map for signed-in officers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from ocop.core import clock, scoping
from ocop.registry.models import Product

from . import map as province_map


@require_safe
@scoping.role_required(Product, scoping.VIEW)
def map_page(request: HttpRequest) -> HttpResponse:
    """The 34 provinces shaded by ``?metric=`` (products, per_100_communes, five_star or a metric an
    app above registers), each linking to the product list of that province; beside it the same
    numbers as a ranked table. A province officer sees their province highlighted and its communes
    ranked; a national user picks a province with ``?province=<code>``. Producers have no map: their
    figures are their own organisation's, on the home page."""
    if request.user.role == scoping.PRODUCER:
        raise PermissionDenied
    metric = province_map.metric_for(request.GET.get("metric"))
    page = province_map.build_page(request.user, metric, clock.today(), request.GET.get("province"))
    # The switch keeps a national user's chosen province.
    kept = {"province": page.province.code} if page.area == "national" and page.province else {}
    metrics = [
        (m, reverse("reports:map") + "?" + urlencode({"metric": m.key, **kept}))
        for m in province_map.available_metrics()
    ]
    return render(request, "reports/map/page.html", {"page": page, "metrics": metrics})
