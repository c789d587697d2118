"""Evidence documents (hồ sơ minh chứng) of a producer, stored once and reused round after round.

A document belongs to a producer (chủ thể) and optionally to one of its products. A document
without a product applies to all the producer's products (business registration, food-safety
certificate...), so a product's evidence is its own documents plus those general ones.

Files are private: stored under MEDIA_ROOT/evidence/<producer id>/<random name> (MEDIA_ROOT is
never served directly) and only handed out by ocop.documents.views.download after a scope check.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import ACTIONS, PRODUCER, RestrictedManager, ScopePaths

from . import filetypes
from .rules import EXPIRING_WINDOW_DAYS, ExpiryStatus, expiry_status


class EvidenceType(models.TextChoices):
    """The papers of the Mẫu 02 evidence list (Phụ lục III, QĐ 26/2026) that are kept between rounds."""

    BUSINESS_REGISTRATION = "business_registration", _("Đăng ký kinh doanh")
    FOOD_SAFETY = "food_safety", _("Giấy chứng nhận cơ sở đủ điều kiện ATTP")
    QUALITY_DECLARATION = "quality_declaration", _("Công bố chất lượng")
    LAB_REPORT = "lab_report", _("Phiếu kiểm nghiệm")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Văn bằng sở hữu trí tuệ")
    CHAIN_CONTRACT = "chain_contract", _("Hợp đồng liên kết")
    DISTRIBUTION_CONTRACT = "distribution_contract", _("Hợp đồng phân phối")
    QUALITY_SYSTEM = "quality_system", _("Chứng nhận VietGAP/hữu cơ/ISO/HACCP")
    FINANCIAL_STATEMENT = "financial_statement", _("Báo cáo tài chính")
    WORKFORCE_LIST = "workforce_list", _("Danh sách lao động")
    PHOTO = "photo", _("Ảnh")
    OTHER = "other", _("Khác")


def evidence_path(instance: EvidenceDocument, filename: str) -> str:
    # A random name with the extension of the *detected* type: the uploader's name never reaches
    # the file system (it is kept in `original_name` for display and download only).
    kind = filetypes.BY_CONTENT_TYPE.get(instance.content_type)
    suffix = kind.extensions[0] if kind else ""
    return f"evidence/{instance.producer_id}/{secrets.token_hex(16)}{suffix}"


# Producers upload their own papers (the dossier is theirs, Art. 7.1) and may withdraw them;
# the other roles keep the common policy (ocop.core.scoping.POLICY).
PRODUCER_ACTIONS = ACTIONS


class EvidenceDocument(models.Model):
    producer = models.ForeignKey(
        "registry.Producer",
        verbose_name=_("chủ thể"),
        on_delete=models.CASCADE,
        related_name="evidence_documents",
    )
    product = models.ForeignKey(
        "registry.Product",
        verbose_name=_("sản phẩm"),
        on_delete=models.PROTECT,
        related_name="evidence_documents",
        null=True,
        blank=True,
        help_text=_("Để trống nếu giấy tờ dùng chung cho mọi sản phẩm của chủ thể."),
    )
    doc_type = models.CharField(_("loại giấy tờ"), max_length=32, choices=EvidenceType.choices)
    title = models.CharField(_("tên giấy tờ"), max_length=255)
    number = models.CharField(_("số hiệu"), max_length=100, blank=True)
    issuer = models.CharField(_("cơ quan cấp"), max_length=255, blank=True)
    issue_date = models.DateField(_("ngày cấp"), null=True, blank=True)
    expiry_date = models.DateField(
        _("ngày hết hạn"), null=True, blank=True, help_text=_("Để trống nếu giấy tờ không có thời hạn.")
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(
        province="producer__province",
        commune="producer__commune",
        owner="producer",
        policy={PRODUCER: PRODUCER_ACTIONS},
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("hồ sơ minh chứng")
        verbose_name_plural = _("hồ sơ minh chứng")
        ordering = ["doc_type", "-issue_date", "pk"]
        indexes = [models.Index(fields=["expiry_date"], name="documents_evidence_expiry")]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse_pk("documents:detail", self.pk)

    def get_download_url(self) -> str:
        return reverse_pk("documents:download", self.pk)

    @property
    def kind(self) -> filetypes.Kind | None:
        return filetypes.BY_CONTENT_TYPE.get(self.content_type)

    @property
    def applies_to_all_products(self) -> bool:
        return self.product_id is None

    def expiry_status(self, window_days: int = EXPIRING_WINDOW_DAYS) -> ExpiryStatus | None:
        return expiry_status(self.expiry_date, timezone.localdate(), window_days)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.issue_date and self.issue_date > timezone.localdate():
            errors["issue_date"] = _("Ngày cấp không được ở tương lai.")
        if self.issue_date and self.expiry_date and self.expiry_date < self.issue_date:
            errors["expiry_date"] = _("Ngày hết hạn phải từ ngày cấp (%(date)s) trở đi.") % {
                "date": self.issue_date.strftime("%d/%m/%Y")
            }
        if self.product_id and self.producer_id and self.product.producer_id != self.producer_id:
            name = self.producer.name
            errors["product"] = _("Sản phẩm này không thuộc chủ thể “%(name)s”.") % {"name": name}
        if errors:
            raise ValidationError(errors)


@receiver(post_delete, sender=EvidenceDocument)
def _delete_file(sender: type[EvidenceDocument], instance: EvidenceDocument, **kwargs: object) -> None:
    # Also runs when a producer's deletion cascades; the file goes only once the row is gone for good.
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
