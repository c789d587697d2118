"""Forms of consumers' reports: the public form (no account) and the officers' triage forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core.forms import CleanTextMixin, style_form
from ocop.geo.models import Level, Structure, Unit

from .. import intake
from ..models import ConsumerReport, Inspection, ReportKind
from ..models.reports import RECEIPT_ALPHABET, RECEIPT_LENGTH

DESCRIPTION_MAX = ConsumerReport._meta.get_field("description").max_length
OUTCOME_MAX = 2000


def current_provinces() -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by("sort_key")


class ProvinceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ReportForm(CleanTextMixin, forms.Form):
    """What a consumer tells: the kind, what was seen, where it was bought, a photo, a contact."""

    code = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Bạn muốn phản ánh điều gì?"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Bạn đã thấy gì?"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mô tả cụ thể: nhãn, tem, giấy tờ, lời quảng cáo, chất lượng… (tối đa 4.000 ký tự)."),
        error_messages={"required": _("Hãy mô tả điều bạn thấy.")},
    )
    where_bought = forms.CharField(
        label=_("Mua hoặc thấy sản phẩm ở đâu?"),
        required=False,
        max_length=255,
        help_text=_("Tên cửa hàng, chợ, trang bán hàng trực tuyến, địa chỉ."),
    )
    where_province = ProvinceChoiceField(
        label=_("Tỉnh/thành phố nơi mua"),
        queryset=current_provinces(),
        to_field_name="code",
        required=False,
        empty_label=_("— Chọn tỉnh/thành phố —"),
    )
    photo = forms.FileField(
        label=_("Ảnh chụp (không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    contact_name = forms.CharField(label=_("Họ tên (không bắt buộc)"), required=False, max_length=120)
    contact = forms.CharField(
        label=_("Điện thoại hoặc email (không bắt buộc)"),
        required=False,
        max_length=120,
        help_text=_(
            "Chỉ cán bộ xử lý phản ánh thấy, để hỏi thêm khi cần; "
            "không công khai, không gửi cho cơ sở sản xuất."
        ),
    )
    # Never shown to people (hidden by CSS): a script filling every field fills it.
    website = forms.CharField(label=_("Để trống ô này"), required=False, max_length=200)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, ask_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if ask_code:
            field = self.fields["code"]
            field.widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
            field.label = _("Mã in trên sản phẩm, tem hoặc giấy chứng nhận (nếu có)")
            field.help_text = _("Mã giấy chứng nhận (OCOP-…), mã sản phẩm OCOP hoặc mã vạch.")
        self.fields["photo"].help_text = _("Ảnh JPEG, PNG hoặc WebP, tối đa %(limit)s MB.") % {
            "limit": intake.photo_max_mb()
        }
        style_form(self)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_photo(self) -> intake.Photo | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return intake.check_photo(upload)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (self.data.get(intake.HONEYPOT) or "").strip():
            raise ValidationError(
                _("Không gửi được phản ánh. Hãy tải lại trang rồi gửi lại."), code="honeypot"
            )
        if problem := intake.token_problem(self.data.get("token", "")):
            raise ValidationError(problem, code="token")
        return cleaned


class LookupForm(CleanTextMixin, forms.Form):
    receipt = forms.CharField(
        label=_("Mã tiếp nhận"),
        max_length=20,
        help_text=_("Mã gồm 10 ký tự dạng XXXXX-XXXXX, nhận được khi gửi phản ánh."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "ABCDE-23456",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)

    def clean_receipt(self) -> str:
        return normal_receipt(self.cleaned_data["receipt"])


def normal_receipt(text: str) -> str:
    """A receipt code as stored (upper case, XXXXX-XXXXX), whatever spaces or dashes were typed;
    "" when it cannot be one."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in raw):
        return ""
    return f"{raw[:5]}-{raw[5:]}"


class CloseForm(CleanTextMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do đóng phản ánh"),
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do đóng phản ánh.")},
    )
    outcome = forms.CharField(
        label=_("Kết quả công bố cho người phản ánh (không bắt buộc)"),
        required=False,
        max_length=OUTCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Để trống: người phản ánh đọc lý do ở trên. Không ghi tên cán bộ hay thông tin cá nhân."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class InspectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Inspection) -> str:
        day = obj.inspected_on or obj.scheduled_on
        when = f" · {day:%d/%m/%Y}" if day else ""
        return f"{obj.producer.name} — {obj.plan.title}{when} ({obj.get_status_display()})"


class LinkForm(CleanTextMixin, forms.Form):
    inspection = InspectionChoiceField(
        label=_("Cuộc kiểm tra"),
        queryset=Inspection.objects.none(),
        empty_label=_("— Chọn cuộc kiểm tra —"),
        error_messages={
            "required": _("Hãy chọn cuộc kiểm tra."),
            "invalid_choice": _("Cuộc kiểm tra không hợp lệ."),
        },
    )

    def __init__(self, *args: Any, inspections: QuerySet[Inspection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections
        style_form(self)
