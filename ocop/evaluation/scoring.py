"""The scoring engine: council answers on a sheet → total, band, star (plain Python, no Django).

The law (QĐ 26/2026/QĐ-TTg Art. 3.3, Phụ lục II; ocop-rules.md §5.6) gives the pieces, this module
puts them together in one place:

- a member's total is the sum of the points of the options they chose; the council total is the
  exact mean of the members' totals (``Fraction``; shown rounded to 2 decimals, banded exactly);
- bands are half-open: 5★ [90, 100], 4★ [70, 90), 3★ [50, 70), 2★ [30, 50), 1★ [0, 30);
- minimums are cumulative: star s needs every criterion marked for s or lower to be at or above
  its marked option (compared by points); the star is the highest s ≤ band whose minimums hold;
- minimums and option-borne knock-outs are judged on the council's agreed sheet when the secretary
  records one, otherwise per criterion on the majority option (a tie goes to the lower option);
- any knock-out makes the result "loại"; a stop rule ends scoring after its criterion, so the
  following criteria need no answer;
- below 3★ there is no recognition; at province level a total of 90 or more is "tiềm năng 5 sao"
  ("đạt từ 90 trở lên", Art. 7.3.e) and goes to the central council whatever its 5★ minimums: the
  province recognises nothing from it (``recognised`` is false), the central council decides 5★ or
  returns its result so that the province recognises 3★/4★ on the 3★/4★ minimums (Art. 7.4.g).
  An installation may keep the older reading, "refer only a 5★ that meets the 5★ minimums"
  (``Settings.referral = REFER_MINIMUMS``; Django setting ``OCOP_FIVE_STAR_REFERRAL=minimums``);
  the default is the text (``REFER_TOTAL``);
- a spread of member totals above the province's limit flags "cần thảo luận"; quorum is checked
  when the council size is known.

Answers are 1-based option positions as printed: ``{"1.1": 3, "1.2": 2, …}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from .criteria import CriteriaError, Criterion, Sheet, Version

__all__ = [
    "MIN_RECOGNISED_STAR",
    "REFER_MINIMUMS",
    "REFER_TOTAL",
    "AnswerError",
    "Council",
    "Result",
    "Settings",
    "UnmetMinimum",
    "evaluate",
    "member_total",
    "part_totals",
    "round2",
]

MIN_RECOGNISED_STAR = 3  # Art. 4.1.a: 1★ and 2★ get no decision and no certificate
PROVINCE, CENTRAL = "province", "central"
# Which province results go to the Ministry (Art. 7.3.e): every total of 90 or more (the text), or
# only those that also meet the 5★ minimums (an older reading, kept as a per-installation option).
REFER_TOTAL, REFER_MINIMUMS = "total", "minimums"
REFERRALS = (REFER_TOTAL, REFER_MINIMUMS)


class AnswerError(ValueError):
    """Answers that cannot be scored: an unknown criterion, a missing answer, a bad position."""


@dataclass(frozen=True, slots=True)
class Settings:
    """A council's own rules (its Quy chế hoạt động, Art. 7.3.b): per province."""

    spread_limit: Fraction = Fraction(10)
    quorum: Fraction = Fraction(3, 4)
    referral: str = REFER_TOTAL  # REFER_TOTAL | REFER_MINIMUMS

    def __post_init__(self) -> None:
        if self.referral not in REFERRALS:
            raise ValueError(f"Cách đề nghị trung ương không hợp lệ: {self.referral!r} (total | minimums).")


@dataclass(frozen=True, slots=True)
class Council:
    """Who sat: ``size`` members appointed, of whom those who scored were present."""

    size: int
    chair_present: bool = True


@dataclass(frozen=True, slots=True)
class UnmetMinimum:
    criterion: str
    star: int
    required: int  # position of the marked option
    chosen: int | None  # position judged (None: not scored because of a stop rule)

    def message(self) -> str:
        return unmet_wording(self.criterion, self.star)


def _vietnamese_unmet(criterion: str, star: int) -> str:
    return f"Tiêu chí {criterion} chưa đạt mức tối thiểu cho hạng {star} sao"


# How UnmetMinimum.message() words it: Vietnamese here (no Django); the evaluation app puts in its
# translated wording when Django starts (EvaluationConfig.ready), so the English UI reads English.
unmet_wording: Callable[[str, int], str] = _vietnamese_unmet


@dataclass(frozen=True, slots=True)
class Result:
    total: Fraction
    band: int
    star: int | None  # None when knocked out ("loại")
    unmet_minimums: tuple[UnmetMinimum, ...]
    knockouts: tuple[str, ...]
    members: tuple[Fraction, ...]
    spread: Fraction
    needs_discussion: bool
    judged: Mapping[str, int] = field(repr=False)  # the answers minimums were judged on
    quorum_met: bool | None = None
    level: str = PROVINCE
    referred: bool = False  # province level: "tiềm năng 5 sao", the Ministry decides (Art. 7.3.e)

    @property
    def knocked_out(self) -> bool:
        return bool(self.knockouts)

    @property
    def potential_five_star(self) -> bool:
        return self.referred

    @property
    def recognised(self) -> bool:
        """A 3★–5★ result that this council's authority recognises with a decision and certificate.

        Never a referred province result: only the Ministry decides it (5★, or it returns the
        result and the province recognises 3★/4★ from the central council's result)."""
        return self.star is not None and self.star >= MIN_RECOGNISED_STAR and not self.referred

    @property
    def outcome(self) -> str:
        if self.knocked_out:
            return "knocked_out"
        if self.potential_five_star:
            return "potential_five_star"
        return "recognised" if self.recognised else "not_recognised"

    def as_dict(self) -> dict[str, Any]:
        """The JSON of ``ocop score``: exact values rounded to 2 decimals only here."""
        return {
            "total": float(round2(self.total)),
            "band": self.band,
            "star": self.star,
            "recognised": self.recognised,
            "unmet_minimums": [{"criterion": u.criterion, "star": u.star} for u in self.unmet_minimums],
            "knocked_out": self.knocked_out,
            "knockouts": list(self.knockouts),
            "outcome": self.outcome,
            "potential_five_star": self.potential_five_star,
            "spread": float(round2(self.spread)),
            "needs_discussion": self.needs_discussion,
            "quorum_met": self.quorum_met,
            "members": [float(round2(total)) for total in self.members],
        }


def round2(value: Fraction) -> Decimal:
    """Half-up to two decimals, from the exact value (72.335 → 72.34, never a float artefact)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _stop_after(sheet: Sheet, answers: Mapping[str, int], knockouts: Iterable[str]) -> int | None:
    """Index of the criterion where scoring stops for this sheet of answers, if a stop rule fires."""
    stops = [
        sheet.position(knockout.criterion)
        for knockout in (sheet.knockout(k) for k in knockouts)
        if knockout.effect == "stop" and knockout.criterion
    ]
    if any(sheet.knockout(k).effect == "stop" and not sheet.knockout(k).criterion for k in knockouts):
        return -1
    for index, criterion in enumerate(sheet.criteria):
        position = answers.get(criterion.code)
        if position is None or not 1 <= position <= len(criterion.options):
            continue
        option = criterion.options[position - 1]
        if option.knockout and sheet.knockout(option.knockout).effect == "stop":
            stops.append(index)
            break
    return min(stops) if stops else None


def _applies(criterion: Criterion, sheet: Sheet, answers: Mapping[str, int]) -> bool:
    condition = criterion.applies_if
    if condition is None:
        return True
    position = answers.get(condition.criterion)
    if position is None:
        return False
    return sheet.criterion(condition.criterion).option(position).points >= condition.min_points


def _check(sheet: Sheet, answers: Mapping[str, Any], who: str, stop: int | None) -> dict[str, int]:
    """The answers a sheet needs, checked; AnswerError naming the first problem."""
    if not isinstance(answers, Mapping):
        raise AnswerError(f"{who}: câu trả lời phải là một bảng {{mã tiêu chí: lựa chọn}}.")
    for code in answers:
        try:
            sheet.criterion(str(code))
        except CriteriaError as error:
            raise AnswerError(f"{who}: {error}") from None
    checked: dict[str, int] = {}
    for index, criterion in enumerate(sheet.criteria):
        position = answers.get(criterion.code)
        if stop is not None and index > stop:
            continue  # not scored after a stop rule
        if position is None:
            if _applies(criterion, sheet, checked):
                raise AnswerError(f"{who}: thiếu câu trả lời cho tiêu chí {criterion.code}.")
            continue
        try:
            criterion.option(position)
        except CriteriaError as error:
            raise AnswerError(f"{who}: {error}") from None
        checked[criterion.code] = position
    return checked


def member_total(sheet: Sheet, answers: Mapping[str, int], knockouts: Iterable[str] = ()) -> Fraction:
    """One member's total: the points of the chosen options (criteria that do not apply score 0)."""
    checked = _check(sheet, answers, "Thành viên", _stop_after(sheet, answers, knockouts))
    return _sum(sheet, checked)


def part_totals(
    sheet: Sheet, answers: Mapping[str, int], knockouts: Iterable[str] = ()
) -> dict[str, Fraction]:
    """One member's points per part (A, B, C), adding up to ``member_total``: the same answers
    checked, the same criteria counted (stop rules, criteria that do not apply)."""
    checked = _check(sheet, answers, "Thành viên", _stop_after(sheet, answers, knockouts))
    totals = {part.code: Fraction(0) for part in sheet.parts}
    for code, position in checked.items():
        criterion = sheet.criterion(code)
        if _applies(criterion, sheet, checked):
            totals[criterion.part] += criterion.option(position).points
    return totals


def _sum(sheet: Sheet, checked: Mapping[str, int]) -> Fraction:
    total = Fraction(0)
    for code, position in checked.items():
        criterion = sheet.criterion(code)
        if _applies(criterion, sheet, checked):
            total += criterion.option(position).points
    return total


def _majority(sheet: Sheet, sheets: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """Per criterion, the option most members chose; a tie goes to the lower option."""
    judged: dict[str, int] = {}
    for criterion in sheet.criteria:
        votes = Counter(answers[criterion.code] for answers in sheets if criterion.code in answers)
        if not votes:
            continue
        best = max(votes.values())
        tied = [position for position, count in votes.items() if count == best]
        judged[criterion.code] = min(tied, key=lambda p: (criterion.option(p).points, p))
    return judged


def _unmet(sheet: Sheet, judged: Mapping[str, int], band: int, stop: int | None) -> list[UnmetMinimum]:
    unmet = []
    for index, criterion in enumerate(sheet.criteria):
        if not criterion.marks or not _applies(criterion, sheet, judged):
            continue
        chosen = judged.get(criterion.code) if stop is None or index <= stop else None
        points = criterion.option(chosen).points if chosen else None
        for mark in criterion.marks:
            if mark.min_star > band:
                continue
            if points is None or points < mark.points:
                unmet.append(UnmetMinimum(criterion.code, mark.min_star, mark.position, chosen))
    return sorted(unmet, key=lambda u: (u.star, sheet.position(u.criterion)))


def evaluate(
    sheet: Sheet,
    version: Version,
    members: Sequence[Mapping[str, int]],
    *,
    consensus: Mapping[str, int] | None = None,
    knockouts: Iterable[str] = (),
    settings: Settings | None = None,
    council: Council | None = None,
    level: str = PROVINCE,
) -> Result:
    """The council's result for one product; AnswerError on answers that cannot be scored."""
    settings = settings or Settings()
    if not members:
        raise AnswerError("Chưa có phiếu chấm của thành viên nào.")
    declared = []
    for knockout_id in knockouts:
        try:
            declared.append(sheet.knockout(str(knockout_id)).id)
        except CriteriaError as error:
            raise AnswerError(str(error)) from None
    sheets = []
    for number, answers in enumerate(members, 1):
        who = f"Thành viên {number}"
        if not isinstance(answers, Mapping):
            raise AnswerError(f"{who}: câu trả lời phải là một bảng {{mã tiêu chí: lựa chọn}}.")
        sheets.append(_check(sheet, answers, who, _stop_after(sheet, answers, declared)))
    totals = tuple(_sum(sheet, answers) for answers in sheets)
    total = sum(totals, Fraction(0)) / len(totals)
    spread = max(totals) - min(totals)

    if consensus is not None:
        # The agreed sheet is judged like a member's: complete up to any stop.
        judged = _check(sheet, consensus, "Phiếu thống nhất", _stop_after(sheet, consensus, declared))
    else:
        judged = _majority(sheet, sheets)
    stop = _stop_after(sheet, judged, declared)
    fired = list(declared)
    for code, position in judged.items():
        option = sheet.criterion(code).option(position)
        if (
            option.knockout
            and option.knockout not in fired
            and (stop is None or sheet.position(code) <= stop)
        ):
            fired.append(option.knockout)

    band = version.band(total)
    unmet = _unmet(sheet, judged, band, stop) if not fired else []
    if fired:
        star = None
    else:
        failing = {u.star for u in unmet}
        star = band
        while star >= MIN_RECOGNISED_STAR and any(s <= star for s in failing):
            star -= 1
        if star < MIN_RECOGNISED_STAR:
            star = min(band, MIN_RECOGNISED_STAR - 1)
    if fired or level != PROVINCE:
        referred = False
    elif settings.referral == REFER_TOTAL:
        referred = band == 5
    else:
        referred = star == 5
    quorum_met = None
    if council is not None:
        quorum_met = council.chair_present and Fraction(len(members), council.size) >= settings.quorum
    return Result(
        total=total,
        band=band,
        star=star,
        unmet_minimums=tuple(unmet),
        knockouts=tuple(fired),
        members=totals,
        spread=spread,
        needs_discussion=spread > settings.spread_limit,
        judged=judged,
        quorum_met=quorum_met,
        level=level,
        referred=referred,
    )
