"""POST /api/v1/decisions/recognition: the recognition decision (quyết định công nhận) with a
certificate per evaluation, added to ocop.certification's decisions_router (which owns the rest
of /decisions/).
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from ocop.certification.api import DecisionDetailOut, decisions_router
from ocop.certification.api import acting as _acting
from ocop.certification.api import decisions_in_scope as _decisions
from ocop.certification.api import run_step as _step
from ocop.certification.models import Decision
from ocop.core.api import MAX_ID
from ocop.core.scoping import ADD, VIEW, get_restricted_object_or_404
from ocop.core.scoping import restrict as restrict_qs

from .. import workflow
from .common import _not_found
from .evaluations import _evaluations
from .schemas import RecognitionIn


@decisions_router.post(
    "/recognition",
    response={201: DecisionDetailOut},
    summary="Quyết định công nhận (cấp giấy chứng nhận)",
)
def recognise(request: HttpRequest, payload: RecognitionIn) -> tuple[int, Decision]:
    user = _acting(request, ADD, Decision)
    ids = list(dict.fromkeys(payload.evaluations))
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise _not_found("evaluations", _("không tìm thấy phiên chấm."))
    found = {e.pk: e for e in restrict_qs(_evaluations(), user, VIEW).filter(pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise _not_found("evaluations", _("không tìm thấy phiên chấm %(ids)s.") % {"ids": ", ".join(missing)})
    decision = _step(
        workflow.recognise,
        user,
        [found[pk] for pk in ids],
        number=payload.number,
        date=payload.date,
        authority=payload.authority,
        signer=payload.signer,
        issue_date=payload.issue_date,
    )
    return 201, get_restricted_object_or_404(_decisions(user), user, VIEW, pk=decision.pk)
