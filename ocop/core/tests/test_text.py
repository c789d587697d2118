"""Vietnamese folding and collation: search must ignore diacritics and lists must sort like a dictionary."""

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from ocop.core.text import WRAPPING_PUNCTUATION, fold, fold_terms, slugify_vi, sort_key

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " -0123456789", max_size=30)
any_text = st.one_of(vietnamese_text, st.text(max_size=30))


@given(any_text)
@example("İstanbul")
@example("ǅ Ǆ ǰ ΐ ß")
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(any_text)
def test_fold_output_has_no_combining_marks_and_no_d_with_stroke(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(ch) or unicodedata.category(ch).startswith("M") for ch in folded)
    assert "đ" not in folded and "Đ" not in folded


def test_fold_makes_names_with_and_without_diacritics_equal() -> None:
    assert fold("Đồng Tháp") == fold("dong thap") == fold("Dong Thap") == "dong thap"
    assert fold("  ĐỒNG   THÁP ") == "dong thap"
    assert fold("Đắk Lắk") == "dak lak"
    # Decomposed input (as typed on some keyboards) folds the same as precomposed.
    assert fold(unicodedata.normalize("NFD", "Đồng Tháp")) == "dong thap"


def test_slugify_keeps_d_with_stroke_as_d() -> None:
    assert slugify_vi("Tỉnh Đồng Tháp") == "tinh-dong-thap"
    assert slugify_vi("Bà Rịa - Vũng Tàu") == "ba-ria-vung-tau"


def _sorted(words: list[str]) -> list[str]:
    return sorted(words, key=sort_key)


def test_sort_key_orders_vietnamese_letters() -> None:
    letters = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "o", "ô", "ơ", "u", "ư", "y"]
    assert _sorted(list(reversed(letters))) == letters
    assert _sorted(["Đà Nẵng", "Điện Biên", "Dak", "Cà Mau", "Ea Súp"]) == [
        "Cà Mau",
        "Dak",
        "Đà Nẵng",
        "Điện Biên",
        "Ea Súp",
    ]


def test_sort_key_orders_tones_ngang_huyen_hoi_nga_sac_nang() -> None:
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert _sorted(list(reversed(tones))) == tones


def test_sort_key_ignores_case() -> None:
    assert sort_key("ĐỒNG THÁP") == sort_key("đồng tháp")


def test_sort_key_orders_numbers_by_value() -> None:
    wards = ["Phường 10", "Phường 2", "Phường 1", "Phường 11"]
    assert _sorted(wards) == ["Phường 1", "Phường 2", "Phường 10", "Phường 11"]


@given(vietnamese_text, st.text(alphabet=VIETNAMESE, min_size=1, max_size=10))
def test_a_prefix_sorts_before_its_extensions(prefix: str, extension: str) -> None:
    assert sort_key(prefix) < sort_key(prefix + extension)


@given(any_text)
def test_sort_key_is_digits_only(text: str) -> None:
    key = sort_key(text)
    assert key == "" or key.isdigit()
    assert key.isascii()


def test_search_terms_leave_out_the_punctuation_around_words() -> None:
    assert fold_terms('"Gạo" (ST25), mật-ong! “Đắk Lắk”') == ["gao", "st25", "mat-ong", "dak", "lak"]
    assert fold_terms("GCN 01/2026-ĐT.") == ["gcn", "01/2026-dt"]
    assert fold_terms("Trà 100% -") == ["tra", "100%", "-"]  # symbols can mean something: kept
    assert fold_terms(' " , (…) ') == [] and fold_terms(None) == []


@given(any_text)
def test_search_terms_are_folded_words_without_wrapping_punctuation(text: str) -> None:
    for term in fold_terms(text):
        assert term and " " not in term and fold(term) == term
        assert term[0] not in WRAPPING_PUNCTUATION and term[-1] not in WRAPPING_PUNCTUATION
