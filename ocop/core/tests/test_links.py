"""reverse_pk gives exactly what reverse() gives, under any script prefix."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from ocop.core.links import reverse_pk, reverse_text


@pytest.mark.parametrize("pk", [1, 42, 2_147_483_646, 10**12])
@pytest.mark.parametrize(
    "name", ["registry:product_detail", "registry:producer_detail", "documents:download"]
)
def test_reverse_pk_matches_reverse(name: str, pk: int) -> None:
    assert reverse_pk(name, pk) == reverse(name, args=[pk])


def test_reverse_pk_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/ocop/")
        assert reverse_pk("registry:product_detail", 7) == "/ocop/registry/products/7/"
    finally:
        set_script_prefix("/")
    assert reverse_pk("registry:product_detail", 7) == "/registry/products/7/"


def test_reverse_pk_falls_back_for_other_values() -> None:
    assert reverse_pk("registry:product_detail", "7") == reverse("registry:product_detail", args=["7"])


@pytest.mark.parametrize(
    "code", ["OCOP-01-2023-000130-L", "abc.def_1~2", "mã có dấu", "a b", "x?y#z", "50%", "Đ-01", ""]
)
def test_reverse_text_matches_reverse(code: str) -> None:
    """Plain codes take the cached pattern; anything reverse() would quote (or refuse) takes reverse()."""
    from django.urls import NoReverseMatch

    try:
        expected = reverse("certification:certificate_detail", args=[code])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            reverse_text("certification:certificate_detail", code)
        return
    assert reverse_text("certification:certificate_detail", code) == expected


def test_reverse_text_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/ocop/")
        assert reverse_text("certification:certificate_detail", "C-1") == "/ocop/evaluation/certificates/C-1/"
    finally:
        set_script_prefix("/")
