"""The evaluation procedure as one state machine (QĐ 26/2026/QĐ-TTg Art. 5–7).

Every step a page or an API endpoint offers goes through a function here: it checks that the
acting user may take that step on that object (scoping via ocop.core.scoping, plus the step's
own rule: a commune receives, the province builds rounds, a council member scores, the chair
closes), checks the state, writes in one transaction, and leaves the audit trail to
django-simple-history. A refused step raises ``StepError`` with a message for the user
(ocop.certification.steps, shared with revocation, Art. 8: ocop.certification.revocation).

    draft ─submit→ submitted ─receive→ commune_review ─forward→ forwarded ─add_to_round→ in_round
    (return_dossier, "cần bổ sung": back to returned, then submit again)
    in_round ─close→ scored ─recognise→ recognised
                            ─propose_central→ central ─add_to_round (central)→ … ─close→ recognise (5★)
             ─close (below 3★ or loại)→ not_recognised

One state machine, its steps grouped by who takes them (docs/architecture.md, "Module size"):
``dossiers`` (the producer and the commune, up to forwarding), ``rounds`` (the office: rounds,
councils, dossiers before a council), ``sessions`` (the council: declarations, blind sheets, the
agreed sheet, closing), ``recognition`` (the decision, or the proposal to the Ministry), and
``common`` (the shared step checks). The steps share no state beyond the models, and every name
is re-exported here: callers use ``ocop.evaluation.workflow.X``.
"""

from ocop.certification.steps import StepError

from .dossiers import (
    COMMUNE_ITEMS,
    OFFICER_ROLES,
    PRODUCER_STEPS_FROM,
    REGISTRATION_REQUIRED,
    SELF_ASSESSMENT_PARTS,
    assess_commune,
    assessment_problems,
    attach_evidence,
    create_dossier,
    dossier_steps,
    end_extension,
    extend_for_filing,
    filing_refusal,
    forward,
    receive,
    return_dossier,
    submission_problems,
    submit,
    update_forms,
)
from .recognition import propose_central, recognisable_star, recognise
from .rounds import add_member, add_to_round, eligible_members, open_round, seat_refusal
from .sessions import (
    close,
    declare,
    disputed_close_refusal,
    preview,
    record_consensus,
    save_sheet,
    seat,
    visible_sheets,
)

__all__ = [
    "COMMUNE_ITEMS",
    "OFFICER_ROLES",
    "PRODUCER_STEPS_FROM",
    "REGISTRATION_REQUIRED",
    "SELF_ASSESSMENT_PARTS",
    "StepError",
    "add_member",
    "add_to_round",
    "assess_commune",
    "assessment_problems",
    "attach_evidence",
    "close",
    "disputed_close_refusal",
    "create_dossier",
    "declare",
    "dossier_steps",
    "eligible_members",
    "end_extension",
    "extend_for_filing",
    "filing_refusal",
    "forward",
    "open_round",
    "preview",
    "propose_central",
    "receive",
    "recognisable_star",
    "recognise",
    "record_consensus",
    "return_dossier",
    "save_sheet",
    "seat",
    "seat_refusal",
    "submission_problems",
    "submit",
    "update_forms",
    "visible_sheets",
]
