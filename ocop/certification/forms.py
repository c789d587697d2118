"""The revocation form (Art. 8): it only collects and checks input; ocop.certification.revocation decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.forms import BootstrapFormMixin, DateInput

from . import revocation
from .models import Certificate, RevocationGround, Star

RADIO = {"class": "form-check-input"}

# The issuing authority as printed on a decision: its Vietnamese legal name, whatever the UI language.
MINISTRY = "Bộ Nông nghiệp và Môi trường"


# --- revocation (Art. 8) -------------------------------------------------------------------------


class RevocationForm(BootstrapFormMixin, forms.Form):
    """Thu hồi giấy chứng nhận: the ground (Art. 8.1 a–đ–e), the conclusion it rests on, the decision."""

    ground = forms.ChoiceField(
        label=_("Căn cứ thu hồi (Điều 8 Quyết định 26/2026/QĐ-TTg)"),
        choices=RevocationGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn căn cứ thu hồi (Điều 8, điểm a–e).")},
    )
    conclusion_on = forms.DateField(
        label=_("Ngày có kết luận vi phạm (hoặc ngày UBND cấp xã xác nhận chủ thể dừng sản xuất)"),
        widget=DateInput(),
        help_text=_("Quyết định thu hồi được ban hành trong 15 ngày kể từ ngày này (Điều 8.4)."),
        error_messages={"required": _("Hãy ghi ngày có kết luận (hoặc ngày xã xác nhận dừng sản xuất).")},
    )
    number = forms.CharField(
        label=_("Số quyết định thu hồi"),
        max_length=60,
        help_text=_(
            "Ví dụ: 2000/QĐ-UBND. Một quyết định thu hồi nhiều giấy chứng nhận: ghi cùng số, ngày và cơ "
            "quan ban hành cho từng giấy, quyết định đã ghi được dùng lại."
        ),
        error_messages={"required": _("Hãy ghi số quyết định thu hồi.")},
    )
    date = forms.DateField(
        label=_("Ngày ban hành quyết định"),
        widget=DateInput(),
        error_messages={"required": _("Hãy ghi ngày ban hành quyết định.")},
    )
    authority = forms.CharField(
        label=_("Cơ quan ban hành"),
        max_length=255,
        error_messages={"required": _("Hãy ghi cơ quan ban hành quyết định.")},
    )
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    revoked_on = forms.DateField(
        label=_("Ngày thu hồi"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: cùng ngày ban hành quyết định."),
    )
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi vào quyết định và lịch sử thay đổi của giấy chứng nhận."),
        error_messages={"required": _("Hãy ghi lý do thu hồi.")},
    )

    # Errors the models raise (Decision, Certificate) shown on the field the user typed.
    MODEL_FIELDS = {
        "number": "number",
        "date": "date",
        "authority": "authority",
        "signer": "signer",
        "note": "reason",
        "revoked_on": "revoked_on",
        "revocation_ground": "ground",
    }

    def __init__(self, *args: Any, certificate: Certificate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.certificate = certificate
        self.fields["ground"].widget.attrs = dict(RADIO)
        self.initial.setdefault("date", clock.today())
        if certificate.star == Star.FIVE:
            self.initial.setdefault("authority", MINISTRY)
        else:
            self.initial.setdefault("authority", f"UBND {certificate.product.province.name}")

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Hãy ghi lý do thu hồi."))
        return reason

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        conclusion, date = cleaned.get("conclusion_on"), cleaned.get("date")
        if conclusion and conclusion > clock.today():
            self.add_error("conclusion_on", _("Ngày có kết luận không được ở tương lai."))
        elif conclusion and date and date < conclusion:
            self.add_error("date", _("Quyết định thu hồi không thể ban hành trước ngày có kết luận."))
        return cleaned

    @property
    def deadline(self) -> Any:
        """The last day for the decision (Art. 8.4), once the conclusion date is known."""
        conclusion = self.cleaned_data.get("conclusion_on") if hasattr(self, "cleaned_data") else None
        return revocation.revocation_deadline(conclusion) if conclusion else None

    @property
    def late(self) -> bool:
        deadline, date = self.deadline, getattr(self, "cleaned_data", {}).get("date")
        return bool(deadline and date and date > deadline)

    def step_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "ground": data["ground"],
            "number": data["number"],
            "date": data["date"],
            "authority": data["authority"],
            "signer": data["signer"],
            "revoked_on": data["revoked_on"],
            "reason": data["reason"],
        }

    def add_model_errors(self, error: ValidationError) -> None:
        """A model's ValidationError (from the workflow step) on the matching fields, else on the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, errors in error.message_dict.items():
            self.add_error(self.MODEL_FIELDS.get(name), errors)
