"""Formula injection (OWASP): neutralise prefixes what a spreadsheet would run, restore undoes it exactly."""

import doctest

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ocop.core import cells
from ocop.core.cells import escapes, neutralise, restore

# Texts rich in the characters that matter: quotes, the dangerous ones, spaces, letters, digits.
tricky = st.text(alphabet="'=+-@\t\r\n \"a1Đ(),;", max_size=12)
any_text = st.one_of(tricky, st.text(max_size=30))

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\tX", "\rX"]


@given(any_text)
@example("")
@example("'")
@example("''=x")
@example("'quoted'")
def test_restore_undoes_neutralise(text: str) -> None:
    assert restore(neutralise(text)) == text


@given(any_text)
def test_a_neutralised_cell_never_starts_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(cells.DANGEROUS)


@given(any_text)
def test_only_dangerous_values_change(text: str) -> None:
    changed = neutralise(text) != text
    assert changed == text.lstrip("'").startswith(cells.DANGEROUS)
    if changed:
        assert neutralise(text) == "'" + text


@given(any_text)
def test_escapes_is_what_restore_changes(text: str) -> None:
    assert escapes(text) == (restore(text) != text)
    # A typed-text cell written as `neutralise(t) if escapes(t) else t` restores to t.
    written = neutralise(text) if escapes(text) else text
    assert restore(written) == text


@pytest.mark.parametrize("attack", ATTACKS)
def test_owasp_attacks_get_a_quote(attack: str) -> None:
    assert neutralise(attack) == "'" + attack
    assert restore(neutralise(attack)) == attack


@pytest.mark.parametrize("text", ["Mật ong", "0912 345 678", " =x", "a=b", "", "'quoted'", "'"])
def test_harmless_values_pass_unchanged(text: str) -> None:
    assert neutralise(text) == text
    assert restore(text) == text


def test_phone_numbers_round_trip_exactly() -> None:
    assert neutralise("+84 912 345 678") == "'+84 912 345 678"
    assert restore("'+84 912 345 678") == "+84 912 345 678"


def test_docstring_examples() -> None:
    assert doctest.testmod(cells).failed == 0
