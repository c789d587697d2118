"""Product codes, GTINs, tax codes and household registration numbers (ocop.registry.codes)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.registry.codes import (
    LegacyProductCode,
    ProductCode,
    format_product_code,
    gtin13,
    gtin_check_digit,
    parse_legacy_code,
    parse_product_code,
    tax_code_check_digit,
    validate_gtin,
    validate_household_id,
    validate_household_registration,
    validate_personal_id,
    validate_tax_code,
)

# --- Product code (QĐ 26/2026) --------------------------------------------------------------------


def test_format_and_parse_example():
    assert format_product_code("82", "28756", 12, 2026) == "82-28756-12-2026"
    assert format_product_code(1, 4, 3, 2026) == "01-00004-3-2026"
    assert parse_product_code(" 82 - 28756 - 12 - 2026 ") == ProductCode("82", "28756", 12, 2026)
    assert str(ProductCode("01", "00004", 3, 2026)) == "01-00004-3-2026"


@pytest.mark.parametrize(
    "text",
    [
        "82-28756-12-2026",
        "82 – 28756 – 12 – 2026",
        "82‑28756‑12‑2026",
        "\t82-28756-12-2026\n",
        "82-28756-012-2026",
    ],
)
def test_parse_is_tolerant(text):
    assert str(parse_product_code(text)) == "82-28756-12-2026"


def test_parse_pads_unit_codes():
    assert parse_product_code("1-4-3-2026") == ProductCode("01", "00004", 3, 2026)


@given(
    province=st.integers(1, 99),
    commune=st.integers(1, 99_999),
    seq=st.integers(1, 999_999),
    year=st.integers(2018, 2100),
)
def test_round_trip(province, commune, seq, year):
    code = format_product_code(province, commune, seq, year)
    parsed = parse_product_code(code)
    assert parsed == ProductCode(f"{province:02d}", f"{commune:05d}", seq, year)
    assert str(parsed) == code
    assert parse_product_code(code.replace("-", " - ")) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Mã sản phẩm OCOP không hợp lệ"),
        ("82-28756-12", "Mã sản phẩm OCOP không hợp lệ"),
        ("82-28756-12-26", "Mã sản phẩm OCOP không hợp lệ"),
        ("82-28756-A1-2026", "Mã sản phẩm OCOP không hợp lệ"),
        ("823-28756-12-2026", "Mã sản phẩm OCOP không hợp lệ"),
        ("82-287560-12-2026", "Mã sản phẩm OCOP không hợp lệ"),
        ("82-28756-0-2026", "Số thứ tự"),
        ("00-28756-1-2026", "Mã tỉnh không được bằng 0"),
        ("82-28756-1-2017", "Năm đánh giá"),
        ("83-829-28780-3-2022", "quy định cũ"),
    ],
)
def test_parse_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        parse_product_code(text)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("823", "28756", 1, 2026), "Mã tỉnh có tối đa 2"),
        (("82", "287560", 1, 2026), "Mã xã có tối đa 5"),
        (("82", "0", 1, 2026), "Mã xã không được bằng 0"),
        (("8a", "28756", 1, 2026), "Mã tỉnh chỉ gồm chữ số"),
        (("82", "28756", 0, 2026), "Số thứ tự"),
        (("82", "28756", 1, 1999), "Năm đánh giá"),
    ],
)
def test_format_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        format_product_code(*args)


# --- Legacy product code --------------------------------------------------------------------------


def test_legacy_code():
    code = parse_legacy_code(" 83-829-28780-3-2022 ")
    assert code == LegacyProductCode(province="83", district="829", commune="28780", seq=3, year=2022)
    assert str(code) == "83-829-28780-3-2022"


def test_legacy_and_current_never_confused():
    with pytest.raises(ValueError, match="Quyết định 26/2026"):
        parse_legacy_code("82-28756-12-2026")
    with pytest.raises(ValueError, match="quy định cũ"):
        parse_product_code("83-829-28780-3-2022")


@given(
    province=st.integers(1, 99),
    district=st.integers(1, 999),
    commune=st.integers(1, 99_999),
    seq=st.integers(1, 9999),
    year=st.integers(2018, 2030),
)
def test_legacy_shape_is_never_a_current_code(province, district, commune, seq, year):
    text = f"{province:02d}-{district:03d}-{commune:05d}-{seq}-{year}"
    assert str(parse_legacy_code(text)) == text
    with pytest.raises(ValueError):
        parse_product_code(text)


# --- GTIN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("4006381333931", "04006381333931"),  # GS1's own EAN-13 example
        ("8934563138165", "08934563138165"),  # Vietnamese prefix 893
        ("10614141000415", "10614141000415"),  # GTIN-14 with packaging indicator 1
        (" 8934563 138165 ", "08934563138165"),
    ],
)
def test_gtin_valid(text, normalized):
    assert validate_gtin(text) == normalized


def test_gtin13():
    assert gtin13("08934563138165") == "8934563138165"
    assert gtin13("8934563138165") == "8934563138165"
    with pytest.raises(ValueError, match="không có dạng 13 chữ số"):
        gtin13("10614141000415")


@pytest.mark.parametrize("text", ["", "12345670", "614141000418", "893456313816A", "089345631381650"])
def test_gtin_wrong_length_or_characters(text):
    with pytest.raises(ValueError, match="Mã GTIN phải có 13 hoặc 14 chữ số"):
        validate_gtin(text)


def test_gtin_bad_check_digit():
    with pytest.raises(ValueError, match="Sai số kiểm tra của mã GTIN: “8934563138166”"):
        validate_gtin("8934563138166")


gtin_bodies = st.one_of(
    st.text("0123456789", min_size=12, max_size=12), st.text("0123456789", min_size=13, max_size=13)
)


@given(body=gtin_bodies)
def test_gtin_with_computed_check_digit_validates(body):
    gtin = body + str(gtin_check_digit(body))
    assert validate_gtin(gtin) == gtin.zfill(14)


@given(body=gtin_bodies, data=st.data())
def test_gtin_any_single_digit_change_fails(body, data):
    gtin = body + str(gtin_check_digit(body))
    position = data.draw(st.integers(0, len(gtin) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != gtin[position]]))
    with pytest.raises(ValueError, match="Sai số kiểm tra"):
        validate_gtin(gtin[:position] + digit + gtin[position + 1 :])


# --- Tax code -------------------------------------------------------------------------------------

# Tax codes of well-known enterprises as widely published, plus the python-stdnum and vn-ident examples.
REAL_TAX_CODES = [
    "0300588569",  # Vinamilk
    "0100109106",  # Viettel
    "0100112437",  # Vietcombank
    "0101248141",  # FPT
    "0100233488",  # python-stdnum doctest
    "0100047516",  # vn-ident example
]


@pytest.mark.parametrize("code", REAL_TAX_CODES)
def test_real_tax_codes(code):
    assert validate_tax_code(code) == code


def test_tax_code_worked_example():
    assert tax_code_check_digit("010004751") == 6


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("0314409058 - 002", "0314409058-002"),
        ("01.00.112.437", "0100112437"),
        (" 0100112437 ", "0100112437"),
    ],
)
def test_tax_code_forms(text, normalized):
    assert validate_tax_code(text) == normalized


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0100233480", "Sai chữ số kiểm tra"),
        ("12345", "Mã số thuế phải có 10 chữ số"),
        ("001087123456", "Mã số thuế phải có 10 chữ số"),  # a 12-digit personal number
        ("0314409058-02", "Mã số thuế phải có 10 chữ số"),
        ("03144090A8", "Mã số thuế phải có 10 chữ số"),
        ("0314409058-000", "số chi nhánh phải từ 001"),
        ("0100000000", "số thứ tự không được bằng 0"),
    ],
)
def test_tax_code_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        validate_tax_code(text)


@given(first9=st.text("0123456789", min_size=9, max_size=9), data=st.data())
def test_tax_code_check_digit_properties(first9, data):
    check = tax_code_check_digit(first9)
    if check is None or first9[2:] == "0000000":
        return
    code = first9 + str(check)
    assert validate_tax_code(code) == code
    # Every weight is non-zero modulo 11, so any single-digit change is caught.
    position = data.draw(st.integers(0, 9))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    with pytest.raises(ValueError):
        validate_tax_code(code[:position] + digit + code[position + 1 :])


# --- Household registration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("41M8012345", "41M8012345"),
        ("01d8001234", "01D8001234"),
        ("27 F 8000123", "27F8000123"),
        ("001087123456", "001087123456"),
        ("0100109106", "0100109106"),
        ("1234567/HKD", "1234567/HKD"),
    ],
)
def test_household_registration_valid(text, normalized):
    assert validate_household_registration(text) == normalized


@pytest.mark.parametrize("text", ["", "abc", "12345", "-41M8012345", "41M8012345#", "A" * 30 + "123456"])
def test_household_registration_rejects(text):
    with pytest.raises(ValueError, match="Số đăng ký hộ kinh doanh không hợp lệ"):
        validate_household_registration(text)


# --- Household identifiers: personal ID (CCCD) or registration number ---------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("001087123456", "001087123456"),  # Hà Nội, born 1987
        ("087 199 001 234", "087199001234"),  # Đồng Tháp, 21st century
        ("41M8012345", "41M8012345"),  # an older household business certificate
        ("1234567/HKD", "1234567/HKD"),
    ],
)
def test_household_id_valid(text, normalized):
    assert validate_household_id(text) == normalized


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("003087123456", "không phải mã tỉnh"),  # 003 is no province code
        ("999087123456", "không phải mã tỉnh"),
        ("12345", "Số đăng ký hộ kinh doanh không hợp lệ"),
    ],
)
def test_household_id_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        validate_household_id(text)


@pytest.mark.parametrize("text", ["00108712345", "0010871234567", "00108712345A"])
def test_personal_id_has_twelve_digits(text):
    with pytest.raises(ValueError, match="đúng 12 chữ số"):
        validate_personal_id(text)
