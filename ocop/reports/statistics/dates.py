"""Reading the day and year of a request (`?date=dd/mm/yyyy` or ISO, `?year=`), with Vietnamese errors."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from .scope import today
from .years import check_year

DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
EARLIEST = dt.date(1900, 1, 1)


def parse_day(value: str | None) -> dt.date:
    """The day asked for (dd/mm/yyyy or yyyy-mm-dd); today when empty. ValueError with a
    Vietnamese message for anything else, or a day after today (figures are of records)."""
    text = (value or "").strip()
    if not text:
        return today()
    for pattern in DAY_FORMATS:
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        break
    else:
        raise ValueError(
            _("Ngày “%(value)s” không hợp lệ: cần dạng dd/mm/yyyy, ví dụ 31/12/2022.") % {"value": text[:30]}
        )
    if day > today():
        raise ValueError(
            _("Ngày %(day)s chưa tới: số liệu chỉ tính đến hôm nay (%(today)s).")
            % {"day": day.strftime("%d/%m/%Y"), "today": today().strftime("%d/%m/%Y")}
        )
    if day < EARLIEST:
        raise ValueError(_("Ngày %(day)s quá xa: cần từ 01/01/1900.") % {"day": day.strftime("%d/%m/%Y")})
    return day


def parse_year(value: str | int | None, default: int) -> int:
    """The year asked for; ``default`` when empty. ValueError (Vietnamese) when not a past or
    current year."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    try:
        year = int(str(value).strip())
    except ValueError:
        raise ValueError(_("Năm “%(value)s” không hợp lệ.") % {"value": str(value)[:10]}) from None
    check_year(year)
    return year
