"""<select> and <input> written in Python (ocop.core.renderers) are the markup of Django's own templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from ocop.core.renderers import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("x\"y'<z>", "Kí tự <đặc biệt>")])
    grouped = forms.ChoiceField(
        choices=[("", "Tất cả"), ("Nhóm 1", [("1", "Một"), ("2", "Hai")]), ("Nhóm <2>", [("3", "Ba")])]
    )
    many = forms.MultipleChoiceField(choices=[("1", "Một"), ("2", "Hai"), ("3", "Ba")])
    yes_no = forms.NullBooleanField()
    safe = forms.ChoiceField(choices=[(mark_safe("<b>"), mark_safe("<i>an toàn</i>"))])
    number = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int)


def _both(form_class, data, **kwargs):
    fast = form_class(data, renderer=FormRenderer(), **kwargs)
    slow = form_class(data, renderer=DjangoTemplates(), **kwargs)
    for name in fast.fields:
        fast.fields[name].widget.attrs.update({"class": "form-select", "data-x": 'a"b', "disabled": False})
        slow.fields[name].widget.attrs.update({"class": "form-select", "data-x": 'a"b', "disabled": False})
        yield name, str(fast[name]), str(slow[name])


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "x\"y'<z>", "grouped": "3", "many": ["1", "3"], "yes_no": "true", "number": "2"},
        {"plain": "a", "grouped": "", "many": [], "yes_no": "unknown", "safe": "<b>"},
    ],
)
def test_select_markup_is_djangos(data) -> None:
    for name, fast, slow in _both(Sample, data):
        assert fast == slow, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, data",
    [
        ("ocop.registry.filtersets.ProductFilterSet", {"province": "01", "classification_set": "B07"}),
        ("ocop.registry.filtersets.ProducerFilterSet", {"producer_type": "htx"}),
        ("ocop.certification.filtersets.CertificateFilterSet", {"status": "valid", "star": "4"}),
        ("ocop.evaluation.filtersets.DossierFilterSet", {}),
    ],
)
def test_filter_forms_of_the_lists_render_as_with_djangos_templates(path, data) -> None:
    from django.utils.module_loading import import_string

    filterset = import_string(path)(data)
    form = filterset.form
    selects = [name for name, field in form.fields.items() if isinstance(field.widget, forms.Select)]
    assert selects
    for name in form.fields:
        field = form[name]
        fast = field.as_widget()
        form.renderer = DjangoTemplates()
        slow = form[name].as_widget()
        form.renderer = FormRenderer()
        assert fast == slow, name


class Inputs(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "placeholder": 'Tên "đặc" <x>'}))
    number = forms.IntegerField(min_value=1, max_value=10)
    hidden = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'gạo & "nếp" <b>', "number": "7", "hidden": "a'b", "email": "x@y.vn", "day": "2026-12-06"},
        {"text": "", "number": "abc", "hidden": "", "secret": "p<w>d"},
    ],
)
def test_input_markup_is_djangos(data) -> None:
    for name, fast, slow in _both(Inputs, data):
        assert fast == slow, name
