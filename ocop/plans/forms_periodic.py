"""Forms of the periodic reports: making one (unit, kind, year) and writing its narrative."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.core import clock
from ocop.core.forms import BootstrapFormMixin
from ocop.geo.models import Unit

from .models import PeriodicReport, ReportKind
from .periodic import rules, units
from .periodic.steps import NARRATIVE_MAX


class ReportCreateForm(BootstrapFormMixin, forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị báo cáo"))
    kind = forms.ChoiceField(label=gettext_lazy("Loại báo cáo"), choices=ReportKind.choices)
    year = forms.TypedChoiceField(label=gettext_lazy("Năm"), coerce=int)
    narrative = forms.CharField(
        label=gettext_lazy("Nội dung đánh giá"),
        required=False,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Có thể viết sau, trước khi nộp báo cáo."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units.choices(user)
        this_year = clock.today().year
        self.fields["year"].choices = [
            (year, str(year)) for year in range(this_year, rules.FIRST_YEAR - 1, -1)
        ]
        self.fields["year"].initial = this_year
        # The report due next: the six-month one in the first half of the year, else the annual one.
        self.fields["kind"].initial = ReportKind.SEMIANNUAL if clock.today().month <= 6 else ReportKind.ANNUAL

    def clean_unit(self) -> Unit | None:
        try:
            return units.unit_for(self.cleaned_data["unit"])
        except Unit.DoesNotExist:
            raise ValidationError(_("Không tìm thấy đơn vị báo cáo.")) from None


class NarrativeForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = PeriodicReport
        fields = ["narrative"]
        widgets = {"narrative": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "narrative": gettext_lazy(
                "Đánh giá kết quả trong kỳ, tồn tại, hạn chế và nhiệm vụ kỳ tới; "
                "được in cùng số liệu trong báo cáo."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["narrative"].max_length = NARRATIVE_MAX
        self.fields["narrative"].widget.attrs["maxlength"] = NARRATIVE_MAX
