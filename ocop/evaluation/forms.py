"""Forms of the council pages: opening a round, seating members, putting dossiers before the council,
the conflict declaration, the score sheet (rendered from the criteria data), the agreed sheet and
the recognition decision.

Forms only collect and check input; every step is taken by ocop.evaluation.workflow. Querysets of
choices are restricted with ocop.core.scoping for the acting user, so a posted id outside the
user's scope is an invalid choice, never a way around the scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.certification.forms import MINISTRY
from ocop.certification.models import Certificate
from ocop.core import clock
from ocop.core.formatting import format_date, format_number
from ocop.core.forms import BootstrapFormMixin
from ocop.core.scoping import CENTRAL, CHANGE, COUNCIL, PROVINCE, VIEW, restrict
from ocop.documents.models import EvidenceDocument
from ocop.registry.forms import allowed_provinces

from . import criteria, workflow
from .models import Dossier, DossierKind, DossierStatus, Evaluation, Level, MemberRole, Round

DATE_WIDGET = {"type": "date"}


def points_text(value: Any) -> str:
    """Points as printed on the sheet, with a decimal comma: 3, 0,5."""
    return format_number(criteria.points_json(value))


# --- rounds and councils -------------------------------------------------------------------------


class RoundOpenForm(BootstrapFormMixin, forms.Form):
    """Mở đợt đánh giá: a province office opens its province's rounds, the Ministry central ones."""

    level = forms.ChoiceField(label=_("Cấp"), choices=Level.choices, initial=Level.PROVINCE)
    province = forms.ModelChoiceField(label=_("Tỉnh/thành phố"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2018, max_value=2100)
    number = forms.IntegerField(
        label=_("Đợt"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("Đợt 1, 2 có thời hạn theo Điều 5; từ đợt 3 là đợt bổ sung."),
    )
    name = forms.CharField(label=_("Tên đợt"), max_length=200, required=False)
    proposals_by = forms.DateField(
        label=_("Nhận hồ sơ đề nghị đến ngày"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Bắt buộc với đợt bổ sung; để trống ở đợt 1, 2 để dùng thời hạn theo Điều 5."),
    )
    closes_by = forms.DateField(
        label=_("Hoàn thành trước ngày"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Bắt buộc với đợt bổ sung; để trống ở đợt 1, 2 để dùng thời hạn theo Điều 5."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = allowed_provinces(actor)
        self.fields["province"].queryset = provinces
        self.fields["province"].label_from_instance = lambda unit: unit.name
        if getattr(actor, "role", "") not in ("admin", CENTRAL):
            # Only the Ministry holds central rounds; a province office opens its own.
            self.fields["level"].choices = [(Level.PROVINCE.value, Level.PROVINCE.label)]
        if actor.scope_province_id:
            self.initial.setdefault("province", actor.scope_province_id)
        self.initial.setdefault("year", clock.today().year)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("level") == Level.PROVINCE and cleaned.get("province") is None:
            self.add_error("province", _("Hãy chọn tỉnh của đợt đánh giá."))
        if (cleaned.get("number") or 0) >= 3:
            for field in ("proposals_by", "closes_by"):
                if cleaned.get(field) is None and field not in self.errors:
                    self.add_error(field, _("Đợt bổ sung cần ngày này (theo kế hoạch của tỉnh)."))
        return cleaned

    def step_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "level": data["level"],
            "year": data["year"],
            "number": data["number"],
            "province": data["province"] if data["level"] == Level.PROVINCE else None,
            "name": data["name"].strip(),
            "proposals_by": data.get("proposals_by"),
            "closes_by": data.get("closes_by"),
        }


def member_candidates(actor: Any, round_: Round) -> QuerySet:
    """Active accounts that may sit on this round's council, within the actor's scope.

    Council, province and central accounts; for a provincial round only those of its province.
    """
    users = get_user_model().objects.filter(is_active=True, role__in=[COUNCIL, PROVINCE, CENTRAL])
    users = restrict(users, actor, VIEW)
    if round_.level == Level.PROVINCE:
        users = users.filter(scope_unit__current_province=round_.province_id)
    return (
        users.exclude(council_seats__round=round_)
        .select_related("scope_unit")
        .order_by("full_name", "username")
    )


class MemberAddForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Tài khoản"), queryset=None)
    role = forms.ChoiceField(label=_("Vai trò trong hội đồng"), choices=MemberRole.choices)
    department = forms.CharField(
        label=_("Cơ quan"), max_length=200, required=False, help_text=_("Ví dụ: Sở Công Thương, Sở Y tế.")
    )

    def __init__(self, *args: Any, actor: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = member_candidates(actor, round_)
        self.fields["user"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.username} · {user.get_role_display()})"
        )
        self.fields["role"].initial = MemberRole.MEMBER


def dossier_candidates(actor: Any, round_: Round) -> QuerySet[Dossier]:
    """Dossiers the office may put before this round's council (forwarded, or proposed to the Ministry)."""
    if round_.level == Level.PROVINCE:
        dossiers = Dossier.objects.filter(
            status=DossierStatus.FORWARDED, product__province=round_.province_id
        )
    else:
        dossiers = Dossier.objects.filter(status=DossierStatus.CENTRAL, round__isnull=True)
    return (
        restrict(dossiers, actor, CHANGE)
        .select_related("product__producer", "product__commune", "product__province")
        .order_by("forwarded_on", "pk")
    )


class DossierAddForm(BootstrapFormMixin, forms.Form):
    dossier = forms.ModelChoiceField(label=_("Hồ sơ"), queryset=None)
    advisory_review = forms.CharField(
        label=_("Ý kiến tổ tư vấn"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, actor: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = dossier_candidates(actor, round_)


class RecognitionForm(BootstrapFormMixin, forms.Form):
    """Trình quyết định công nhận: one decision over the chosen results (the star comes from each)."""

    evaluations = forms.ModelMultipleChoiceField(
        label=_("Sản phẩm được công nhận"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    number = forms.CharField(label=_("Số quyết định"), max_length=60, help_text=_("Ví dụ: 1887/QĐ-UBND."))
    date = forms.DateField(label=_("Ngày ban hành"), widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"))
    authority = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    issue_date = forms.DateField(
        label=_("Ngày cấp giấy chứng nhận"),
        required=False,
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
        help_text=_("Để trống: cùng ngày ban hành quyết định."),
    )

    def __init__(self, *args: Any, queryset: QuerySet[Evaluation], round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluations"].queryset = queryset
        if round_.level == Level.CENTRAL:
            self.initial.setdefault("authority", MINISTRY)
        elif round_.province is not None:
            self.initial.setdefault("authority", f"UBND {round_.province.name}")


# --- the conflict declaration and the sheets -----------------------------------------------------


class DeclarationForm(BootstrapFormMixin, forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Bạn có xung đột lợi ích với chủ thể hoặc sản phẩm này không?"),
        choices=[("no", _("Không có xung đột lợi ích")), ("yes", _("Có xung đột lợi ích"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Giải trình (khi có xung đột)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def field_name(code: str) -> str:
    """The form field of a criterion: "1.1" → "c1_1" (no dots: ids stay usable as CSS selectors)."""
    return "c" + code.replace(".", "_")


class SheetForm(forms.Form):
    """A scoring sheet: one radio group per criterion, in printed order.

    Incomplete sheets are valid here (a draft may be partial; a stop rule ends scoring early): the
    workflow decides whether a sheet can be sent.
    """

    def __init__(
        self,
        sheet: criteria.Sheet,
        *args: Any,
        answers: Mapping[str, int] | None = None,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.read_only = read_only
        for criterion in sheet.criteria:
            name = field_name(criterion.code)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{criterion.code}. {criterion.name}",
                choices=[(option.position, option.text) for option in criterion.options],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                disabled=read_only,
            )
            if answers and criterion.code in answers:
                self.initial[name] = answers[criterion.code]

    def answers(self) -> dict[str, int]:
        """{criterion code: option position} of the answered criteria (call after is_valid())."""
        return {
            criterion.code: self.cleaned_data[field_name(criterion.code)]
            for criterion in self.sheet.criteria
            if self.cleaned_data.get(field_name(criterion.code)) is not None
        }

    def lenient_answers(self) -> dict[str, int]:
        """The answers as posted, skipping anything that is not an option (for live previews)."""
        answers = {}
        for criterion in self.sheet.criteria:
            raw = str(self.data.get(self.add_prefix(field_name(criterion.code)), "")).strip()
            if raw.isdigit() and 1 <= int(raw) <= len(criterion.options):
                answers[criterion.code] = int(raw)
        return answers

    def chosen(self) -> dict[str, int]:
        """The option ticked per criterion as the page shows it (posted data, else the saved answers)."""
        if self.is_bound:
            return self.lenient_answers()
        return {code: int(value) for code, value in self._initial_answers().items()}

    def _initial_answers(self) -> dict[str, Any]:
        return {
            criterion.code: self.initial[field_name(criterion.code)]
            for criterion in self.sheet.criteria
            if self.initial.get(field_name(criterion.code)) not in (None, "")
        }

    def layout(self) -> list[dict[str, Any]]:
        """Parts → sections → rows for the template: each row a criterion with its options."""
        chosen = self.chosen()
        knockouts_at: dict[str, list[criteria.Knockout]] = {}
        for knockout in self.sheet.knockouts:
            if knockout.criterion:
                knockouts_at.setdefault(knockout.criterion, []).append(knockout)
        parts = []
        for part in self.sheet.parts:
            sections = []
            for section in part.sections:
                rows = []
                for criterion in section.criteria:
                    bound = self[field_name(criterion.code)]
                    rows.append(
                        {
                            "criterion": criterion,
                            "name": bound.html_name,
                            "id": bound.auto_id,
                            "max": points_text(criterion.max),
                            "errors": bound.errors,
                            "knockouts": knockouts_at.get(criterion.code, []),
                            "options": [
                                {
                                    "option": option,
                                    "id": f"{bound.auto_id}_{option.position}",
                                    "points": points_text(option.points),
                                    "checked": chosen.get(criterion.code) == option.position,
                                    "stars": "★" * (option.min_star or 0),
                                    "knockout": self.sheet.knockout(option.knockout)
                                    if option.knockout
                                    else None,
                                }
                                for option in criterion.options
                            ],
                        }
                    )
                sections.append({"section": section, "max": points_text(section.max), "rows": rows})
            parts.append({"part": part, "max": points_text(part.max), "sections": sections})
        return parts


class ConsensusForm(SheetForm):
    """The secretary's agreed sheet (prefilled from the majority) and the knock-outs found."""

    def __init__(
        self,
        sheet: criteria.Sheet,
        *args: Any,
        answers: Mapping[str, int] | None = None,
        knockouts: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(sheet, *args, answers=answers, **kwargs)
        self.fields["knockouts"] = forms.MultipleChoiceField(
            label=_("Điều kiện loại phát hiện"),
            choices=[(knockout.id, knockout.text) for knockout in sheet.knockouts],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if knockouts:
            self.initial["knockouts"] = list(knockouts)

    def chosen_knockouts(self) -> list[str]:
        if self.is_bound:
            ids = {knockout.id for knockout in self.sheet.knockouts}
            return [value for value in self.data.getlist(self.add_prefix("knockouts")) if value in ids]
        return list(self.initial.get("knockouts") or [])

    def knockout_rows(self) -> list[dict[str, Any]]:
        chosen = set(self.chosen_knockouts())
        bound = self["knockouts"]
        return [
            {
                "knockout": knockout,
                "id": f"{bound.auto_id}_{index}",
                "name": bound.html_name,
                "checked": knockout.id in chosen,
            }
            for index, knockout in enumerate(self.sheet.knockouts)
        ]


# --- dossiers (Art. 6–7): Mẫu 01, Mẫu 02 with self-scores, evidence, Mẫu 03, return -----------------

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


class DossierCreateForm(forms.Form):
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
        empty_label=_("— Giấy chứng nhận còn hiệu lực —"),
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
            f"{c.code} · {c.star}★ · {format_date(c.issue_date)}"
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


class RegistrationForm(forms.Form):
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
        kwargs.setdefault(
            "initial",
            {
                "unit_name": product.producer.name,
                "product_name": product.name,
                "product_group": product.classification_label,
                **stored,
            },
        )
        super().__init__(*args, **kwargs)
        self.dossier = dossier
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


class SelfAssessmentForm(forms.Form):
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


class EvidenceAttachForm(forms.Form):
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


class CommuneAssessmentForm(forms.Form):
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


class ReturnForm(forms.Form):
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
