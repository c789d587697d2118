"""OCOP product classification and small enum-like tables (plain Python; Django only to translate).

The classification is data, generated from Phụ lục I of QĐ 26/2026/QĐ-TTg by
``scripts/extract_classification.py`` and checked by hand against ocop-rules.md §4:
6 ngành (sectors, I–VI) → 17 nhóm (groups, "I.1") → 26 bộ sản phẩm (product sets, "B01".."B26";
each has one scoring sheet in Phụ lục II). The former (1048-era) classification is kept in a
separate file for historical records; see :func:`former_classification`.

Models should store the set code ("B07") together with the legal basis; build Django choices
with e.g. ``[(m.value, m.label) for m in ProducerType]`` or ``ProducerType.choices()``.

Labels (``.label`` of the enums, of sectors, groups and sets) are lazy translations: the Vietnamese
text is the msgid and they are rendered in the active language. Importing this module needs no
Django settings; without them a label is its Vietnamese text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.functional import lazy

__all__ = [
    "CLASSIFICATION_CONTEXT",
    "Group",
    "LegalBasis",
    "ProducerType",
    "ProductSet",
    "ProductStatus",
    "Sector",
    "former_classification",
    "get_group",
    "get_sector",
    "get_set",
    "groups",
    "sectors",
    "set_for_148",
    "set_for_code",
    "sets",
    "validate_set_code",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CURRENT_FILE = DATA_DIR / "classification-26-2026.json"
FORMER_FILE = DATA_DIR / "classification-1048.json"
# msgctxt of sector, group and set names: "Hoa" (flowers) is also an ethnic group.
CLASSIFICATION_CONTEXT = "OCOP classification"


def _translate(message: str, context: str = "") -> str:
    from django.conf import settings

    if not settings.configured:  # plain Python use (scripts): the Vietnamese source text
        return message
    from django.utils.translation import gettext, pgettext

    return pgettext(context, message) if context else gettext(message)


_lazy_translate = lazy(_translate, str)


def _(message: str) -> str:
    """Marks a msgid for makemessages; translated each time it is shown."""
    return _lazy_translate(message)


# --- Classification (QĐ 26/2026, Phụ lục I) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sector:
    """Ngành (I–VI)."""

    code: str
    name: str

    @property
    def label(self) -> str:
        """The name in the active language."""
        return _lazy_translate(self.name, CLASSIFICATION_CONTEXT)


@dataclass(frozen=True, slots=True)
class Group:
    """Nhóm, coded "<ngành>.<số>" as in Phụ lục I (e.g. "I.3")."""

    code: str
    sector: str
    name: str

    @property
    def label(self) -> str:
        return _lazy_translate(self.name, CLASSIFICATION_CONTEXT)


@dataclass(frozen=True, slots=True)
class ProductSet:
    """Bộ sản phẩm: one scoring sheet of Phụ lục II ("B01".."B26")."""

    code: str  # sheet number in Phụ lục II, "B01".."B26"
    annex_code: str  # Phụ lục I code: ngành.nhóm[.phân nhóm], e.g. "I.3.c"; "I.6" has no phân nhóm
    group: str  # group code, e.g. "I.3"
    sector: str  # sector code, e.g. "I"
    name: str  # "Bộ sản phẩm: …" as listed at the head of Phụ lục II (the sheet's title)
    annex_name: str  # phân nhóm name in Phụ lục I, or the nhóm name where the nhóm has no phân nhóm
    ministries: tuple[str, ...]  # "Cơ quan chủ trì quản lý" (Nghị định 15/2018/NĐ-CP)

    @property
    def label(self) -> str:
        """The (Phụ lục II) name in the active language."""
        return _lazy_translate(self.name, CLASSIFICATION_CONTEXT)


@dataclass(frozen=True, slots=True)
class _Classification:
    sectors: tuple[Sector, ...]
    groups: tuple[Group, ...]
    sets: tuple[ProductSet, ...]


@cache
def _load() -> _Classification:
    raw = json.loads(CURRENT_FILE.read_text(encoding="utf-8"))
    return _Classification(
        sectors=tuple(Sector(**s) for s in raw["sectors"]),
        groups=tuple(Group(**g) for g in raw["groups"]),
        sets=tuple(ProductSet(**{**s, "ministries": tuple(s["ministries"])}) for s in raw["sets"]),
    )


def sectors() -> tuple[Sector, ...]:
    """The 6 ngành, in the order of Phụ lục I."""
    return _load().sectors


def groups() -> tuple[Group, ...]:
    """The 17 nhóm, in the order of Phụ lục I."""
    return _load().groups


def sets() -> tuple[ProductSet, ...]:
    """The 26 bộ sản phẩm B01..B26."""
    return _load().sets


@cache
def _sets_by_code() -> dict[str, ProductSet]:
    return {s.code: s for s in sets()}


_SET_CODE_RE = re.compile(r"B0?([1-9]|[12][0-9])")


def validate_set_code(text: str) -> str:
    """Normalise a set code ("b7", " B07 ") to "B07"; ValueError (Vietnamese) if unknown."""
    cleaned = str(text).strip().upper()
    match = _SET_CODE_RE.fullmatch(cleaned)
    code = f"B{int(match.group(1)):02d}" if match else cleaned
    if code not in _sets_by_code():
        raise ValueError(f"Mã bộ sản phẩm không hợp lệ: “{str(text).strip()}” (phải từ B01 đến B26).")
    return code


def get_set(code: str) -> ProductSet:
    """The product set with sheet code ``code`` ("B07"); ValueError if unknown."""
    return _sets_by_code()[validate_set_code(code)]


def set_for_code(annex_code: str) -> ProductSet:
    """The product set for a Phụ lục I code ("I.3.c", case and spaces ignored); ValueError if unknown."""
    wanted = re.sub(r"\s+", "", str(annex_code)).rstrip(".")
    for product_set in sets():
        if product_set.annex_code.casefold() == wanted.casefold():
            return product_set
    raise ValueError(f"Không có bộ sản phẩm nào có mã phân loại “{str(annex_code).strip()}” trong Phụ lục I.")


def get_group(code: str) -> Group:
    for group in groups():
        if group.code == code:
            return group
    raise ValueError(f"Mã nhóm sản phẩm không hợp lệ: “{code}”.")


def get_sector(code: str) -> Sector:
    for sector in sectors():
        if sector.code == code.strip().upper():
            return sector
    raise ValueError(f"Mã ngành sản phẩm không hợp lệ: “{code}”.")


@cache
def former_classification() -> dict[str, Any]:
    """The 490/1048-era classification as far as it is documented; read its "notes" for the gaps.

    Keys: ``sectors`` (the 6 ngành hàng, codes "1".."6", each with ``successor_sectors``),
    ``known_subgroups`` (the few named phân nhóm with ``successor_set`` or None), and ``qd148``
    (``set_mapping`` of the 148 sets to the 26/2026 sets, confidence M).
    """
    return json.loads(FORMER_FILE.read_text(encoding="utf-8"))


def set_for_148(code: str) -> ProductSet:
    """The 26/2026 product set that corresponds to a QĐ 148 set code (inferred identity; see notes)."""
    wanted = str(code).strip().upper()
    mapping: dict[str, str] = former_classification()["qd148"]["set_mapping"]
    if wanted not in mapping:
        raise ValueError(f"Mã bộ sản phẩm theo QĐ 148 không hợp lệ: “{str(code).strip()}”.")
    return get_set(mapping[wanted])


# --- Former classifications (records recognised under QĐ 1048 or QĐ 148) ------------------------

# Words people write before a name in a list ("Ngành hàng Thực phẩm", "Nhóm Chè", "Bộ sản phẩm B07").
_LEGACY_PREFIX = re.compile(r"^(nganh hang|nganh|nhom nganh|nhom san pham|nhom|phan nhom|bo san pham|bo)\s+")


def _legacy_key(text: str) -> str:
    from ocop.core.text import fold

    folded = fold(re.sub(r"\([^)]*\)", " ", text)).strip(" :.-")
    folded = _LEGACY_PREFIX.sub("", folded)
    return re.sub(r"[^a-z0-9]", "", folded)


@cache
def legacy_names() -> dict[str, str]:
    """Every name a former classification may use, by comparison key → the name as published.

    The 6 ngành hàng of QĐ 490/1048 and the phân nhóm of that era known so far; the ngành, nhóm and
    bộ sản phẩm of QĐ 148 (the same lists as QĐ 26/2026, see ``former_classification()["notes"]``)
    and the bộ codes B01–B26.
    """
    former = former_classification()
    names = [s["name"] for s in former["sectors"]] + [s["name"] for s in former["known_subgroups"]]
    names += [s.name for s in sectors()] + [g.name for g in groups()] + [s.name for s in sets()]
    names += [s.annex_name for s in sets()]
    known = {_legacy_key(name): name for name in names}
    known.update({s.code.lower(): s.code for s in sets()})
    return known


def normalize_legacy_classification(text: str) -> str:
    """A former classification checked against the published lists; "" for blank text.

    The text is one name or a path of names ("Thực phẩm / Chế biến từ thủy, hải sản"), separated
    by "/", ">", ";" or "|"; words like "Ngành", "Nhóm" and remarks in brackets are ignored.
    Returns the names as published, joined by " / ". Raises ValueError (Vietnamese) for a name
    in neither list.
    """
    parts = [part.strip() for part in re.split(r"[/>»;|\n]+", text or "") if part.strip()]
    known = legacy_names()
    result = []
    for part in parts:
        name = known.get(_legacy_key(part))
        if name is None:
            former = "; ".join(s["name"] for s in former_classification()["sectors"])
            current = "; ".join(s.name for s in sectors())
            raise ValueError(
                f"Phân loại cũ “{part}” không có trong danh mục của QĐ 1048/QĐ-TTg (6 ngành hàng: "
                f"{former}) hay QĐ 148/QĐ-TTg (ngành: {current}; nhóm và bộ sản phẩm B01–B26). "
                "Hãy ghi đúng tên ngành, nhóm hoặc bộ sản phẩm như trong danh mục."
            )
        if name not in result:
            result.append(name)
    return " / ".join(result)


# --- Enum-like tables ------------------------------------------------------------------------------


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class ProducerType(_Labelled):
    """Chủ thể OCOP (QĐ 26/2026 Art. 2.3; ocop-rules.md §7)."""

    HTX = "HTX"
    THT = "THT"
    DN_SME = "DN_SME"  # LLC, private enterprise or JSC; store the local-community capital share separately
    TRANG_TRAI = "TRANG_TRAI"
    HO_SX = "HO_SX"
    TOURISM_ORG = "TOURISM_ORG"  # B26 only

    @property
    def b26_only(self) -> bool:
        return self is ProducerType.TOURISM_ORG


class ProductStatus(_Labelled):
    """Where a product stands in the programme."""

    POTENTIAL = "potential"
    REGISTERED = "registered"
    EVALUATING = "evaluating"
    RECOGNISED = "recognised"
    EXPIRED = "expired"
    REVOKED = "revoked"
    DISCONTINUED = "discontinued"
    # Art. 9: an inspection concluded that the product leaves the programme; it is no longer followed.
    REMOVED = "removed"


class LegalBasis(_Labelled):
    """Rulebook an evaluation or certificate was made under (ocop-rules.md §2, §5.1)."""

    QD490_1048 = "QD490/1048"
    QD1048_781 = "QD1048+781"
    QD148 = "QD148"
    QD148_1489 = "QD148+1489"
    QD26_2026 = "QD26/2026"

    @property
    def effective_from(self) -> dt.date:
        return _LEGAL_BASES[self][0]

    @property
    def weights(self) -> tuple[int, int, int]:
        """Maximum points of parts A, B, C."""
        return _LEGAL_BASES[self][1]


_LABELS: dict[StrEnum, str] = {
    ProducerType.HTX: _("Hợp tác xã"),
    ProducerType.THT: _("Tổ hợp tác"),
    ProducerType.DN_SME: _("Doanh nghiệp nhỏ và vừa"),
    ProducerType.TRANG_TRAI: _("Trang trại"),
    ProducerType.HO_SX: _("Hộ sản xuất, hộ gia đình có đăng ký kinh doanh"),
    ProducerType.TOURISM_ORG: _("Hội, hiệp hội, trung tâm điều hành hoặc tổ chức tương đương"),
    ProductStatus.POTENTIAL: _("Tiềm năng"),
    ProductStatus.REGISTERED: _("Đã đăng ký"),
    ProductStatus.EVALUATING: _("Đang đánh giá"),
    ProductStatus.RECOGNISED: _("Đạt sao"),
    ProductStatus.EXPIRED: _("Hết hạn"),
    ProductStatus.REVOKED: _("Bị thu hồi"),
    ProductStatus.DISCONTINUED: _("Dừng sản xuất"),
    ProductStatus.REMOVED: _("Đưa ra khỏi chương trình"),
    LegalBasis.QD490_1048: _("QĐ 490/QĐ-TTg và QĐ 1048/QĐ-TTg"),
    LegalBasis.QD1048_781: _("QĐ 1048/QĐ-TTg, sửa đổi bởi QĐ 781/QĐ-TTg"),
    LegalBasis.QD148: _("QĐ 148/QĐ-TTg"),
    LegalBasis.QD148_1489: _("QĐ 148/QĐ-TTg, sửa đổi bởi QĐ 1489/QĐ-TTg"),
    LegalBasis.QD26_2026: _("QĐ 26/2026/QĐ-TTg"),
}

# (effective from, (A, B, C)); filled in from ocop-rules.md §2 and §5.1.
_LEGAL_BASES: dict[LegalBasis, tuple[dt.date, tuple[int, int, int]]] = {
    LegalBasis.QD490_1048: (dt.date(2019, 8, 21), (35, 25, 40)),
    LegalBasis.QD1048_781: (dt.date(2020, 6, 8), (35, 25, 40)),
    LegalBasis.QD148: (dt.date(2023, 2, 24), (40, 25, 35)),
    LegalBasis.QD148_1489: (dt.date(2025, 7, 6), (40, 25, 35)),
    LegalBasis.QD26_2026: (dt.date(2026, 5, 22), (40, 25, 35)),
}
