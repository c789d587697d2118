"""Scan analytics: how many times a day each published product or certificate was opened, by source.

Rows are written only by ``ocop.public.scans.flush`` (``ocop flush-scans``), never by a request:
the public pages count in the cache and the flush adds the counts here in batches.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.core.scoping import (
    ADMIN,
    CENTRAL,
    COMMUNE,
    COUNCIL,
    PRODUCER,
    PROVINCE,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)

READ_ONLY = frozenset({VIEW})


class ScanKind(models.TextChoices):
    PRODUCT = "product", _("Trang sản phẩm")
    CERTIFICATE = "certificate", _("Trang kiểm tra giấy chứng nhận")


class ScanSource(models.TextChoices):
    QR = "qr", _("Quét mã QR")
    WEB = "web", _("Duyệt web")
    API = "api", _("API kiểm tra")


class ScanCount(models.Model):
    """The number of public hits of one product or certificate page on one day from one source.

    ``object_id`` is the product's or the certificate's id (per ``kind``); ``product`` is the
    product either way, which places the row for scoping (its current province and commune) and
    lets officers add up a product's scans. Not audited (no AuditedHistory): these are machine
    counters incremented every few minutes, not decisions anyone makes; a history row per
    increment would multiply the writes and record nothing a person did.
    """

    day = models.DateField(_("ngày"))
    kind = models.CharField(_("loại trang"), max_length=16, choices=ScanKind.choices)
    object_id = models.PositiveBigIntegerField(_("mã đối tượng"))
    source = models.CharField(_("nguồn"), max_length=8, choices=ScanSource.choices)
    count = models.PositiveIntegerField(_("số lượt"), default=0)
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="scan_counts"
    )

    # Counters are read by everyone in scope and written only by the flush (no role changes them).
    scope = ScopePaths(
        province="product__province",
        commune="product__commune",
        owner="product__producer",
        policy={role: READ_ONLY for role in (ADMIN, CENTRAL, PROVINCE, COMMUNE, COUNCIL, PRODUCER, VIEWER)},
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("lượt quét")
        verbose_name_plural = _("lượt quét")
        ordering = ["-day", "kind", "object_id", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "object_id", "source"], name="public_scancount_unique"
            )
        ]
        indexes = [models.Index(fields=["product", "day"], name="public_scancount_product_day")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.kind} {self.object_id} {self.source}: {self.count}"


class MissedLookup(models.Model):
    """How many times a day one typed certificate code found no certificate (/v/<code> and the JSON
    verification), so a code that resembles a real one and keeps being typed can be noticed.

    A code is not personal data: nothing about who typed it is kept. Written only by the flush,
    bounded: codes of a certificate code's general shape, at most ``MISSED_CODE_LENGTH`` characters
    and ``scans.MISSED_CODES_PER_DAY`` distinct codes a day.
    """

    day = models.DateField(_("ngày"))
    code = models.CharField(_("mã được nhập"), max_length=40)
    count = models.PositiveIntegerField(_("số lượt"), default=0)

    # No place: a typed code belongs to no unit, so only national roles read the raw counters
    # (provinces see the signals built from them, placed on the product they resemble).
    scope = ScopePaths(policy={ADMIN: READ_ONLY, CENTRAL: READ_ONLY})
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("lượt tra mã không có")
        verbose_name_plural = _("lượt tra mã không có")
        ordering = ["-day", "code"]
        constraints = [models.UniqueConstraint(fields=["day", "code"], name="public_missedlookup_unique")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.code}: {self.count}"


class ScanRegionCount(models.Model):
    """How many QR scans of one product came, on one day, from one current province — as told by
    the front proxy's own GeoIP in the header named by ``OCOP_SCAN_REGION_HEADER``.

    The address that scanned is never read nor stored; only the province the proxy names is
    counted. Written only by the flush (like ScanCount); not audited for the same reason.
    """

    day = models.DateField(_("ngày"))
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="scan_regions"
    )
    province = models.ForeignKey(
        "geo.Unit", verbose_name=_("tỉnh/thành phố quét"), on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("số lượt"), default=0)

    scope = ScopePaths(
        province="product__province",
        commune="product__commune",
        owner="product__producer",
        policy={role: READ_ONLY for role in (ADMIN, CENTRAL, PROVINCE, COMMUNE, COUNCIL, PRODUCER, VIEWER)},
    )
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("lượt quét theo tỉnh")
        verbose_name_plural = _("lượt quét theo tỉnh")
        ordering = ["-day", "product", "province"]
        constraints = [
            models.UniqueConstraint(fields=["day", "product", "province"], name="public_scanregion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.product_id} {self.province_id}: {self.count}"
