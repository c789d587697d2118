"""The map's colour classes (ocop.reports.map_bins): quantile bins, plain Python, with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ocop.reports.map_bins import CLASSES, Bin, bin_index, colour_index, make_bins

values = st.lists(
    st.one_of(st.none(), st.just(0.0), st.floats(min_value=0.01, max_value=1e6, allow_nan=False)), max_size=40
)


@given(values, st.integers(min_value=1, max_value=8))
def test_bins_partition_the_positive_values_in_order(data: list[float | None], classes: int) -> None:
    bins = make_bins(data, classes)
    positive = sorted(v for v in data if v is not None and v > 0)
    assert len(bins) <= min(classes, len(set(positive)))
    assert sum(b.count for b in bins) == len(positive)
    assert all(b.count > 0 and b.low <= b.high for b in bins)
    # Ordered and not overlapping: a tie never straddles two bins.
    assert all(a.high < b.low for a, b in zip(bins, bins[1:], strict=False))
    for value in positive:
        index = bin_index(value, bins)
        assert bins[index].low <= value <= bins[index].high
        assert sum(1 for b in bins if b.low <= value <= b.high) == 1


@given(values, st.lists(st.floats(min_value=0.01, max_value=1e6, allow_nan=False), max_size=20))
def test_a_larger_value_never_gets_a_lighter_colour(data: list[float | None], probes: list[float]) -> None:
    bins = make_bins(data)
    ranked = sorted(probes)
    indexes = [bin_index(p, bins) for p in ranked]
    assert indexes == sorted(indexes) if bins else all(i is None for i in indexes)


@given(st.lists(st.floats(min_value=0.01, max_value=1e6, allow_nan=False), unique=True, min_size=CLASSES))
def test_distinct_values_fill_every_colour_about_equally(data: list[float]) -> None:
    bins = make_bins(data)
    assert len(bins) == CLASSES
    sizes = [b.count for b in bins]
    assert max(sizes) - min(sizes) <= 1
    # The top bin is the darkest colour whatever the number of bins.
    assert [colour_index(i, len(bins)) for i in range(len(bins))] == list(range(CLASSES))


def test_zero_and_missing_values_are_not_binned() -> None:
    bins = make_bins([0, None, 0.0])
    assert bins == []
    assert bin_index(0, bins) is None and bin_index(None, [Bin(1, 2, 1)]) is None
    assert bin_index(0, [Bin(1, 2, 1)]) is None


def test_ties_stay_together_and_the_top_bin_is_darkest() -> None:
    bins = make_bins([1, 1, 1, 1, 2, 3, 10, 10, 10, 50])
    assert bins == [Bin(1, 1, 4), Bin(2, 3, 2), Bin(10, 10, 3), Bin(50, 50, 1)]
    assert [colour_index(i, len(bins)) for i in range(len(bins))] == [1, 2, 3, 4]
    assert bin_index(5, bins) == 2  # between two bins: the upper one
    assert bin_index(99, bins) == 3
    single = make_bins([7, 7])
    assert single == [Bin(7, 7, 2)] and colour_index(0, 1) == CLASSES - 1
