"""Shared form helpers: Bootstrap classes on widgets, so templates render fields without per-field markup."""

from typing import Any

from django import forms


def style_form(form: forms.BaseForm) -> None:
    """Add Bootstrap's class to every widget of `form` (checkbox/radio, select or plain control)."""
    for field in form.fields.values():
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


class BootstrapFormMixin:
    """Mix into a Form or ModelForm: its widgets get Bootstrap classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
