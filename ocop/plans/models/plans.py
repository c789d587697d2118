"""Plans (kế hoạch / đề án) of a unit and period, their targets, and manual indicator values.

A plan belongs to the country (no province), a province, or a commune (its province is kept too,
so scoping reads one path). A target names an indicator by its code in `ocop.plans.indicators`;
a manual indicator can later become a computed one without touching the plans that use it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import RestrictedManager, ScopePaths


class PlanLevel(models.TextChoices):
    COUNTRY = "country", _("Toàn quốc")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class Plan(models.Model):
    level = models.CharField(_("cấp"), max_length=10, choices=PlanLevel.choices, default=PlanLevel.PROVINCE)
    province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="programme_plans",
        null=True,
        blank=True,
    )
    commune = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("xã"),
        on_delete=models.PROTECT,
        related_name="commune_programme_plans",
        null=True,
        blank=True,
    )
    title = models.CharField(_("tên kế hoạch / đề án"), max_length=255)
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"))
    document_number = models.CharField(_("số văn bản"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    document_issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    budget = models.DecimalField(_("kinh phí (đồng)"), max_digits=18, decimal_places=0, null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
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
        derived=frozenset({"created_by", "created", "updated"}),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-end_year", "-start_year", "pk"]
        indexes = [models.Index(fields=["province", "commune", "end_year"], name="plans_plan_unit_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plans_plan_years"
            ),
            models.CheckConstraint(
                condition=(Q(level="country") & Q(province__isnull=True) & Q(commune__isnull=True))
                | (Q(level="province") & Q(province__isnull=False) & Q(commune__isnull=True))
                | (Q(level="commune") & Q(province__isnull=False) & Q(commune__isnull=False)),
                name="plans_plan_level_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.end_year, 12, 31)


class Target(models.Model):
    """One target of a plan: an indicator (by code), the value to reach and the deadline."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(_("chỉ tiêu"), max_length=48)
    value = models.DecimalField(_("giá trị mục tiêu"), max_digits=16, decimal_places=2)
    deadline = models.DateField(_("thời hạn"))
    # The value at the plan's start; empty for a computed indicator means "computed as of the start".
    baseline = models.DecimalField(
        _("giá trị đầu kỳ"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    scope = ScopePaths(province="plan__province", commune="plan__commune")
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("chỉ tiêu của kế hoạch")
        verbose_name_plural = _("chỉ tiêu của kế hoạch")
        ordering = ["plan", "deadline", "indicator", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator", "deadline"], name="plans_target_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class ManualValue(models.Model):
    """A value of a manual indicator for a unit and period (what the platform does not record yet)."""

    indicator = models.CharField(_("chỉ tiêu"), max_length=48)
    province = models.ForeignKey(
        "geo.Unit", verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    commune = models.ForeignKey(
        "geo.Unit", verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    value = models.DecimalField(_("giá trị"), max_digits=16, decimal_places=2)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    scope = ScopePaths(province="province", commune="commune", derived=frozenset({"entered_by", "created"}))
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created"])

    class Meta:
        verbose_name = _("số liệu nhập tay")
        verbose_name_plural = _("số liệu nhập tay")
        ordering = ["indicator", "-period_end", "pk"]
        indexes = [
            models.Index(
                fields=["indicator", "province", "commune", "period_end"], name="plans_manual_lookup"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="plans_manual_dates"
            ),
            models.CheckConstraint(
                condition=Q(commune__isnull=True) | Q(province__isnull=False), name="plans_manual_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}: {self.value}"
