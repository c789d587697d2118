"""Free-text addresses (former three-level or current two-level) are matched to current units;
ambiguous ones are flagged with their suggestions, never guessed."""

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ocop.geo.addresses import COMMUNE, DISTRICT, EXTRA, PROVINCE, parse_address, parse_part, unit_key
from ocop.geo.matching import MatchResult, expire_index, match_address
from ocop.geo.models import Level, Structure, Unit, resolve_current

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    # Tests roll back their changes to units: check the index is still the database's.
    expire_index()
    yield
    expire_index()


def current_codes(result: MatchResult) -> set[str]:
    return {c.current_commune.code for c in result.plausible if c.current_commune is not None}


# --- Parsing (plain Python) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kind", "key"),
    [
        ("Xã Tân Phú", COMMUNE, "tanphu"),
        ("X.Tân Phú", COMMUNE, "tanphu"),
        ("P.4", COMMUNE, "phuong4"),
        ("Phường 04", COMMUNE, "phuong4"),
        ("TT. Mỹ Thọ", COMMUNE, "mytho"),
        ("H. Cao Lãnh", DISTRICT, "caolanh"),
        ("Q1", DISTRICT, "quan1"),
        ("TX Cai Lậy", DISTRICT, "cailay"),
        ("T. Đồng Tháp", PROVINCE, "dongthap"),
        ("Tỉnh Bà Rịa - Vũng Tàu", PROVINCE, "bariavungtau"),
        ("ấp 3", EXTRA, ""),
        ("thôn X", EXTRA, ""),
        ("123 Nguyễn Huệ", EXTRA, ""),
        ("Gia Lâm", None, "gialam"),
    ],
)
def test_parts_are_recognised_with_or_without_abbreviations(raw: str, kind: str | None, key: str) -> None:
    part = parse_part(raw)
    assert (part.kind, part.key) == (kind, key)


def test_a_name_that_starts_like_a_prefix_keeps_its_whole_key() -> None:
    # "Lạng Sơn" starts like "làng", "Quan Hóa" like "quận": the whole part is looked up too.
    assert "langson" in parse_part("Lạng Sơn").lookup_keys()
    assert "quanhoa" in parse_part("Quan Hóa").lookup_keys()


def test_official_names_reduce_to_the_same_keys() -> None:
    assert unit_key("Thành phố Hà Nội", "thành phố trung ương") == "hanoi"
    assert unit_key("Phường 4", "phường") == "phuong4"
    assert unit_key("Thành phố Mỹ Tho", "thành phố") == "mytho"
    assert unit_key("Huyện Quan Hóa", "huyện") == "quanhoa"


def test_trailing_country_and_empty_parts_are_dropped() -> None:
    assert [p.key for p in parse_address("Xã A, , Tỉnh B, Việt Nam")] == ["a", "b"]


# --- The examples of the registry issue ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "structure", "code", "current_commune", "province"),
    [
        # Former structure, full names: Tân Phú of Châu Thành went into Tân Phú Trung.
        ("Xã Tân Phú, Huyện Châu Thành, Tỉnh Đồng Tháp", Structure.FORMER, "30274", "30259", "82"),
        # Hamlet and abbreviations.
        ("ấp 3, xã Mỹ Hiệp, H. Cao Lãnh, T. Đồng Tháp", Structure.FORMER, "30112", "30112", "82"),
        # Numbered ward of a former province (Tiền Giang, now in Đồng Tháp).
        ("P.4, TP Mỹ Tho, Tiền Giang", Structure.FORMER, "28252", "28249", "82"),
        # Current structure, no district.
        ("thôn X, xã Lạc Dương, Lâm Đồng", Structure.CURRENT, "24848", "24848", "68"),
    ],
)
def test_examples_are_matched_to_their_current_commune(
    text: str, structure: str, code: str, current_commune: str, province: str
) -> None:
    result = match_address(text)
    best = result.best
    assert best is not None, result.message
    assert (best.unit.structure, best.unit.code) == (structure, code)
    assert best.current_commune.code == current_commune
    assert best.current_province.code == province
    assert best.confidence >= 0.9
    assert not result.ambiguous
    assert best.unit.code in result.message


def test_unprefixed_former_address_is_read_right_to_left() -> None:
    result = match_address("Tân Phú, Châu Thành, Đồng Tháp")
    assert result.best is not None
    assert result.best.unit.code == "30274"
    # "Châu Thành" read as today's Xã Châu Thành would leave "Tân Phú" unused: suggested, lower.
    assert any(c.unit.code == "28519" and c.confidence < 0.8 for c in result.candidates)


@pytest.mark.parametrize(
    "text",
    [
        "ấp 3, xã Mỹ Hiệp, H. Cao Lãnh, T. Đồng Tháp",
        "ap 3, xa my hiep, huyen cao lanh, tinh dong thap",
        "Ấp 3,X.Mỹ Hiệp,H.Cao Lãnh,Đồng Tháp",
        "XÃ MỸ HIỆP; HUYỆN CAO LÃNH; TỈNH ĐỒNG THÁP; VIỆT NAM",
        "Mỹ Hiệp, Cao Lãnh, Đồng Tháp",
    ],
)
def test_accented_unaccented_and_abbreviated_forms_give_the_same_answer(text: str) -> None:
    best = match_address(text).best
    assert best is not None
    assert (best.unit.structure, best.unit.code, best.current_commune.code) == (
        Structure.FORMER,
        "30112",
        "30112",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Phường 04, Thành phố Mỹ Tho, Tỉnh Tiền Giang",
        "p4, tp my tho, tien giang",
        "P. 4, TP. Mỹ Tho, T. Tiền Giang",
    ],
)
def test_numbered_ward_in_any_spelling(text: str) -> None:
    best = match_address(text).best
    assert best is not None
    assert best.unit.code == "28252"


def test_diacritics_tell_apart_names_that_differ_only_by_them() -> None:
    # Đồng Tháp has both Xã Tân Thành and Xã Tân Thạnh today.
    assert match_address("Xã Tân Thành, Tỉnh Đồng Tháp").best.unit.code == "29938"
    assert match_address("Xã Tân Thạnh, Tỉnh Đồng Tháp").best.unit.code == "30157"
    unaccented = match_address("xa tan thanh, dong thap")
    assert unaccented.best is None
    assert unaccented.ambiguous
    assert current_codes(unaccented) == {"29938", "30157"}


# --- Ambiguity ----------------------------------------------------------------------------------


def test_commune_in_two_districts_without_district_is_ambiguous_with_both() -> None:
    # Former Tiền Giang had a Xã Tân Phú in Thị xã Cai Lậy and one in Huyện Tân Phú Đông.
    result = match_address("Tân Phú, Tiền Giang")
    assert result.best is None
    assert result.ambiguous
    assert current_codes(result) == {"28468", "28693"}
    assert result.province.code == "82"
    assert result.message.startswith("Không xác định được xã: 'Tân Phú, Tiền Giang' có thể là:")
    assert "28468" in result.message
    assert "28693" in result.message


def test_giving_the_district_removes_the_ambiguity() -> None:
    best = match_address("Tân Phú, Tân Phú Đông, Tiền Giang").best
    assert best is not None
    assert (best.unit.code, best.current_commune.code) == ("28693", "28693")


def test_former_commune_that_split_is_certain_province_ambiguous_commune() -> None:
    result = match_address("Xã Tân Phú, Huyện Tân Châu, Tây Ninh")
    assert result.best is None
    assert result.ambiguous
    assert result.province.code == "80"
    assert result.unit.code == "25546"
    assert result.unit.structure == Structure.FORMER
    assert current_codes(result) == {"25516", "25549"}
    assert all(c.split for c in result.plausible)
    assert "Tỉnh Tây Ninh" in result.message
    assert "25516" in result.message
    assert "25549" in result.message
    # Recorded as the former commune, it still rolls up to the province (resolve_current).
    assert resolve_current(result.unit)[0].code == "80"


def test_bat_trang_split_in_three() -> None:
    result = match_address("Bát Tràng, Gia Lâm, Hà Nội")
    assert result.province.code == "01"
    assert result.unit.code == "00583"
    assert current_codes(result) == {"00577", "00565", "00145"}


def test_uncertain_single_suggestion_is_not_taken() -> None:
    # No province: searched in the whole country, suggested but not confident enough.
    result = match_address("Bát Tràng")
    assert result.best is None
    assert result.candidates[0].unit.code == "00577"
    assert result.message.startswith("Chưa chắc chắn")


def test_typo_is_suggested_with_lower_confidence() -> None:
    result = match_address("Xã Mỹ Hiêpp, Huyện Cao Lãnh, Đồng Tháp")
    assert result.candidates[0].unit.code == "30112"
    assert result.candidates[0].confidence < 1
    assert "gần đúng" in result.candidates[0].explanation


# --- Province hint ------------------------------------------------------------------------------


def test_province_hint_stands_in_for_a_missing_province(unit) -> None:
    assert match_address("Xã Tân Phú").best is None
    best = match_address("Xã Tân Phú", province_hint=unit("82")).best
    assert best is not None
    assert best.unit.code == "28468"
    best = match_address("Xã Mỹ Hiệp, Huyện Cao Lãnh", province_hint=unit("82")).best
    assert best.unit.code == "30112"


def test_province_in_the_text_wins_over_the_hint(unit) -> None:
    best = match_address("thôn X, xã Lạc Dương, Lâm Đồng", province_hint=unit("82")).best
    assert best is not None
    assert best.current_province.code == "68"


# --- Garbage and robustness ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["asdkjh qwe zzz", "", "   ", ",,,", "12345", "ấp 3"])
def test_garbage_gives_no_candidate_and_a_clear_message(text: str) -> None:
    result = match_address(text)
    assert result.candidates == []
    assert result.best is None
    assert not result.ambiguous
    assert result.province is None
    assert result.message.startswith("Không xác định được địa chỉ")


def test_province_only_gives_the_province_but_no_best() -> None:
    result = match_address("Tỉnh Tiền Giang")
    assert result.best is None
    assert result.province.code == "82"
    assert "không ghi xã/phường" in result.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    "Xã",
                    "P.",
                    "TT.",
                    "H.",
                    "Q.",
                    "TX",
                    "TP.",
                    "T.",
                    "ấp",
                    "4",
                    "Tân Phú",
                    "Đồng Tháp",
                    ",",
                    " ",
                    ".",
                ]
            ),
            max_size=30,
        ).map("".join),
    )
)
@example("," * 5000)
@example("Xã " * 2000)
def test_never_raises_for_arbitrary_text(text: str) -> None:
    result = match_address(text)
    assert isinstance(result.message, str)
    assert result.best is None or result.best.confidence >= 0.8
    if result.ambiguous:
        assert result.best is None


# --- Efficiency ---------------------------------------------------------------------------------


def test_matching_after_the_first_call_makes_no_queries(django_assert_num_queries) -> None:
    match_address("Tỉnh Đồng Tháp")  # builds the index
    with django_assert_num_queries(0):
        for _ in range(50):
            result = match_address("P.4, TP Mỹ Tho, Tiền Giang")
            candidate = result.best
            # Candidates are navigable and resolvable without queries either.
            assert candidate.unit.parent.parent.name == "Tỉnh Tiền Giang"
            assert resolve_current(candidate.unit) == (candidate.current_province, candidate.current_commune)
        match_address("Bát Tràng, Gia Lâm, Hà Nội").message  # noqa: B018


def test_renamed_unit_is_matched_under_its_new_name() -> None:
    assert match_address("Xã Lạc Dương Mới, Lâm Đồng").best is None
    lac_duong = Unit.objects.get(structure=Structure.CURRENT, level=Level.COMMUNE, code="24848")
    lac_duong.name = "Xã Lạc Dương Mới"
    lac_duong.save()
    best = match_address("Xã Lạc Dương Mới, Lâm Đồng").best
    assert best is not None
    assert best.unit.code == "24848"
