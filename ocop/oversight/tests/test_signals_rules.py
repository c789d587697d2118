"""The pure rules of scan signals (plain Python): each rule fires on the pattern it names and only then."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ocop.certification.codes import format_code
from ocop.oversight import signal_rules as rules

TODAY = dt.date(2026, 12, 1)


def days_back(counts: list[int], today: dt.date = TODAY) -> dict[dt.date, int]:
    """{day: n}: counts[0] is today, counts[1] yesterday…"""
    return {today - dt.timedelta(days=i): n for i, n in enumerate(counts) if n}


# --- 1. certificates no longer valid ------------------------------------------------------------------


def expired(daily: dict[dt.date, int], since: dt.date = dt.date(2026, 3, 12), status: str = rules.EXPIRED):
    return rules.CertificateScans(7, 70, "OCOP-01-2023-000001-X", status, since, daily)


def test_an_expired_certificate_still_scanned_is_a_signal_with_its_figures() -> None:
    daily = days_back([5] * 10 + [0] * 5 + [3] * 10)  # 80 scans in the last 25 days
    daily[dt.date(2026, 1, 1)] = 100  # before it expired: not counted
    (candidate,) = rules.status_scans([expired(daily)], TODAY)
    assert candidate.rule == "expired_scanned"
    assert (candidate.product_id, candidate.certificate_id, candidate.code) == (
        70,
        7,
        "OCOP-01-2023-000001-X",
    )
    assert candidate.scans == 80
    assert candidate.last_day == TODAY
    assert candidate.detail["since"] == "2026-03-12"
    assert candidate.detail["last_scan"] == TODAY.isoformat()


def test_scans_before_the_status_or_outside_the_window_do_not_count() -> None:
    old = {TODAY - dt.timedelta(days=40): 50}  # within the data, outside the 30 days
    assert rules.status_scans([expired(old)], TODAY) == []
    before_revocation = days_back([1, 1, 5, 5])
    revoked = expired(before_revocation, since=TODAY - dt.timedelta(days=1), status=rules.REVOKED)
    assert rules.status_scans([revoked], TODAY) == []  # 2 scans since the revocation, 10 before
    revoked = expired(days_back([2, 2, 2, 2]), since=TODAY - dt.timedelta(days=3), status=rules.REVOKED)
    (candidate,) = rules.status_scans([revoked], TODAY)
    assert candidate.rule == "revoked_scanned" and candidate.scans == 8


def test_a_valid_certificate_is_never_a_status_signal() -> None:
    assert rules.status_scans([expired(days_back([100] * 30), status="valid")], TODAY) == []


@given(st.lists(st.integers(0, 50), max_size=40), st.integers(1, 200), st.integers(0, 100))
def test_status_threshold_is_monotone(counts: list[int], low: int, step: int) -> None:
    items = [expired(days_back(counts), since=TODAY - dt.timedelta(days=60))]
    at_low = rules.status_scans(items, TODAY, threshold=low)
    at_high = rules.status_scans(items, TODAY, threshold=low + step)
    assert len(at_high) <= len(at_low)
    for candidate in at_low:
        assert candidate.scans >= low


# --- 2. far scans -------------------------------------------------------------------------------------


def test_regions_cover_the_34_current_provinces_once() -> None:
    codes = [code for _name, codes in rules.REGIONS.values() for code in codes]
    assert len(codes) == 34 == len(set(codes))
    assert len(rules.REGIONS) == 6


def test_scans_mostly_from_another_region_fire() -> None:
    # Made in Hà Nội (Red River delta), scanned in TP HCM and Cần Thơ.
    product = rules.ProductRegions(5, "01", {"01": 10, "79": 25, "92": 5, "24": 2})
    (candidate,) = rules.far_scans([product], TODAY - dt.timedelta(days=29), TODAY)
    assert candidate.rule == "far_scans"
    assert candidate.scans == 30
    assert candidate.detail["total"] == 42
    assert candidate.detail["share"] == 71
    assert candidate.detail["top"] == [["79", 25], ["92", 5]]
    assert candidate.detail["home_region"] == "red_river_delta"


def test_scans_in_the_same_region_or_too_few_do_not_fire() -> None:
    near = rules.ProductRegions(5, "01", {"01": 10, "24": 50, "31": 30})  # all in the delta
    few = rules.ProductRegions(6, "01", {"79": 10})  # 10 < 20 located scans
    unknown_home = rules.ProductRegions(7, "99", {"79": 100})
    assert rules.far_scans([near, few, unknown_home], TODAY, TODAY) == []


@given(
    st.dictionaries(st.sampled_from(sorted(rules.REGION_OF)), st.integers(0, 100), max_size=10),
    st.sampled_from(sorted(rules.REGION_OF)),
    st.integers(1, 100),
    st.integers(0, 50),
    st.floats(0.05, 0.95),
    st.floats(0.0, 0.5),
)
def test_far_scans_thresholds_are_monotone(scans, home, low, step, share, more) -> None:
    product = [rules.ProductRegions(1, home, scans)]
    loose = rules.far_scans(product, TODAY, TODAY, min_scans=low, min_share=share)
    strict = rules.far_scans(product, TODAY, TODAY, min_scans=low + step, min_share=min(share + more, 1.0))
    assert len(strict) <= len(loose)
    for candidate in loose:
        assert candidate.detail["far"] >= share * candidate.detail["total"]


# --- 3. surges -----------------------------------------------------------------------------------------


def test_a_day_five_times_the_usual_fires() -> None:
    daily = days_back([60] + [10] * 40)
    (candidate,) = rules.surge({3: daily}, TODAY)
    assert candidate.rule == "surge" and candidate.scans == 60 and candidate.last_day == TODAY
    assert candidate.detail["median"] == 10 and candidate.detail["threshold"] == 50


def test_small_numbers_never_surge() -> None:
    assert rules.surge({3: days_back([19] + [0] * 40)}, TODAY) == []  # below the floor of 20
    assert rules.surge({3: days_back([49] + [10] * 40)}, TODAY) == []  # below 5 × 10


@given(st.integers(0, 10_000), st.integers(35, 60))
def test_a_flat_series_never_surges(level: int, length: int) -> None:
    assert rules.surge({1: days_back([level] * length)}, TODAY) == []


@given(st.lists(st.integers(0, 500), max_size=40), st.integers(1, 100), st.integers(0, 100))
def test_surge_floor_is_monotone(counts: list[int], floor: int, step: int) -> None:
    series = {1: days_back(counts)}
    assert len(rules.surge(series, TODAY, floor=floor + step)) <= len(rules.surge(series, TODAY, floor=floor))


# --- 4. mistyped codes ---------------------------------------------------------------------------------

REAL = format_code("01", 2025, 123)
VALID = {REAL: (11, 110), format_code("79", 2024, 7): (12, 120)}


def missed(code: str, n: int = 9) -> rules.Missed:
    return rules.Missed(code, n, TODAY - dt.timedelta(days=5), TODAY)


def test_a_code_one_slip_from_a_real_one_fires_on_the_real_certificate() -> None:
    swapped = REAL[:-3] + REAL[-2] + REAL[-3] + REAL[-1]  # two neighbouring digits swapped
    (candidate,) = rules.mistyped([missed(swapped)], VALID)
    assert (candidate.rule, candidate.certificate_id, candidate.product_id) == ("mistyped", 11, 110)
    assert candidate.code == swapped and candidate.scans == 9
    assert candidate.detail == {"real_code": REAL, "how": "transposition", "threshold": 5}
    (confused,) = rules.mistyped([missed(REAL.replace("O", "0"))], VALID)  # 0C0P…
    assert confused.detail["how"] == "confusion"
    (dropped,) = rules.mistyped([missed(REAL[:-1])], VALID)  # the check character forgotten
    assert dropped.detail["how"] == "insertion"


def test_codes_rarely_typed_or_far_from_any_real_one_do_not_fire() -> None:
    assert rules.mistyped([missed(REAL[:-1] + "Q", n=4)], VALID) == []
    assert rules.mistyped([missed("OCOP-33-2020-999999-1")], VALID) == []


@given(st.sampled_from(sorted(VALID)), st.integers(0, 1000))
def test_a_real_code_never_matches_itself(code: str, n: int) -> None:
    assert rules.mistyped([missed(code, n)], VALID, min_misses=0) == []
    index = rules.confusion_index(VALID)
    assert code not in [
        real for real, _how in rules.resemblances(code + "X", VALID, index) if real == code + "X"
    ]


@given(st.text(alphabet="0123456789OCPI-", min_size=5, max_size=24), st.integers(0, 50), st.integers(0, 50))
def test_mistyped_threshold_is_monotone_and_never_names_the_typed_code(code, misses, step) -> None:
    found = rules.mistyped([missed(code, misses)], VALID, min_misses=1)
    stricter = rules.mistyped([missed(code, misses)], VALID, min_misses=1 + step)
    assert len(stricter) <= len(found)
    for candidate in found:
        assert candidate.detail["real_code"] != candidate.code
