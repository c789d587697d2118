"""Inspections on site: one inspection's page, the phone form that records it, its minutes (PDF),
its photos and the inspected person's signature (private files, served after a scope check).

/oversight/inspections/<pk>/              inspection_detail   (whoever may view it; producers: their own)
/oversight/inspections/<pk>/record/       inspection_record   (the phone form; officers who may change it)
/oversight/inspections/<pk>/minutes.pdf   inspection_minutes  (biên bản kiểm tra)
/oversight/inspections/<pk>/signature.png inspection_signature
/oversight/attachments/<pk>/              attachment_download
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.scoping import CHANGE, VIEW, can, get_restricted_object_or_404, role_required
from ocop.documents import filetypes
from ocop.documents.uploads import file_response

from .. import checklist, minutes, steps
from ..forms.inspections import ANSWER_BUTTONS, attach_errors, build_forms, record_data
from ..models import Attachment, Inspection, InspectionStatus, Outcome, PlanKind, PlanStatus


def _inspections():
    return Inspection.objects.select_related(
        "plan", "plan__province", "producer", "producer__province", "producer__commune", "concluded_by"
    )


def _items(inspection: Inspection) -> list[Any]:
    return list(
        inspection.inspected_products.select_related("product", "certificate", "evaluation__round").order_by(
            "product__sort_key", "pk"
        )
    )


def may_record(user: Any, inspection: Inspection) -> bool:
    return (
        can(user, CHANGE, inspection)
        and inspection.status == InspectionStatus.PLANNED
        and inspection.plan.status == PlanStatus.ACTIVE
    )


def _blocks(
    inspection: Inspection, items: list[Any], forms: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Per product: its checklist lines (with their photos and forms) and its outcome."""
    attachments = defaultdict(list)
    for attachment in inspection.attachments.all():
        attachments[attachment.finding_id].append(attachment)
    by_product = defaultdict(list)
    for finding in inspection.findings.order_by("position", "pk"):
        by_product[finding.product_id].append(
            {
                "finding": finding,
                "label": checklist.shown_label(finding),
                "attachments": attachments.get(finding.pk, []),
                "form": forms["findings"].get(finding.pk) if forms else None,
            }
        )
    return [
        {
            "item": item,
            "lines": by_product.get(item.product_id, []),
            "form": forms["outcomes"].get(item.pk) if forms else None,
        }
        for item in items
    ]


def _plan_url(user: Any, inspection: Inspection) -> str:
    # The plans' pages are another part's: linked once they exist and the user may see the plan.
    if not can(user, VIEW, inspection.plan):
        return ""
    try:
        return reverse("oversight:plan_detail", args=[inspection.plan_id])
    except NoReverseMatch:
        return ""


@role_required(Inspection, VIEW)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_restricted_object_or_404(_inspections(), request.user, VIEW, pk=pk)
    items = _items(inspection)
    general = [a for a in inspection.attachments.all() if a.finding_id is None]
    context = {
        "inspection": inspection,
        "object": inspection,
        "blocks": _blocks(inspection, items),
        "general_attachments": general,
        "may_record": may_record(request.user, inspection),
        "plan_url": _plan_url(request.user, inspection),
    }
    return render(request, "oversight/inspection_detail.html", context)


def outcome_choices(inspection: Inspection) -> list[tuple[str, str]]:
    """The outcomes offered: asking the province to evaluate again only in a review (Art. 10.1.b)."""
    review = inspection.plan.kind == PlanKind.EVALUATION_REVIEW
    return [(value, label) for value, label in Outcome.choices if review or value != Outcome.REEVALUATION]


def _record_context(
    inspection: Inspection, items: list[Any], forms: dict[str, Any], errors: list[str]
) -> dict:
    return {
        "inspection": inspection,
        "blocks": _blocks(inspection, items, forms),
        "visit": forms["visit"],
        "general_attachments": [a for a in inspection.attachments.all() if a.finding_id is None],
        "answer_buttons": ANSWER_BUTTONS,
        "outcomes": outcome_choices(inspection),
        "errors": errors,
        # A new key for every page: a retry of *this* page's submission is recognised, while a
        # page shown after a save (with errors to fix) is a new submission.
        "submission_key": uuid.uuid4(),
    }


def _refusals(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


@role_required(Inspection, CHANGE)
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: draft saves ("Lưu") any number of times, then "Kết luận" (confirmed) once."""
    inspection = get_restricted_object_or_404(_inspections(), request.user, CHANGE, pk=pk)
    if request.method != "POST":
        if not may_record(request.user, inspection):
            if inspection.status == InspectionStatus.DONE:
                messages.info(request, _("Cuộc kiểm tra đã kết luận: biên bản chỉ còn để xem."))
            else:
                messages.error(request, _("Kế hoạch kiểm tra chưa được triển khai hoặc đã kết thúc."))
            return redirect(inspection.get_absolute_url())
        checklist.build(inspection)
        items = _items(inspection)
        forms = build_forms(inspection, list(inspection.findings.all()), items)
        return render(
            request, "oversight/inspection_record.html", _record_context(inspection, items, forms, [])
        )

    items = _items(inspection)
    forms = build_forms(inspection, list(inspection.findings.all()), items, post=request.POST)
    valid = [
        form.is_valid() for form in (forms["visit"], *forms["findings"].values(), *forms["outcomes"].values())
    ]
    if not all(valid):
        return _invalid(request, inspection, items, forms, [])
    data, files = record_data(forms, request.FILES)
    key = str(forms["visit"].cleaned_data["submission_key"] or "")
    concluding = "conclude" in request.POST or is_confirmed(request)
    try:
        inspection = steps.save_record(request.user, inspection, data=data, files=files, submission_key=key)
    except ValidationError as error:
        return _invalid(request, inspection, items, forms, attach_errors(forms, _refusals(error)))
    if not concluding:
        if inspection.replayed:
            messages.info(request, _("Biên bản này đã được lưu ở lần gửi trước; không lưu lại lần nữa."))
        else:
            messages.success(request, _("Đã lưu biên bản kiểm tra (chưa kết luận)."))
        return redirect("oversight:inspection_record", pk=inspection.pk)
    if inspection.status == InspectionStatus.DONE:  # a retried conclusion that went through
        return redirect(inspection.get_absolute_url())
    if not is_confirmed(request):
        refusals = steps.conclusion_refusals(inspection, _items(inspection))
        if refusals:
            items = _items(inspection)
            forms = build_forms(inspection, list(inspection.findings.all()), items, post=request.POST)
            for form in (forms["visit"], *forms["findings"].values(), *forms["outcomes"].values()):
                form.is_valid()
            return _invalid(request, inspection, items, forms, attach_errors(forms, refusals))
        return confirmation_page(request, _confirmation(inspection))
    try:
        steps.conclude(request.user, inspection, outcomes=data["products"], submission_key=key)
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in _refusals(error).values() for m in ms))
        return redirect("oversight:inspection_record", pk=inspection.pk)
    messages.success(request, _("Đã kết luận cuộc kiểm tra."))
    return redirect(inspection.get_absolute_url())


def _invalid(
    request: HttpRequest, inspection: Inspection, items: list[Any], forms: dict, errors: list[str]
) -> HttpResponse:
    if not errors:
        errors = [_("Chưa lưu được: hãy xem các mục được đánh dấu bên dưới.")]
    if request.FILES and inspection.submission_key != request.POST.get("submission_key"):
        # A browser never sends chosen files again: say so rather than let them be forgotten.
        errors = [*errors, _("Ảnh, tài liệu đã chọn chưa được lưu: hãy chọn lại sau khi sửa.")]
    context = _record_context(inspection, items, forms, errors)
    return render(request, "oversight/inspection_record.html", context, status=400)


def _confirmation(inspection: Inspection) -> Confirmation:
    items = _items(inspection)
    outcome = steps.gravest([item.outcome for item in items])
    return Confirmation(
        title=_("Kết luận cuộc kiểm tra"),
        subject=str(inspection),
        consequences=[
            _("Kết luận của từng sản phẩm được ghi vào biên bản; biên bản không sửa được nữa."),
            _(
                "Cảnh báo được theo dõi đến hạn khắc phục; "
                "đề nghị thu hồi mở thủ tục thu hồi giấy chứng nhận."
            ),
        ],
        cancel_url=reverse("oversight:inspection_record", args=[inspection.pk]),
        details=[
            (_("Kết luận chung"), str(Outcome(outcome).label) if outcome else "—"),
            *((str(item.product), str(item.get_outcome_display())) for item in items),
        ],
        warning=_("Có sản phẩm bị đề nghị thu hồi hoặc đưa ra khỏi chương trình.")
        if outcome in (Outcome.REVOCATION, Outcome.REMOVAL)
        else "",
    )


@role_required(Inspection, VIEW)
def inspection_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Biên bản kiểm tra (PDF)."""
    inspection = get_restricted_object_or_404(_inspections(), request.user, VIEW, pk=pk)
    content = minutes.minutes_pdf(inspection, request.user)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-kiem-tra-{inspection.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class _Stored:
    """What ``documents.uploads.file_response`` needs of a stored file (kind, file, original name)."""

    def __init__(self, file: Any, content_type: str, original_name: str) -> None:
        self.file = file
        self.kind = filetypes.BY_CONTENT_TYPE.get(content_type)
        self.original_name = original_name


@role_required(Attachment, VIEW)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_restricted_object_or_404(Attachment.objects.all(), request.user, VIEW, pk=pk)
    return file_response(_Stored(attachment.file, attachment.content_type, attachment.original_name))


@role_required(Inspection, VIEW)
def inspection_signature(request: HttpRequest, pk: int) -> FileResponse:
    inspection = get_restricted_object_or_404(Inspection.objects.all(), request.user, VIEW, pk=pk)
    if not inspection.signature:
        raise Http404
    return file_response(_Stored(inspection.signature, "image/png", f"chu-ky-{inspection.pk}.png"))
