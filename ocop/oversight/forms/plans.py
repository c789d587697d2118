"""Forms of inspection plans: the plan itself (with its team), and choosing the producers to inspect
(by filters, or one by one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.scoping import ADD, CHANGE, NATIONAL_ROLES, can
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import classification
from ocop.registry.forms import allowed_provinces
from ocop.registry.models import Producer

from .. import planning
from ..models import InspectionPlan, PlanKind, PlanLevel


class _Accounts(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: Any) -> str:
        name = user.get_full_name().strip() or user.get_username()
        unit = user.scope_unit.name if user.scope_unit_id else _("Toàn quốc")
        return f"{name} — {user.get_role_display()} ({unit})"


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    """A plan: a province office plans its own province; the Ministry plans 5★ products nationwide
    or reviews one province's evaluation work (Art. 10.1.b)."""

    members = _Accounts(
        label=_("Cán bộ kiểm tra"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tài khoản cán bộ tham gia đoàn (cán bộ tỉnh của kế hoạch, cán bộ trung ương)."),
    )

    class Meta:
        model = InspectionPlan
        fields = [
            "level",
            "kind",
            "province",
            "year",
            "title",
            "number",
            "starts_on",
            "ends_on",
            "team",
            "members",
            "note",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "team": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        national = getattr(actor, "role", None) in NATIONAL_ROLES
        provinces = allowed_provinces(actor)
        self.fields["province"].queryset = provinces
        self.fields["province"].label_from_instance = lambda unit: unit.name
        self.fields["year"].min_value = 2018
        self.fields["year"].max_value = 2100
        if not national:
            # A province office: its own province's plans only (level and province fixed).
            self.fields["level"].choices = [(PlanLevel.PROVINCE.value, PlanLevel.PROVINCE.label)]
            self.fields["kind"].choices = [
                (kind.value, kind.label) for kind in PlanKind if kind != PlanKind.EVALUATION_REVIEW
            ]
            self.fields["province"].required = True
            self.fields["province"].empty_label = None
        elif actor.role == "central":
            # The Ministry plans at its level; it may still edit a province's plan as it stands.
            levels = {PlanLevel.CENTRAL.value, self.instance.level if self.instance.pk else PlanLevel.CENTRAL}
            self.fields["level"].choices = [
                (level.value, level.label) for level in PlanLevel if level in levels
            ]
            self.fields["province"].help_text = _(
                "Kế hoạch của Bộ: để trống để kiểm tra sản phẩm 5 sao trên cả nước; bắt buộc với "
                "kiểm tra công tác đánh giá, phân hạng của tỉnh."
            )
        if self.instance.pk is None:
            self.initial.setdefault("year", clock.today().year)
            self.initial.setdefault("level", PlanLevel.PROVINCE if not national else PlanLevel.CENTRAL)
            if actor.scope_province_id:
                self.initial.setdefault("province", actor.scope_province_id)
        elif planning.in_plan(self.instance).exists():
            # The inspections already planned were chosen for this level and province.
            for name in ("level", "kind", "province"):
                self.fields[name].disabled = True
        self.fields["members"].queryset = planning.member_candidates(actor, self._plan_for_members())

    def _plan_for_members(self) -> InspectionPlan:
        plan = InspectionPlan(
            level=self.instance.level
            if self.instance.pk
            else (self.initial.get("level") or PlanLevel.PROVINCE),
            province_id=self.instance.province_id or self.initial.get("province"),
        )
        if self.is_bound and not self.fields["level"].disabled:
            level = self.data.get(self.add_prefix("level"))
            if level in PlanLevel.values:
                plan.level = level
            raw = self.data.get(self.add_prefix("province"))
            plan.province_id = int(raw) if raw and str(raw).isdigit() and len(str(raw)) < 10 else None
        if plan.level == PlanLevel.CENTRAL and self.instance.pk is None and not self.is_bound:
            plan.province_id = None
        return plan

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        level = cleaned.get("level")
        kind = cleaned.get("kind")
        if level == PlanLevel.PROVINCE and cleaned.get("province") is None and "province" not in self.errors:
            self.add_error("province", _("Kế hoạch cấp tỉnh phải chọn tỉnh."))
        if kind == PlanKind.EVALUATION_REVIEW and level != PlanLevel.CENTRAL:
            self.add_error(
                "kind", _("Kiểm tra công tác đánh giá, phân hạng của tỉnh là việc của Bộ (Điều 10.1.b).")
            )
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        action = ADD if self.instance.pk is None else CHANGE
        if not can(self.actor, action, self.instance):
            self.add_error(None, _("Bạn không được lập hoặc sửa kế hoạch này (ngoài phạm vi quản lý)."))
        allowed = set(planning.member_candidates(self.actor, self.instance).values_list("pk", flat=True))
        outside = [user for user in self.cleaned_data.get("members", []) if user.pk not in allowed]
        if outside:
            self.add_error("members", _("Có cán bộ không thuộc tỉnh hoặc cấp của kế hoạch này."))


# --- choosing producers ----------------------------------------------------------------------------


def _group_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(g.code, f"{g.code} {g.label}") for g in classification.groups()]


def _set_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(s.code, f"{s.code} · {s.label}") for s in classification.sets()]


class ProducerFilterForm(BootstrapFormMixin, forms.Form):
    """Chọn theo bộ lọc: which products (and so producers) of the plan's scope to add."""

    star = forms.TypedChoiceField(
        label=_("Hạng sao"),
        choices=[("", "—"), ("3", "3 ★"), ("4", "4 ★"), ("5", "5 ★")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    group = forms.ChoiceField(label=_("Nhóm sản phẩm"), choices=_group_choices, required=False)
    classification_set = forms.ChoiceField(label=_("Bộ sản phẩm"), choices=_set_choices, required=False)
    commune = forms.ModelChoiceField(label=_("Xã/phường/đặc khu"), queryset=None, required=False)
    expires_before = forms.DateField(
        label=_("Giấy chứng nhận hết hạn trước ngày"), required=False, widget=DateInput()
    )
    expires_within = forms.IntegerField(
        label=_("Hoặc hết hạn trong vòng (ngày)"), min_value=0, max_value=3650, required=False
    )
    risk = forms.BooleanField(
        label=_("Có dấu hiệu rủi ro (dấu hiệu từ lượt quét chưa xử lý, phản ánh chưa xử lý xong)"),
        required=False,
    )

    def __init__(self, *args: Any, plan: InspectionPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communes = Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE)
        if plan.province_id:
            communes = communes.filter(current_province_id=plan.province_id).order_by("sort_key")
        else:
            communes = communes.none()  # a nationwide plan: 3,321 communes are not a useful filter
            del self.fields["commune"]
        if "commune" in self.fields:
            self.fields["commune"].queryset = communes
            self.fields["commune"].label_from_instance = lambda unit: unit.name
        if plan.level == PlanLevel.CENTRAL and plan.kind != PlanKind.EVALUATION_REVIEW:
            del self.fields["star"]  # 5★ only

    def criteria(self) -> planning.Criteria:
        data = self.cleaned_data
        commune = data.get("commune")
        return planning.Criteria(
            star=data.get("star"),
            group=data.get("group") or "",
            classification_set=data.get("classification_set") or "",
            commune_id=commune.pk if commune is not None else None,
            expires_before=data.get("expires_before"),
            expires_within=data.get("expires_within"),
            risk=bool(data.get("risk")),
        )


class ProducerPickForm(BootstrapFormMixin, forms.Form):
    """Chọn từng chủ thể: the producers ticked in the picker (within the plan's candidates)."""

    producers = forms.ModelMultipleChoiceField(
        label=_("Chủ thể"),
        queryset=Producer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn ít nhất một chủ thể."),
            "invalid_choice": _("Chủ thể đã chọn không thuộc phạm vi kế hoạch này."),
            "invalid_pk_value": _("Chủ thể đã chọn không thuộc phạm vi kế hoạch này."),
        },
    )

    def __init__(self, *args: Any, candidates: QuerySet[Producer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["producers"].queryset = candidates


def default_expiry_day() -> dt.date:
    return clock.today() + dt.timedelta(days=180)
