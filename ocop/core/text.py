"""Vietnamese text rules: diacritic folding, slugs and collation keys; characters no text may hold.

Plain Python (no Django): SQLite's unicode61 tokenizer and lower() do not fold "đ", and
Django's slugify drops it, so every search column and slug goes through fold() first.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Quotes, brackets and sentence punctuation around a typed word ('"gạo"', 'ST25,', '(túi'): not
# part of what is searched for. Symbols that can mean something ("100%", "-", "#", "/") stay.
WRAPPING_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?…"
_EDGE_PUNCTUATION = re.compile(f"^[{re.escape(WRAPPING_PUNCTUATION)}]+|[{re.escape(WRAPPING_PUNCTUATION)}]+$")
_NON_SLUG = re.compile(r"[^a-z0-9]+")

# Vietnamese dictionary order of letters (plus f, j, w, z for foreign words).
_ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
# Tone marks in dictionary order: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_END, _SEPARATOR, _NUMBER, _OTHER = "000", "001", "002", "099"
_LETTER_CODES = {letter: f"{20 + index:03d}" for index, letter in enumerate(_ALPHABET)}
_DIGIT_CODES = {str(d): f"{10 + d:03d}" for d in range(10)}
_SEPARATORS = set(" \t\n-–—_/.,;:()'\"")


def is_clean(text: str) -> bool:
    """False when `text` holds a character no stored text may hold, wherever it comes from.

    NUL (\\x00): PostgreSQL refuses it, and SQLite stores it but the row then breaks a dump
    into PostgreSQL. An unpaired surrogate ("\\ud800", which JSON's "\\ud800" escape produces):
    not a character at all, it cannot be encoded in UTF-8 for either database.
    """
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unclean_path(value: object, path: tuple = ()) -> tuple | None:
    """Where in a decoded JSON value (dicts, lists, text) the first unclean text is, or None.

    `("items", 0, "name")` for a bad name, a key's own path for a bad key; `()` for a bad value
    at the top.
    """
    if isinstance(value, str):
        return None if is_clean(value) else path
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_clean(key):
                return (*path, key)
            if (found := unclean_path(item, (*path, key))) is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if (found := unclean_path(item, (*path, index))) is not None:
                return found
    return None


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse white space: 'Đắk  Lắk' → 'dak lak'."""
    if not text:
        return ""
    # casefold() before decomposing: it can itself produce combining marks ("İ" → "i̇").
    text = unicodedata.normalize("NFD", str(text).casefold())
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = text.replace("đ", "d").replace("ð", "d")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold_terms(text: str | None) -> list[str]:
    """The folded words of a search query: "Gạo  ĐẮK lắk" → ["gao", "dak", "lak"] (each must occur).

    Quotes, brackets and sentence punctuation around a word are dropped ('"gạo",' → "gao"), inside
    it kept ("mật-ong", "01/2026"), as are symbols ("100%"); a word of those marks alone is no word."""
    return [term for word in fold(text).split(" ") if (term := _EDGE_PUNCTUATION.sub("", word))]


def slugify_vi(text: str | None) -> str:
    """An ASCII slug that keeps 'đ' as 'd': 'Đồng Tháp' → 'dong-thap'."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


def sort_key(text: str | None) -> str:
    """A collation key that sorts Vietnamese names in dictionary order on any database.

    The key is made only of digits, in fixed-width 3-digit codes, so it compares the same way
    under SQLite's BINARY collation and PostgreSQL's C or locale collations. Letters are
    compared first (a < ă < â < b … d < đ), then tones (ngang < huyền < hỏi < ngã < sắc < nặng).
    Numbers compare by value, so "Phường 2" sorts before "Phường 10".
    """
    if not text:
        return ""
    primary: list[str] = []
    tones: list[str] = []
    digits = ""

    def flush_number() -> None:
        nonlocal digits
        if digits:
            number = digits.lstrip("0") or "0"
            # Marker, then length, then the digits: a longer number is a larger one.
            primary.extend([_NUMBER, f"{min(len(number), 999):03d}"])
            primary.extend(_DIGIT_CODES[d] for d in number)
            tones.extend("0" * (len(number) + 2))
            digits = ""

    for base, marks in _letters(unicodedata.normalize("NFD", str(text).casefold().strip())):
        if base in _DIGIT_CODES:
            digits += base
            continue
        flush_number()
        if base in _SEPARATORS:
            if primary and primary[-1] != _SEPARATOR:
                primary.append(_SEPARATOR)
                tones.append("0")
            continue
        letter = base
        for modifier in ("\u0306", "\u0302", "\u031b"):  # breve, circumflex, horn make letters
            if modifier in marks:
                letter += modifier
        letter = unicodedata.normalize("NFC", letter)
        primary.append(_LETTER_CODES.get(letter, _OTHER))
        tones.append(str(max((_TONES.get(m, 0) for m in marks), default=0)))
    flush_number()
    while primary and primary[-1] == _SEPARATOR:
        primary.pop()
        tones.pop()
    # "000" ends the primary part so that a prefix sorts before its extensions.
    return "".join(primary) + _END + "".join(tones)


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
