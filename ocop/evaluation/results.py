"""What the pages and the minutes show of a council's result (stored once closed, else a preview).

Shared by ``ocop.evaluation.views`` and ``ocop.evaluation.minutes`` (the views import the minutes),
so it lives below both.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from . import criteria, scoring
from .models import Evaluation

OUTCOME_LABELS = {
    "recognised": gettext_lazy("Đạt"),
    "potential_five_star": gettext_lazy("Tiềm năng 5 sao (đề nghị trung ương)"),
    "not_recognised": gettext_lazy("Không đạt (dưới 3 sao)"),
    "knocked_out": gettext_lazy("Bị loại"),
}


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
        messages_.append(scoring.UnmetMinimum(criterion.code, item["star"], required, chosen).message())
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
        "unmet": [unmet.message() for unmet in result.unmet_minimums],
        "knockouts": knockout_texts(sheet, result.knockouts),
        "spread": scoring.round2(result.spread),
        "needs_discussion": result.needs_discussion,
        "quorum_met": result.quorum_met,
        "members": [scoring.round2(total) for total in result.members],
    }
