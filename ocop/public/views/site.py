"""What serves the public site as a whole: product photos (re-encoded without metadata), the
sitemap and robots.txt for search engines, and the language switch of the public pages.
"""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from ocop.certification.pdf import public_base_url
from ocop.registry.models import ProductImage

from .. import cache, images, published, sitemaps
from ..cache import LISTINGS
from .common import Entry, _respond

# --- photos ---------------------------------------------------------------------------------------


@require_safe
def image(request: HttpRequest, pk: int, width: int) -> HttpResponse:
    """A photo of a published product, re-encoded without metadata (ocop.public.images)."""
    if width not in images.WIDTHS:
        raise Http404
    photo = (
        ProductImage.objects.filter(pk=pk, product__in=published.published_product_ids())
        .only(*published.IMAGE_FIELDS)
        .first()
    )
    if photo is None or photo.format not in images.CONTENT_TYPES:
        raise Http404
    try:
        path, data = images.public_copy(photo, width)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = images.CONTENT_TYPES[photo.format]
    response = (
        FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (FileResponse closes it)
        if path
        else HttpResponse(data, content_type=content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=86400)
    return response


# --- search engines, language ---------------------------------------------------------------------


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the public product, producer and province pages (django.contrib.sitemaps)."""

    def build() -> Entry:
        response = sitemap_views.sitemap(request, sitemaps.SITEMAPS)
        response.render()
        return {"status": response.status_code, "body": response.content, "object_id": None, "headers": {}}

    page = request.GET.get("p", "1")
    entry = cache.get_or_build(
        LISTINGS, cache.ALL, ["sitemap", page, published.today(), public_base_url(request)], build
    )
    return _respond(entry, content_type="application/xml", vary=())


# Officers' app: never crawled (it needs a login anyway). Everything not allowed is disallowed.
PUBLIC_PREFIXES = ("/san-pham/", "/p/", "/01/", "/chu-the/", "/tinh/", "/v/", "/anh/", "/static/")
PUBLIC_PREFIXES += ("/open-data/",)  # the open data files and their documentation
PRIVATE_PREFIXES = ("/admin/", "/accounts/", "/registry/", "/documents/", "/evaluation/", "/units/", "/api/")
PRIVATE_PREFIXES += ("/i18n/", "/ngon-ngu/")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", "Allow: /$"]  # the public home (signed-in users get their dashboard there)
    lines += [f"Allow: {prefix}" for prefix in PUBLIC_PREFIXES]
    lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
    lines += ["Disallow: /", "", f"Sitemap: {public_base_url(request)}{reverse('public:sitemap')}", ""]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The public pages' language switch: back to the page it was pressed on (the Referer).

    CSRF-exempt on purpose: the pages are cached for everyone, so they cannot carry a visitor's
    CSRF token, and a forged switch only changes the language a visitor reads in.
    """
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("public:catalogue")
    request.POST = request.POST.copy()
    request.POST["next"] = back
    return django_set_language(request)
