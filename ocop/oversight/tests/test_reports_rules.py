"""Receipt codes: made without look-alike characters, and found again however they are typed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ocop.oversight.forms.reports import normal_receipt
from ocop.oversight.models.reports import RECEIPT_ALPHABET, RECEIPT_LENGTH, new_receipt_code

receipts = st.text(alphabet=RECEIPT_ALPHABET, min_size=RECEIPT_LENGTH, max_size=RECEIPT_LENGTH).map(
    lambda raw: f"{raw[:5]}-{raw[5:]}"
)
separators = st.sampled_from(["", " ", "-", "  ", "\t"])


def test_new_codes_have_the_stored_shape() -> None:
    for _ in range(200):
        code = new_receipt_code()
        assert normal_receipt(code) == code
        assert not set(code.replace("-", "")) & set("01OIL")


@given(receipts, separators, st.booleans())
def test_typed_loosely_found_again(code: str, separator: str, lower: bool) -> None:
    typed = code.replace("-", separator)
    typed = typed.lower() if lower else typed
    assert normal_receipt(f" {typed} ") == code


@given(st.text(max_size=30))
def test_anything_else_is_no_receipt_or_a_valid_one(text: str) -> None:
    result = normal_receipt(text)
    assert result == "" or (len(result) == RECEIPT_LENGTH + 1 and normal_receipt(result) == result)
