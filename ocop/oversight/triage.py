"""Triage of consumers' reports by the officers of the province concerned (or the national agency).

Two steps, each checking the acting user, locking and reloading the report, and writing in one
transaction (``StepError`` with a message when refused, PermissionDenied out of scope):

- ``link``: the report is taken up in an inspection of the same producer (or, for a report whose
  product is unknown, of the same province); it becomes "in progress";
- ``close``: the report is closed with a reason, which is also the outcome the reporter reads with
  the receipt code unless the officer writes a separate public outcome.

Also ``inspection_choices`` (the inspections a report may be linked to) and ``plan_choices`` (the
active plans the report's producer may be added to, ``oversight:plan_add_producers``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ocop.certification.steps import StepError, fresh, require
from ocop.core.scoping import CHANGE, VIEW, can

from .models import ConsumerReport, Inspection, InspectionPlan, InspectionStatus, PlanStatus, ReportStatus

__all__ = ["StepError", "close", "inspection_choices", "link", "plan_choices"]

CHOICES_LIMIT = 100


def _producer_id(report: ConsumerReport) -> int | None:
    return report.product.producer_id if report.product_id is not None else None


def inspection_choices(user: Any, report: ConsumerReport) -> QuerySet[Inspection]:
    """Inspections in the user's scope about the report's producer, else in its province (not cancelled)."""
    inspections = Inspection.objects.restrict(user, VIEW).exclude(status=InspectionStatus.CANCELLED)
    producer_id = _producer_id(report)
    if producer_id is not None:
        inspections = inspections.filter(producer_id=producer_id)
    elif report.province_id is not None:
        inspections = inspections.filter(producer__province_id=report.province_id)
    else:
        inspections = inspections.none()
    # The latest ones, as a filterable queryset (a form validates the choice against it).
    latest = inspections.order_by("-pk").values("pk")[:CHOICES_LIMIT]
    return Inspection.objects.filter(pk__in=latest).select_related("producer", "plan").order_by("-pk")


def plan_choices(user: Any, report: ConsumerReport) -> QuerySet[InspectionPlan]:
    """Active plans the user may change that cover the report's producer (its province's, or the
    Ministry's nationwide ones); none when the producer is unknown."""
    producer_id = _producer_id(report)
    if producer_id is None:
        return InspectionPlan.objects.none()
    province_id = report.product.province_id
    return (
        InspectionPlan.objects.restrict(user, CHANGE)
        .filter(status=PlanStatus.ACTIVE)
        .filter(Q(province_id=province_id) | Q(province__isnull=True))
        .order_by("-starts_on", "-pk")[:CHOICES_LIMIT]
    )


def _may_handle(user: Any, report: ConsumerReport) -> None:
    if not can(user, CHANGE, report):
        raise PermissionDenied


@transaction.atomic
def link(user: Any, report: ConsumerReport, inspection: Inspection) -> ConsumerReport:
    """Take the report up in ``inspection``: status "in progress", the inspection recorded."""
    _may_handle(user, report)
    fresh(report)
    _may_handle(user, report)
    require(report.status != ReportStatus.CLOSED, _("Phản ánh đã đóng, không đưa vào kiểm tra được nữa."))
    if not can(user, VIEW, inspection):
        raise PermissionDenied
    require(
        inspection.status != InspectionStatus.CANCELLED,
        _("Cuộc kiểm tra này đã hủy; hãy chọn cuộc kiểm tra khác."),
    )
    producer_id = _producer_id(report)
    if producer_id is not None:
        require(
            inspection.producer_id == producer_id,
            _("Cuộc kiểm tra phải là của chủ thể sản xuất sản phẩm bị phản ánh."),
        )
    else:
        require(
            report.province_id is not None and inspection.producer.province_id == report.province_id,
            _("Cuộc kiểm tra phải thuộc tỉnh xử lý phản ánh."),
        )
    report.inspection = inspection
    report.status = ReportStatus.IN_PROGRESS
    report.handled_by = user
    report._change_reason = _("Đưa vào cuộc kiểm tra: %(inspection)s") % {"inspection": inspection}
    report.save(update_fields=["inspection", "status", "handled_by", "updated"])
    return report


@transaction.atomic
def close(user: Any, report: ConsumerReport, reason: str, outcome: str = "") -> ConsumerReport:
    """Close the report. ``reason`` is required and kept in the history; the reporter reads
    ``outcome``, or the reason when no separate outcome is written."""
    _may_handle(user, report)
    reason, outcome = (reason or "").strip(), (outcome or "").strip()
    require(bool(reason), _("Hãy ghi lý do đóng phản ánh."))
    fresh(report)
    _may_handle(user, report)
    require(report.status != ReportStatus.CLOSED, _("Phản ánh đã đóng."))
    report.status = ReportStatus.CLOSED
    report.outcome = outcome or reason
    report.handled_by = user
    report._change_reason = reason
    report.save(update_fields=["status", "outcome", "handled_by", "updated"])
    return report
