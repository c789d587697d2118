"""What follows an inspection's conclusion (warnings, revocation proposals, removal, notices).

``after_conclusion`` is called by ``steps.conclude`` inside its transaction, once the outcomes of
the inspected products and the inspection's conclusion are saved. Per product:

- compliant: nothing beyond the producer's notice of the conclusion;
- warning: the producer's accounts are told the corrective actions and the deadline; the warning
  is followed up on /oversight/warnings/ (``resolve``, ``reinspect``);
- revocation (Art. 8.1 b, c, d): a proposal to the office that may revoke (the province office for
  3–4★, the Ministry for 5★; ``certification.revocation.revocation_refusal``), with the 15-day
  deadline from the conclusion (Art. 8.4). The certificate's page shows it and its revocation form is
  pre-filled from it (``revocation_proposals``, registered with ``certification.extensions``);
  revocation itself stays ``certification.revocation.revoke``;
- re-evaluation (the Ministry's review of a province's evaluation work, Art. 10.1.b): the province
  office is asked to evaluate the product again;
- removal: the product leaves the programme (``ProductStatus.REMOVED``): it no longer counts as OCOP
  and gets no re-evaluation reminders.

Notices go to people chosen by role and unit (``core.notifications``), never to the one who concluded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ocop.certification.extensions import RevocationProposal
from ocop.certification.models import Certificate, CertificateStatus, Star
from ocop.certification.revocation import revocation_deadline
from ocop.core import clock
from ocop.core.notifications import notify, officers, others, phrase, producer_accounts, register_kind
from ocop.core.scoping import CENTRAL, CHANGE, COMMUNE, PRODUCER, PROVINCE, VIEW, can, restrict
from ocop.registry.classification import ProductStatus

from .models import (
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Outcome,
    PlanKind,
    PlanStatus,
)

CONCLUDED = "oversight.concluded"
WARNING = "oversight.warning"
REVOCATION_PROPOSED = "oversight.revocation_proposed"
REEVALUATION_REQUESTED = "oversight.reevaluation_requested"
REMOVED = "oversight.removed"

# The outcomes as msgids, stored with a notice and translated when shown (core.notifications.phrase).
OUTCOME_MSGIDS = {
    Outcome.COMPLIANT: gettext_noop("Đạt, duy trì đúng tiêu chí"),
    Outcome.WARNING: gettext_noop("Cảnh báo, yêu cầu khắc phục"),
    Outcome.REEVALUATION: gettext_noop("Đề nghị tỉnh đánh giá lại (Điều 10.1.b)"),
    Outcome.REVOCATION: gettext_noop("Đề nghị thu hồi giấy chứng nhận"),
    Outcome.REMOVAL: gettext_noop("Đưa ra khỏi chương trình OCOP"),
}


def register_kinds() -> None:
    register_kind(CONCLUDED, gettext_lazy("Kết luận kiểm tra, giám sát"), {PRODUCER}, 300)
    register_kind(WARNING, gettext_lazy("Cảnh báo, yêu cầu khắc phục sau kiểm tra"), {PRODUCER}, 301)
    register_kind(
        REVOCATION_PROPOSED,
        gettext_lazy("Đề nghị thu hồi giấy chứng nhận sau kiểm tra"),
        {PROVINCE, CENTRAL},
        302,
    )
    register_kind(
        REEVALUATION_REQUESTED, gettext_lazy("Bộ đề nghị tỉnh đánh giá lại sản phẩm"), {PROVINCE}, 303
    )
    register_kind(
        REMOVED, gettext_lazy("Sản phẩm bị đưa ra khỏi chương trình OCOP"), {PROVINCE, COMMUNE}, 304
    )


# --- helpers ---------------------------------------------------------------------------------------


def inspection_url(inspection: Inspection) -> str:
    """The inspection's page, or "" while the inspections part's pages are not mounted."""
    try:
        return inspection.get_absolute_url()
    except NoReverseMatch:
        return ""


def inspection_day(inspection: Inspection) -> dt.date | None:
    return inspection.inspected_on or inspection.concluded_on


def revocation_reason(inspection: Inspection) -> str:
    """The revocation's reason as written in the decision (Vietnamese, the decision's language)."""
    day = inspection_day(inspection)
    return f"Theo biên bản kiểm tra ngày {day:%d/%m/%Y} của {inspection.plan.title}" if day else ""


def proposal_certificate(row: InspectedProduct, on: dt.date) -> Certificate | None:
    """The certificate a revocation proposal is about: the one inspected, else the one valid then."""
    if row.certificate_id is not None:
        return row.certificate
    return Certificate.objects.filter(product_id=row.product_id).current_for_products(on).first()


def revoking_offices(certificate: Certificate | None, product: Any, *, review: bool) -> list[Any]:
    """Who may revoke (certification.revocation.revocation_refusal): the Ministry for 5★, else the
    province office. In the Ministry's review (Art. 10.1.b) the province office is asked in any case."""
    central = certificate is not None and certificate.star == Star.FIVE
    province = not central or review
    return list(officers(province_id=product.province_id if province else None, central=central))


# --- the step --------------------------------------------------------------------------------------


def after_conclusion(user: Any, inspection: Inspection) -> None:
    """Act on the outcomes of a concluded inspection (inside ``steps.conclude``'s transaction)."""
    review = inspection.plan.kind == PlanKind.EVALUATION_REVIEW
    concluded_on = inspection.concluded_on or clock.today()
    rows = list(
        inspection.inspected_products.select_related(
            "product__producer", "product__province", "product__commune", "certificate"
        ).order_by("pk")
    )
    for row in rows:
        if row.outcome == Outcome.WARNING:
            _warn(user, inspection, row)
        elif row.outcome == Outcome.REVOCATION:
            _propose_revocation(user, inspection, row, concluded_on, review=review)
        elif row.outcome == Outcome.REEVALUATION:
            _ask_reevaluation(user, inspection, row)
        elif row.outcome == Outcome.REMOVAL:
            _remove(user, inspection, row)
    _tell_producer(user, inspection)


def _params(inspection: Inspection, **more: Any) -> dict[str, Any]:
    day = inspection_day(inspection)
    return {"date": f"{day:%d/%m/%Y}" if day else "", "plan": inspection.plan.title, **more}


def _tell_producer(user: Any, inspection: Inspection) -> None:
    conclusion = OUTCOME_MSGIDS.get(inspection.conclusion)
    notify(
        others(producer_accounts(inspection.producer_id), user),
        kind=CONCLUDED,
        subject=gettext_noop("Kết luận kiểm tra ngày %(date)s"),
        message=gettext_noop("Cuộc kiểm tra theo %(plan)s đã có kết luận: %(conclusion)s."),
        params=_params(inspection, conclusion=phrase(conclusion) if conclusion else ""),
        url=inspection_url(inspection),
    )


def _warn(user: Any, inspection: Inspection, row: InspectedProduct) -> None:
    notify(
        others(producer_accounts(inspection.producer_id), user),
        kind=WARNING,
        subject=gettext_noop("Cảnh báo: “%(product)s” phải khắc phục trước ngày %(deadline)s"),
        message=gettext_noop(
            "Theo kết luận kiểm tra ngày %(date)s (%(plan)s), yêu cầu khắc phục: %(actions)s"
        ),
        params=_params(
            inspection,
            product=row.product.name,
            deadline=f"{row.deadline:%d/%m/%Y}" if row.deadline else "",
            actions=row.corrective_actions.strip(),
        ),
        url=inspection_url(inspection),
    )


def _propose_revocation(
    user: Any, inspection: Inspection, row: InspectedProduct, concluded_on: dt.date, *, review: bool
) -> None:
    certificate = proposal_certificate(row, concluded_on)
    deadline = revocation_deadline(concluded_on)
    notify(
        others(revoking_offices(certificate, row.product, review=review), user),
        kind=REVOCATION_PROPOSED,
        subject=gettext_noop("Đề nghị thu hồi giấy chứng nhận của “%(product)s”, hạn %(deadline)s"),
        message=gettext_noop(
            "Theo kết luận kiểm tra ngày %(date)s (%(plan)s), đề nghị thu hồi giấy chứng nhận %(code)s "
            "căn cứ điểm %(ground)s khoản 1 Điều 8 Quyết định 26/2026/QĐ-TTg. Quyết định thu hồi ban hành "
            "trong 15 ngày kể từ ngày kết luận, chậm nhất ngày %(deadline)s (Điều 8.4)."
        ),
        params=_params(
            inspection,
            product=row.product.name,
            code=certificate.code if certificate else "",
            ground=row.ground,
            deadline=f"{deadline:%d/%m/%Y}",
        ),
        url=certificate.get_absolute_url() if certificate else inspection_url(inspection),
    )


def _ask_reevaluation(user: Any, inspection: Inspection, row: InspectedProduct) -> None:
    notify(
        others(officers(province_id=row.product.province_id), user),
        kind=REEVALUATION_REQUESTED,
        subject=gettext_noop("Bộ đề nghị tỉnh đánh giá lại sản phẩm “%(product)s”"),
        message=gettext_noop(
            "Theo kết luận kiểm tra công tác đánh giá, phân hạng ngày %(date)s (%(plan)s, Điều 10.1.b), "
            "đề nghị tổ chức đánh giá lại sản phẩm. %(note)s"
        ),
        params=_params(inspection, product=row.product.name, note=inspection.summary.strip()),
        url=inspection_url(inspection),
    )


def _remove(user: Any, inspection: Inspection, row: InspectedProduct) -> None:
    product = row.product
    if product.status != ProductStatus.REMOVED:
        day = inspection_day(inspection)
        product.status = ProductStatus.REMOVED.value
        product._change_reason = _(
            "Đưa ra khỏi chương trình OCOP theo kết luận kiểm tra ngày %(date)s (%(plan)s)"
        ) % {"date": f"{day:%d/%m/%Y}" if day else "", "plan": inspection.plan.title}
        product.save()
    notify(
        others(officers(commune_id=product.commune_id, province_id=product.province_id), user),
        kind=REMOVED,
        subject=gettext_noop("Sản phẩm “%(product)s” bị đưa ra khỏi chương trình OCOP"),
        message=gettext_noop("Theo kết luận kiểm tra ngày %(date)s (%(plan)s)."),
        params=_params(inspection, product=product.name),
        url=product.get_absolute_url(),
    )


# --- revocation proposals on the certificate page (certification.extensions) -----------------------


def revocation_proposals(user: Any, certificate: Certificate) -> list[RevocationProposal]:
    """The concluded inspections proposing to revoke ``certificate`` (or, when the inspection named
    no certificate, its product's certificate valid on the conclusion day)."""
    rows = (
        InspectedProduct.objects.filter(
            Q(certificate=certificate) | Q(certificate__isnull=True, product_id=certificate.product_id),
            outcome=Outcome.REVOCATION,
            inspection__status=InspectionStatus.DONE,
            inspection__concluded_on__isnull=False,
        )
        .select_related("inspection__plan")
        .order_by("inspection__concluded_on", "pk")
    )
    visible_ids = set(
        restrict(
            Inspection.objects.filter(pk__in={row.inspection_id for row in rows}), user, VIEW
        ).values_list("pk", flat=True)
    )
    proposals = []
    for row in rows:
        inspection = row.inspection
        concluded_on = inspection.concluded_on
        if row.certificate_id is None and not (
            certificate.issue_date <= concluded_on
            and certificate.status_on(concluded_on) == CertificateStatus.VALID
        ):
            continue
        day = inspection_day(inspection)
        proposals.append(
            RevocationProposal(
                basis=_("Biên bản kiểm tra ngày %(date)s — %(plan)s")
                % {"date": f"{day:%d/%m/%Y}" if day else "", "plan": inspection.plan.title},
                ground=row.ground,
                concluded_on=concluded_on,
                deadline=revocation_deadline(concluded_on),
                reason=revocation_reason(inspection),
                url=inspection_url(inspection) if inspection.pk in visible_ids else "",
                proposed_by=str(inspection.plan.get_level_display()),
            )
        )
    return proposals


# --- warnings follow-up ----------------------------------------------------------------------------


def may_follow_up(user: Any, row: InspectedProduct) -> bool:
    """Record a correction or plan a re-inspection: whoever may change the inspection (its plan's office)."""
    return can(user, CHANGE, row.inspection) and can(user, CHANGE, row)


@transaction.atomic
def resolve(
    user: Any, row: InspectedProduct, *, resolved_on: dt.date, note: str, reason: str = ""
) -> InspectedProduct:
    """The producer corrected what the warning asked (checked by the office): the warning is closed."""
    row = (
        InspectedProduct.objects.select_for_update(of=("self",))
        .select_related("inspection__plan")
        .get(pk=row.pk)
    )
    if not may_follow_up(user, row):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if row.outcome != Outcome.WARNING:
        raise ValidationError(_("Chỉ ghi nhận khắc phục cho sản phẩm bị cảnh báo."))
    if row.resolved_on is not None:
        raise ValidationError(_("Cảnh báo này đã được ghi nhận khắc phục."))
    concluded_on = row.inspection.concluded_on
    if resolved_on > clock.today():
        errors["resolved_on"] = _("Ngày khắc phục xong không được ở tương lai.")
    elif concluded_on and resolved_on < concluded_on:
        errors["resolved_on"] = _("Ngày khắc phục xong không thể trước ngày kết luận kiểm tra.")
    if not note.strip():
        errors["resolution_note"] = _("Hãy ghi kết quả khắc phục.")
    if errors:
        raise ValidationError(errors)
    row.resolved_on = resolved_on
    row.resolution_note = note.strip()
    row._change_reason = reason.strip()[:500] or _("Ghi nhận khắc phục cảnh báo")
    row.save(update_fields=["resolved_on", "resolution_note"])
    return row


def follow_up_plan(user: Any, inspection: Inspection) -> InspectionPlan | None:
    """The plan a re-inspection goes in: the warning's own plan while active, else the latest active
    plan of the same level and province the user may change."""
    plan = inspection.plan
    if plan.status == PlanStatus.ACTIVE and can(user, CHANGE, plan):
        return plan
    plans = InspectionPlan.objects.filter(
        status=PlanStatus.ACTIVE, level=plan.level, province_id=plan.province_id
    ).order_by("-starts_on", "-pk")
    return restrict(plans, user, CHANGE).first()


def pending_follow_up(row: InspectedProduct) -> Inspection | None:
    """A re-inspection of this warning's product already planned (not done, not cancelled)."""
    return (
        Inspection.objects.filter(
            follow_up_of_id=row.inspection_id,
            status=InspectionStatus.PLANNED,
            inspected_products__product=row.product_id,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def reinspect(user: Any, row: InspectedProduct) -> Inspection:
    """Plan a re-inspection of a warned product (Tái kiểm tra): a planned inspection of the same
    producer, ``follow_up_of`` the warning's inspection, with the warned product; one already
    planned is reused."""
    row = (
        InspectedProduct.objects.select_for_update(of=("self",))
        .select_related("inspection__plan")
        .get(pk=row.pk)
    )
    if not may_follow_up(user, row):
        raise PermissionDenied
    if row.outcome != Outcome.WARNING:
        raise ValidationError(_("Chỉ tái kiểm tra sản phẩm bị cảnh báo."))
    existing = pending_follow_up(row)
    if existing is not None:
        return existing
    inspection = row.inspection
    plan = follow_up_plan(user, inspection)
    if plan is None:
        raise ValidationError(
            _(
                "Không có kế hoạch kiểm tra đang thực hiện để thêm cuộc tái kiểm tra; "
                "hãy lập hoặc kích hoạt một kế hoạch."
            )
        )
    follow_up = Inspection(
        plan=plan,
        producer_id=inspection.producer_id,
        status=InspectionStatus.PLANNED,
        scheduled_on=max(row.deadline, clock.today()) if row.deadline else None,
        follow_up_of=inspection,
        created_by=user,
    )
    follow_up._change_reason = _("Tái kiểm tra sau cảnh báo")
    follow_up.full_clean()
    follow_up.save()
    InspectedProduct.objects.create(
        inspection=follow_up,
        product_id=row.product_id,
        certificate_id=row.certificate_id,
        evaluation_id=row.evaluation_id,
    )
    return follow_up
