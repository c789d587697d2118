"""Dossier forms (Art. 6–7): "Lập hồ sơ đánh giá", Mẫu 01 (registration), Mẫu 02 (self-assessment
with optional self-scores), evidence already on file, Mẫu 03 (the commune's assessment) and
returning a dossier; and how a workflow refusal is shown on a form (``add_errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.certification.models import Certificate
from ocop.core.formatting import format_date
from ocop.core.forms import CleanTextMixin
from ocop.core.scoping import VIEW, restrict
from ocop.documents.models import EvidenceDocument

from .. import criteria, workflow
from ..models import Dossier, DossierKind
from .common import points_text

TEXT_MAX = 20_000
TEXTAREA = {"class": "form-control", "rows": 4}
CONTROL = {"class": "form-control"}
RADIO = {"class": "form-check-input"}


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A workflow or model refusal shown on the form: per field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def sheet_choices(version: str = criteria.CURRENT_VERSION) -> list[tuple[str, str]]:
    """B01 … B26 with the titles the law prints."""
    codes = criteria.sheet_codes(version)
    return [(code, f"{code} · {criteria.get_sheet(version, code).title}") for code in codes]


class DossierCreateForm(CleanTextMixin, forms.Form):
    """“Lập hồ sơ đánh giá”: the kind (Mẫu 01, item 4) and the sheet (the product's bộ sản phẩm)."""

    kind = forms.ChoiceField(
        label=_("Lần đăng ký đánh giá"),
        choices=DossierKind.choices,
        initial=DossierKind.FIRST,
        widget=forms.RadioSelect(attrs=RADIO),
    )
    sheet = forms.ChoiceField(
        label=_("Phiếu đánh giá (bộ sản phẩm)"),
        choices=sheet_choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Mặc định là bộ sản phẩm đã phân loại của sản phẩm."),
    )
    previous_certificate = forms.ModelChoiceField(
        label=_("Giấy chứng nhận đang có"),
        queryset=Certificate.objects.none(),
        required=False,
        # Blank: the workflow takes the valid certificate, else (re-evaluation) the latest one.
        empty_label=_("— Tự chọn: giấy còn hiệu lực, nếu không có thì giấy gần nhất —"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Chỉ với hồ sơ nâng hạng hoặc đánh giá lại."),
    )

    def __init__(self, *args: Any, product: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        codes = criteria.sheet_codes()
        if product.classification_set in codes:
            self.fields["sheet"].initial = product.classification_set
        self.fields["previous_certificate"].queryset = restrict(
            Certificate.objects.filter(product=product), user, VIEW
        ).order_by("-issue_date", "-pk")
        self.fields["previous_certificate"].label_from_instance = lambda c: (
            f"{c.code} · {c.star}★ · {format_date(c.issue_date)} · {c.status_label}"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == DossierKind.FIRST:
            cleaned["previous_certificate"] = None  # a first evaluation follows no certificate
        return cleaned


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 .()-]{5,19}$",
    _("Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, dấu gạch ngang, dấu +)."),
)
# Mẫu 01 items, in the printed order: (key, label, field). Keys workflow requires are marked *.
REQUIRED_ON_SUBMIT = frozenset(key for key, _label in workflow.REGISTRATION_REQUIRED)


class RegistrationForm(CleanTextMixin, forms.Form):
    """Mẫu 01 — Phiếu đăng ký. Blank items may be saved; submitting needs those marked *."""

    unit_name = forms.CharField(label=_("Tên đơn vị"), max_length=255, required=False)
    applicant = forms.CharField(label=_("Họ tên người đại diện pháp lý"), max_length=150, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)
    address = forms.CharField(label=_("Địa chỉ liên hệ"), max_length=500, required=False)
    phone = forms.CharField(
        label=_("Điện thoại"), max_length=20, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        error_messages={"invalid": _("Địa chỉ email không hợp lệ.")},
    )
    product_name = forms.CharField(label=_("Tên sản phẩm"), max_length=255, required=False)
    product_group = forms.CharField(
        label=_("Nhóm sản phẩm đăng ký (ngành, nhóm, phân nhóm)"), max_length=255, required=False
    )
    samples = forms.IntegerField(
        label=_("Sản phẩm mẫu (số lượng)"),
        min_value=0,
        max_value=1000,
        required=False,
        error_messages={"invalid": _("Hãy nhập một số nguyên.")},
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        stored = dict(dossier.registration)
        product = dossier.product
        producer = product.producer  # the dossier's own producer: nobody else's record
        # What the registry already knows is offered, never put over what was saved (even blank).
        known = {
            "applicant": producer.representative_name,
            "position": producer.representative_position,
            "address": producer.address,
            "phone": producer.phone,
            "email": producer.email,
        }
        kwargs.setdefault(
            "initial",
            {
                "unit_name": producer.name,
                "product_name": product.name,
                "product_group": product.classification_label,
                **{key: value for key, value in known.items() if value},
                **stored,
            },
        )
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        # Offered from the producer record and not saved yet (the page says to save them).
        self.prefilled = [key for key, value in known.items() if value and key not in stored]
        for name, field in self.fields.items():
            field.widget.attrs.update(CONTROL)
            field.required_on_submit = name in REQUIRED_ON_SUBMIT
            if field.required_on_submit:
                field.widget.attrs["aria-describedby"] = "registration-required-note"
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["samples"].widget.attrs.update(inputmode="numeric")

    def registration(self) -> dict[str, Any]:
        """The stored Mẫu 01 with this form's items replaced (keys the form does not show are kept)."""
        values = {key: ("" if value is None else value) for key, value in self.cleaned_data.items()}
        return {**self.dossier.registration, **values}


SUMMARY_FIELDS: tuple[tuple[str, Any, Any], ...] = (
    (
        "summary",
        _("Phần I. Thông tin chung"),
        _(
            "Chủ thể, loại hình, người đại diện, sản phẩm và tiêu chuẩn, giấy tờ đã có, "
            "lịch sử hình thành, cơ cấu tổ chức."
        ),
    ),
    (
        "business_results",
        _("Phần II. Kết quả thực hiện phương án sản xuất kinh doanh"),
        _("Vùng nguyên liệu, công nghệ, thay đổi về chất lượng, bao bì, thị trường, doanh thu, lợi nhuận."),
    ),
    (
        "business_plan",
        _("Phần IV. Kế hoạch sản xuất, kinh doanh"),
        _("Định hướng phát triển sản phẩm, tổ chức sản xuất, thị trường trong thời gian tới."),
    ),
)


def score_field_name(code: str) -> str:
    return "score_" + code.replace(".", "_")


def option_label(option: criteria.Option) -> str:
    points = points_text(option.points)
    stars = f" ({'*' * option.min_star})" if option.min_star else ""
    return _("%(text)s — %(points)s điểm%(stars)s") % {"text": option.text, "points": points, "stars": stars}


class SelfAssessmentForm(CleanTextMixin, forms.Form):
    """Mẫu 02 — Báo cáo tự đánh giá: the narrative parts, and Phần III as an optional self-score."""

    def __init__(self, *args: Any, dossier: Dossier, sheet: criteria.Sheet | None, **kwargs: Any) -> None:
        stored = dossier.self_assessment
        initial = {key: stored.get(key, "") for key, _label, _help in SUMMARY_FIELDS}
        self.codes: dict[str, str] = {}
        for criterion in sheet.criteria if sheet else ():
            position = dossier.self_scores.get(criterion.code)
            initial[score_field_name(criterion.code)] = "" if position is None else str(position)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        for key, label, help_text in SUMMARY_FIELDS:
            self.fields[key] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea(attrs=TEXTAREA),
            )
        for criterion in sheet.criteria if sheet else ():
            name = score_field_name(criterion.code)
            self.codes[name] = criterion.code
            self.fields[name] = forms.ChoiceField(
                label=f"{criterion.code}. {criterion.name}",
                required=False,
                choices=[("", _("Chưa tự chấm"))]
                + [(str(o.position), option_label(o)) for o in criterion.options],
                widget=forms.RadioSelect(attrs=RADIO),
            )

    def self_assessment(self) -> dict[str, Any]:
        values = {key: self.cleaned_data.get(key, "") for key, _label, _help in SUMMARY_FIELDS}
        return {**self.dossier.self_assessment, **values}

    def self_scores(self) -> dict[str, int]:
        data = self.cleaned_data
        return {code: int(data[name]) for name, code in self.codes.items() if data.get(name)}

    def chosen(self) -> dict[str, int]:
        """The self-scores ticked as the page shows them: the posted ones (anything that is not an
        option skipped, for the live summary), else the stored ones."""
        if not self.is_bound:
            return {code: int(p) for code, p in self.dossier.self_scores.items() if str(p).isdigit()}
        chosen = {}
        for name, code in self.codes.items():
            raw = str(self.data.get(self.add_prefix(name), "")).strip()
            if raw.isdigit() and str(raw) in {str(value) for value, _label in self.fields[name].choices}:
                chosen[code] = int(raw)
        return chosen

    def missing_parts(self) -> list[str]:
        """The parts of the report (I, II, IV) left empty, by name (call after is_valid())."""
        return [
            str(label)
            for key, label, _help in SUMMARY_FIELDS
            if not str(self.cleaned_data.get(key) or "").strip()
        ]


def producer_documents(dossier: Dossier, user: Any) -> QuerySet[EvidenceDocument]:
    """Evidence on file the user may see for the dossier's product: its own, the producer's general ones."""
    product = dossier.product
    documents = EvidenceDocument.objects.filter(
        Q(product=product) | Q(producer_id=product.producer_id, product__isnull=True)
    )
    return restrict(documents, user, VIEW).order_by("doc_type", "-issue_date", "pk")


def document_label(document: EvidenceDocument) -> str:
    parts = [f"{document.get_doc_type_display()}: {document.title}"]
    if document.number:
        parts.append(_("số %(number)s") % {"number": document.number})
    if document.expiry_date:
        parts.append(_("hết hạn %(day)s") % {"day": format_date(document.expiry_date)})
    return " · ".join(parts)


class EvidenceAttachForm(CleanTextMixin, forms.Form):
    """Reuse a document already on file (never a new upload) for a criterion, or for the whole dossier."""

    document = forms.ModelChoiceField(
        label=_("Giấy tờ đã có"),
        queryset=EvidenceDocument.objects.none(),
        empty_label=_("— Chọn giấy tờ —"),
        error_messages={
            "required": _("Hãy chọn một giấy tờ."),
            "invalid_choice": _("Giấy tờ này không có trong hồ sơ minh chứng của chủ thể."),
        },
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    criterion = forms.ChoiceField(
        label=_("Cho tiêu chí"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(
        self, *args: Any, dossier: Dossier, sheet: criteria.Sheet | None, user: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = producer_documents(dossier, user)
        self.fields["document"].label_from_instance = document_label
        self.fields["criterion"].choices = [("", _("Chung cho cả hồ sơ"))] + [
            (c.code, f"{c.code}. {c.name}") for c in (sheet.criteria if sheet else ())
        ]


MEETS_CHOICES = (("yes", _("Đạt")), ("no", _("Chưa đạt")))


class CommuneAssessmentForm(CleanTextMixin, forms.Form):
    """Mẫu 03 — the commune's four items (Art. 7.2), each an assessment and whether it is met."""

    conclusion = forms.CharField(
        label=_("Kết luận, đề nghị của UBND cấp xã"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        stored: Mapping[str, Any] = dossier.commune_assessment or {}
        initial: dict[str, Any] = {"conclusion": stored.get("conclusion", "")}
        for key, _label in workflow.COMMUNE_ITEMS:
            item = stored.get(key) or {}
            initial[f"{key}_text"] = item.get("text", "")
            initial[f"{key}_meets"] = {True: "yes", False: "no"}.get(item.get("meets"), "")
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        conclusion = self.fields.pop("conclusion")
        self.items: list[tuple[str, str]] = []
        for number, (key, label) in enumerate(workflow.COMMUNE_ITEMS, 1):
            title = f"{number}. {_(label)}"
            self.items.append((key, title))
            self.fields[f"{key}_text"] = forms.CharField(
                label=title, required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs=TEXTAREA)
            )
            self.fields[f"{key}_meets"] = forms.ChoiceField(
                label=_("Kết quả: %(item)s") % {"item": _(label)},
                required=False,
                choices=MEETS_CHOICES,
                widget=forms.RadioSelect(attrs=RADIO),
            )
        self.fields["conclusion"] = conclusion

    def item_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(title, self[f"{key}_text"], self[f"{key}_meets"]) for key, title in self.items]

    def assessment(self) -> dict[str, Any]:
        data: dict[str, Any] = {"conclusion": self.cleaned_data.get("conclusion", "")}
        for key, _title in self.items:
            meets = self.cleaned_data.get(f"{key}_meets")
            data[key] = {
                "text": self.cleaned_data.get(f"{key}_text", ""),
                "meets": {"yes": True, "no": False}.get(meets),
            }
        return data


class ReturnForm(CleanTextMixin, forms.Form):
    """“Trả hồ sơ – cần bổ sung”: what the producer must add, required (it is shown to them)."""

    comment = forms.CharField(
        label=_("Nội dung cần bổ sung"),
        max_length=5000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 3}),
        error_messages={"required": _("Hãy ghi rõ nội dung cần bổ sung.")},
    )

    def clean_comment(self) -> str:
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise ValidationError(_("Hãy ghi rõ nội dung cần bổ sung."))
        return comment
