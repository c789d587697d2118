"""The phone form of an inspection on site (``views.inspections.record``): the visit, one small
form per checklist line and per product, the photos; ``record_data`` turns the bound forms into
the ``data``/``files`` of ``steps.save_record``.

Field names: the visit's own fields; ``f<finding id>-answer``, ``f<id>-note``, ``f<id>-photos``;
``p<inspected-product id>-outcome``, ``-ground``, ``-corrective_actions``, ``-deadline``;
``photos`` (the inspection as a whole); ``submission_key``; ``signature`` (a PNG data URL).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.core.forms import BootstrapFormMixin

from ..models import Answer, Outcome
from ..models.inspections import InspectionGround

# The three answers the team taps on site (the model's labels are for lists and the minutes).
ANSWER_BUTTONS = (
    (Answer.AS_EVALUATED.value, _("Vẫn như khi đánh giá")),
    (Answer.CHANGED.value, _("Có thay đổi")),
    (Answer.NOT_MET.value, _("Không còn đáp ứng")),
)


class VisitForm(BootstrapFormMixin, forms.Form):
    inspected_on = forms.DateField(label=_("Ngày kiểm tra"), required=False)
    location = forms.CharField(label=_("Địa điểm kiểm tra"), max_length=255, required=False)
    inspectors = forms.CharField(
        label=_("Đoàn kiểm tra có mặt"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    inspected_person = forms.CharField(
        label=_("Đại diện chủ thể làm việc với đoàn"),
        max_length=255,
        required=False,
        help_text=_("Họ tên, chức vụ."),
    )
    summary = forms.CharField(
        label=_("Nhận xét chung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput, max_length=600_000)
    signature_refused = forms.BooleanField(label=_("Chủ thể từ chối ký biên bản"), required=False)
    refusal_note = forms.CharField(label=_("Lý do từ chối ký"), max_length=500, required=False)
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class FindingForm(BootstrapFormMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Kết quả"), choices=ANSWER_BUTTONS, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Kết luận"), choices=Outcome.choices, required=False, widget=forms.RadioSelect
    )
    ground = forms.ChoiceField(
        label=_("Căn cứ thu hồi (Điều 8.1)"),
        choices=[("", "—"), *InspectionGround.choices],
        required=False,
    )
    corrective_actions = forms.CharField(
        label=_("Yêu cầu khắc phục"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("Hạn khắc phục"), required=False)


def visit_initial(inspection: Any) -> dict[str, Any]:
    return {
        "inspected_on": inspection.inspected_on,
        "location": inspection.location or inspection.producer.address,
        "inspectors": inspection.inspectors or inspection.plan.team,
        "inspected_person": inspection.inspected_person,
        "summary": inspection.summary,
        "signature_refused": inspection.signature_refused,
        "refusal_note": inspection.refusal_note,
    }


def build_forms(inspection: Any, findings: list[Any], items: list[Any], post: Any = None) -> dict[str, Any]:
    """The visit form and one form per finding and per product, bound to ``post`` when given."""
    visit = VisitForm(post, initial=visit_initial(inspection))
    finding_forms = {
        finding.pk: FindingForm(
            post, prefix=f"f{finding.pk}", initial={"answer": finding.answer, "note": finding.note}
        )
        for finding in findings
    }
    outcome_forms = {
        item.pk: OutcomeForm(
            post,
            prefix=f"p{item.pk}",
            initial={
                "outcome": item.outcome,
                "ground": item.ground,
                "corrective_actions": item.corrective_actions,
                "deadline": item.deadline,
            },
        )
        for item in items
    }
    return {"visit": visit, "findings": finding_forms, "outcomes": outcome_forms}


def record_data(bound: dict[str, Any], files: Any) -> tuple[dict[str, Any], dict[Any, list[Any]]]:
    """``data`` and ``files`` for ``steps.save_record`` from valid bound forms."""
    visit = bound["visit"].cleaned_data
    data: dict[str, Any] = {
        name: visit[name]
        for name in (
            "inspected_on",
            "location",
            "inspectors",
            "inspected_person",
            "summary",
            "signature",
            "signature_refused",
            "refusal_note",
        )
    }
    data["findings"] = {pk: form.cleaned_data for pk, form in bound["findings"].items()}
    data["products"] = {pk: form.cleaned_data for pk, form in bound["outcomes"].items()}
    uploads: dict[Any, list[Any]] = {}
    general = files.getlist("photos")
    if general:
        uploads[None] = general
    for pk in bound["findings"]:
        chosen = files.getlist(f"f{pk}-photos")
        if chosen:
            uploads[pk] = chosen
    return data, uploads


def attach_errors(bound: dict[str, Any], errors: dict[str, list[str]]) -> list[str]:
    """Put a step's refusals on the fields they name; returns those that name no field."""
    general: list[str] = []
    for key, messages in errors.items():
        target = None
        name = None
        if key.startswith("finding-"):
            target, name = bound["findings"].get(_int(key.removeprefix("finding-"))), "note"
        elif key.startswith("product-"):
            pk, _sep, field = key.removeprefix("product-").partition("-")
            target = bound["outcomes"].get(_int(pk))
            name = field if target is not None and field in target.fields else None
        elif key in bound["visit"].fields:
            target, name = bound["visit"], key
        if target is not None and name:
            for message in messages:
                target.add_error(name, message)
        else:
            general.extend(messages)
    return general


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
