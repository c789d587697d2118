"""The warning follow-up form: the correction recorded by the office (consequences.resolve decides)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.forms import BootstrapFormMixin, DateInput


class ResolveForm(BootstrapFormMixin, forms.Form):
    resolved_on = forms.DateField(
        label=_("Ngày khắc phục xong"),
        widget=DateInput(),
        error_messages={"required": _("Hãy ghi ngày khắc phục xong.")},
    )
    resolution_note = forms.CharField(
        label=_("Kết quả khắc phục"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chủ thể đã làm gì, đoàn đã kiểm chứng thế nào (ảnh, giấy tờ, tái kiểm tra)."),
        error_messages={"required": _("Hãy ghi kết quả khắc phục.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("resolved_on", clock.today())
