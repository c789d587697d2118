"""Who is told at each hand-off of the evaluation procedure, and what (ocop.core.notifications).

The workflow's steps call these after writing, inside their transaction: the in-app notifications
are written with the step, the e-mails queued when it commits. Recipients are exactly the people
who act next or whose dossier it is, by role and unit; the person who took the step is left out.
Each notification links to the page where its recipient acts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ocop.core.notifications import notify, officers, others, phrase, producer_accounts, register_kind
from ocop.core.scoping import CENTRAL, COMMUNE, COUNCIL, PRODUCER, PROVINCE

from .models import SCORING_ROLES, Dossier, Evaluation, Level, MemberRole, Round

SUBMITTED = "dossier_submitted"
RETURNED = "dossier_returned"
RECEIVED = "dossier_received"
FORWARDED = "dossier_forwarded"
IN_ROUND = "dossier_in_round"
SEAT = "council_seat"
SCORING_OPENED = "scoring_opened"
SHEETS_IN = "sheets_complete"
SESSION_CLOSED = "session_closed"
RESULT = "evaluation_result"
CENTRAL_PROPOSAL = "central_proposal"

KINDS = (
    (SUBMITTED, gettext_lazy("Hồ sơ được nộp lên xã"), {COMMUNE, PROVINCE}),
    (RETURNED, gettext_lazy("Hồ sơ bị trả lại để bổ sung"), {PRODUCER, COMMUNE}),
    (RECEIVED, gettext_lazy("Hồ sơ được xã tiếp nhận"), {PRODUCER}),
    (FORWARDED, gettext_lazy("Hồ sơ được xã đề nghị lên tỉnh"), {PROVINCE, PRODUCER}),
    (IN_ROUND, gettext_lazy("Hồ sơ được đưa vào đợt đánh giá"), {PRODUCER}),
    (SEAT, gettext_lazy("Được phân công vào hội đồng"), {COUNCIL}),
    (SCORING_OPENED, gettext_lazy("Hồ sơ chờ hội đồng chấm điểm"), {COUNCIL}),
    (SHEETS_IN, gettext_lazy("Đã đủ phiếu chấm (thư ký, chủ tịch)"), {COUNCIL}),
    (SESSION_CLOSED, gettext_lazy("Hội đồng kết thúc phiên chấm"), {PROVINCE, CENTRAL}),
    (RESULT, gettext_lazy("Kết quả đánh giá của hội đồng"), {PRODUCER, COMMUNE, PROVINCE}),
    (CENTRAL_PROPOSAL, gettext_lazy("Hồ sơ tiềm năng 5 sao đề nghị trung ương"), {CENTRAL, PRODUCER}),
)

SEAT_ROLES = {
    MemberRole.CHAIR: gettext_noop("Chủ tịch hội đồng"),
    MemberRole.VICE_CHAIR: gettext_noop("Phó chủ tịch hội đồng"),
    MemberRole.MEMBER: gettext_noop("Thành viên"),
    MemberRole.SECRETARY: gettext_noop("Thư ký"),
    MemberRole.ADVISER: gettext_noop("Tổ tư vấn"),
}
OUTCOMES = {
    "recognised": gettext_noop("Đạt"),
    "potential_five_star": gettext_noop("Tiềm năng 5 sao (đề nghị trung ương)"),
    "not_recognised": gettext_noop("Không đạt (dưới 3 sao)"),
    "knocked_out": gettext_noop("Bị loại"),
}


def register() -> None:
    for order, (code, label, roles) in enumerate(KINDS, start=10):
        register_kind(code, label, roles, order)


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _round(round_: Round) -> Any:
    if round_.name:
        return round_.name
    if round_.province_id is None:
        central = gettext_noop("Đợt %(number)s/%(year)s — Trung ương")
        return phrase(central, number=round_.number, year=round_.year)
    return phrase(
        gettext_noop("Đợt %(number)s/%(year)s — %(where)s"),
        number=round_.number,
        year=round_.year,
        where=round_.province.name,
    )


def _dossier_params(dossier: Dossier) -> dict[str, Any]:
    product = dossier.product
    return {"product": product.name, "producer": product.producer.name if product.producer_id else ""}


def _commune_office(dossier: Dossier) -> Any:
    """Who takes the commune's steps: the commune's officers, or the province office for a product
    with no commune on record."""
    product = dossier.product
    if product.commune_id is not None:
        return officers(commune_id=product.commune_id)
    return officers(province_id=product.province_id)


def _producer(dossier: Dossier) -> Any:
    return producer_accounts(dossier.product.producer_id)


def submitted(actor: Any, dossier: Dossier, *, again: bool) -> None:
    params = _dossier_params(dossier) | {"date": _day(dossier.submitted_on)}
    notify(
        others(_commune_office(dossier), actor),
        kind=SUBMITTED,
        subject=gettext_noop("Hồ sơ “%(product)s” đã được bổ sung và nộp lại")
        if again
        else gettext_noop("Hồ sơ OCOP mới: “%(product)s”"),
        message=gettext_noop(
            "%(producer)s nộp hồ sơ ngày %(date)s. Hãy tiếp nhận hồ sơ; thời hạn xem xét là "
            "15 ngày làm việc kể từ khi tiếp nhận."
        ),
        params=params,
        url=dossier.get_absolute_url(),
    )


def returned(actor: Any, dossier: Dossier, *, by_province: bool) -> None:
    params = _dossier_params(dossier) | {"comment": dossier.return_comment}
    message = (
        gettext_noop("Cơ quan OCOP tỉnh yêu cầu bổ sung: %(comment)s")
        if by_province
        else gettext_noop("UBND cấp xã yêu cầu bổ sung: %(comment)s")
    )
    recipients = list(_producer(dossier))
    if by_province:  # the commune forwarded it: it hears too, and stands in for a producer without account
        recipients += list(_commune_office(dossier))
    notify(
        others(recipients, actor),
        kind=RETURNED,
        subject=gettext_noop("Hồ sơ “%(product)s” cần bổ sung"),
        message=message,
        params=params,
        url=dossier.get_absolute_url(),
    )


def received(actor: Any, dossier: Dossier) -> None:
    notify(
        others(_producer(dossier), actor),
        kind=RECEIVED,
        subject=gettext_noop("Hồ sơ “%(product)s” đã được tiếp nhận"),
        message=gettext_noop(
            "Tiếp nhận ngày %(date)s; xã xem xét và đề nghị lên tỉnh trước ngày %(deadline)s."
        ),
        params=_dossier_params(dossier)
        | {"date": _day(dossier.received_on), "deadline": _day(dossier.commune_deadline)},
        url=dossier.get_absolute_url(),
    )


def forwarded(actor: Any, dossier: Dossier) -> None:
    product = dossier.product
    notify(
        others(officers(province_id=product.province_id), actor),
        kind=FORWARDED,
        subject=gettext_noop("Hồ sơ “%(product)s” được đề nghị lên tỉnh"),
        message=gettext_noop(
            "%(commune)s đề nghị đánh giá, phân hạng sản phẩm của %(producer)s (ngày %(date)s). "
            "Hãy rà soát và đưa hồ sơ vào đợt đánh giá."
        ),
        params=_dossier_params(dossier)
        | {"commune": product.commune.name if product.commune_id else "", "date": _day(dossier.forwarded_on)},
        url=dossier.get_absolute_url(),
    )
    # The producer learns that its dossier left the commune.
    notify(
        others(_producer(dossier), actor),
        kind=FORWARDED,
        subject=gettext_noop("Hồ sơ “%(product)s” được đề nghị lên tỉnh"),
        message=gettext_noop("UBND cấp xã đã đề nghị tỉnh đánh giá, phân hạng sản phẩm (ngày %(date)s)."),
        params=_dossier_params(dossier) | {"date": _day(dossier.forwarded_on)},
        url=dossier.get_absolute_url(),
    )


def _scorers(round_: Round) -> list[Any]:
    """Active council accounts on the round's scoring seats (chair, vice-chair, members)."""
    seats = round_.members.filter(role__in=[role.value for role in SCORING_ROLES], user__is_active=True)
    return [seat.user for seat in seats.select_related("user").order_by("pk") if seat.user.role == COUNCIL]


def in_round(actor: Any, evaluation: Evaluation) -> None:
    dossier, round_ = evaluation.dossier, evaluation.round
    params = _dossier_params(dossier) | {"round": _round(round_), "closes": _day(round_.closes_by)}
    notify(
        others(_producer(dossier), actor),
        kind=IN_ROUND,
        subject=gettext_noop("Hồ sơ “%(product)s” được đưa vào %(round)s"),
        message=gettext_noop(
            "Hội đồng đánh giá, phân hạng sẽ chấm điểm sản phẩm; đợt hoàn thành trước ngày %(closes)s."
        ),
        params=params,
        url=dossier.get_absolute_url(),
    )
    notify(
        others(_scorers(round_), actor),
        kind=SCORING_OPENED,
        subject=gettext_noop("Hồ sơ “%(product)s” chờ bạn chấm điểm"),
        message=gettext_noop(
            "%(round)s: hãy khai báo xung đột lợi ích rồi chấm và gửi phiếu của bạn trước ngày %(closes)s."
        ),
        params=params,
        url=evaluation.get_absolute_url(),
    )


def seated(actor: Any, member: Any) -> None:
    round_ = member.round
    notify(
        others([member.user], actor),
        kind=SEAT,
        subject=gettext_noop("Bạn được phân công vào hội đồng: %(round)s"),
        message=gettext_noop("Vai trò: %(role)s. Các hồ sơ của đợt hiện trên trang đợt đánh giá."),
        params={"round": _round(round_), "role": phrase(SEAT_ROLES.get(member.role, member.role))},
        url=round_.get_absolute_url(),
    )


def sheets_complete(evaluation: Evaluation) -> None:
    """When every scoring seat without a conflict has sent its sheet: the secretary and the chair."""
    round_ = evaluation.round
    seats = list(round_.members.filter(role__in=[role.value for role in SCORING_ROLES]))
    conflicted = set(evaluation.declarations.filter(has_conflict=True).values_list("member_id", flat=True))
    sent = set(evaluation.sheets.filter(submitted_at__isnull=False).values_list("member_id", flat=True))
    expected = {seat.pk for seat in seats} - conflicted
    if not expected or not expected <= sent:
        return
    leads = round_.members.filter(role__in=[MemberRole.CHAIR, MemberRole.SECRETARY], user__is_active=True)
    notify(
        [seat.user for seat in leads.select_related("user").order_by("pk")],
        kind=SHEETS_IN,
        subject=gettext_noop("Đã đủ phiếu chấm cho “%(product)s”"),
        message=gettext_noop(
            "Tất cả %(count)s thành viên đã gửi phiếu. "
            "Thư ký ghi phiếu thống nhất; chủ tịch kết thúc phiên chấm."
        ),
        params=_dossier_params(evaluation.dossier) | {"count": len(sent & expected)},
        url=evaluation.get_absolute_url(),
    )


def closed(actor: Any, evaluation: Evaluation) -> None:
    """The office that decides next (the province's, or the Ministry's for a central round); then the
    result to the producer, the commune and, for a central round, the province office."""
    dossier, round_ = evaluation.dossier, evaluation.round
    product = dossier.product
    central = round_.level == Level.CENTRAL
    params = _dossier_params(dossier) | {
        "round": _round(round_),
        "total": f"{evaluation.total:.2f}".replace(".", ",") if evaluation.total is not None else "—",
        "star": evaluation.star or 0,
        "result": phrase(OUTCOMES.get(evaluation.outcome, evaluation.outcome)),
    }
    office = officers(central=True) if central else officers(province_id=round_.province_id)
    notify(
        others(office, actor),
        kind=SESSION_CLOSED,
        subject=gettext_noop("Hội đồng đã chấm xong “%(product)s”: %(total)s điểm"),
        message=gettext_noop("%(round)s — kết quả: %(result)s. Xem biên bản và thực hiện bước tiếp theo."),
        params=params,
        url=evaluation.get_absolute_url(),
    )
    affected = list(_producer(dossier)) + list(
        officers(commune_id=product.commune_id, province_id=product.province_id if central else None)
    )
    notify(
        others(affected, actor),
        kind=RESULT,
        subject=gettext_noop("Kết quả đánh giá sản phẩm “%(product)s”"),
        message=gettext_noop("%(round)s: %(total)s điểm — %(result)s."),
        params=params,
        url=dossier.get_absolute_url(),
    )


def proposed_central(actor: Any, evaluation: Evaluation) -> None:
    dossier = evaluation.dossier
    params = _dossier_params(dossier) | {
        "province": dossier.product.province.name if dossier.product.province_id else "",
        "total": f"{evaluation.total:.2f}".replace(".", ",") if evaluation.total is not None else "—",
    }
    notify(
        others(officers(central=True), actor),
        kind=CENTRAL_PROPOSAL,
        subject=gettext_noop("Đề nghị đánh giá sản phẩm tiềm năng 5 sao “%(product)s”"),
        message=gettext_noop(
            "Cơ quan OCOP %(province)s đề nghị trung ương đánh giá sản phẩm của %(producer)s "
            "(%(total)s điểm ở cấp tỉnh). Hãy đưa hồ sơ vào đợt đánh giá trung ương."
        ),
        params=params,
        url=dossier.get_absolute_url(),
    )
    notify(
        others(_producer(dossier), actor),
        kind=CENTRAL_PROPOSAL,
        subject=gettext_noop("Hồ sơ “%(product)s” được đề nghị trung ương đánh giá 5 sao"),
        message=gettext_noop("Sản phẩm đạt %(total)s điểm ở cấp tỉnh; hội đồng trung ương sẽ đánh giá tiếp."),
        params=params,
        url=dossier.get_absolute_url(),
    )
