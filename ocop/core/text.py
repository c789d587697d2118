"""Vietnamese text rules: diacritic folding, slugs and collation keys.

Plain Python (no Django): SQLite's unicode61 tokenizer and lower() do not fold "đ", and
Django's slugify drops it, so every search column and slug goes through fold() first.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# Vietnamese dictionary order of letters (plus f, j, w, z for foreign words).
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
# Tone marks in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_CODES = {letter: 20 + index for index, letter in enumerate(_ALPHABET)}
_DIGIT_CODES = {str(d): 10 + d for d in range(10)}
_SEPARATORS = set(" \t\n-–—_/.,;:()'\"")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse white space: 'Đắk  Lắk' → 'dak lak'."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").replace("ð", "d")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def slugify_vi(text: str | None) -> str:
    """An ASCII slug that keeps 'đ' as 'd': 'Đồng Tháp' → 'dong-thap'."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def sort_key(text: str | None) -> str:
    """A collation key that sorts Vietnamese names in dictionary order on any database.

    The key is made only of digits, in fixed-width 3-digit codes, so it compares the same way
    under SQLite's BINARY collation and PostgreSQL's C or locale collations. Letters are
    compared first (a < ă < â < b … d < đ), then tones (ngang < huyền < hỏi < ngã < sắc < nặng).
    """
    if not text:
        return ""
    primary: list[str] = []
    tones: list[str] = []
    for base, marks in _letters(unicodedata.normalize("NFD", str(text).casefold().strip())):
        if base in _SEPARATORS:
            if primary and primary[-1] != "001":
                primary.append("001")
                tones.append("0")
            continue
        letter = base
        if "\u0306" in marks:
            letter += "\u0306"
        if "\u0302" in marks:
            letter += "\u0302"
        if "\u031b" in marks:
            letter += "\u031b"
        letter = unicodedata.normalize("NFC", letter)
        code = _LETTER_CODES.get(letter) or _DIGIT_CODES.get(letter) or 99
        primary.append(f"{code:03d}")
        tones.append(str(max((_TONES.get(m, 0) for m in marks), default=0)))
    while primary and primary[-1] == "001":
        primary.pop()
        tones.pop()
    # "000" ends the primary part so that a prefix sorts before its extensions.
    return "".join(primary) + "000" + "".join(tones)


def _letters(decomposed: str) -> list[tuple[str, str]]:
    """Split an NFD string into (base character, combining marks) pairs."""
    result: list[tuple[str, str]] = []
    for ch in decomposed:
        if unicodedata.category(ch) == "Mn" and result:
            base, marks = result[-1]
            result[-1] = (base, marks + ch)
        else:
            result.append((ch, ""))
    return result
