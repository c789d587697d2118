"""Vietnamese display formats for numbers, money and dates, in plain Python (no Django).

Both interface languages use the Vietnamese data conventions: "1.234.567 ₫" and dd/mm/yyyy,
so an officer switching to English never misreads an amount or a date.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

THOUSAND_SEPARATOR = "."
DECIMAL_SEPARATOR = ","
CURRENCY_SYMBOL = "₫"

Number = int | float | Decimal | str


def to_decimal(value: Number | None) -> Decimal | None:
    """The value as a finite Decimal, or None when it is empty or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(" ", "")
        if not value:
            return None
    try:
        # str() first so that floats keep their short repr (0.1 → 0.1, not 0.1000000000000000055…).
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_number(value: Number | None, decimals: int | None = None) -> str:
    """'1.234.567,5': dots group thousands, a comma marks decimals. Empty string for no number.

    decimals=None keeps the value's own decimal places (integers get none); otherwise the value is
    rounded half-up to that many places.
    """
    if type(value) is int and decimals is None:
        # The common case (counts in tables): Python's own grouping, the same text (tested).
        return f"{value:,}".replace(",", THOUSAND_SEPARATOR)
    number = to_decimal(value)
    if number is None:
        return ""
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    digits = f"{abs(number):f}"
    whole, _, fraction = digits.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = THOUSAND_SEPARATOR.join(groups)
    if fraction:
        text += DECIMAL_SEPARATOR + fraction
    if sign and text.strip("0.,") == "":
        sign = ""  # no "-0"
    return sign + text


def format_vnd(value: Number | None) -> str:
    """'1.234.567 ₫': whole đồng (the đồng has no subunit in use), rounded half-up. '' for no number."""
    text = format_number(value, decimals=0)
    return f"{text} {CURRENCY_SYMBOL}" if text else ""


def format_date(value: date | None) -> str:
    """'25/12/2025'. A datetime gives its own date: convert it to local time first."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def format_datetime(value: datetime | None) -> str:
    """'14:30 25/12/2025' (time first, as in Vietnamese official documents)."""
    if value is None:
        return ""
    return f"{value.hour:02d}:{value.minute:02d} {format_date(value)}"
