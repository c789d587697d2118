"""Shared form helpers: the text rule on every text field, and Bootstrap classes on widgets, so
templates render fields without per-field markup. Every form of the platform mixes in
`CleanTextMixin` (directly or through `BootstrapFormMixin`); a test walks them all.
"""

from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from .validators import validate_clean_text


def apply_text_rule(form: forms.BaseForm) -> None:
    """Every text field of `form` refuses NUL and unpaired surrogates (`core.validators`).

    Django's own NUL check ("Null characters are not allowed.") gives way to the platform's
    message, which also names the surrogates it misses.
    """
    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]
            if validate_clean_text not in field.validators:
                field.validators.append(validate_clean_text)


DATE_INPUT_FORMAT = "%d/%m/%Y"


class DateInput(forms.DateInput):
    """The one date control: dd/mm/yyyy typed as text, in both languages.

    The browser's own picker (type=date) shows the order of the browser's locale (mm/dd/yyyy in
    an English Chromium); this box shows and takes dd/mm/yyyy, read by DATE_INPUT_FORMATS
    (ocop.formats: also 15-03-2024, 15.03.2024 and 2024-03-15).
    """

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        defaults = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            "pattern": r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}|\d{4}-\d{1,2}-\d{1,2}",
            "title": _("Ngày/tháng/năm, ví dụ 15/03/2024"),
            "class": "ocop-date",
        }
        attrs = {key: value for key, value in (attrs or {}).items() if key != "type"}
        super().__init__(attrs=defaults | attrs, format=DATE_INPUT_FORMAT)


def style_form(form: forms.BaseForm) -> None:
    """Add Bootstrap's class to every widget of `form` (checkbox/radio, select or plain control);
    every date field gets the platform's one date control (`DateInput`)."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field.widget, DateInput | forms.HiddenInput):
            field.widget = DateInput(field.widget.attrs)
            field.widget.is_required = field.required
        widget = field.widget
        # RadioSelect and CheckboxSelectMultiple are not Selects: as form-control their inputs
        # become full-width boxes that their own labels cover.
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            widget.attrs["class"] = f"{classes} {css}".strip()


class CleanTextMixin:
    """Mix into every Form or ModelForm: its text fields refuse NUL and unpaired surrogates.

    Applied when the form is cleaned, so fields a form adds in its own __init__ are covered too.
    """

    def full_clean(self) -> None:
        apply_text_rule(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


class BootstrapFormMixin(CleanTextMixin):
    """Mix into a Form or ModelForm: its widgets get Bootstrap classes (and the text rule)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
