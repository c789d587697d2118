"""Periodic reports (báo cáo định kỳ) an office files: six-monthly and annual, per unit and period.

The figures are generated from the platform into ``figures`` (JSON) and frozen there: a filed
report never changes afterwards, whatever is issued or revoked later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import RestrictedManager, ScopePaths

from .plans import PlanLevel


class ReportKind(models.TextChoices):
    SEMIANNUAL = "semiannual", _("Báo cáo 6 tháng")
    ANNUAL = "annual", _("Báo cáo năm")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    FILED = "filed", _("Đã nộp")


class PeriodicReport(models.Model):
    level = models.CharField(_("cấp"), max_length=10, choices=PlanLevel.choices, default=PlanLevel.PROVINCE)
    province = models.ForeignKey(
        "geo.Unit", verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    kind = models.CharField(_("loại báo cáo"), max_length=12, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    narrative = models.TextField(_("nội dung đánh giá"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("số liệu"), default=dict, editable=False)
    generated_at = models.DateTimeField(_("số liệu lấy lúc"), null=True, blank=True, editable=False)
    filed_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(
        province="province",
        commune="commune",
        derived=frozenset(
            {"figures", "generated_at", "filed_at", "filed_by", "created_by", "created", "updated", "status"}
        ),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("báo cáo định kỳ")
        verbose_name_plural = _("báo cáo định kỳ")
        ordering = ["-year", "-period_end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plans_report_dates"
            ),
            models.CheckConstraint(
                condition=(Q(level="country") & Q(province__isnull=True) & Q(commune__isnull=True))
                | (Q(level="province") & Q(province__isnull=False) & Q(commune__isnull=True))
                | (Q(level="commune") & Q(province__isnull=False) & Q(commune__isnull=False)),
                name="plans_report_level_unit",
            ),
            # One report per unit, kind and period (the national one has no province).
            models.UniqueConstraint(
                fields=["level", "province", "commune", "kind", "period_start"],
                name="plans_report_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                condition=Q(level="country"),
                name="plans_report_unique_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"
