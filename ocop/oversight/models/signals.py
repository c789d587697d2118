"""Risk signals read from the public scan counters (``ocop scan-signals`` refreshes them).

Each signal names a rule, the product (and certificate or typed code) it is about, the province
that should look at it, and the figures behind it (``detail``), so the page can say why it fired.
No rule reads personal data: they work on per-day counters of pages, never on who scanned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import (
    COMMUNE,
    COUNCIL,
    PRODUCER,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)

READ_ONLY = frozenset({VIEW})


class SignalRule(models.TextChoices):
    EXPIRED_SCANNED = "expired_scanned", _("Giấy chứng nhận hết hiệu lực vẫn được quét")
    REVOKED_SCANNED = "revoked_scanned", _("Giấy chứng nhận bị thu hồi vẫn được quét")
    SUPERSEDED_SCANNED = "superseded_scanned", _("Giấy chứng nhận đã được thay thế vẫn được quét")
    FAR_SCANS = "far_scans", _("Được quét nhiều ở vùng xa nơi sản xuất")
    SURGE = "surge", _("Lượt quét tăng đột biến")
    MISTYPED = "mistyped", _("Mã không tồn tại, gần giống một mã thật")


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Cần xem xét")
    PLANNED = "planned", _("Đã đưa vào kế hoạch kiểm tra")
    DISMISSED = "dismissed", _("Đã xem, không cần kiểm tra")


class ScanSignal(models.Model):
    # rule:product:certificate:code, so that a refresh updates the signal it found before.
    key = models.CharField(max_length=160, unique=True, editable=False)
    rule = models.CharField(_("dấu hiệu"), max_length=20, choices=SignalRule.choices)
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.CASCADE, related_name="scan_signals"
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("giấy chứng nhận"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scan_signals",
    )
    code = models.CharField(_("mã được nhập"), max_length=64, blank=True)
    first_day = models.DateField(_("từ ngày"))
    last_day = models.DateField(_("đến ngày"))
    scans = models.PositiveIntegerField(_("số lượt"), default=0)
    detail = models.JSONField(_("số liệu"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    status_note = models.CharField(_("ghi chú xử lý"), max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    scope = ScopePaths(
        province="product__province",
        commune="product__commune",
        owner="product__producer",
        policy={COMMUNE: READ_ONLY, COUNCIL: frozenset(), PRODUCER: frozenset(), VIEWER: READ_ONLY},
        derived=frozenset(
            {
                "key",
                "rule",
                "product",
                "certificate",
                "code",
                "first_day",
                "last_day",
                "scans",
                "detail",
                "computed_at",
            }
        ),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["first_day", "last_day", "scans", "detail", "computed_at"])

    class Meta:
        verbose_name = _("dấu hiệu từ lượt quét")
        verbose_name_plural = _("dấu hiệu từ lượt quét")
        ordering = ["status", "-last_day", "-scans", "pk"]
        indexes = [models.Index(fields=["status", "rule"], name="oversight_signal_status")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.product}"

    def save(self, *args, **kwargs) -> None:
        if not self.key:
            self.key = self.key_for(self.rule, self.product_id, self.certificate_id, self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_pk("oversight:signal_detail", self.pk)

    @staticmethod
    def key_for(rule: str, product_id: int, certificate_id: int | None, code: str = "") -> str:
        return f"{rule}:{product_id}:{certificate_id or 0}:{code}"
