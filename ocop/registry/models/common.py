"""What producers and products share: the validators of tax codes, GTINs and legacy product codes
(`ocop.registry.codes` raises ValueError with a Vietnamese message; here it becomes a
ValidationError), and `Searchable`, the abstract model keeping a folded search text and a
Vietnamese sort key.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.core.text import fold, sort_key

from .. import codes

# --- validators: ocop.registry.codes raises ValueError with a Vietnamese message ---

_TAX_SHAPE = re.compile(r"\d{10}(-\d{3})?")


def _as_validation_error(check: Callable[[str], object], value: str, code: str) -> object:
    try:
        return check(value)
    except ValueError as error:
        raise ValidationError(str(error), code=code) from None


def normalize_tax_code(value: str) -> str:
    """The tax code as stored: spaces dropped, checked by codes.validate_tax_code."""
    value = re.sub(r"\s+", "", value or "")
    if not value:
        return ""
    try:
        result = _as_validation_error(codes.validate_tax_code, value, "invalid_tax_code")
    except NotImplementedError:  # check digit still being researched in ocop.registry.codes
        if not _TAX_SHAPE.fullmatch(value):
            raise ValidationError(
                _("Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số: “%(value)s”.")
                % {"value": value},
                code="invalid_tax_code",
            ) from None
        return value
    return result if isinstance(result, str) and result else value


def normalize_gtin(value: str) -> str:
    """A GTIN in its canonical form: 13 digits when it has one, otherwise 14 (unique either way)."""
    value = (value or "").strip()
    if not value:
        return ""
    full = _as_validation_error(codes.validate_gtin, value, "invalid_gtin")
    return full[1:] if full.startswith("0") else full


def validate_tax_code(value: str) -> None:
    normalize_tax_code(value)


def normalize_household_id(value: str) -> str:
    """A household business's identifier as stored: a CCCD (12 digits) or a registration number."""
    value = (value or "").strip()
    if not value:
        return ""
    return _as_validation_error(codes.validate_household_id, value, "invalid_household_id")


def validate_household_id(value: str) -> None:
    normalize_household_id(value)


def validate_gtin(value: str) -> None:
    normalize_gtin(value)


def validate_legacy_code(value: str) -> None:
    if value:
        _as_validation_error(codes.parse_legacy_code, value, "invalid_legacy_code")


class Searchable(models.Model):
    """A folded copy of the searchable text (no diacritics, đ → d) and a Vietnamese sort key."""

    search_text = models.TextField(editable=False, blank=True, default="")
    sort_key = models.CharField(max_length=600, editable=False, blank=True, default="", db_index=True)

    class Meta:
        abstract = True

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def sort_name(self) -> str:
        raise NotImplementedError

    def refresh_search(self) -> None:
        self.search_text = " | ".join(fold(part) for part in self.search_parts() if part)
        self.sort_key = sort_key(self.sort_name())[:600]
