"""Inspection plans (kế hoạch kiểm tra): who inspects whom, when, under which kind of inspection."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import (
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


class PlanLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương (Bộ)")
    PROVINCE = "province", _("Cấp tỉnh")


class PlanKind(models.TextChoices):
    PERIODIC = "periodic", _("Kiểm tra định kỳ")
    AD_HOC = "ad_hoc", _("Kiểm tra đột xuất")
    # Art. 10.1.b: the Ministry checks a province's evaluation work; its findings may ask the
    # province to evaluate again or its chair to revoke.
    EVALUATION_REVIEW = "evaluation_review", _("Kiểm tra công tác đánh giá, phân hạng của tỉnh (Điều 10.1.b)")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    ACTIVE = "active", _("Đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")


def _province_writes_own_level(user: Any, action: str) -> Q | None:
    # A province office manages its own plans; it reads (never edits) the Ministry's plans about it.
    if getattr(user, "role", None) == PROVINCE and action != VIEW:
        return Q(level=PlanLevel.PROVINCE)
    return Q()


class InspectionPlan(models.Model):
    """A plan of inspections (Art. 9.2.a: periodic or ad hoc) of one province, or the Ministry's.

    ``province`` is the province whose products are inspected; a central plan without a province
    covers 5★ products anywhere (Art. 9.4.b). The inspections of the plan are its items: one per
    producer, with the products in scope.
    """

    level = models.CharField(_("cấp"), max_length=10, choices=PlanLevel.choices, default=PlanLevel.PROVINCE)
    kind = models.CharField(
        _("loại kiểm tra"), max_length=20, choices=PlanKind.choices, default=PlanKind.PERIODIC
    )
    province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        null=True,
        blank=True,
        help_text=_("Để trống với kế hoạch của Bộ kiểm tra sản phẩm 5 sao trên cả nước."),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=255)
    number = models.CharField(_("số kế hoạch"), max_length=100, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    team = models.TextField(
        _("thành phần đoàn kiểm tra"),
        blank=True,
        help_text=_("Cán bộ và các sở, ngành phối hợp (Điều 9.4), mỗi dòng một người hoặc đơn vị."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ kiểm tra"),
        related_name="inspection_plans",
        blank=True,
    )
    note = models.TextField(_("ghi chú"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
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
        policy={COMMUNE: READ_ONLY, COUNCIL: frozenset(), PRODUCER: frozenset(), VIEWER: READ_ONLY},
        narrow=_province_writes_own_level,
        derived=frozenset({"created_by", "created", "updated"}),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        ordering = ["-year", "-starts_on", "-pk"]
        indexes = [models.Index(fields=["province", "year"], name="oversight_plan_province_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="oversight_plan_dates"
            ),
            # A province's own plan names its province; only the Ministry plans nationwide.
            models.CheckConstraint(
                condition=Q(level="central") | Q(province__isnull=False), name="oversight_plan_province"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_pk("oversight:plan_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
        if self.level == PlanLevel.PROVINCE and self.province_id is None:
            errors["province"] = _("Kế hoạch cấp tỉnh phải chọn tỉnh.")
        if self.kind == PlanKind.EVALUATION_REVIEW and self.level != PlanLevel.CENTRAL:
            errors["kind"] = _("Kiểm tra công tác đánh giá, phân hạng của tỉnh là việc của Bộ (Điều 10.1.b).")
        if self.kind == PlanKind.EVALUATION_REVIEW and self.province_id is None:
            errors["province"] = _("Hãy chọn tỉnh được kiểm tra công tác đánh giá, phân hạng.")
        if self.province_id is not None and self.province.level != "province":
            errors["province"] = _("Hãy chọn một tỉnh, thành phố.")
        if errors:
            raise ValidationError(errors)
