"""Parsing free-text Vietnamese addresses into administrative parts (plain Python, no Django).

An address is comma-separated, most specific first: "ấp 3, xã Mỹ Hiệp, H. Cao Lãnh, T. Đồng Tháp".
Each part is folded (ocop.core.text.fold), its administrative prefix recognised, full or
abbreviated ("Xã", "X.", "Phường", "P.4", "TT.", "Huyện", "H.", "Q.1", "TX", "TP.", "Tỉnh", "T."),
and reduced to a *key*: the name without its type, spaces and punctuation removed ("Mỹ Tho" →
"mytho"). Numbered units keep their type, since the number alone is no name: "P.4" and
"Phường 04" → "phuong4". Units are indexed under the same key (unit_key), so names compare
whatever the diacritics, spacing and abbreviations.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ocop.core.text import fold

# What a prefix says about the part.
PROVINCE, DISTRICT, COMMUNE, EXTRA = "province", "district", "commune", "extra"
CITY = "city"  # "Thành phố"/"TP": a province or a district

# Folded prefix → (kind, canonical type word used for numbered names).
_PREFIXES: dict[str, tuple[str, str]] = {
    "thanh pho": (CITY, "thanh pho"),
    "tp": (CITY, "thanh pho"),
    "tinh": (PROVINCE, "tinh"),
    "t": (PROVINCE, "tinh"),
    "thi xa": (DISTRICT, "thi xa"),
    "tx": (DISTRICT, "thi xa"),
    "huyen": (DISTRICT, "huyen"),
    "h": (DISTRICT, "huyen"),
    "quan": (DISTRICT, "quan"),
    "q": (DISTRICT, "quan"),
    "thi tran": (COMMUNE, "thi tran"),
    "tt": (COMMUNE, "thi tran"),
    "phuong": (COMMUNE, "phuong"),
    "p": (COMMUNE, "phuong"),
    "xa": (COMMUNE, "xa"),
    "x": (COMMUNE, "xa"),
    "dac khu": (COMMUNE, "dac khu"),
    # Below the commune: hamlets, villages, residential groups, streets, house numbers.
    "ap": (EXTRA, ""),
    "thon": (EXTRA, ""),
    "ban": (EXTRA, ""),
    "buon": (EXTRA, ""),
    "bon": (EXTRA, ""),
    "plei": (EXTRA, ""),
    "xom": (EXTRA, ""),
    "lang": (EXTRA, ""),
    "soc": (EXTRA, ""),
    "khom": (EXTRA, ""),
    "khu pho": (EXTRA, ""),
    "kp": (EXTRA, ""),
    "khu": (EXTRA, ""),
    "to dan pho": (EXTRA, ""),
    "tdp": (EXTRA, ""),
    "to": (EXTRA, ""),
    "cum": (EXTRA, ""),
    "doi": (EXTRA, ""),
    "so nha": (EXTRA, ""),
    "sn": (EXTRA, ""),
    "so": (EXTRA, ""),
    "duong": (EXTRA, ""),
    "pho": (EXTRA, ""),
    "ngo": (EXTRA, ""),
    "hem": (EXTRA, ""),
    "kiet": (EXTRA, ""),
    "quoc lo": (EXTRA, ""),
    "ql": (EXTRA, ""),
    "tinh lo": (EXTRA, ""),
    "km": (EXTRA, ""),
}
# Longest first, so "thi tran" wins over "t" and "tinh lo" over "tinh". A one- or two-letter
# abbreviation must be followed by a dot, a digit or a space ("P.4", "Q1", "TP Mỹ Tho").
_PREFIX_RE = re.compile(
    r"^(?P<prefix>"
    + "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True))
    + r")(?:\s*\.\s*|\s+|(?=\d))(?P<rest>.*)$"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"\d+")
_SPLIT = re.compile(r"[,;\n|]+")

# Common short forms of province names (folded key → key of the official name).
PROVINCE_ALIASES: dict[str, str] = {
    "hcm": "hochiminh",
    "tphcm": "hochiminh",
    "hochiminhcity": "hochiminh",
    "saigon": "hochiminh",
    "hn": "hanoi",
    "tphn": "hanoi",
    "brvt": "bariavungtau",
    "vungtau": "bariavungtau",
    "tthue": "thuathienhue",
    "daklak": "daklak",
    "daclac": "daklak",
    "daknong": "daknong",
    "dacnong": "daknong",
}
_COUNTRY = {"vietnam", "vn"}


@dataclass(frozen=True, slots=True)
class Part:
    """One comma-separated part of an address."""

    raw: str
    kind: str | None  # PROVINCE, DISTRICT, COMMUNE, CITY, EXTRA or None (no prefix)
    type_word: str  # folded division type the prefix names ("xa", "thi tran", "thanh pho"), or ""
    key: str  # the name as a matching key ("mytho", "phuong4"); "" when nothing is left
    full_key: str  # the whole part as a key, prefix included ("banlau" for "Bản Lầu")

    def lookup_keys(self) -> list[str]:
        """Keys to look up: the name after the prefix, then the whole part, since a "prefix" may
        be part of a name ("Quan Hóa", "Lạng Sơn", "Tô Hiệu")."""
        return [k for k in dict.fromkeys((self.key, self.full_key)) if k]


def compact(folded: str) -> str:
    """A folded string without spaces or punctuation: 'ba ria - vung tau' → 'bariavungtau'."""
    return _NON_ALNUM.sub("", folded)


def _numbered(type_word: str, number: str) -> str:
    return compact(type_word) + str(int(number))


def unit_type(division_type: str) -> str:
    """The folded division type as parts name it: 'thành phố trung ương' → 'thanh pho'."""
    folded = fold(division_type)
    return "thanh pho" if folded == "thanh pho trung uong" else folded


def unit_key(name: str, division_type: str = "") -> str:
    """The matching key of an official unit name: 'Thành phố Mỹ Tho' → 'mytho', 'Phường 4' → 'phuong4'."""
    folded = fold(name)
    type_folded = unit_type(division_type)
    rest = folded
    if type_folded and folded.startswith(type_folded + " "):
        rest = folded[len(type_folded) + 1 :]
    else:
        match = _PREFIX_RE.match(folded)
        if match and _PREFIXES[match.group("prefix")][0] != EXTRA and len(match.group("prefix")) > 2:
            rest, type_folded = match.group("rest"), _PREFIXES[match.group("prefix")][1]
    rest = rest.strip()
    if rest.isdigit():
        return _numbered(type_folded or "", rest)
    return _normalise_numbers(compact(rest))


def _normalise_numbers(key: str) -> str:
    """Leading zeros do not count: 'phuong04' → 'phuong4'."""
    return _NUMBER.sub(lambda m: str(int(m.group())), key)


@lru_cache(maxsize=65536)
def parse_part(raw: str) -> Part:
    """Recognise the prefix of one part and reduce it to a key."""
    folded = fold(raw).strip(" .-")
    full_key = _normalise_numbers(compact(folded))
    match = _PREFIX_RE.match(folded)
    if not match:
        if folded[:1].isdigit():
            # "123 Nguyễn Huệ", "12/3 …": a house number; a bare number is no unit name either.
            return Part(raw, EXTRA, "", "", full_key)
        return Part(raw, None, "", full_key, full_key)
    prefix = match.group("prefix")
    kind, type_word = _PREFIXES[prefix]
    rest = match.group("rest").strip(" .-")
    if kind == EXTRA:
        return Part(raw, EXTRA, "", "", full_key)
    if rest.isdigit():
        return Part(raw, kind, type_word, _numbered(type_word, rest), full_key)
    return Part(raw, kind, type_word, _normalise_numbers(compact(rest)), full_key)


def parse_address(text: str) -> list[Part]:
    """The parts of an address, most specific first, without empty parts and a trailing country."""
    parts = [parse_part(raw) for raw in _SPLIT.split(str(text or "")) if compact(fold(raw))]
    while parts and parts[-1].full_key in _COUNTRY:
        parts.pop()
    return parts


def numbers(key: str) -> tuple[str, ...]:
    """The numbers in a key; fuzzy matching never pairs 'phuong4' with 'phuong14'."""
    return tuple(_NUMBER.findall(key))


_WORD = re.compile(r"[^\W\d_]+")
_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}
Signature = tuple[str, frozenset[str]]
_DECOMPOSED_D = str.maketrans({"đ": "d"})


@lru_cache(maxsize=65536)
def accent_signature(text: str) -> tuple[Signature, ...]:
    """Each word as (folded word, its diacritics), so that the place of the tone mark does not count
    ('Hoà' = 'Hòa') but the marks do ('Thành' ≠ 'Thạnh'); 'đ' counts as a mark."""
    words = []
    for word in _WORD.findall(unicodedata.normalize("NFC", str(text).casefold())):
        decomposed = unicodedata.normalize("NFD", word)
        marks = {ch for ch in decomposed if ch in _MARKS}
        if "đ" in word:
            marks.add("đ")
        base = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_DECOMPOSED_D)
        words.append((base, frozenset(marks)))
    return tuple(words)


def has_accents(signature: tuple[Signature, ...]) -> bool:
    return any(marks for _word, marks in signature)


def accents_agree(written: tuple[Signature, ...], name: tuple[Signature, ...]) -> bool:
    """Every word of the official name appears in the written text with the same diacritics
    (call only when the text has diacritics: then "Thanh" means Thanh, not Thạnh)."""
    return all(any(w == word and m == marks for w, m in written) for word, marks in name)
