"""The colour classes of the province map: quantile bins over the positive values (plain Python).

Zero and "no figure" are not binned: the map shows them in colours of their own (a province with
no OCOP product is information, not the lightest shade of a range). The positive values are cut
by rank into at most ``classes`` groups of about equal size; equal values always fall in the same
group, so a bin is never split inside a tie. Each bin is named by the smallest and largest value
it holds, so the legend reads "12 – 40" with numbers that exist on the map.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

CLASSES = 5  # the colours the map's stylesheet defines (ocop-map-b0 … b4)


@dataclass(frozen=True)
class Bin:
    low: float  # smallest value in the bin
    high: float  # largest value in the bin
    count: int  # how many values fall in it


def make_bins(values: Iterable[float | None], classes: int = CLASSES) -> list[Bin]:
    """Quantile bins over the positive values, lowest first; at most ``classes``, none empty."""
    if classes < 1:
        raise ValueError("classes must be at least 1")
    ordered = sorted(v for v in values if v is not None and v > 0)
    n = len(ordered)
    bins: list[Bin] = []
    start = 0
    for k in range(1, classes + 1):
        end = (k * n) // classes  # rank where group k would end with equal group sizes
        if end <= start:
            continue
        # Keep ties together: the group ends after the last copy of its last value.
        while end < n and ordered[end] == ordered[end - 1]:
            end += 1
        bins.append(Bin(ordered[start], ordered[end - 1], end - start))
        start = end
    return bins


def bin_index(value: float | None, bins: list[Bin]) -> int | None:
    """The index of the bin holding ``value`` (None for zero, no figure, or no bins).

    A value between two bins (not one of the binned values) goes to the upper one.
    """
    if value is None or value <= 0 or not bins:
        return None
    index = bisect_left([b.high for b in bins], value)
    return min(index, len(bins) - 1)


def colour_index(index: int, bins: int, classes: int = CLASSES) -> int:
    """The colour class of bin ``index`` among ``bins``: the top bin is always the darkest."""
    return index + (classes - bins)


__all__ = ["CLASSES", "Bin", "bin_index", "colour_index", "make_bins"]
