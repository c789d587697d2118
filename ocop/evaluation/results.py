"""What the pages and the minutes show of a council's result (stored once closed, else a preview).

Shared by ``ocop.evaluation.views`` and ``ocop.evaluation.minutes`` (the views import the minutes),
so it lives below both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext_lazy

from . import criteria, scoring
from .models import Evaluation, EvaluationStatus

OUTCOME_LABELS = {
    "recognised": gettext_lazy("Đạt"),
    "potential_five_star": gettext_lazy("Tiềm năng 5 sao (đề nghị trung ương)"),
    "not_recognised": gettext_lazy("Không đạt (dưới 3 sao)"),
    "knocked_out": gettext_lazy("Bị loại"),
}


def unmet_message(unmet: scoring.UnmetMinimum) -> str:
    """An unmet minimum in the user's language (the wording EvaluationConfig plugs into the engine)."""
    return unmet.message()


def _stored_unmet(evaluation_: Evaluation, sheet: criteria.Sheet) -> list[str]:
    """The unmet minimums stored at closing, worded by the engine (UnmetMinimum.message())."""
    messages_ = []
    for item in (evaluation_.result or {}).get("unmet_minimums", []):
        try:
            criterion = sheet.criterion(item["criterion"])
        except criteria.CriteriaError:
            continue
        required = next((o.position for o in criterion.marks if o.min_star == item["star"]), 0)
        chosen = (evaluation_.consensus or {}).get(criterion.code)
        messages_.append(unmet_message(scoring.UnmetMinimum(criterion.code, item["star"], required, chosen)))
    return messages_


def knockout_texts(sheet: criteria.Sheet, ids: Any) -> list[str]:
    """The knockout criteria by id, in the sheet's words (the bare id when the sheet does not know it)."""
    texts = []
    for knockout_id in ids or ():
        try:
            texts.append(sheet.knockout(str(knockout_id)).text)
        except criteria.CriteriaError:
            texts.append(str(knockout_id))
    return texts


def result_summary(evaluation_: Evaluation, result: scoring.Result | None = None) -> dict[str, Any] | None:
    """What the pages show of a result: the stored one once closed, else the given preview."""
    sheet = evaluation_.get_sheet()
    if evaluation_.is_closed:
        stored = evaluation_.result or {}
        return {
            "total": evaluation_.total,
            "band": evaluation_.band,
            "star": evaluation_.star,
            "outcome": evaluation_.outcome,
            "outcome_label": OUTCOME_LABELS.get(evaluation_.outcome, evaluation_.outcome),
            "unmet": _stored_unmet(evaluation_, sheet),
            "knockouts": knockout_texts(sheet, stored.get("knockouts")),
            "spread": stored.get("spread"),
            "needs_discussion": stored.get("needs_discussion"),
            "close_reason": evaluation_.close_reason,
            "quorum_met": stored.get("quorum_met"),
            "members": stored.get("members", []),
        }
    if result is None:
        return None
    return {
        "total": scoring.round2(result.total),
        "band": result.band,
        "star": result.star,
        "outcome": result.outcome,
        "outcome_label": OUTCOME_LABELS.get(result.outcome, result.outcome),
        "unmet": [unmet_message(unmet) for unmet in result.unmet_minimums],
        "knockouts": knockout_texts(sheet, result.knockouts),
        "spread": scoring.round2(result.spread),
        "needs_discussion": result.needs_discussion,
        "quorum_met": result.quorum_met,
        "members": [scoring.round2(total) for total in result.members],
    }


def running_figures(
    sheet: criteria.Sheet,
    version: criteria.Version,
    answers: Mapping[str, int],
    knockouts: Iterable[str] = (),
    *,
    level: str = "province",
) -> dict[str, Any]:
    """The live figures of one sheet being ticked (nothing saved), computed by the engine: a council
    member's sheet, the secretary's agreed sheet and the producer's self-scoring (Mẫu 02) alike.

    The total of a complete sheet is scoring.member_total, with its band and star; while criteria
    are open it is the sum so far ("tạm tính"). Minimums are judged by scoring.evaluate on this
    sheet alone with the open criteria taken at their best option, so what it reports is what the
    ticks made so far already rule out, and ``best_star`` is the highest star still within reach.
    """
    answered = {
        code: position
        for code, position in answers.items()
        if 1 <= position <= len(sheet.criterion(code).options)
    }
    partial = sum((sheet.criterion(code).option(p).points for code, p in answered.items()), Fraction(0))
    ids = [k for k in knockouts or () if any(known.id == k for known in sheet.knockouts)]
    try:
        total: Fraction | None = scoring.member_total(sheet, answered, ids)
    except scoring.AnswerError:
        total = None
    filled = {
        criterion.code: answered.get(criterion.code)
        or max(criterion.options, key=lambda o: o.points).position
        for criterion in sheet.criteria
    }
    best = scoring.evaluate(sheet, version, [filled], knockouts=ids, level=level)
    complete = total is not None  # then `best` is this very sheet: nothing open to fill
    return {
        "answered": len(answered),
        "count": len(sheet.criteria),
        "complete": complete,
        "total": scoring.round2(total if complete else partial),
        "band": best.band if complete else None,
        "star": best.star if complete else None,
        "best_star": None if complete or best.knocked_out else best.star,
        "recognised_from": scoring.MIN_RECOGNISED_STAR,
        "unmet": [unmet_message(unmet) for unmet in best.unmet_minimums if unmet.criterion in answered],
        "knockouts": knockout_texts(sheet, best.knockouts),
    }


def agreed_figures(
    sheet: criteria.Sheet,
    version: criteria.Version,
    sent: list[Mapping[str, int]],
    answers: Mapping[str, int],
    knockouts: Iterable[str] = (),
    *,
    settings: scoring.Settings | None = None,
    level: str = "province",
) -> dict[str, Any]:
    """The live figures of the secretary's agreed sheet (phiếu thống nhất) being ticked: the council's
    total (the mean of the sent sheets) with the star and unmet minimums judged on this agreed sheet,
    exactly as scoring.evaluate will at closing. Open criteria are taken at their best option, so
    the star shown while ticking is the best still within reach."""
    figures = running_figures(sheet, version, answers, knockouts, level=level)
    answered = {
        code: position
        for code, position in answers.items()
        if 1 <= position <= len(sheet.criterion(code).options)
    }
    ids = [k for k in knockouts or () if any(known.id == k for known in sheet.knockouts)]
    filled = {
        criterion.code: answered.get(criterion.code)
        or max(criterion.options, key=lambda o: o.points).position
        for criterion in sheet.criteria
    }
    try:
        result = scoring.evaluate(
            sheet, version, sent, consensus=filled, knockouts=ids, settings=settings, level=level
        )
    except scoring.AnswerError:
        return figures
    complete = figures["complete"]
    figures.update(
        council=True,
        members=len(sent),
        total=scoring.round2(result.total),
        band=result.band,
        star=result.star if complete else None,
        best_star=None if complete or result.knocked_out else result.star,
        unmet=[unmet_message(u) for u in result.unmet_minimums if u.criterion in answered],
        knockouts=knockout_texts(sheet, result.knockouts),
    )
    return figures


def part_points(evaluation_: Evaluation) -> list[dict[str, Any]]:
    """The council's mean points per part (A, B, C) over the members' sent sheets, by the engine
    (scoring.part_totals); the parts add up to the council's total. Empty while scoring is open."""
    if evaluation_.status != EvaluationStatus.CLOSED:
        return []
    sheet = evaluation_.get_sheet()
    sent = [s.answers for s in evaluation_.sheets.filter(submitted_at__isnull=False).order_by("pk")]
    if not sent:
        return []
    sums = {part.code: Fraction(0) for part in sheet.parts}
    try:
        for answers in sent:
            for code, points in scoring.part_totals(sheet, answers, evaluation_.knockouts).items():
                sums[code] += points
    except scoring.AnswerError:
        return []
    return [
        {
            "part": part,
            "points": scoring.round2(sums[part.code] / len(sent)),
            "max": criteria.points_json(part.max),
        }
        for part in sheet.parts
    ]


def failure_reasons(evaluation_: Evaluation) -> dict[str, Any] | None:
    """Why a closed result is not recognised ("Không đạt", "Bị loại"), for the producer and the
    commune: the total against the 3★ band, the unmet minimums, the knock-outs and the points of
    each part. None while the session is open (blind scoring stays blind) or when it was recognised."""
    if evaluation_.status != EvaluationStatus.CLOSED or evaluation_.outcome not in (
        "not_recognised",
        "knocked_out",
    ):
        return None
    summary = result_summary(evaluation_) or {}
    version = criteria.get_version(evaluation_.criteria_version)
    threshold = next(
        (band.min for band in version.bands if band.star == scoring.MIN_RECOGNISED_STAR), Fraction(50)
    )
    total = evaluation_.total
    return {
        "total": total,
        "threshold": scoring.round2(threshold),
        "below_threshold": total is not None and Fraction(str(total)) < threshold,
        "unmet": summary.get("unmet", []),
        "knockouts": summary.get("knockouts", []),
        "parts": part_points(evaluation_),
    }
