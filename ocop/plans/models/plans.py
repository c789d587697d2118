"""Plans (kế hoạch / đề án) of a unit and period, their targets, and manual indicator values.

A plan belongs to the country (no province), a province, or a commune (its province is kept too,
so scoping reads one path). A target names an indicator by its code in `ocop.plans.indicators`;
a manual indicator can later become a computed one without touching the plans that use it.

Who writes what (core.scoping, beyond the house policy): the central office plans for the country
only (it reads everything); a province office its province and its communes; a commune office its
commune; viewers read their area; council members and producers see nothing. Targets and manual
values are lines their office corrects: whoever may change them may delete them (a plan itself is
deleted as the house policy says: administrators and province offices).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import (
    ACTIONS,
    CENTRAL,
    COMMUNE,
    COUNCIL,
    PRODUCER,
    VIEW,
    RestrictedManager,
    RestrictedQuerySet,
    ScopePaths,
)

NOBODY: frozenset[str] = frozenset()
# Council members and producers have no business with programme plans.
PLAN_POLICY = {COUNCIL: NOBODY, PRODUCER: NOBODY}
# The lines of a plan (targets) and manual values: their office corrects them, deletions included.
LINE_POLICY = {COUNCIL: NOBODY, PRODUCER: NOBODY, CENTRAL: ACTIONS, COMMUNE: ACTIONS}


class PlanLevel(models.TextChoices):
    COUNTRY = "country", _("Toàn quốc")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


def _central_writes_country(path: str) -> Any:
    """The central office writes the country's plans only (it reads every plan)."""

    def rule(user: Any, action: str) -> Q | None:
        if getattr(user, "role", None) == CENTRAL and action != VIEW:
            return Q(**{path: PlanLevel.COUNTRY.value})
        return Q()

    return rule


def level_of(province_id: int | None, commune_id: int | None) -> str:
    if commune_id is not None:
        return PlanLevel.COMMUNE.value
    if province_id is not None:
        return PlanLevel.PROVINCE.value
    return PlanLevel.COUNTRY.value


def _unit_errors(level: str, province: Any, commune: Any) -> dict[str, Any]:
    """The unit of a plan, report or manual value must fit its level (current units only)."""
    errors: dict[str, Any] = {}
    if level == PlanLevel.COUNTRY:
        if province is not None or commune is not None:
            errors["province"] = _("Kế hoạch toàn quốc không gắn với tỉnh hay xã.")
        return errors
    if province is None:
        errors["province"] = _("Hãy chọn tỉnh, thành phố.")
    elif province.structure != "current" or province.level != "province":
        errors["province"] = _("Hãy chọn một tỉnh, thành phố hiện hành.")
    if level == PlanLevel.PROVINCE and commune is not None:
        errors["commune"] = _("Kế hoạch cấp tỉnh không gắn với xã.")
    if level == PlanLevel.COMMUNE:
        if commune is None:
            errors["commune"] = _("Hãy chọn xã, phường, đặc khu.")
        elif commune.structure != "current" or commune.level != "commune":
            errors["commune"] = _("Hãy chọn một xã, phường, đặc khu hiện hành.")
        elif province is not None and commune.current_province_id != province.pk:
            errors["commune"] = _("Xã đã chọn không thuộc tỉnh của kế hoạch.")
    return errors


class PlanQuerySet(RestrictedQuerySet):
    def active_on(self, day: dt.date) -> PlanQuerySet:
        """The plans whose period (start year to end year) holds ``day``."""
        return self.filter(start_year__lte=day.year, end_year__gte=day.year)

    def of_unit(self, province_id: int | None, commune_id: int | None) -> PlanQuerySet:
        """The plans of exactly this unit: the country (both None), a province or a commune."""
        level = level_of(province_id, commune_id)
        if level == PlanLevel.COUNTRY:
            return self.filter(level=level)
        if level == PlanLevel.PROVINCE:
            return self.filter(level=level, province_id=province_id)
        return self.filter(level=level, commune_id=commune_id)


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
        policy=PLAN_POLICY,
        narrow=_central_writes_country("level"),
        derived=frozenset({"created_by", "created", "updated"}),
    )
    objects = PlanQuerySet.as_manager()
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

    def get_absolute_url(self) -> str:
        return reverse_pk("plans:plan_detail", self.pk)

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.start_year, 1, 1)

    @property
    def ends_on(self) -> dt.date:
        return dt.date(self.end_year, 12, 31)

    @property
    def unit(self) -> Any:
        """The commune, the province, or None for the country (select_related them to avoid queries)."""
        if self.commune_id is not None:
            return self.commune
        if self.province_id is not None:
            return self.province
        return None

    @property
    def unit_name(self) -> str:
        unit = self.unit
        return unit.name if unit is not None else str(_("Toàn quốc"))

    @property
    def period_label(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    def active_on(self, day: dt.date) -> bool:
        return self.start_year <= day.year <= self.end_year

    def clean(self) -> None:
        super().clean()
        errors = _unit_errors(self.level, self.province, self.commune)
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("Năm kết thúc phải từ năm bắt đầu trở đi.")
        if self.document_date and self.start_year and self.document_date.year > (self.end_year or 9999):
            errors["document_date"] = _("Ngày ban hành phải trước khi kế hoạch kết thúc.")
        if self.budget is not None and self.budget < 0:
            errors["budget"] = _("Kinh phí không được âm.")
        if errors:
            raise ValidationError(errors)


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

    scope = ScopePaths(
        province="plan__province",
        commune="plan__commune",
        policy=LINE_POLICY,
        narrow=_central_writes_country("plan__level"),
        derived=frozenset({"plan"}),
    )
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
        from ocop.plans import indicators  # the registry imports the models

        indicator = indicators.find(self.indicator)
        name = indicator.name if indicator is not None else self.indicator
        return f"{name} ({self.deadline:%d/%m/%Y})" if self.deadline else str(name)

    def get_absolute_url(self) -> str:
        return reverse_pk("plans:plan_detail", self.plan_id) + f"#target-{self.pk}"

    def clean(self) -> None:
        from ocop.plans import indicators

        super().clean()
        errors: dict[str, Any] = {}
        indicator = indicators.find(self.indicator)
        if indicator is None:
            errors["indicator"] = _("Không có chỉ tiêu mã “%(code)s”.") % {"code": self.indicator}
        plan = self.plan if self.plan_id is not None else None
        if plan is not None and self.deadline and not plan.starts_on <= self.deadline <= plan.ends_on:
            errors["deadline"] = _("Thời hạn phải nằm trong thời gian của kế hoạch (%(start)s–%(end)s).") % {
                "start": plan.start_year,
                "end": plan.end_year,
            }
        for name in ("value", "baseline"):
            number = getattr(self, name)
            if number is None:
                continue
            if number < 0:
                errors[name] = _("Giá trị không được âm.")
            elif indicator is not None and indicator.percent and number > 100:
                errors[name] = _("Tỷ lệ phần trăm không quá 100.")
        if errors:
            raise ValidationError(errors)


class ManualValue(models.Model):
    """A value of a manual indicator for a unit and period (what the platform does not record yet)."""

    indicator = models.CharField(_("chỉ tiêu"), max_length=48)
    level = models.CharField(_("cấp"), max_length=10, choices=PlanLevel.choices, default=PlanLevel.PROVINCE)
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

    scope = ScopePaths(
        province="province",
        commune="commune",
        policy=LINE_POLICY,
        narrow=_central_writes_country("level"),
        derived=frozenset({"entered_by", "created"}),
    )
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
            models.CheckConstraint(
                condition=(Q(level="country") & Q(province__isnull=True) & Q(commune__isnull=True))
                | (Q(level="province") & Q(province__isnull=False) & Q(commune__isnull=True))
                | (Q(level="commune") & Q(province__isnull=False) & Q(commune__isnull=False)),
                name="plans_manual_level_unit",
            ),
            # One value per indicator, unit and period (the country's has no province).
            models.UniqueConstraint(
                fields=["indicator", "level", "province", "commune", "period_start", "period_end"],
                name="plans_manual_unique",
                violation_error_message=_("Đã có số liệu của chỉ tiêu này cho địa bàn và kỳ này."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"],
                condition=Q(level="country"),
                name="plans_manual_unique_country",
                violation_error_message=_("Đã có số liệu của chỉ tiêu này cho địa bàn và kỳ này."),
            ),
        ]

    def __str__(self) -> str:
        from ocop.plans import indicators

        indicator = indicators.find(self.indicator)
        name = indicator.name if indicator is not None else self.indicator
        return f"{name} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse_pk("plans:manual_value_edit", self.pk)

    @property
    def unit_name(self) -> str:
        if self.commune_id is not None:
            return self.commune.name
        if self.province_id is not None:
            return self.province.name
        return str(_("Toàn quốc"))

    def clean(self) -> None:
        from ocop.plans import indicators

        super().clean()
        errors = _unit_errors(self.level, self.province, self.commune)
        if errors.get("province") and self.level == PlanLevel.COUNTRY:
            errors["province"] = _("Số liệu toàn quốc không gắn với tỉnh hay xã.")
        indicator = indicators.find(self.indicator)
        if indicator is None or indicator.computed:
            errors["indicator"] = _("“%(code)s” không phải chỉ tiêu nhập tay.") % {"code": self.indicator}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("Giá trị không được âm.")
        if errors:
            raise ValidationError(errors)
