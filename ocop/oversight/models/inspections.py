"""Inspections (kiểm tra) of a producer and its OCOP products, their checklist and attachments.

An inspection is one visit: planned in a plan, then recorded on site (usually on a phone) and
concluded. Each product inspected gets its own outcome (Art. 9.3: the criteria of the evaluated
dossier are maintained; the OCOP mark and information are used properly):

- compliant;
- warning: corrective actions with a deadline, followed up by a re-inspection (``follow_up_of``);
- revocation: a proposal on ground b, c or d of Art. 8.1, which opens the revocation of the
  product's certificate with this inspection as its basis (15 days from ``concluded_on``, Art. 8.4);
- removal: the product leaves the programme (it is no longer followed).

The inspection's own ``conclusion`` is the gravest outcome of its products.
"""

from __future__ import annotations

import dataclasses
import secrets
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

from .plans import PlanKind

READ_ONLY = frozenset({VIEW})


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Chưa kiểm tra")
    DONE = "done", _("Đã kiểm tra")
    CANCELLED = "cancelled", _("Hủy")


class Outcome(models.TextChoices):
    """From the mildest to the gravest (the order ``Inspection.conclusion`` is taken in)."""

    COMPLIANT = "compliant", _("Đạt, duy trì đúng tiêu chí")
    WARNING = "warning", _("Cảnh báo, yêu cầu khắc phục")
    # Only in the Ministry's review of a province's evaluation work (PlanKind.EVALUATION_REVIEW).
    REEVALUATION = "reevaluation", _("Đề nghị tỉnh đánh giá lại (Điều 10.1.b)")
    REVOCATION = "revocation", _("Đề nghị thu hồi giấy chứng nhận")
    REMOVAL = "removal", _("Đưa ra khỏi chương trình OCOP")


OUTCOME_ORDER = [
    Outcome.COMPLIANT,
    Outcome.WARNING,
    Outcome.REEVALUATION,
    Outcome.REVOCATION,
    Outcome.REMOVAL,
]


class InspectionGround(models.TextChoices):
    """The grounds of Art. 8.1 that rest on an inspection's conclusion (values of RevocationGround)."""

    B = "b", _("b) Sản phẩm không còn đáp ứng tiêu chí theo kết luận kiểm tra")
    C = "c", _("c) Vi phạm quy định về chất lượng, ATTP, môi trường, SHTT, ghi nhãn… theo kết luận")
    D = "d", _("d) Sử dụng nhãn hiệu chứng nhận OCOP không đúng, gây nhầm lẫn")


def _inspection_rule(user: Any, action: str) -> Q | None:
    role = getattr(user, "role", None)
    # The province records the inspections of its own plans; the Ministry's are the Ministry's.
    if role == PROVINCE and action != VIEW:
        return Q(plan__level="province")
    # A producer reads its inspections once done: a planned (above all an ad hoc) visit is not
    # announced to the producer through the platform.
    if role == PRODUCER:
        return Q(status="done")
    return Q()


def _done_for_producer(user: Any, action: str) -> Q | None:
    # The lines, products and photos of an inspection follow the inspection (see _inspection_rule).
    role = getattr(user, "role", None)
    if role == PROVINCE and action != VIEW:
        return Q(inspection__plan__level="province")
    if role == PRODUCER:
        return Q(inspection__status="done")
    return Q()


class Inspection(models.Model):
    plan = models.ForeignKey(
        "oversight.InspectionPlan",
        verbose_name=_("kế hoạch"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    producer = models.ForeignKey(
        "registry.Producer", verbose_name=_("chủ thể"), on_delete=models.PROTECT, related_name="inspections"
    )
    products = models.ManyToManyField(
        "registry.Product",
        verbose_name=_("sản phẩm kiểm tra"),
        through="oversight.InspectedProduct",
        related_name="inspections",
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PLANNED
    )
    scheduled_on = models.DateField(_("ngày dự kiến"), null=True, blank=True)
    inspected_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    location = models.CharField(_("địa điểm kiểm tra"), max_length=255, blank=True)
    inspectors = models.TextField(_("đoàn kiểm tra có mặt"), blank=True)
    inspected_person = models.CharField(
        _("đại diện chủ thể"),
        max_length=255,
        blank=True,
        help_text=_("Họ tên, chức vụ người làm việc với đoàn."),
    )
    signature = models.FileField(_("chữ ký của chủ thể"), upload_to="oversight/signatures/", blank=True)
    signature_refused = models.BooleanField(_("chủ thể từ chối ký"), default=False)
    refusal_note = models.CharField(_("lý do từ chối ký"), max_length=500, blank=True)
    summary = models.TextField(_("nhận xét chung"), blank=True)
    conclusion = models.CharField(_("kết luận"), max_length=12, choices=Outcome.choices, blank=True)
    concluded_on = models.DateField(_("ngày kết luận"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người kết luận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("tái kiểm tra của"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    # Sent with the on-site form: a retried submission (flaky network, double tap) finds the
    # inspection already recorded instead of recording it twice.
    submission_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(
        province="producer__province",
        commune="producer__commune",
        owner="producer",
        policy={COMMUNE: READ_ONLY, COUNCIL: frozenset(), PRODUCER: READ_ONLY, VIEWER: READ_ONLY},
        narrow=_inspection_rule,
        derived=frozenset(
            {"conclusion", "concluded_by", "submission_key", "created_by", "created", "updated"}
        ),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created", "updated", "submission_key"])

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = ["-inspected_on", "scheduled_on", "-pk"]
        indexes = [
            models.Index(fields=["plan", "status"], name="oversight_insp_plan_status"),
            models.Index(fields=["status", "concluded_on"], name="oversight_insp_concluded"),
        ]

    def __str__(self) -> str:
        day = self.inspected_on or self.scheduled_on
        return f"{self.producer} ({day:%d/%m/%Y})" if day else str(self.producer)

    def get_absolute_url(self) -> str:
        return reverse_pk("oversight:inspection_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.signature_refused and not self.refusal_note.strip():
            errors["refusal_note"] = _("Hãy ghi lý do chủ thể từ chối ký biên bản.")
        if self.follow_up_of_id is not None and self.follow_up_of.producer_id != self.producer_id:
            errors["follow_up_of"] = _("Tái kiểm tra phải cùng chủ thể với cuộc kiểm tra trước.")
        if errors:
            raise ValidationError(errors)


# The lines of an inspection (its products, checklist, photos) are placed and read as the inspection.
LINE_SCOPE = ScopePaths(
    province="inspection__producer__province",
    commune="inspection__producer__commune",
    owner="inspection__producer",
    policy={COMMUNE: READ_ONLY, COUNCIL: frozenset(), PRODUCER: READ_ONLY, VIEWER: READ_ONLY},
    narrow=_done_for_producer,
)


class InspectedProduct(models.Model):
    """One product in an inspection, with the certificate and evaluation it is checked against."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="inspected_products")
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="inspected_in"
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("giấy chứng nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    evaluation = models.ForeignKey(
        "evaluation.Evaluation",
        verbose_name=_("kết quả đánh giá đối chiếu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("kết luận"), max_length=12, choices=Outcome.choices, blank=True)
    ground = models.CharField(
        _("căn cứ thu hồi (Điều 8.1)"), max_length=1, choices=InspectionGround.choices, blank=True
    )
    corrective_actions = models.TextField(_("yêu cầu khắc phục"), blank=True)
    deadline = models.DateField(_("hạn khắc phục"), null=True, blank=True)
    resolved_on = models.DateField(_("ngày khắc phục xong"), null=True, blank=True)
    resolution_note = models.TextField(_("kết quả khắc phục"), blank=True)

    scope = LINE_SCOPE
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("sản phẩm được kiểm tra")
        verbose_name_plural = _("sản phẩm được kiểm tra")
        ordering = ["inspection", "product__sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "product"], name="oversight_inspected_product_unique"
            )
        ]
        indexes = [models.Index(fields=["outcome", "deadline"], name="oversight_inspprod_outcome")]

    def __str__(self) -> str:
        return str(self.product)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.outcome == Outcome.REVOCATION and not self.ground:
            errors["ground"] = _("Đề nghị thu hồi phải nêu căn cứ (Điều 8.1, điểm b, c hoặc d).")
        if self.outcome != Outcome.REVOCATION and self.ground:
            errors["ground"] = _("Căn cứ thu hồi chỉ ghi khi đề nghị thu hồi.")
        if self.outcome == Outcome.WARNING:
            if not self.corrective_actions.strip():
                errors["corrective_actions"] = _("Cảnh báo phải nêu yêu cầu khắc phục.")
            if self.deadline is None:
                errors["deadline"] = _("Cảnh báo phải có hạn khắc phục.")
        if (
            self.outcome == Outcome.REEVALUATION
            and self.inspection_id
            and self.inspection.plan.kind != PlanKind.EVALUATION_REVIEW
        ):
            errors["outcome"] = _(
                "Đề nghị tỉnh đánh giá lại chỉ dùng trong kiểm tra công tác đánh giá, phân hạng của tỉnh "
                "(Điều 10.1.b)."
            )
        if self.product_id and self.inspection_id and self.product.producer_id != self.inspection.producer_id:
            errors["product"] = _("Sản phẩm này không thuộc chủ thể được kiểm tra.")
        if errors:
            raise ValidationError(errors)


class FindingKind(models.TextChoices):
    CRITERION = "criterion", _("Tiêu chí đã đánh giá (Điều 9.3.a)")
    MARK = "mark", _("Nhãn hiệu, thông tin, quảng bá (Điều 9.3.b)")


class Answer(models.TextChoices):
    UNCHECKED = "", _("Chưa kiểm tra")
    AS_EVALUATED = "as_evaluated", _("Vẫn như khi đánh giá / đúng quy định")
    CHANGED = "changed", _("Có thay đổi")
    NOT_MET = "not_met", _("Không còn đáp ứng / vi phạm")


class Finding(models.Model):
    """One line of an inspection's checklist, with what the team found."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("nhóm"), max_length=10, choices=FindingKind.choices)
    code = models.CharField(_("mã mục"), max_length=32)
    label = models.TextField(_("nội dung kiểm tra"))
    evaluated = models.CharField(_("khi đánh giá"), max_length=255, blank=True)
    answer = models.CharField(_("kết quả"), max_length=14, choices=Answer.choices, blank=True, default="")
    note = models.TextField(_("ghi chú"), blank=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    scope = dataclasses.replace(
        LINE_SCOPE, derived=frozenset({"kind", "code", "label", "evaluated", "position"})
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("nội dung kiểm tra")
        verbose_name_plural = _("nội dung kiểm tra")
        ordering = ["inspection", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "product", "code"], name="oversight_finding_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    from ocop.documents import filetypes

    kind = filetypes.BY_CONTENT_TYPE.get(instance.content_type)
    suffix = kind.extensions[0] if kind else ""
    return f"oversight/{instance.inspection_id}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    """A photo or document taken during an inspection: private, served after a scope check."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="attachments")
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("mục kiểm tra"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    caption = models.CharField(_("mô tả"), max_length=255, blank=True)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    scope = LINE_SCOPE
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("ảnh, tài liệu kiểm tra")
        verbose_name_plural = _("ảnh, tài liệu kiểm tra")
        ordering = ["inspection", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.original_name
