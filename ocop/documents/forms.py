"""The evidence form (pages and API share it, so both give the same Vietnamese messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.scoping import VIEW, restrict
from ocop.registry.models import Producer, Product

from . import filetypes
from .models import EvidenceDocument
from .uploads import CheckedUpload, check_upload, max_upload_mb

DATE_FORMAT = "%d/%m/%Y"


class VietnameseDateInput(DateInput):
    """dd/mm/yyyy typed as text: the platform's one date control (ocop.core.forms.DateInput)."""


class EvidenceDocumentForm(BootstrapFormMixin, forms.ModelForm):
    """Metadata and the file; the file is required when adding and optional (a replacement) when editing.

    `producer` is fixed by the page (or the API path); `product` is limited to that producer's
    products the user can see.
    """

    upload = forms.FileField(
        label=_("Tệp"),
        required=False,
        error_messages={"empty": _("Tệp rỗng (0 byte); hãy chọn lại tệp.")},
        widget=forms.FileInput(attrs={"accept": ",".join(filetypes.ALLOWED_EXTENSIONS)}),
    )

    class Meta:
        model = EvidenceDocument
        fields = ["doc_type", "product", "title", "number", "issuer", "issue_date", "expiry_date", "notes"]
        widgets = {
            "issue_date": VietnameseDateInput(),
            "expiry_date": VietnameseDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "issue_date": {"invalid": _("Ngày cấp không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
            "expiry_date": {"invalid": _("Ngày hết hạn không hợp lệ; nhập theo dạng dd/mm/yyyy.")},
            "title": {"required": _("Hãy nhập tên giấy tờ.")},
            "doc_type": {
                "required": _("Hãy chọn loại giấy tờ."),
                "invalid_choice": _("Loại giấy tờ “%(value)s” không có trong danh mục."),
            },
            "product": {"invalid_choice": _("Không tìm thấy sản phẩm này trong các sản phẩm của chủ thể.")},
        }

    def __init__(self, *args: Any, producer: Producer, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.producer = producer
        self.instance.producer = producer
        self.checked: CheckedUpload | None = None
        products = restrict(Product.objects.filter(producer=producer), actor, VIEW).order_by("sort_key", "pk")
        product_field = self.fields["product"]
        product_field.queryset = products
        product_field.empty_label = _("— Dùng chung cho mọi sản phẩm của chủ thể —")
        for name in ("issue_date", "expiry_date"):
            self.fields[name].input_formats = [DATE_FORMAT, "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
        upload = self.fields["upload"]
        upload.required = self.instance.pk is None
        upload.error_messages["required"] = _("Hãy chọn tệp cần tải lên.")
        upload.help_text = _("%(types)s; tối đa %(limit)s MB.") % {
            "types": ", ".join(kind.label for kind in filetypes.KINDS),
            "limit": max_upload_mb(),
        }
        if self.instance.pk is not None:
            upload.label = _("Thay tệp (để trống nếu giữ tệp cũ)")

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        self.checked = check_upload(upload)
        return upload
