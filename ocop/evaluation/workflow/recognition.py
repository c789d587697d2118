"""After the council (Art. 7.4–7.6): proposing a "tiềm năng 5 sao" result to the Ministry, the
star a closed evaluation lets a decision recognise, and the recognition decision itself with a
certificate per product (superseding the certificate a dossier follows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ocop.certification import notices as certificate_notices
from ocop.certification.decisions import decision_for
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind
from ocop.registry.classification import LegalBasis

from .. import notices, scoring
from ..models import Dossier, DossierStatus, Evaluation, Level
from .common import _fresh, _is_office, _require, _role
from .dossiers import end_extension


@transaction.atomic
def propose_central(user: Any, evaluation: Evaluation) -> Dossier:
    """A "tiềm năng 5 sao" result: the provincial chair approves it and the dossier goes to the Ministry."""
    _fresh(evaluation)
    _require(
        _is_office(user, evaluation.round.province_id), _("Chỉ cơ quan OCOP của tỉnh đề nghị trung ương.")
    )
    _require(
        evaluation.is_closed and evaluation.outcome == "potential_five_star",
        _("Chỉ hồ sơ tiềm năng 5 sao (từ 90 điểm trở lên) được đề nghị trung ương."),
    )
    dossier = evaluation.dossier
    _require(dossier.status == DossierStatus.SCORED, _("Hồ sơ không ở trạng thái chờ quyết định."))
    dossier.status = DossierStatus.CENTRAL
    dossier.round = None
    dossier.save()
    notices.proposed_central(user, evaluation)
    return dossier


def recognisable_star(evaluation: Evaluation) -> int | None:
    """The star a decision may recognise from this closed evaluation (None: nothing to recognise).

    Province: 3★/4★. A province evaluation that went to the Ministry is not recognised from its own
    result; a central result below 5★ lets the province recognise 3★/4★ from the central council's
    result (Art. 7.4.g).
    """
    if not evaluation.is_closed or evaluation.star is None or evaluation.star < scoring.MIN_RECOGNISED_STAR:
        return None
    if evaluation.round.level == Level.PROVINCE and evaluation.outcome == "potential_five_star":
        return None
    return evaluation.star


@transaction.atomic
def recognise(
    user: Any,
    evaluations: Sequence[Evaluation],
    *,
    number: str,
    date: dt.date,
    authority: str,
    signer: str = "",
    issue_date: dt.date | None = None,
) -> Decision:
    """One recognition decision (quyết định công nhận) and a certificate per evaluation.

    A decision already on file with the same number, date and authority gets the new certificates
    (ocop.certification.decisions.decision_for); ``decision.reused`` tells.
    """
    _require(bool(evaluations), _("Hãy chọn ít nhất một sản phẩm để công nhận."))
    stars = {}
    for evaluation in evaluations:
        _fresh(evaluation)
        _fresh(evaluation.dossier)
        star = recognisable_star(evaluation)
        _require(
            star is not None,
            _("%(product)s: không có kết quả để công nhận.") % {"product": evaluation.dossier.product},
        )
        _require(
            evaluation.dossier.status in (DossierStatus.SCORED, DossierStatus.CENTRAL),
            _("%(product)s: hồ sơ đã được quyết định.") % {"product": evaluation.dossier.product},
        )
        stars[evaluation.pk] = star
    five = {star == 5 for star in stars.values()}
    _require(
        len(five) == 1,
        _("Sản phẩm 5 sao và sản phẩm 3–4 sao do hai cấp khác nhau công nhận: tách quyết định."),
    )
    central = five == {True}
    provinces = {evaluation.dossier.product.province_id for evaluation in evaluations}
    if central:
        _require(
            _role(user) in ("admin", "central"),
            _("Sản phẩm 5 sao do Bộ trưởng Bộ Nông nghiệp và Môi trường công nhận."),
        )
    else:
        _require(len(provinces) == 1, _("Một quyết định cấp tỉnh chỉ cho sản phẩm của một tỉnh."))
        _require(
            _is_office(user, next(iter(provinces))),
            _("Chỉ cơ quan OCOP của tỉnh trình quyết định công nhận."),
        )
    # One decision may recognise products of several rounds: the same number, date and authority
    # is reused (ocop.certification.decisions), never recorded twice.
    decision = decision_for(
        user,
        kind=DecisionKind.RECOGNITION,
        number=number,
        date=date,
        authority=authority,
        level=AuthorityLevel.CENTRAL if central else AuthorityLevel.PROVINCE,
        province_id=None if central else next(iter(provinces)),
        signer=signer,
    )
    for evaluation in evaluations:
        dossier = evaluation.dossier
        certificate = Certificate(
            product=dossier.product,
            decision=decision,
            star=stars[evaluation.pk],
            issue_date=issue_date or date,
            legal_basis=LegalBasis.QD26_2026,
            evaluation=evaluation,
        )
        certificate.full_clean()
        certificate.save()
        previous = dossier.previous_certificate
        if previous is not None and previous.superseded_by_id is None:
            previous.superseded_by = certificate
            previous._change_reason = _("Thay thế bởi %(code)s") % {"code": certificate.code}
            previous.save(update_fields=["superseded_by", "updated"])
        dossier.status = DossierStatus.RECOGNISED
        dossier.save()
        end_extension(
            dossier,
            certificate.issue_date,
            _("Kết quả đánh giá lại: %(code)s (kết thúc gia hạn theo khoản 3 Điều 12)")
            % {"code": certificate.code},
        )
        certificate_notices.issued(user, certificate)
        # The product's status follows its certificates (Product.programme_status): nothing to write.
    return decision
