"""The site's address `/`: the public home for visitors, the officers' dashboard once signed in.

The public home offers what a consumer comes for — search the catalogue, verify a certificate
code, browse by province or by star — with the country's headline figures. It is cached like the
other listings (one entry per language, day and host; dropped with the listings' token).

`/` keeps the URL name ``core:home`` (LOGIN_REDIRECT_URL, the menu, every "Tổng quan" link):
``ocop/urls.py`` names this dispatcher so, and a signed-in user gets ``ocop.reports``' dashboard
exactly as before. The public site sits above the reports, so the dispatch lives here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from ocop.core.text import sort_key
from ocop.reports import views as reports_views

from .. import cache, published
from ..cache import LISTINGS
from ..language import browser_language
from .common import Entry, _render, _respond, _variant

STARS = (5, 4, 3)


def home(request: HttpRequest) -> HttpResponse:
    """`/` (core:home): the dashboard for a signed-in user, the public home for anyone else."""
    if request.user.is_authenticated:
        return reports_views.home(request)
    return public_home(request)


def figures() -> dict[str, Any]:
    """The headline figures and the provinces with recognised products (two queries).

    Products count when they have a certificate valid today ("valid"), by star and by province;
    provinces are listed with their valid and ever-recognised counts, in dictionary order.
    """
    rows = (
        published.published_products()
        .order_by()
        .values("province__code", "province__name", "public_status", "public_star")
        .annotate(n=Count("pk"))
    )
    stars = dict.fromkeys(STARS, 0)
    provinces: dict[str, dict[str, Any]] = {}
    valid = total = 0
    for row in rows:
        province = provinces.setdefault(
            row["province__code"],
            {"code": row["province__code"], "name": row["province__name"], "valid": 0, "total": 0},
        )
        province["total"] += row["n"]
        total += row["n"]
        if row["public_status"] == published.VALID:
            province["valid"] += row["n"]
            valid += row["n"]
            if row["public_star"] in stars:
                stars[row["public_star"]] += row["n"]
    return {
        "valid": valid,
        "total": total,
        "producers": published.published_producers().count(),
        "stars": [(star, stars[star]) for star in STARS],
        "provinces": sorted(provinces.values(), key=lambda p: sort_key(p["name"])),
    }


@require_safe
@browser_language
def public_home(request: HttpRequest) -> HttpResponse:
    def build() -> Entry:
        return _render(request, "public/home.html", {"figures": figures()})

    return _respond(cache.get_or_build(LISTINGS, cache.ALL, _variant(request, "home"), build))
