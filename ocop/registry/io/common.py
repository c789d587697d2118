"""What every row of an import reads: text → values (choices, dates, numbers, yes/no, with a
Vietnamese message for a cell that cannot be read), values → text for the export, and the
locator that finds administrative units by current or former code or by free-text address
(`ocop.geo.matching`), caching what a file repeats.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ocop.core.tabular import parse_day
from ocop.core.text import fold
from ocop.geo.models import Structure, Unit, resolve_current

_YES = {"co", "x", "1", "true", "yes", "dung", "y"}
_NO = {"khong", "0", "false", "no", "sai", "n", ""}


# --- text → values -----------------------------------------------------------------------------


def _valid(check: Callable[[str], Any], value: str) -> Any:
    """check(value), or None when it raises ValueError (the row's own checks report it)."""
    try:
        return check(value)
    except ValueError:
        return None


class _CellError(Exception):
    """A value that cannot be read; message is Vietnamese."""


def _parse_choice(value: str, choices: list[tuple[str, str]]) -> str:
    if not value:
        return ""
    wanted = fold(value)
    for code, label in choices:
        # "HTX", "Hợp tác xã", "HTX · Hợp tác xã" and "htx" all mean HTX.
        if wanted in (fold(code), fold(label), fold(f"{code} · {label}")):
            return code
    head = fold(re.split(r"\s*[·\-–:]\s*", value, maxsplit=1)[0])
    for code, _label in choices:
        if head == fold(code):
            return code
    allowed = ", ".join(code for code, _label in choices[:30])
    raise _CellError(
        _("Giá trị không có trong danh sách; hãy chọn một trong: %(allowed)s.") % {"allowed": allowed}
    )


def _parse_date(value: str) -> dt.date | None:
    try:
        return parse_day(value)
    except ValueError:
        raise _CellError(
            _("Ngày không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2024.")
        ) from None


def _parse_int(value: str) -> int | None:
    if not value:
        return None
    text = re.sub(r"[\s.,](?=\d{3}\b)", "", value.strip())  # "1.200" / "1 200" → 1200
    if not re.fullmatch(r"\d+", text):
        raise _CellError(_("Phải là một số nguyên không âm."))
    return int(text)


def _parse_decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise _CellError(_("Phải là một số, ví dụ 51 hoặc 51,5.")) from None
    if not number.is_finite():
        raise _CellError(_("Phải là một số, ví dụ 51 hoặc 51,5."))
    return number.quantize(Decimal("0.01"))


def _parse_bool(value: str) -> bool:
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise _CellError(_("Hãy ghi “Có” hoặc “Không”."))


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


# --- locations -----------------------------------------------------------------------------------


def _unit_label(unit: Unit) -> str:
    province = unit.current_province if unit.structure == Structure.CURRENT else None
    parts = [unit.name]
    parent = unit.parent
    while parent is not None:
        parts.append(parent.name)
        parent = parent.parent
    if province is not None and province.pk != unit.pk and province.name not in parts:
        parts.append(province.name)
    return ", ".join(parts)


def _code_candidates(value: str, widths: tuple[int, ...]) -> list[str]:
    """The official codes a typed code may stand for: Excel drops leading zeros ("00004" → "4")."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return []
    if len(text) in widths:
        return [text]  # an official width: taken as typed ("82" is a province, "00082" a commune)
    return [text.zfill(width) for width in widths if len(text) <= width]


@dataclass
class _Located:
    unit: Unit
    province: Unit | None
    commune: Unit | None


class _Locator:
    """Finds units by code or free text, caching everything (a file repeats the same places)."""

    def __init__(self) -> None:
        self._units: dict[tuple[str, str], Unit | None] = {}
        self._resolved: dict[int, tuple[Unit | None, Unit | None]] = {}
        self._matches: dict[str, Any] = {}

    @staticmethod
    def _units_query():
        return Unit.objects.select_related("current_province", "parent__parent").prefetch_related(
            "successions__current"
        )

    def unit(self, structure: str, code: str) -> Unit | None:
        key = (structure, code)
        if key not in self._units:
            self._units[key] = self._units_query().filter(structure=structure, code=code).first()
        return self._units[key]

    def prefetch(self, structure: str, values: list[str], widths: tuple[int, ...]) -> None:
        """Look up at once every unit the typed codes `values` may stand for (as `by_code` reads them)."""
        wanted = {code for value in set(values) for code in _code_candidates(value, widths)}
        wanted -= {code for (s, code) in self._units if s == structure}
        codes = sorted(wanted)
        for start in range(0, len(codes), 500):  # SQLite allows a limited number of parameters
            chunk = codes[start : start + 500]
            found = {u.code: u for u in self._units_query().filter(structure=structure, code__in=chunk)}
            for code in chunk:
                self._units[(structure, code)] = found.get(code)

    def locate(self, unit: Unit) -> _Located:
        if unit.pk not in self._resolved:
            self._resolved[unit.pk] = resolve_current(unit)
        province, commune = self._resolved[unit.pk]
        return _Located(unit, province, commune)

    def by_code(self, value: str, structure: str, widths: tuple[int, ...], not_found: str) -> _Located:
        units = [
            u for code in _code_candidates(value, widths) if (u := self.unit(structure, code)) is not None
        ]
        if not units:
            raise _CellError(not_found)
        if len(units) > 1:
            listing = "; ".join(f"{u.code} = {_unit_label(u)}" for u in units)
            raise _CellError(
                _("Mã này có thể là %(list)s. Hãy ghi đủ các số 0 ở đầu (định dạng ô là Văn bản).")
                % {"list": listing}
            )
        return self.locate(units[0])

    def by_current_code(self, value: str) -> _Located:
        return self.by_code(
            value, Structure.CURRENT, (2, 5), _("Không có đơn vị hành chính hiện hành nào có mã này.")
        )

    def by_former_code(self, value: str) -> _Located:
        return self.by_code(
            value,
            Structure.FORMER,
            (2, 3, 5),
            _("Không có đơn vị hành chính cũ (trước 01/07/2025) nào có mã này."),
        )

    def by_text(self, text: str) -> _Located:
        key = fold(text)
        if key not in self._matches:
            self._matches[key] = self._match(text)
        outcome = self._matches[key]
        if isinstance(outcome, _CellError):
            raise outcome
        return outcome

    def _match(self, text: str) -> _Located | _CellError:
        try:
            from ocop.geo.matching import match_address

            result = match_address(text)
            best = result.best
        except (ImportError, NotImplementedError):
            return _CellError(
                _(
                    "Chưa tự xác định được đơn vị hành chính từ địa chỉ; hãy điền cột “Mã đơn vị hành chính "
                    "(hiện hành)”."
                )
            )
        if best is None:
            suggestions = "; ".join(
                f"{_unit_label(c.unit)} → {c.current_commune or c.current_province} "
                f"({c.current_commune.code if c.current_commune else c.current_province.code})"
                for c in result.candidates[:5]
            )
            message = str(result.message or _("Không xác định chắc chắn được đơn vị hành chính từ địa chỉ."))
            if suggestions and suggestions not in message:
                message += " " + _("Gợi ý: %(suggestions)s.") % {"suggestions": suggestions}
            message += " " + _("Hãy điền cột “Mã đơn vị hành chính (hiện hành)”.")
            return _CellError(message)
        return _Located(best.unit, best.current_province, best.current_commune)
