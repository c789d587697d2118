"""Public certificate codes with a check character (plain Python, no Django).

Format: ``OCOP-PP-YYYY-NNNNNN-C``

- ``PP``     the current province code (QĐ 19/2025/QĐ-TTg, 2 digits) of the product;
- ``YYYY``   the year the certificate was issued;
- ``NNNNNN`` a sequence number within that province and year (6 digits, more if ever needed);
- ``C``      an ISO 7064 MOD 37-2 check character over the digits ``PPYYYYNNNNNN``.

MOD 37-2 is the ISO 7064 "pure" system with modulus 37 and radix 2: its check character is one
of ``0-9``, ``A-Z`` or ``*`` (value 36). Because 37 is prime and 2 is a primitive root modulo 37
(and the code is far shorter than 36 characters), it detects every single-character substitution
and every transposition of two adjacent characters, including ones that involve the check
character itself. A typo that breaks the layout (a letter among the digits, a moved hyphen, a
wrong prefix) is rejected by the parser before the check is even computed.

The code is a lookup key that tells a mistyped or made-up code from a real one; it is not a
secret (anyone who knows the algorithm can compute a well-formed code). Whether a code belongs to
an issued certificate is decided by looking it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ALPHABET",
    "CertificateCode",
    "check_character",
    "format_code",
    "is_valid",
    "normalize",
    "parse",
]

PREFIX = "OCOP"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_MODULUS = 37
_RADIX = 2
SEQUENCE_DIGITS = 6

_CODE_RE = re.compile(r"OCOP-(?P<province>\d{2})-(?P<year>\d{4})-(?P<sequence>\d{6,9})-(?P<check>[0-9A-Z*])")


@dataclass(frozen=True, slots=True)
class CertificateCode:
    province: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_code(self.province, self.year, self.sequence)


def check_character(payload: str) -> str:
    """The ISO 7064 MOD 37-2 check character of ``payload`` (characters of ALPHABET except "*")."""
    total = 0
    for char in payload:
        value = ALPHABET.find(char)
        if value < 0 or char == "*":
            raise ValueError(f"Ký tự không hợp lệ trong mã: “{char}”.")
        total = ((total + value) * _RADIX) % _MODULUS
    return ALPHABET[(_MODULUS + 1 - total) % _MODULUS]


def _payload(province: str, year: int, sequence: int) -> str:
    return f"{province}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"


def format_code(province: str, year: int, sequence: int) -> str:
    """The code for province "82", year 2026, sequence 123: "OCOP-82-2026-000123-X"."""
    province = str(province).strip()
    if not re.fullmatch(r"\d{2}", province):
        raise ValueError(f"Mã tỉnh phải gồm 2 chữ số: “{province}”.")
    if not 1000 <= year <= 9999:
        raise ValueError(f"Năm không hợp lệ: {year}.")
    if not 1 <= sequence <= 999_999_999:
        raise ValueError(f"Số thứ tự không hợp lệ: {sequence}.")
    payload = _payload(province, year, sequence)
    return f"{PREFIX}-{province}-{year:04d}-{sequence:0{SEQUENCE_DIGITS}d}-{check_character(payload)}"


def normalize(text: str) -> str:
    """Upper case, surrounding spaces dropped, en/em dashes and inner spaces read as hyphens."""
    text = str(text).strip().upper()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s*-\s*|\s+", "-", text)


def parse(text: str) -> CertificateCode:
    """The parts of a well-formed code whose check character matches; ValueError (Vietnamese) if not."""
    code = normalize(text)
    match = _CODE_RE.fullmatch(code)
    if match is None:
        raise ValueError(
            f"Mã giấy chứng nhận không đúng định dạng OCOP-TT-NNNN-SSSSSS-K: “{str(text).strip()}”."
        )
    province, year, sequence = match["province"], int(match["year"]), match["sequence"]
    if len(sequence) > SEQUENCE_DIGITS and sequence.startswith("0"):
        raise ValueError(f"Mã giấy chứng nhận không đúng định dạng (số thứ tự): “{str(text).strip()}”.")
    expected = check_character(f"{province}{year:04d}{sequence}")
    if match["check"] != expected:
        raise ValueError(
            f"Mã giấy chứng nhận “{str(text).strip()}” sai ký tự kiểm tra: có thể đã gõ nhầm một ký tự."
        )
    return CertificateCode(province, year, int(sequence))


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True
