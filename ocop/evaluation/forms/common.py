"""What the evaluation forms share: the date input widget and points printed as on the sheet."""

from __future__ import annotations

from typing import Any

from ocop.core.formatting import format_number

from .. import criteria

DATE_WIDGET = {"type": "date"}


def points_text(value: Any) -> str:
    """Points as printed on the sheet, with a decimal comma: 3, 0,5."""
    return format_number(criteria.points_json(value))
