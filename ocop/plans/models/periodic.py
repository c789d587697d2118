"""Periodic reports (báo cáo định kỳ) an office files: six-monthly and annual, per unit and period.

The figures are generated from the platform into ``figures`` (JSON) and frozen there: a filed
report never changes afterwards, whatever is issued or revoked later (``ocop.plans.periodic``
builds and files them; nothing else writes a report).

Who does what (``scope``): the Ministry's officers make the national report and read every report;
a province office makes its province's reports and its communes' (where a commune has no officer
of its own on the platform); a commune office makes its commune's; viewers read their area;
council members and producers see none. Nobody deletes a report: filed is final, and a draft is
the one report of its unit and period, refreshed rather than replaced.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import (
    ADD,
    ADMIN,
    CENTRAL,
    CHANGE,
    COMMUNE,
    COUNCIL,
    PRODUCER,
    PROVINCE,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)

from .plans import PlanLevel


class ReportKind(models.TextChoices):
    SEMIANNUAL = "semiannual", _("Báo cáo 6 tháng")
    ANNUAL = "annual", _("Báo cáo năm")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    FILED = "filed", _("Đã nộp")


WRITERS = frozenset({VIEW, ADD, CHANGE})
READ_ONLY = frozenset({VIEW})


def _central_writes_national(user: Any, action: str) -> Q | None:
    # The Ministry reads every report but writes only its own (national) one; a province's or a
    # commune's report is that office's document.
    if getattr(user, "role", None) == CENTRAL and action != VIEW:
        return Q(level=PlanLevel.COUNTRY)
    return Q()


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
        policy={
            ADMIN: WRITERS,
            CENTRAL: WRITERS,
            PROVINCE: WRITERS,
            COMMUNE: WRITERS,
            VIEWER: READ_ONLY,
            COUNCIL: frozenset(),
            PRODUCER: frozenset(),
        },
        narrow=_central_writes_national,
        derived=frozenset(
            {"figures", "generated_at", "filed_at", "filed_by", "created_by", "created", "updated", "status"}
        ),
        # What an officer writes by hand: the narrative (the unit, kind and period are chosen once,
        # when the report is made; the figures come from the platform).
        writable={role: frozenset({"narrative"}) for role in (ADMIN, CENTRAL, PROVINCE, COMMUNE)},
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
        return self.period_label

    def get_absolute_url(self) -> str:
        return reverse_pk("plans:report_detail", self.pk)

    @property
    def period_label(self) -> str:
        """ "Báo cáo 6 tháng đầu năm 2026" / "Báo cáo năm 2026"."""
        if self.kind == ReportKind.SEMIANNUAL:
            return _("Báo cáo 6 tháng đầu năm %(year)s") % {"year": self.year}
        return _("Báo cáo năm %(year)s") % {"year": self.year}

    @property
    def unit(self) -> Any:
        """The unit reported on (a commune, a province), None for the national report."""
        return self.commune if self.commune_id is not None else self.province

    @property
    def unit_name(self) -> str:
        unit = self.unit
        return unit.name if unit is not None else str(_("Toàn quốc"))

    @property
    def title(self) -> str:
        """ "Báo cáo 6 tháng đầu năm 2026 — Thành phố Hà Nội"."""
        return f"{self.period_label} — {self.unit_name}"

    @property
    def is_filed(self) -> bool:
        return self.status == ReportStatus.FILED
