"""The one date control: a text box showing and reading dd/mm/yyyy in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from ocop.core.forms import BootstrapFormMixin, DateInput


class DatedForm(BootstrapFormMixin, forms.Form):
    # Declared with the browser's picker, as forms used to be: the mixin gives it the platform's box.
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    optional = forms.DateField(required=False)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_date_field_is_a_dd_mm_yyyy_text_box(language: str) -> None:
    with translation.override(language):
        form = DatedForm(initial={"day": dt.date(2026, 3, 5)})
        html = str(form["day"])
        assert isinstance(form.fields["day"].widget, DateInput)
        assert 'type="text"' in html and 'type="date"' not in html
        assert 'placeholder="dd/mm/yyyy"' in html and 'value="05/03/2026"' in html
        assert "form-control" in html and "required" in html
        assert 'type="text"' in str(form["optional"]) and "required" not in str(form["optional"])
        # 05/03/2026 is 5 March in both languages (DATE_INPUT_FORMATS of ocop.formats).
        for typed in ("05/03/2026", "5/3/2026", "05-03-2026", "05.03.2026", "2026-03-05"):
            bound = DatedForm({"day": typed})
            assert bound.is_valid(), bound.errors
            assert bound.cleaned_data["day"] == dt.date(2026, 3, 5)
        assert not DatedForm({"day": "03/31/2026"}).is_valid()  # mm/dd/yyyy is not a date here
