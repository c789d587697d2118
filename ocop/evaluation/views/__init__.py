"""Evaluation pages: dossiers, rounds, councils and the blind scoring page.

(The certificate pages under /evaluation/certificates/ are ocop.certification's.)
/evaluation/dossiers/ [new/] [<pk>/]        dossiers (Mẫu 01/02/03); steps are POST <pk>/<step>/
/evaluation/rounds/ [open/] [<pk>/]         rounds, "Mở đợt đánh giá", one round and its council
/evaluation/rounds/<pk>/minutes.pdf         the council's minutes (biên bản)
/evaluation/evaluations/<pk>/               one dossier before the council: declare, score, agree, close

A package split by concept (docs/architecture.md, "Module size"): ``rounds`` (rounds, councils,
minutes, recognition), ``evaluations`` (the blind scoring page and its steps), ``dossiers`` (the
dossier list, page and steps), ``common`` (helpers they share). Everything is re-exported here, so
``ocop.evaluation.views.X`` keeps working (urls.py uses it).
"""

from .dossiers import (
    DOSSIER_ACTIONS,
    DOSSIER_RELATED,
    DOSSIER_TABS,
    FORM_STEPS,
    DossierDetailView,
    DossierListView,
    dossier_action,
    dossier_add,
    dossier_self_preview,
    product_dossiers,
)
from .evaluations import (
    EvaluationDetailView,
    evaluation_close,
    evaluation_consensus,
    evaluation_context,
    evaluation_declare,
    evaluation_preview,
    evaluation_sheet,
    history_allowed,
    running_result,
    sheet_rows,
)
from .rounds import (
    DEADLINE_WARNING_DAYS,
    RoundDetailView,
    RoundListView,
    evaluation_propose_central,
    may_read_minutes,
    round_context,
    round_dossier_add,
    round_member_add,
    round_minutes,
    round_open,
    round_recognise,
)

__all__ = [
    "DEADLINE_WARNING_DAYS",
    "DOSSIER_ACTIONS",
    "DOSSIER_RELATED",
    "DOSSIER_TABS",
    "FORM_STEPS",
    "DossierDetailView",
    "DossierListView",
    "EvaluationDetailView",
    "RoundDetailView",
    "RoundListView",
    "dossier_action",
    "dossier_add",
    "dossier_self_preview",
    "evaluation_close",
    "evaluation_consensus",
    "evaluation_context",
    "evaluation_declare",
    "evaluation_preview",
    "evaluation_propose_central",
    "evaluation_sheet",
    "history_allowed",
    "may_read_minutes",
    "product_dossiers",
    "round_context",
    "round_dossier_add",
    "round_member_add",
    "round_minutes",
    "round_open",
    "round_recognise",
    "running_result",
    "sheet_rows",
]
