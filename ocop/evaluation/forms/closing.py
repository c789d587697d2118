"""The chair's reason for closing a session flagged "cần thảo luận" (asked on the confirmation page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocop.core.forms import CleanTextMixin


class CloseReasonForm(CleanTextMixin, forms.Form):
    """Required only when the members' totals differ beyond the round's limit (``required``)."""

    reason = forms.CharField(
        label=_("Lý do kết thúc phiên chấm (ghi vào biên bản)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={
            "required": _("Chênh lệch điểm vượt mức cho phép: hãy ghi lý do kết thúc phiên chấm.")
        },
        help_text=_("Hội đồng đã thảo luận những gì về chênh lệch điểm và vì sao vẫn kết thúc phiên chấm."),
    )

    def __init__(self, *args: Any, required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reason_required = required
        self.fields["reason"].required = required

    def clean_reason(self) -> str:
        reason = self.cleaned_data.get("reason", "").strip()
        if self.reason_required and not reason:
            raise ValidationError(_("Chênh lệch điểm vượt mức cho phép: hãy ghi lý do kết thúc phiên chấm."))
        return reason
