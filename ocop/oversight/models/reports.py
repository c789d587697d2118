"""Consumers' reports (phản ánh) sent from the public pages, without an account.

The reporter keeps a receipt code to follow the outcome at ``/phan-anh/<receipt>/``; the report
goes to the triage queue of the province concerned (the product's; for an unknown code, the
province where it was bought). The contact details are seen only by the officers who may handle
the report (``can(user, "change", report)``), never by producers, and never kept in the history.
"""

from __future__ import annotations

import secrets

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

# Receipt codes: no 0/O, 1/I/L, so that a code read aloud over the phone is typed back right.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


class ReportKind(models.TextChoices):
    FAKE_MARK = "fake_mark", _("Dùng sao OCOP giả hoặc không đúng sản phẩm")
    EXPIRED_SOLD = "expired_sold", _("Giấy chứng nhận hết hạn hoặc bị thu hồi nhưng vẫn quảng cáo OCOP")
    LABEL_INFO = "label_info", _("Nhãn, thông tin sản phẩm sai hoặc gây nhầm lẫn")
    QUALITY = "quality", _("Chất lượng, an toàn thực phẩm")
    OTHER = "other", _("Khác")


class ReportStatus(models.TextChoices):
    NEW = "new", _("Mới nhận")
    IN_PROGRESS = "in_progress", _("Đang xử lý (đã đưa vào kiểm tra)")
    CLOSED = "closed", _("Đã xử lý xong")


class ConsumerReport(models.Model):
    receipt_code = models.CharField(_("mã tiếp nhận"), max_length=16, unique=True, editable=False)
    code = models.CharField(_("mã trên sản phẩm"), max_length=64, blank=True)
    product = models.ForeignKey(
        "registry.Product",
        verbose_name=_("sản phẩm"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consumer_reports",
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("giấy chứng nhận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consumer_reports",
    )
    province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh xử lý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consumer_reports",
    )
    kind = models.CharField(_("loại phản ánh"), max_length=16, choices=ReportKind.choices)
    description = models.TextField(_("nội dung phản ánh"), max_length=4000)
    where_bought = models.CharField(_("nơi mua, nơi thấy sản phẩm"), max_length=255, blank=True)
    where_province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh nơi mua"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    photo = models.FileField(_("ảnh"), upload_to="oversight/reports/", blank=True, max_length=200)
    photo_type = models.CharField(max_length=100, blank=True, editable=False)
    contact_name = models.CharField(_("họ tên người phản ánh"), max_length=120, blank=True)
    contact = models.CharField(_("điện thoại hoặc email"), max_length=120, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    inspection = models.ForeignKey(
        "oversight.Inspection",
        verbose_name=_("cuộc kiểm tra"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consumer_reports",
    )
    outcome = models.TextField(
        _("kết quả xử lý"), blank=True, help_text=_("Người phản ánh đọc được nội dung này bằng mã tiếp nhận.")
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    # Reports are written by the public form only; officers triage them. Communes and viewers
    # read them without the reporter's contact; producers never see who reported them.
    scope = ScopePaths(
        province="province",
        policy={
            COMMUNE: frozenset(),
            COUNCIL: frozenset(),
            PRODUCER: frozenset(),
            VIEWER: READ_ONLY,
        },
        derived=frozenset(
            {
                "receipt_code",
                "code",
                "product",
                "certificate",
                "province",
                "kind",
                "description",
                "where_bought",
                "where_province",
                "photo",
                "photo_type",
                "contact_name",
                "contact",
                "created",
                "updated",
            }
        ),
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["contact_name", "contact", "created", "updated"])

    class Meta:
        verbose_name = _("phản ánh của người tiêu dùng")
        verbose_name_plural = _("phản ánh của người tiêu dùng")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["province", "status"], name="oversight_report_queue")]

    def __str__(self) -> str:
        return self.receipt_code

    def save(self, *args, **kwargs) -> None:
        if not self.receipt_code:
            self.receipt_code = new_receipt_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_pk("oversight:report_detail", self.pk)
