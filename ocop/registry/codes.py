"""Identifiers used in the OCOP registry: product codes, GTINs, tax and household registration numbers.

Plain Python (no Django) so the rules can be tested and reused anywhere. Every error is a
``ValueError`` whose message is Vietnamese and can be shown to the user as is.

Product code under QĐ 26/2026/QĐ-TTg (Phụ lục II, header of every scoring sheet):
``(T)-(X)-(STT)-Năm`` — T: mã tỉnh, X: mã xã (administrative-unit codes per QĐ 19/2025/QĐ-TTg),
STT: product number kept by the commune, Năm: evaluation year. The decision does not say how
to write the numbers; we write the unit codes as the official fixed-width codes (province 2
digits, commune 5 digits, e.g. ``01``, ``00004``) because that is how the codes are published and
how ``geo.Unit.code`` stores them, and the STT without leading zeros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "LegacyProductCode",
    "ProductCode",
    "format_product_code",
    "gtin13",
    "gtin_check_digit",
    "parse_legacy_code",
    "parse_product_code",
    "tax_code_check_digit",
    "validate_gtin",
    "validate_household_id",
    "validate_household_registration",
    "validate_personal_id",
    "validate_tax_code",
]

# Oldest plausible evaluation year (the programme started in 2018) and a generous upper bound;
# an out-of-range year is far more likely a typo than a real code.
MIN_YEAR = 2018
MAX_YEAR = 2100

# Hyphen-like characters people paste from Word or PDFs.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_TABLE = str.maketrans(dict.fromkeys(_DASHES, "-"))


def _clean(text: str) -> str:
    """Normalise dashes and drop every whitespace character (codes never contain spaces)."""
    if not isinstance(text, str):
        raise ValueError("Mã phải là một chuỗi ký tự.")
    return re.sub(r"\s+", "", text.translate(_DASH_TABLE)).upper()


def _digits(value: int | str, width: int, label: str) -> str:
    """An administrative-unit code as its official zero-padded string."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{label} chỉ gồm chữ số: {value!r}")
    if len(text) > width:
        raise ValueError(f"{label} có tối đa {width} chữ số: {value!r}")
    if int(text) == 0:
        raise ValueError(f"{label} không được bằng 0: {value!r}")
    return text.zfill(width)


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Năm đánh giá không hợp lệ: {year} (phải từ {MIN_YEAR} đến {MAX_YEAR}).")
    return year


def _check_seq(seq: int) -> int:
    if seq < 1:
        raise ValueError(f"Số thứ tự sản phẩm phải là số nguyên dương: {seq}")
    return seq


# --- Product code (QĐ 26/2026) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductCode:
    """A product code ``T-X-STT-YYYY`` under QĐ 26/2026 (current two-level administrative units)."""

    province: str  # mã tỉnh, 2 digits (QĐ 19/2025/QĐ-TTg)
    commune: str  # mã xã, 5 digits (QĐ 19/2025/QĐ-TTg)
    seq: int  # STT: number assigned by the commune
    year: int  # năm đánh giá

    def __str__(self) -> str:
        return format_product_code(self.province, self.commune, self.seq, self.year)


def format_product_code(province: int | str, commune: int | str, seq: int, year: int) -> str:
    """``format_product_code("82", "28756", 12, 2026) == "82-28756-12-2026"``."""
    return (
        f"{_digits(province, 2, 'Mã tỉnh')}-{_digits(commune, 5, 'Mã xã')}-"
        f"{_check_seq(int(seq))}-{_check_year(int(year))}"
    )


_CURRENT_RE = re.compile(r"(\d{1,2})-(\d{1,5})-(\d{1,6})-(\d{4})")
_LEGACY_RE = re.compile(r"(\d{1,2})-(\d{1,3})-(\d{1,5})-(\d{1,6})-(\d{4})")


def parse_product_code(text: str) -> ProductCode:
    """Parse a current product code; spaces and typographic dashes are tolerated.

    Unit codes written without leading zeros ("1-4-3-2026") are accepted and normalised; a
    five-part legacy code is rejected with a message pointing to :func:`parse_legacy_code`.
    """
    cleaned = _clean(text)
    match = _CURRENT_RE.fullmatch(cleaned)
    if match is None:
        if _LEGACY_RE.fullmatch(cleaned):
            raise ValueError(
                f"“{text.strip()}” là mã sản phẩm theo quy định cũ (tỉnh-huyện-xã-STT-năm), "
                "không phải mã theo Quyết định 26/2026/QĐ-TTg (tỉnh-xã-STT-năm)."
            )
        raise ValueError(
            f"Mã sản phẩm OCOP không hợp lệ: “{text.strip()}”. Định dạng đúng là Mã tỉnh-Mã xã-STT-Năm, "
            "ví dụ 82-28756-12-2026."
        )
    province, commune, seq, year = match.groups()
    return ProductCode(
        province=_digits(province, 2, "Mã tỉnh"),
        commune=_digits(commune, 5, "Mã xã"),
        seq=_check_seq(int(seq)),
        year=_check_year(int(year)),
    )


# --- Legacy product code (1048/148 era) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegacyProductCode:
    """A code issued before the 2025 reorganisation, e.g. ``83-829-28780-3-2022``.

    Parts, in order: province code (2 digits, pre-2025 list, e.g. 83 = Bến Tre), district code
    (3 digits, e.g. 829), commune code (5 digits, pre-2025 list, e.g. 28780), sequence number
    and year. Those units may no longer exist: map them through the geo successions, never
    rewrite the code.
    """

    province: str
    district: str
    commune: str
    seq: int
    year: int

    def __str__(self) -> str:
        return f"{self.province}-{self.district}-{self.commune}-{self.seq}-{self.year}"


def parse_legacy_code(text: str) -> LegacyProductCode:
    """Parse a legacy five-part code ``tỉnh-huyện-xã-STT-năm``; a current code is rejected."""
    cleaned = _clean(text)
    match = _LEGACY_RE.fullmatch(cleaned)
    if match is None:
        if _CURRENT_RE.fullmatch(cleaned):
            raise ValueError(
                f"“{text.strip()}” là mã theo Quyết định 26/2026/QĐ-TTg (tỉnh-xã-STT-năm), "
                "không phải mã theo quy định cũ (tỉnh-huyện-xã-STT-năm)."
            )
        raise ValueError(
            f"Mã sản phẩm OCOP (quy định cũ) không hợp lệ: “{text.strip()}”. Định dạng đúng là "
            "Mã tỉnh-Mã huyện-Mã xã-STT-Năm, ví dụ 83-829-28780-3-2022."
        )
    province, district, commune, seq, year = match.groups()
    return LegacyProductCode(
        province=_digits(province, 2, "Mã tỉnh"),
        district=_digits(district, 3, "Mã huyện"),
        commune=_digits(commune, 5, "Mã xã"),
        seq=_check_seq(int(seq)),
        year=_check_year(int(year)),
    )


# --- GTIN ----------------------------------------------------------------------------------------


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit of ``body`` (all digits but the last): weights 3,1,3,… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate_gtin(text: str) -> str:
    """Validate a GTIN-13 or GTIN-14 and return its 14-digit form (GTIN-13 gets a leading 0).

    We check the check digit ourselves: biip parses codes with a wrong check digit.
    """
    digits = _clean(text)
    if not (digits.isascii() and digits.isdigit() and len(digits) in (13, 14)):
        raise ValueError(f"Mã GTIN phải có 13 hoặc 14 chữ số: “{str(text).strip()}”")
    expected = gtin_check_digit(digits[:-1])
    if int(digits[-1]) != expected:
        raise ValueError(
            f"Sai số kiểm tra của mã GTIN: “{digits}” "
            f"(chữ số cuối phải là {expected}, không phải {digits[-1]})."
        )
    return digits.zfill(14)


def gtin13(gtin: str) -> str:
    """The 13-digit (EAN-13) form of a GTIN, possible only when the 14-digit form starts with 0."""
    normalized = validate_gtin(gtin)
    if normalized[0] != "0":
        raise ValueError(f"Mã GTIN-14 “{normalized}” không có dạng 13 chữ số (chữ số đầu khác 0).")
    return normalized[1:]


# --- Tax code / enterprise number ---------------------------------------------------------------
#
# Mã số thuế of an organisation = mã số doanh nghiệp: N1N2 (province where first registered),
# N3–N9 (sequence), N10 (check digit), optionally "-" + N11–N13 for a dependent unit (branch).
# The check digit: weights 31,29,23,19,17,13,7,5,3 on N1–N9, N10 = 10 - (Σ mod 11), and no valid
# code exists when that gives 10. Verified against python-stdnum (stdnum.vn.mst), the vn-ident
# package (worked example 010004751 → 6) and real codes (Vinamilk 0300588569, Viettel 0100109106,
# Vietcombank 0100112437, FPT 0101248141): see tests/test_codes.py.

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_SEPARATORS = str.maketrans("", "", ".")


def tax_code_check_digit(first9: str) -> int | None:
    """Check digit (10th digit) of a Vietnamese tax code, or None when no digit is valid."""
    if len(first9) != 9 or not first9.isascii() or not first9.isdigit():
        raise ValueError(f"Cần đúng 9 chữ số đầu của mã số thuế: “{first9}”")
    total = sum(int(d) * w for d, w in zip(first9, _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def validate_tax_code(text: str) -> str:
    """Validate a mã số thuế / mã số doanh nghiệp; return "NNNNNNNNNN" or "NNNNNNNNNN-NNN".

    Accepts 10 digits, or 13 digits for a branch with or without the dash; spaces and dots are
    ignored. Households and individuals who use a 12-digit personal identification number
    (from 07/2025) are not tax codes of this shape: use :func:`validate_household_registration`.
    """
    cleaned = _clean(text).translate(_TAX_SEPARATORS)
    match = re.fullmatch(r"(\d{10})-?(\d{3})?", cleaned)
    if match is None:
        raise ValueError(
            f"Mã số thuế phải có 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số đối với chi nhánh, "
            f"đơn vị phụ thuộc: “{str(text).strip()}”"
        )
    main, branch = match.groups()
    if main[2:9] == "0000000":
        raise ValueError(f"Mã số thuế không hợp lệ: “{main}” (số thứ tự không được bằng 0).")
    if branch == "000":
        raise ValueError(f"Mã số thuế chi nhánh không hợp lệ: “{main}-{branch}” (số chi nhánh phải từ 001).")
    expected = tax_code_check_digit(main[:9])
    if expected is None or int(main[9]) != expected:
        raise ValueError(
            f"Sai chữ số kiểm tra của mã số thuế: “{main}”. Vui lòng kiểm tra lại mã trên giấy chứng nhận "
            "đăng ký doanh nghiệp hoặc đăng ký thuế."
        )
    return f"{main}-{branch}" if branch else main


# Household business registration numbers come in many shapes: older certificates carry codes
# like "41M8012345" or "01D8001234" (district code, letter, sequence); later ones use the tax
# code; since 07/2025 households use the head's 12-digit personal identification number. So we
# only check a loose shape and leave the content to the issuing authority.
_HOUSEHOLD_RE = re.compile(r"[0-9A-ZĐ][0-9A-ZĐ./-]{5,23}")


def validate_household_registration(text: str) -> str:
    """Validate the shape of a hộ kinh doanh registration number; return it upper-cased, without spaces.

    6–24 characters: digits, Latin letters (and Đ), ".", "/", "-", with at least 6 digits.
    """
    cleaned = _clean(text)
    if not _HOUSEHOLD_RE.fullmatch(cleaned) or sum(ch.isdigit() for ch in cleaned) < 6:
        raise ValueError(
            f"Số đăng ký hộ kinh doanh không hợp lệ: “{str(text).strip()}”. Số gồm 6 đến 24 ký tự "
            "(chữ số, chữ cái, “-”, “/”, “.”) và có ít nhất 6 chữ số."
        )
    return cleaned


# The 12-digit personal identification number (số định danh cá nhân, printed on the CCCD; Decree
# 137/2015/NĐ-CP Art. 7, Circular 59/2021/TT-BCA): 3 digits of the province where the birth was
# registered, 1 digit for century and sex (0/1: 20th century male/female, 2/3: 21st, … up to 9),
# 2 digits of the birth year, 6 random digits. The province codes are those of the 63 provinces
# before 2025, zero-padded to 3 digits (the former NSO codes).
_PERSONAL_ID_PROVINCES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)


def validate_personal_id(text: str) -> str:
    """Validate a 12-digit personal identification number (CCCD); return its 12 digits.

    Checks the length and the province of birth registration (one of the 63 former province codes).
    The last 6 digits are random: there is no check digit.
    """
    cleaned = _clean(text).replace(".", "")
    if not re.fullmatch(r"\d{12}", cleaned):
        raise ValueError(f"Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số: “{str(text).strip()}”.")
    if cleaned[:3] not in _PERSONAL_ID_PROVINCES:
        raise ValueError(
            f"Số định danh cá nhân (CCCD) không hợp lệ: “{cleaned}” — 3 chữ số đầu ({cleaned[:3]}) "
            "không phải mã tỉnh nơi đăng ký khai sinh."
        )
    return cleaned


def validate_household_id(text: str) -> str:
    """A household business's identifier: a 12-digit personal ID (CCCD) of the head of the household
    (from 07/2025), or the registration number of an older household business certificate.

    Twelve digits are checked as a personal ID (:func:`validate_personal_id`), anything else as a
    registration number (:func:`validate_household_registration`).
    """
    digits = _clean(text).replace(".", "")
    if digits.isdigit() and len(digits) == 12:
        return validate_personal_id(digits)
    return validate_household_registration(text)
