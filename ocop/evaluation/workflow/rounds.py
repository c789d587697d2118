"""Round and council steps (Art. 5, 7.3), taken by the OCOP office of the round's level: open a
round with its legal dates, seat council members, and put a forwarded dossier (or a central
one) before the council, which starts its evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from .. import rules
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


@transaction.atomic
def add_member(user: Any, round_: Round, member_user: Any, role: str, department: str = "") -> CouncilMember:
    _office_of_round(user, round_)
    _require(round_.is_open, _("Đợt đánh giá đã kết thúc."))
    member = CouncilMember(round=round_, user=member_user, role=role, department=department)
    member.full_clean()
    member.save()
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
    dossier.status = DossierStatus.IN_ROUND if round_.level == Level.PROVINCE else DossierStatus.CENTRAL
    dossier.round = round_
    if advisory_review.strip():
        dossier.advisory_review = advisory_review.strip()
    dossier.save()
    evaluation = Evaluation.objects.create(
        dossier=dossier, round=round_, sheet=dossier.sheet, criteria_version=dossier.criteria_version
    )
    return evaluation
