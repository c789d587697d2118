"""Inspection plans: which producers and products a plan may take, adding them, and the plan's steps.

The products a plan inspects are OCOP products (a certificate valid today), in the plan's area:

- a province plan: products of its province;
- the Ministry's plan (Art. 9.4.b): 5★ products, nationwide or of the province it names;
- the Ministry's review of a province's evaluation work (Art. 10.1.b): products that province
  recognised (its own or its former districts' decisions).

Every step is scoped (``ocop.core.scoping``) and atomic; a refusal is a ValidationError (bad
input, a closed plan) or PermissionDenied (out of the user's scope), and nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ocop.certification.models import AuthorityLevel, Certificate
from ocop.core import clock
from ocop.core.scoping import ADD, CHANGE, VIEW, can, restrict
from ocop.evaluation.models import Evaluation, EvaluationStatus
from ocop.registry import classification
from ocop.registry.models import Producer, Product

from .models import (
    ConsumerReport,
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    PlanKind,
    PlanLevel,
    PlanStatus,
    ReportStatus,
    ScanSignal,
    SignalStatus,
)

# Roles whose accounts may sit on an inspection team (the officers of the plan's level).
MEMBER_ROLES = ("central", "province")


# --- what a plan may inspect ------------------------------------------------------------------------


def valid_certificates(today: dt.date | None = None) -> QuerySet[Certificate]:
    return Certificate.objects.valid_on(today or clock.today())


def plan_certificates(plan: InspectionPlan, today: dt.date | None = None) -> QuerySet[Certificate]:
    """The certificates valid today that make a product eligible for this plan."""
    certificates = valid_certificates(today)
    if plan.kind == PlanKind.EVALUATION_REVIEW:
        # What the reviewed province recognised (its own decisions, or its districts' before 2025).
        return certificates.filter(
            decision__province_id=plan.province_id,
            decision__authority_level__in=[AuthorityLevel.PROVINCE, AuthorityLevel.DISTRICT],
        )
    if plan.level == PlanLevel.CENTRAL:
        return certificates.filter(star=5)
    return certificates


def plan_products(plan: InspectionPlan, today: dt.date | None = None) -> QuerySet[Product]:
    """Products this plan may inspect (whoever looks; scope the result with restrict())."""
    eligible = plan_certificates(plan, today).filter(product=OuterRef("pk"))
    products = Product.objects.filter(Exists(eligible))
    if plan.province_id is not None and plan.kind != PlanKind.EVALUATION_REVIEW:
        products = products.filter(province_id=plan.province_id)
    return products


def candidate_products(user: Any, plan: InspectionPlan, today: dt.date | None = None) -> QuerySet[Product]:
    """The plan's products this user may put in it (in their scope)."""
    return restrict(plan_products(plan, today), user, VIEW)


def candidate_producers(user: Any, plan: InspectionPlan, today: dt.date | None = None) -> QuerySet[Producer]:
    """Producers with at least one product this user may put in the plan."""
    products = candidate_products(user, plan, today).filter(producer=OuterRef("pk"))
    return restrict(Producer.objects.all(), user, VIEW).filter(Exists(products))


@dataclass(frozen=True)
class Criteria:
    """The filters of "choose by filters" (all optional; None = not filtered)."""

    star: int | None = None
    group: str = ""  # a product group of Phụ lục I (e.g. "1.1")
    classification_set: str = ""  # a product set (e.g. "B07")
    commune_id: int | None = None
    expires_before: dt.date | None = None
    expires_within: int | None = None  # days from today
    risk: bool = False


def filter_products(
    products: QuerySet[Product], criteria: Criteria, plan: InspectionPlan, today: dt.date | None = None
) -> QuerySet[Product]:
    """``products`` narrowed by ``criteria`` (star, group, set, commune, expiry, risk)."""
    day = today or clock.today()
    certificates = plan_certificates(plan, day).filter(product=OuterRef("pk"))
    if criteria.star is not None:
        products = products.filter(Exists(certificates.filter(star=criteria.star)))
    if criteria.group:
        sets = [s.code for s in classification.sets() if s.group == criteria.group]
        products = products.filter(classification_set__in=sets)
    if criteria.classification_set:
        products = products.filter(classification_set=criteria.classification_set)
    if criteria.commune_id is not None:
        products = products.filter(commune_id=criteria.commune_id)
    if criteria.expires_before is not None:
        products = products.filter(Exists(certificates.filter(expiry__lte=criteria.expires_before)))
    if criteria.expires_within is not None:
        last = day + dt.timedelta(days=criteria.expires_within)
        products = products.filter(Exists(certificates.filter(expiry__lte=last)))
    if criteria.risk:
        products = products.filter(risk_condition())
    return products


def risk_condition() -> Q:
    """A product at risk: an open scan signal, or a consumer report not yet closed."""
    signals = ScanSignal.objects.filter(product=OuterRef("pk"), status=SignalStatus.OPEN)
    reports = ConsumerReport.objects.filter(
        product=OuterRef("pk"), status__in=[ReportStatus.NEW, ReportStatus.IN_PROGRESS]
    )
    return Q(Exists(signals)) | Q(Exists(reports))


def in_plan(plan: InspectionPlan) -> QuerySet[Inspection]:
    """The plan's inspections that count (a cancelled one is out of the plan)."""
    return plan.inspections.exclude(status=InspectionStatus.CANCELLED)


# --- the plan's steps ------------------------------------------------------------------------------


def _refuse_closed(plan: InspectionPlan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("Kế hoạch đã kết thúc: không thay đổi được danh sách kiểm tra."))


def _locked(plan: InspectionPlan) -> InspectionPlan:
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the join to the province.
    return InspectionPlan.objects.select_for_update(of=("self",)).select_related("province").get(pk=plan.pk)


def _require(user: Any, action: str, obj: Any) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def evaluation_for(certificate: Certificate | None) -> Evaluation | None:
    """The closed evaluation that led to the certificate: its own, else the product's last closed
    evaluation with the same star before the issue (certificates recorded outside the workflow)."""
    if certificate is None:
        return None
    if certificate.evaluation_id is not None:
        own = certificate.evaluation
        return own if own.status == EvaluationStatus.CLOSED else None
    return (
        Evaluation.objects.filter(
            dossier__product_id=certificate.product_id,
            status=EvaluationStatus.CLOSED,
            star=certificate.star,
            closed_at__date__lte=certificate.issue_date,
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def add_producers(
    user: Any,
    plan: InspectionPlan,
    producers: Iterable[Producer],
    products: Sequence[Product] | None = None,
) -> list[Inspection]:
    """One planned inspection per producer not yet in the plan, with its products (see module doc).

    ``products``: the products to inspect (each producer's among them); None = every product of
    the producer the plan may inspect. Open scan signals of those products become PLANNED.
    Producers already in the plan are skipped, so adding twice adds nothing.
    """
    today = clock.today()
    with transaction.atomic():
        plan = _locked(plan)
        _require(user, CHANGE, plan)
        _refuse_closed(plan)
        producers = list(producers)
        wanted = {producer.pk for producer in producers}
        allowed = set(
            candidate_producers(user, plan, today).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        refused = [producer for producer in producers if producer.pk not in allowed]
        if refused:
            if restrict(Producer.objects.filter(pk__in=[p.pk for p in refused]), user, VIEW).count() < len(
                {p.pk for p in refused}
            ):
                raise PermissionDenied
            raise ValidationError(
                _("Chủ thể không có sản phẩm OCOP thuộc phạm vi kế hoạch này: %(names)s.")
                % {"names": ", ".join(str(p) for p in refused)}
            )
        eligible = candidate_products(user, plan, today)
        if products is not None:
            given = {product.pk for product in products}
            chosen = list(eligible.filter(pk__in=given, producer_id__in=wanted).order_by("sort_key", "pk"))
            if len(chosen) < len(given):
                raise ValidationError(
                    _("Có sản phẩm không thuộc các chủ thể đã chọn hoặc không thuộc phạm vi kế hoạch này.")
                )
        else:
            chosen = list(eligible.filter(producer_id__in=wanted).order_by("sort_key", "pk"))
        by_producer: dict[int, list[Product]] = {}
        for product in chosen:
            by_producer.setdefault(product.producer_id, []).append(product)
        # Each product's best valid certificate (highest star, latest), read at once.
        best: dict[int, Certificate] = {}
        for certificate in (
            plan_certificates(plan, today)
            .filter(product_id__in=[product.pk for product in chosen])
            .select_related("evaluation")
            .order_by("product_id", "-star", "-issue_date", "-pk")
        ):
            best.setdefault(certificate.product_id, certificate)
        present = set(in_plan(plan).filter(producer_id__in=wanted).values_list("producer_id", flat=True))
        created: list[Inspection] = []
        seen: set[int] = set()
        for producer in producers:
            if producer.pk in present or producer.pk in seen:
                continue
            seen.add(producer.pk)
            items = by_producer.get(producer.pk)
            if not items:
                raise ValidationError(
                    _("Hãy chọn ít nhất một sản phẩm của chủ thể “%(name)s”.") % {"name": producer}
                )
            inspection = Inspection(plan=plan, producer=producer, created_by=user)
            _require(user, ADD, inspection)
            inspection.full_clean()
            inspection._change_reason = _("Đưa vào kế hoạch “%(plan)s”") % {"plan": plan}
            inspection.save()
            for product in items:
                certificate = best.get(product.pk)
                row = InspectedProduct(
                    inspection=inspection,
                    product=product,
                    certificate=certificate,
                    evaluation=evaluation_for(certificate),
                )
                row.save()
            created.append(inspection)
        if created:
            planned = [p.pk for inspection in created for p in by_producer[inspection.producer_id]]
            for signal in ScanSignal.objects.filter(product_id__in=planned, status=SignalStatus.OPEN):
                signal.status = SignalStatus.PLANNED
                signal.handled_by = user
                signal.status_note = (_("Đưa vào kế hoạch kiểm tra “%(plan)s”") % {"plan": plan})[:500]
                signal._change_reason = signal.status_note
                signal.save(update_fields=["status", "handled_by", "status_note"])
        return created


def remove_inspection(user: Any, inspection: Inspection, reason: str = "") -> Inspection:
    """Take a still-planned inspection out of its plan (it is cancelled, kept in the history);
    the signals it had planned open again unless another planned inspection covers their product."""
    with transaction.atomic():
        plan = _locked(inspection.plan)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _require(user, CHANGE, plan)
        _require(user, CHANGE, inspection)
        _refuse_closed(plan)
        if inspection.status != InspectionStatus.PLANNED:
            raise ValidationError(_("Chỉ bỏ được cuộc kiểm tra chưa thực hiện khỏi kế hoạch."))
        inspection.status = InspectionStatus.CANCELLED
        inspection._change_reason = reason or _("Bỏ khỏi kế hoạch “%(plan)s”") % {"plan": plan}
        inspection.save(update_fields=["status", "updated"])
        products = list(inspection.inspected_products.values_list("product_id", flat=True))
        still = set(
            InspectedProduct.objects.filter(
                product_id__in=products, inspection__status=InspectionStatus.PLANNED
            ).values_list("product_id", flat=True)
        )
        for signal in ScanSignal.objects.filter(
            product_id__in=[pk for pk in products if pk not in still], status=SignalStatus.PLANNED
        ):
            signal.status = SignalStatus.OPEN
            signal.status_note = ""
            signal._change_reason = inspection._change_reason
            signal.save(update_fields=["status", "status_note"])
        return inspection


def _transition(user: Any, plan: InspectionPlan, source: str, target: str, message: str) -> InspectionPlan:
    with transaction.atomic():
        plan = _locked(plan)
        _require(user, CHANGE, plan)
        if plan.status != source:
            raise ValidationError(message)
        plan.status = target
        plan._change_reason = str(PlanStatus(target).label)
        plan.save(update_fields=["status", "updated"])
        return plan


def activate(user: Any, plan: InspectionPlan) -> InspectionPlan:
    """Dự thảo → Đang thực hiện."""
    return _transition(
        user, plan, PlanStatus.DRAFT, PlanStatus.ACTIVE, _("Chỉ kế hoạch dự thảo mới được đưa vào thực hiện.")
    )


def close(user: Any, plan: InspectionPlan) -> InspectionPlan:
    """Đang thực hiện → Đã kết thúc (the inspections still planned stay, shown as not done)."""
    return _transition(
        user, plan, PlanStatus.ACTIVE, PlanStatus.CLOSED, _("Chỉ kế hoạch đang thực hiện mới kết thúc được.")
    )


# --- progress ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    producers_planned: int
    producers_inspected: int
    products_planned: int
    products_inspected: int

    @staticmethod
    def percent(done: int, total: int) -> int:
        return round(100 * done / total) if total else 0

    @property
    def producers_percent(self) -> int:
        return self.percent(self.producers_inspected, self.producers_planned)

    @property
    def products_percent(self) -> int:
        return self.percent(self.products_inspected, self.products_planned)

    def as_dict(self) -> dict[str, int]:
        return {
            "producers_planned": self.producers_planned,
            "producers_inspected": self.producers_inspected,
            "products_planned": self.products_planned,
            "products_inspected": self.products_inspected,
        }


def progress_annotations() -> dict[str, Any]:
    """Annotations of a plan queryset: its progress figures, in the same statement."""
    counted = ~Q(inspections__status=InspectionStatus.CANCELLED)
    done = Q(inspections__status=InspectionStatus.DONE)
    return {
        "producers_planned": Count("inspections", filter=counted, distinct=True),
        "producers_inspected": Count("inspections", filter=done, distinct=True),
        "products_planned": Count("inspections__inspected_products", filter=counted, distinct=True),
        "products_inspected": Count("inspections__inspected_products", filter=done, distinct=True),
    }


def progress_of(plan: InspectionPlan) -> Progress:
    """The plan's figures: one query (or none when the plan came annotated)."""
    if hasattr(plan, "producers_planned"):
        return Progress(
            plan.producers_planned, plan.producers_inspected, plan.products_planned, plan.products_inspected
        )
    values = InspectionPlan.objects.filter(pk=plan.pk).aggregate(**progress_annotations())
    return Progress(**values)


def member_candidates(actor: Any, plan: InspectionPlan) -> QuerySet:
    """Officer accounts the actor may put on the plan's team: central officers, and the officers of
    the plan's province (a province plan: only those), within the actor's scope."""
    from ocop.accounts.models import User

    users = User.objects.filter(is_active=True, role__in=MEMBER_ROLES)
    province_officers = Q(role="province") & (
        Q(scope_unit_id=plan.province_id) | Q(scope_unit__current_province_id=plan.province_id)
    )
    if plan.level == PlanLevel.PROVINCE:
        users = users.filter(province_officers if plan.province_id else Q(pk__in=[]))
    elif plan.province_id:
        users = users.filter(Q(role="central") | province_officers)
    else:
        users = users.filter(role="central")
    return restrict(users, actor, VIEW).select_related("scope_unit").order_by("full_name", "username")


def may_create(user: Any, plan: InspectionPlan) -> bool:
    return can(user, ADD, plan)


def create_plan(user: Any, *, members: Sequence[Any] = (), **fields: Any) -> InspectionPlan:
    """A new draft plan (the API's; the page uses PlanForm with the same rules)."""
    with transaction.atomic():
        plan = InspectionPlan(created_by=user, **fields)
        if getattr(user, "role", None) == "central" and plan.level != PlanLevel.CENTRAL:
            raise ValidationError({"level": _("Cơ quan trung ương lập kế hoạch cấp trung ương.")})
        plan.full_clean()
        _require(user, ADD, plan)
        allowed = set(member_candidates(user, plan).values_list("pk", flat=True))
        if any(member.pk not in allowed for member in members):
            raise ValidationError({"members": _("Có cán bộ không thuộc tỉnh hoặc cấp của kế hoạch này.")})
        plan.save()
        plan.members.set(members)
        return plan
