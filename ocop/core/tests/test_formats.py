"""Dates dd/mm/yyyy and money "1.234.567 ₫" in both interface languages."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ocop.core.formatting import format_date, format_datetime, format_number, format_vnd

LANGUAGES = ["vi", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_field_reads_day_first(language: str) -> None:
    with translation.override(language):
        field = forms.DateField()
        assert field.clean("25/12/2025") == date(2025, 12, 25)
        # Django's stock `vi` input formats would read this as 4 March.
        assert field.clean("03/04/2025") == date(2025, 4, 3)
        assert field.clean("3/4/2025") == date(2025, 4, 3)
        assert field.clean("2025-04-03") == date(2025, 4, 3)  # ISO, as sent by <input type=date>


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_field_rejects_month_first(language: str) -> None:
    with translation.override(language), pytest.raises(forms.ValidationError):
        forms.DateField().clean("12/25/2025")


@pytest.mark.parametrize("language", LANGUAGES)
def test_datetime_field_reads_day_first(language: str) -> None:
    with translation.override(language):
        value = forms.DateTimeField().clean("03/04/2025 14:30")
    assert (value.year, value.month, value.day, value.hour, value.minute) == (2025, 4, 3, 14, 30)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_render_day_first(language: str) -> None:
    template = Template("{{ d }}|{{ d|date:'SHORT_DATE_FORMAT' }}|{{ d|date:'DATE_FORMAT' }}")
    with translation.override(language):
        assert template.render(Context({"d": date(2025, 4, 3)})) == "03/04/2025|03/04/2025|03/04/2025"


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_widget_shows_day_first(language: str) -> None:
    class Form(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        html = str(Form(initial={"day": date(2025, 12, 25)})["day"])
    assert 'value="25/12/2025"' in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "1.234.567 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1000, "1.000 ₫"),
        (-2500000, "-2.500.000 ₫"),
        (Decimal("1234567.50"), "1.234.568 ₫"),  # half-up to whole đồng
        (Decimal("0.4"), "0 ₫"),
        (Decimal("-0.4"), "0 ₫"),  # never "-0"
        (1234.49, "1.234 ₫"),
        ("1500000", "1.500.000 ₫"),
        (None, ""),
        ("", ""),
        ("abc", ""),
        (float("nan"), ""),
        (True, ""),
    ],
)
def test_format_vnd(value, expected: str) -> None:
    assert format_vnd(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234567, None, "1.234.567"),
        (1234.5, None, "1.234,5"),
        (Decimal("1234567.891"), 2, "1.234.567,89"),
        (Decimal("12.50"), None, "12,50"),
        (12, 2, "12,00"),
        (-1234.5, 0, "-1.235"),
        (0.1, None, "0,1"),
        (None, None, ""),
    ],
)
def test_format_number(value, decimals, expected: str) -> None:
    assert format_number(value, decimals) == expected


@given(st.integers(min_value=-(10**27), max_value=10**27))  # within Decimal's 28 digits
def test_a_whole_number_is_written_as_its_decimal_is(value: int) -> None:
    """format_number's shortcut for int is the general path's text (bool stays a non-number)."""
    assert format_number(value) == format_number(Decimal(value)) == format_number(str(value))
    assert format_number(True) == format_number(False) == ""


def test_format_date_and_datetime() -> None:
    assert format_date(date(2025, 4, 3)) == "03/04/2025"
    assert format_date(None) == ""
    assert format_datetime(datetime(2025, 12, 25, 9, 5)) == "09:05 25/12/2025"


@pytest.mark.parametrize("language", LANGUAGES)
def test_template_filters(language: str) -> None:
    template = Template(
        "{% load ocop %}{{ money|vnd }}|{{ ratio|vn_number:2 }}|{{ ratio|vn_number }}|{{ day|dmy }}|"
        "{{ moment|dmy }}|{{ moment|dmy_hm }}|{{ missing|vnd }}|{{ missing|dmy }}"
    )
    # 18:30 UTC on the 24th is 01:30 on the 25th in Hà Nội (Asia/Ho_Chi_Minh, UTC+7).
    context = {
        "money": 1234567,
        "ratio": Decimal("1234.5"),
        "day": date(2025, 4, 3),
        "moment": datetime(2025, 12, 24, 18, 30, tzinfo=UTC),
        "missing": None,
    }
    with translation.override(language):
        rendered = template.render(Context(context))
    assert rendered == "1.234.567 ₫|1.234,50|1.234,5|03/04/2025|25/12/2025|01:30 25/12/2025||"


def test_url_or_none_tag() -> None:
    template = Template(
        '{% load ocop %}{% url_or_none "core:home" as home %}{% url_or_none "nowhere:index" as gone %}'
        "{{ home }}|{{ gone|default:'-' }}"
    )
    assert template.render(Context()) == "/|-"
