"""Round and council steps (Art. 5, 7.3), taken by the OCOP office of the round's level: open a
round with its legal dates, seat council members, and put a forwarded dossier (or a central
one) before the council, which starts its evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ocop.core.scoping import COUNCIL

from .. import notices, rules
from ..models import CouncilMember, Dossier, DossierStatus, Evaluation, Level, Round
from .common import _fresh, _is_office, _require, _role


@transaction.atomic
def open_round(
    user: Any,
    *,
    level: str,
    year: int,
    number: int,
    province: Any = None,
    name: str = "",
    proposals_by: dt.date | None = None,
    closes_by: dt.date | None = None,
) -> Round:
    """A round with its legal dates (Art. 5). Extra rounds (number ≥ 3) have none in the law: the
    council's rules and plan set them, so they must be given; given dates override rounds 1 and 2's."""
    _require(
        _is_office(user, getattr(province, "pk", None))
        if level == Level.PROVINCE
        else _role(user) in ("admin", "central"),
        _("Chỉ cơ quan OCOP của cấp này mở đợt đánh giá."),
    )
    if number in (1, 2):
        legal = rules.round_dates(level, year, number)
        proposals_by, closes_by = proposals_by or legal.proposals_by, closes_by or legal.closes_by
    _require(
        proposals_by is not None and closes_by is not None,
        _("Đợt bổ sung (từ đợt 3) cần ngày nhận hồ sơ đề nghị và hạn hoàn thành theo kế hoạch của tỉnh."),
    )
    exists = Round.objects.filter(level=level, province=province, year=year, number=number).exists()
    _require(not exists, _("Đợt đánh giá này đã có."))
    created = Round(
        level=level,
        province=province if level == Level.PROVINCE else None,
        year=year,
        number=number,
        name=name,
        proposals_by=proposals_by,
        closes_by=closes_by,
    )
    created.full_clean()
    created.save()
    return created


def _office_of_round(user: Any, round_: Round) -> None:
    if round_.level == Level.CENTRAL:
        _require(_role(user) in ("admin", "central"), _("Chỉ cơ quan OCOP trung ương quản lý đợt này."))
    else:
        _require(_is_office(user, round_.province_id), _("Chỉ cơ quan OCOP của tỉnh quản lý đợt này."))


def _scored(round_: Round) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(round=round_)


def eligible_members(round_: Round) -> QuerySet:
    """Accounts that may take a seat on this round's council (the rule of `seat_refusal`, as a query):
    active "council" accounts of the round's province, or with the whole country for a central round,
    tied to no scored product's producer or commune, and not seated yet."""
    users = get_user_model().objects.filter(is_active=True, role=COUNCIL)
    if round_.level == Level.CENTRAL:
        users = users.filter(scope_unit__isnull=True)
    else:
        users = users.filter(scope_unit=round_.province_id, scope_unit__level="province")
    scored = _scored(round_)
    producers = scored.filter(dossier__product__producer__isnull=False).values("dossier__product__producer")
    communes = scored.filter(dossier__product__commune__isnull=False).values("dossier__product__commune")
    return (
        users.exclude(producer__in=producers)
        .exclude(scope_unit__in=communes)
        .exclude(council_seats__round=round_)
    )


def seat_refusal(round_: Round, member_user: Any) -> str | None:
    """Why `member_user` cannot sit on this round's council (Vietnamese), or None when it may.

    Seats go only to active accounts with the "council" role: of the round's province for a
    provincial round, with the whole country (no unit) for a central one; never to officers or
    producers, nor to an account tied to the producer or commune of a product the council scores.
    """
    if not getattr(member_user, "is_active", False):
        return _("Tài khoản đã bị khoá: không thể ngồi hội đồng.")
    if getattr(member_user, "role", None) != COUNCIL:
        return _(
            "Chỉ tài khoản có vai trò “Thành viên hội đồng” được ngồi hội đồng; "
            "cán bộ quản lý và chủ thể OCOP thì không."
        )
    unit = member_user.scope_unit
    if round_.level == Level.CENTRAL:
        if unit is not None:
            return _("Hội đồng cấp trung ương chỉ gồm tài khoản thành viên hội đồng phạm vi toàn quốc.")
    elif unit is None or unit.level != "province" or unit.pk != round_.province_id:
        return _("Thành viên hội đồng phải thuộc tỉnh của đợt đánh giá.")
    if _conflicts(round_, member_user):
        return _(
            "Tài khoản gắn với chủ thể hoặc xã của một sản phẩm được chấm trong đợt "
            "(xung đột lợi ích): không thể ngồi hội đồng."
        )
    return None


def _conflicts(round_: Round, member_user: Any, scored: QuerySet[Evaluation] | None = None) -> bool:
    """Is the account tied to the producer or the commune of a product this council scores?"""
    scored = _scored(round_) if scored is None else scored
    ties = Q()
    if member_user.producer_id is not None:
        ties |= Q(dossier__product__producer=member_user.producer_id)
    if member_user.scope_unit_id is not None:
        ties |= Q(dossier__product__commune=member_user.scope_unit_id)
    return bool(ties) and scored.filter(ties).exists()


@transaction.atomic
def add_member(user: Any, round_: Round, member_user: Any, role: str, department: str = "") -> CouncilMember:
    """Seat an account on the round's council: the one place seats are given (form and API alike)."""
    _office_of_round(user, round_)
    _require(round_.is_open, _("Đợt đánh giá đã kết thúc."))
    refusal = seat_refusal(round_, member_user)
    _require(refusal is None, refusal or "")
    member = CouncilMember(round=round_, user=member_user, role=role, department=department)
    member.full_clean()
    member.save()
    notices.seated(user, member)
    return member


@transaction.atomic
def add_to_round(user: Any, dossier: Dossier, round_: Round, advisory_review: str = "") -> Evaluation:
    """The province (after the Tổ tư vấn review) puts a forwarded dossier before the round's council."""
    _fresh(dossier)
    _office_of_round(user, round_)
    _require(round_.is_open, _("Đợt đánh giá đã kết thúc."))
    if round_.level == Level.PROVINCE:
        _require(
            dossier.status == DossierStatus.FORWARDED, _("Chỉ đưa vào đợt hồ sơ xã đã đề nghị lên tỉnh.")
        )
        _require(
            dossier.product.province_id == round_.province_id, _("Hồ sơ không thuộc tỉnh của đợt đánh giá.")
        )
    else:
        _require(
            dossier.status == DossierStatus.CENTRAL, _("Chỉ đưa vào đợt trung ương hồ sơ tiềm năng 5 sao.")
        )
    product = dossier.product
    tied = [
        seat.user
        for seat in round_.members.select_related("user")
        if (product.producer_id is not None and seat.user.producer_id == product.producer_id)
        or (product.commune_id is not None and seat.user.scope_unit_id == product.commune_id)
    ]
    _require(
        not tied,
        _("Thành viên hội đồng %(member)s gắn với chủ thể hoặc xã của sản phẩm (xung đột lợi ích).")
        % {"member": ", ".join(str(member) for member in tied)},
    )
    dossier.status = DossierStatus.IN_ROUND if round_.level == Level.PROVINCE else DossierStatus.CENTRAL
    dossier.round = round_
    if advisory_review.strip():
        dossier.advisory_review = advisory_review.strip()
    dossier.save()
    evaluation = Evaluation.objects.create(
        dossier=dossier, round=round_, sheet=dossier.sheet, criteria_version=dossier.criteria_version
    )
    notices.in_round(user, evaluation)
    return evaluation
