"""/sitemap.xml: the public product, producer and province pages, at their permanent addresses.

URLs use OCOP_PUBLIC_URL when it is set (the address printed in QR codes), else the request's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ocop.geo.models import Unit
from ocop.registry.models import Producer

from . import published


class _PublicSitemap(Sitemap):
    # One file (Django's default limit of 50,000 URLs per section, the protocol's maximum) holds a
    # national registry; past that, switch /sitemap.xml to a sitemap index.

    def get_protocol(self, protocol: str | None = None) -> str:
        if base := (getattr(settings, "OCOP_PUBLIC_URL", "") or "").strip():
            return urlsplit(base).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site: Any = None) -> str:
        if base := (getattr(settings, "OCOP_PUBLIC_URL", "") or "").strip():
            parts = urlsplit(base)
            return parts.netloc + parts.path.rstrip("/")
        return super().get_domain(site)


class ProductSitemap(_PublicSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return published.published_plain().only("id", "code", "gtin", "updated").order_by("pk")

    def location(self, item) -> str:
        return published.product_path(item)

    def lastmod(self, item):
        return item.updated


class ProducerSitemap(_PublicSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        producers = published.published_plain().values("producer")
        return Producer.objects.filter(pk__in=producers).only("id", "updated").order_by("pk")

    def location(self, item) -> str:
        return published.producer_path(item)

    def lastmod(self, item):
        return item.updated


class ProvinceSitemap(_PublicSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        provinces = published.published_plain().values("province")
        return Unit.objects.filter(pk__in=provinces).only("id", "code").order_by("code")

    def location(self, item) -> str:
        return reverse("public:province", args=[item.code])


SITEMAPS = {"products": ProductSitemap, "producers": ProducerSitemap, "provinces": ProvinceSitemap}
