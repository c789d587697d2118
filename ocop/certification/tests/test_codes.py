"""Certificate codes: format, parse, and the check character catches every single typo and swap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.certification import codes

provinces = st.integers(1, 99).map(lambda n: f"{n:02d}")
years = st.integers(2018, 2100)
sequences = st.integers(1, 999_999)
# What a person can type instead of a character of a code: letters, digits, the separator, "*".
typed = st.sampled_from(codes.ALPHABET + "-")


def test_known_code() -> None:
    code = codes.format_code("82", 2026, 123)
    assert code.startswith("OCOP-82-2026-000123-") and len(code) == 21
    assert codes.parse(code) == codes.CertificateCode("82", 2026, 123)
    assert codes.parse(f"  {code.lower()} ") == codes.CertificateCode("82", 2026, 123)
    assert codes.parse(code.replace("-", "–")).sequence == 123  # dashes pasted from Word


@given(provinces, years, sequences)
def test_round_trip(province: str, year: int, sequence: int) -> None:
    code = codes.format_code(province, year, sequence)
    assert codes.parse(code) == codes.CertificateCode(province, year, sequence)
    assert str(codes.parse(code)) == code


@given(provinces, years, sequences, st.data())
def test_every_single_character_typo_is_detected(province, year, sequence, data) -> None:
    code = codes.format_code(province, year, sequence)
    position = data.draw(st.integers(0, len(code) - 1))
    replacement = data.draw(typed.filter(lambda ch: ch != code[position]))
    typo = code[:position] + replacement + code[position + 1 :]
    assert not codes.is_valid(typo)
    with pytest.raises(ValueError):
        codes.parse(typo)


@given(provinces, years, sequences, st.data())
def test_every_adjacent_transposition_is_detected(province, year, sequence, data) -> None:
    code = codes.format_code(province, year, sequence)
    position = data.draw(st.integers(0, len(code) - 2).filter(lambda i: code[i] != code[i + 1]))
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not codes.is_valid(swapped)


def test_exhaustive_on_one_code() -> None:
    code = codes.format_code("01", 2025, 4711)
    for position in range(len(code)):
        for replacement in codes.ALPHABET + "-":
            if replacement != code[position]:
                assert not codes.is_valid(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize(
    "text",
    ["", "OCOP-82-2026-000123", "OCOP-82-26-000123-X", "OCOP-8-2026-000123-X", "XCOP-82-2026-000123-5"],
)
def test_malformed(text: str) -> None:
    assert not codes.is_valid(text)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        codes.format_code("8", 2026, 1)
    with pytest.raises(ValueError):
        codes.format_code("82", 2026, 0)
