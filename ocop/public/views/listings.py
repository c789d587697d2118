"""The public lists: the catalogue /san-pham/ (search and filters), a producer's page
/chu-the/<id>/ with its recognised products, the provinces /tinh/ and a province's page with its
figures as of a day (ocop.reports.statistics), all paginated by `PAGE_SIZE`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ocop.geo.models import Level, Structure, Unit
from ocop.reports import statistics

from .. import cache, published
from ..cache import LISTINGS, PRODUCER
from ..filtersets import PublicProductFilterSet
from ..language import browser_language
from .common import Entry, _card, _not_found_entry, _render, _respond, _variant

PAGE_SIZE = 24


# --- catalogue, producer, province ----------------------------------------------------------------


def _page(request: HttpRequest, queryset) -> tuple[Any, list[dict[str, Any]]]:
    paginator = Paginator(queryset.prefetch_related(published.images_prefetch()), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, [_card(p) for p in page.object_list]


def _query_variant(request: HttpRequest) -> str:
    items = sorted((k, v) for k, values in request.GET.lists() for v in values if v.strip())
    return urlencode(items)


@require_safe
@browser_language
def catalogue(request: HttpRequest) -> HttpResponse:
    """/san-pham/: recognised products, searchable and filtered (province, ngành, star, status);
    those valid today first, then by name (or by relevance to the search)."""

    def build() -> Entry:
        queryset = published.published_products().order_by("sort_key", "pk")
        filterset = PublicProductFilterSet(request.GET or None, queryset=queryset, request=request)
        page, cards = _page(request, published.valid_first(filterset.qs))
        filtered = any(v.strip() for k, v in request.GET.items() if k != "page")
        return _render(
            request,
            "public/catalogue.html",
            {"filter": filterset, "page": page, "cards": cards, "filtered": filtered},
        )

    return _respond(
        cache.get_or_build(
            LISTINGS, cache.ALL, _variant(request, "catalogue", _query_variant(request)), build
        )
    )


@require_safe
@browser_language
def producer_detail(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    """/chu-the/<id>/: a producer's name, place and recognised products (no personal data)."""
    if slug is not None:
        return HttpResponsePermanentRedirect(reverse("public:producer", args=[pk]))

    def build() -> Entry:
        producer = published.published_producers().filter(pk=pk).first()
        if producer is None:
            return _not_found_entry(
                request,
                _("Không tìm thấy chủ thể"),
                _("Không có chủ thể OCOP nào có sản phẩm được công nhận ở địa chỉ này."),
            )
        products = published.published_products().filter(producer_id=pk).order_by("sort_key", "pk")
        page, cards = _page(request, published.valid_first(products))
        return _render(
            request,
            "public/producer_detail.html",
            {"producer": producer, "page": page, "cards": cards},
            object_id=pk,
        )

    page_number = request.GET.get("page", "")
    return _respond(cache.get_or_build(PRODUCER, pk, _variant(request, "page", page_number), build))


def _asked_day(request: HttpRequest) -> tuple[Any, str, str]:
    """The day of ``?ngay=`` (or ``?date=``), dd/mm/yyyy or ISO; today by default. Returns (day,
    error message or "", its part of the cache variant): a bad value shows today's figures with
    the message, and is cached apart (its raw text is part of the variant, as the catalogue's)."""
    raw = (request.GET.get("ngay") or request.GET.get("date") or "").strip()
    try:
        day = statistics.parse_day(raw)
    except ValueError as error:
        return published.today(), str(error), f"invalid:{raw[:40]}"
    return day, "", day.isoformat()


@require_safe
@browser_language
def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    """/tinh/<code>/: the province's figures as of a day (``?ngay=dd/mm/yyyy``, default today),
    counted by ocop.reports.statistics like the dashboard and the API, and its recognised products."""
    day, date_error, day_variant = _asked_day(request)

    def build() -> Entry:
        province = (
            Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE, code=code)
            .only("id", "code", "name")
            .first()
        )
        if province is None:
            return _not_found_entry(
                request,
                _("Không tìm thấy tỉnh/thành phố"),
                _("Mã tỉnh/thành phố phải là mã hiện hành gồm 2 chữ số."),
            )
        products = published.published_products().filter(province=province)
        page, cards = _page(
            request, published.valid_first(products.order_by("-public_star", "sort_key", "pk"))
        )
        context = {
            "province": province,
            "figures": statistics.snapshot(statistics.Scope(province=province), day),
            "day": day,
            "is_today": day == published.today(),
            "date_value": request.GET.get("ngay") or request.GET.get("date") or "",
            "date_error": date_error,
            "page": page,
            "cards": cards,
        }
        return _render(request, "public/province_detail.html", context, status=400 if date_error else 200)

    page_number = request.GET.get("page", "")
    return _respond(
        cache.get_or_build(
            LISTINGS, cache.ALL, _variant(request, "province", code, page_number, day_variant), build
        )
    )


@require_safe
@browser_language
def province_list(request: HttpRequest) -> HttpResponse:
    """/tinh/: the current provinces and how many recognised products each has."""

    def build() -> Entry:
        rows = (
            published.published_products()
            .order_by()
            .values("province__code", "province__name", "public_status")
            .annotate(n=Count("pk"))
        )
        provinces: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = provinces.setdefault(
                row["province__code"],
                {"code": row["province__code"], "name": row["province__name"], "total": 0, "valid": 0},
            )
            entry["total"] += row["n"]
            if row["public_status"] == published.VALID:
                entry["valid"] += row["n"]
        ordered = sorted(provinces.values(), key=lambda p: p["code"])
        return _render(request, "public/province_list.html", {"provinces": ordered})

    return _respond(cache.get_or_build(LISTINGS, cache.ALL, _variant(request, "provinces"), build))
