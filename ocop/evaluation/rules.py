"""Deadlines and rounds of the evaluation procedure (QĐ 26/2026/QĐ-TTg Art. 5, 7.2; plain Python).

- The commune checks, assesses (Mẫu 03) and forwards a dossier within 15 working days of
  receiving it (Art. 7.2). The day of receipt is not counted; Saturdays, Sundays, Vietnam's public
  holidays (Tết and its announced days off included, from the maintained ``holidays`` library,
  which follows the Labour Code and the yearly government notices) and the extra days off given by
  the caller (settings.OCOP_HOLIDAYS: a compensatory day the library does not know yet) are skipped.
- A province holds at least two rounds a year: round 1 finishes before 30/6 for dossiers the
  commune proposed before 30/4, round 2 before 30/12 for those proposed before 30/10; extra
  rounds are allowed (Art. 5.1). The Ministry: round 1 before 30/9 for proposals before 30/7,
  round 2 before 30/3 (of the next year) for proposals before 30/01 (Art. 5.2).
- "Trước ngày" is read the same way in both halves of Art. 5's sentences: strictly before. A round
  must finish before 30/6 (30/6 itself is too late), and round 1 takes the dossiers proposed before
  30/4, i.e. up to 29/4; a proposal dated 30/4 goes to round 2. A dossier put into a round whose
  proposal date it missed is allowed (the law lets the office hold it over) but flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import holidays as holiday_calendars

__all__ = [
    "COMMUNE_WORKING_DAYS",
    "RoundDates",
    "add_working_days",
    "missed_proposal_date",
    "transition_deadline",
    "public_holidays",
    "round_dates",
    "round_for_proposal",
    "working_days_between",
]

COMMUNE_WORKING_DAYS = 15
# Art. 12.2: dossiers filed before QĐ 26/2026 took effect stay under the 2021–2025 rules but must be
# finished within 60 days (first evaluation, upgrade) or 30 days (re-evaluation) of that day.
QD26_EFFECTIVE = dt.date(2026, 5, 22)
TRANSITION_DAYS = {"first": 60, "upgrade": 60, "reevaluation": 30}
PROVINCE, CENTRAL = "province", "central"


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """Vietnam's public holidays and official days off of ``year`` (Tết Nguyên Đán included)."""
    return frozenset(holiday_calendars.country_holidays("VN", years=year))


def _is_working(day: dt.date, extra: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in extra and day not in public_holidays(day.year)


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The day on which ``days`` working days after ``start`` have passed (``start`` not counted);
    ``holidays`` are days off in addition to the public holidays."""
    if days < 0:
        raise ValueError("Số ngày làm việc phải không âm.")
    off = frozenset(holidays)
    day = start
    while days:
        day += dt.timedelta(days=1)
        if _is_working(day, off):
            days -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier);
    ``holidays`` are days off in addition to the public holidays."""
    if end < start:
        return -working_days_between(end, start, holidays)
    off = frozenset(holidays)
    return sum(1 for n in range(1, (end - start).days + 1) if _is_working(start + dt.timedelta(days=n), off))


@dataclass(frozen=True, slots=True)
class RoundDates:
    proposals_by: dt.date  # dossiers proposed before this day (not on it) belong to the round
    closes_by: dt.date  # the round must finish before this day (not on it)


def round_dates(level: str, year: int, number: int) -> RoundDates:
    """The legal dates of round 1 or 2 of ``year`` (extra rounds have no legal dates)."""
    if level == PROVINCE:
        table = {1: ((year, 4, 30), (year, 6, 30)), 2: ((year, 10, 30), (year, 12, 30))}
    elif level == CENTRAL:
        table = {1: ((year, 7, 30), (year, 9, 30)), 2: ((year + 1, 1, 30), (year + 1, 3, 30))}
    else:
        raise ValueError(f"Cấp đánh giá không hợp lệ: {level!r}.")
    if number not in table:
        raise ValueError(
            "Chỉ đợt 1 và đợt 2 có thời hạn theo Điều 5; đợt bổ sung do Quy chế của Hội đồng quy định."
        )
    proposals, closes = table[number]
    return RoundDates(dt.date(*proposals), dt.date(*closes))


def round_for_proposal(level: str, proposed_on: dt.date) -> tuple[int, int]:
    """(year, number) of the regular round that a dossier proposed on ``proposed_on`` belongs to."""
    year = proposed_on.year
    candidates = [(year - 1, 2), (year, 1), (year, 2), (year + 1, 1)]
    for round_year, number in candidates:
        if not missed_proposal_date(proposed_on, round_dates(level, round_year, number).proposals_by):
            return round_year, number
    raise AssertionError("unreachable: the next year's round 1 always follows")


def missed_proposal_date(proposed_on: dt.date, proposals_by: dt.date) -> bool:
    """Was the dossier proposed too late for a round taking proposals "trước ngày" ``proposals_by``?"""
    return proposed_on >= proposals_by


def transition_deadline(kind: str, filed_on: dt.date | None) -> dt.date | None:
    """Art. 12.2.a/b: the last day to finish evaluating a dossier filed before 22/05/2026 (None after,
    or when not filed): 60 days from 22/05/2026 for a first evaluation or an upgrade, 30 for a
    re-evaluation ("không quá 60/30 ngày, kể từ ngày Quyết định này có hiệu lực")."""
    if filed_on is None or filed_on >= QD26_EFFECTIVE:
        return None
    return QD26_EFFECTIVE + dt.timedelta(days=TRANSITION_DAYS[kind])
