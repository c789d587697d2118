"""Forms of plans, targets and manual values, and the "as of a day" chooser of the progress pages.

The unit of a plan or a manual value is one choice among the units the actor plans for (core
.scoping decides; the choices only spare the user refusals): the country for the central office,
its province and the province's communes for a province office, its commune for a commune office,
everything for an administrator. The unit is fixed once the plan exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.formatting import format_date
from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.scoping import ADD, ADMIN, CENTRAL, CHANGE, COMMUNE, PROVINCE, can
from ocop.geo.models import Level, Structure, Unit

from . import indicators
from .models import ManualValue, Plan, PlanLevel, Target

COUNTRY_CHOICE = "country"
DUPLICATE = _("Đã có số liệu của chỉ tiêu này cho địa bàn và kỳ này.")
YEARS = (2000, 2100)


def _national(actor: Any) -> bool:
    return getattr(actor, "role", None) in (ADMIN, CENTRAL) or getattr(actor, "is_superuser", False)


def may_plan_somewhere(actor: Any) -> bool:
    """Whether the actor has a unit to plan for (no query: the role and its scope unit)."""
    role = getattr(actor, "role", None)
    if role in (ADMIN, CENTRAL) or getattr(actor, "is_superuser", False):
        return True
    return role in (PROVINCE, COMMUNE) and bool(getattr(actor, "scope_unit_id", None))


def unit_choices(actor: Any) -> list[tuple[Any, Any]]:
    """The units the actor may plan for, grouped (the country, provinces, each province's communes)."""
    role = getattr(actor, "role", None)
    admin = role == ADMIN or getattr(actor, "is_superuser", False)
    current = Unit.objects.filter(structure=Structure.CURRENT)
    choices: list[tuple[Any, Any]] = []
    if admin or role == CENTRAL:
        choices.append((COUNTRY_CHOICE, _("Toàn quốc")))
    if admin:
        provinces = current.filter(level=Level.PROVINCE)
        communes = current.filter(level=Level.COMMUNE)
    elif role == PROVINCE and actor.scope_province_id and actor.scope_commune_id is None:
        provinces = current.filter(level=Level.PROVINCE, pk=actor.scope_province_id)
        communes = current.filter(level=Level.COMMUNE, current_province=actor.scope_province_id)
    elif role in (PROVINCE, COMMUNE) and actor.scope_commune_id:
        provinces = current.none()
        communes = current.filter(pk=actor.scope_commune_id)
    else:
        return choices
    province_rows = list(provinces.order_by("sort_key", "code").values_list("pk", "name"))
    if province_rows:
        choices.append((_("Tỉnh, thành phố"), [(str(pk), name) for pk, name in province_rows]))
    grouped: dict[str, list[tuple[str, str]]] = {}
    for pk, name, province in communes.order_by("current_province__sort_key", "sort_key", "code").values_list(
        "pk", "name", "current_province__name"
    ):
        grouped.setdefault(province, []).append((str(pk), name))
    for province, rows in grouped.items():
        choices.append((_("Xã, phường thuộc %(province)s") % {"province": province}, rows))
    return choices


def resolve_unit(value: str) -> tuple[str, Unit | None, Unit | None]:
    """A unit choice → (level, province, commune); ValidationError when it is not a current unit."""
    if value == COUNTRY_CHOICE:
        return PlanLevel.COUNTRY.value, None, None
    unit = None
    if value.isdigit() and len(value) < 12:
        unit = (
            Unit.objects.select_related("current_province")
            .filter(structure=Structure.CURRENT, level__in=(Level.PROVINCE, Level.COMMUNE), pk=int(value))
            .first()
        )
    if unit is None:
        raise forms.ValidationError(_("Hãy chọn một địa bàn trong danh sách."))
    if unit.level == Level.PROVINCE:
        return PlanLevel.PROVINCE.value, unit, None
    return PlanLevel.COMMUNE.value, unit.current_province, unit


def unit_value(obj: Any) -> str:
    if obj.commune_id is not None:
        return str(obj.commune_id)
    if obj.province_id is not None:
        return str(obj.province_id)
    return COUNTRY_CHOICE


class _UnitMixin:
    """A ``unit`` choice that sets ``level``, ``province`` and ``commune`` of the instance."""

    unit_field: forms.ChoiceField
    instance: Any

    def _setup_unit(self, actor: Any) -> None:
        field = self.fields["unit"]  # type: ignore[attr-defined]
        if self.instance.pk is not None:
            # The unit of an existing record is fixed: shown, not changed.
            label = self.instance.unit_name
            field.choices = [(unit_value(self.instance), label)]
            field.disabled = True
            self.initial["unit"] = unit_value(self.instance)  # type: ignore[attr-defined]
            return
        field.choices = [("", "—"), *unit_choices(actor)]
        if getattr(actor, "scope_commune_id", None):
            self.initial.setdefault("unit", str(actor.scope_commune_id))  # type: ignore[attr-defined]
        elif getattr(actor, "scope_province_id", None):
            self.initial.setdefault("unit", str(actor.scope_province_id))  # type: ignore[attr-defined]
        elif getattr(actor, "role", None) == CENTRAL:
            self.initial.setdefault("unit", COUNTRY_CHOICE)  # type: ignore[attr-defined]

    def _update_errors(self, errors: forms.ValidationError) -> None:
        # The model names the unit's parts (level, province, commune); the form has one field.
        if hasattr(errors, "error_dict"):
            remapped: dict[str, list[Any]] = {}
            for name, messages in errors.error_dict.items():
                key = "unit" if name in ("level", "province", "commune") else name
                remapped.setdefault(key, []).extend(messages)
            if "unit" in remapped and "unit" in self.errors:  # type: ignore[attr-defined]
                del remapped["unit"]  # already told: the choice itself was refused
            errors = forms.ValidationError(remapped)
        super()._update_errors(errors)  # type: ignore[misc]

    def clean_unit(self) -> str:
        value = self.cleaned_data.get("unit") or ""  # type: ignore[attr-defined]
        if self.instance.pk is None:
            level, province, commune = resolve_unit(value)
            self.instance.level, self.instance.province, self.instance.commune = level, province, commune
        return value


class PlanForm(_UnitMixin, BootstrapFormMixin, forms.ModelForm):
    """A plan (kế hoạch, đề án): its unit, period, legal document and budget."""

    unit = forms.ChoiceField(
        label=_("Địa bàn"),
        help_text=_("Toàn quốc (cơ quan trung ương), tỉnh hoặc xã của kế hoạch; không đổi được sau khi lập."),
    )

    class Meta:
        model = Plan
        fields = [
            "title",
            "start_year",
            "end_year",
            "document_number",
            "document_date",
            "document_issuer",
            "budget",
            "note",
        ]
        widgets = {"document_date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "start_year": _("Một năm (từ năm = đến năm) hoặc một giai đoạn, ví dụ 2026–2030."),
            "document_number": _("Số, ký hiệu văn bản ban hành kế hoạch / đề án, ví dụ 125/KH-UBND."),
            "budget": _("Tổng kinh phí của kế hoạch, đồng."),
        }

    field_order = ["unit", "title", "start_year", "end_year"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self._setup_unit(actor)
        for name in ("start_year", "end_year"):
            self.fields[name].min_value, self.fields[name].max_value = YEARS
            self.fields[name].widget.attrs.update({"min": YEARS[0], "max": YEARS[1]})
        if self.instance.pk is None:
            year = clock.today().year
            self.initial.setdefault("start_year", year)
            self.initial.setdefault("end_year", year)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("start_year", "end_year"):
            year = cleaned.get(name)
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                self.add_error(
                    name, _("Năm phải từ %(low)s đến %(high)s.") % {"low": YEARS[0], "high": YEARS[1]}
                )
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        action = ADD if self.instance.pk is None else CHANGE
        if not can(self.actor, action, self.instance):
            self.add_error(None, _("Bạn không được lập hoặc sửa kế hoạch của địa bàn này."))
        elif self.instance.pk is not None:
            late = self.instance.targets.filter(
                Q(deadline__lt=self.instance.starts_on) | Q(deadline__gt=self.instance.ends_on)
            ).first()
            if late is not None:
                self.add_error(
                    "end_year",
                    _(
                        "Chỉ tiêu “%(target)s” có thời hạn ngoài thời gian mới của kế hoạch; "
                        "hãy sửa chỉ tiêu trước."
                    )
                    % {"target": late},
                )


class TargetForm(BootstrapFormMixin, forms.ModelForm):
    """A target of a plan: an indicator of the registry, the value to reach, the deadline."""

    indicator = forms.ChoiceField(label=_("Chỉ tiêu"), choices=indicators.choices)

    class Meta:
        model = Target
        fields = ["indicator", "value", "deadline", "baseline", "note"]
        widgets = {"deadline": DateInput()}
        help_texts = {
            "value": _("Tỷ lệ: nhập số phần trăm (ví dụ 70 cho 70 %)."),
            "baseline": _(
                "Để trống: chỉ tiêu tính từ dữ liệu lấy giá trị tại ngày bắt đầu kế hoạch; chỉ tiêu lũy kế "
                "(số mới, số thu hồi…) bắt đầu từ 0."
            ),
        }

    def __init__(self, *args: Any, plan: Plan, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.actor = actor
        self.instance.plan = plan
        self.fields["indicator"].choices = indicators.choices()
        if self.instance.pk is None:
            self.initial.setdefault("deadline", plan.ends_on)
        self.fields["deadline"].help_text = _("Trong thời gian của kế hoạch: %(start)s – %(end)s.") % {
            "start": format_date(plan.starts_on),
            "end": format_date(plan.ends_on),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        indicator, deadline = cleaned.get("indicator"), cleaned.get("deadline")
        if indicator and deadline:
            twins = Target.objects.filter(plan=self.plan, indicator=indicator, deadline=deadline)
            if self.instance.pk is not None:
                twins = twins.exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error("deadline", _("Kế hoạch đã có chỉ tiêu này với cùng thời hạn."))
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors and not can(
            self.actor, ADD if self.instance.pk is None else CHANGE, self.instance
        ):
            self.add_error(None, _("Bạn không được sửa chỉ tiêu của kế hoạch này."))


class ManualValueForm(_UnitMixin, BootstrapFormMixin, forms.ModelForm):
    """A value of a manual indicator for a unit and period."""

    unit = forms.ChoiceField(label=_("Địa bàn"))
    indicator = forms.ChoiceField(label=_("Chỉ tiêu"), choices=indicators.manual_choices)

    class Meta:
        model = ManualValue
        fields = ["indicator", "period_start", "period_end", "value", "source"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {
            "period_end": _(
                "Chỉ tiêu lũy kế (lớp tập huấn, kinh phí): giá trị phát sinh trong kỳ. Chỉ tiêu hiện trạng "
                "(điểm bán): số có đến ngày cuối kỳ."
            ),
            "source": _("Văn bản, báo cáo làm căn cứ số liệu."),
        }

    field_order = ["indicator", "unit", "period_start", "period_end", "value", "source"]

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self._setup_unit(actor)
        self.fields["indicator"].choices = indicators.manual_choices()
        if self.instance.pk is not None:
            self.fields["indicator"].disabled = True
        if self.instance.pk is None:
            year = clock.today().year
            self.initial.setdefault("period_start", dt.date(year, 1, 1))
            self.initial.setdefault("period_end", dt.date(year, 6, 30))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        instance = self.instance
        if not self.errors and cleaned.get("indicator"):
            twins = ManualValue.objects.filter(
                indicator=cleaned["indicator"],
                level=instance.level,
                province=instance.province_id,
                commune=instance.commune_id,
                period_start=cleaned.get("period_start"),
                period_end=cleaned.get("period_end"),
            )
            if instance.pk is not None:
                twins = twins.exclude(pk=instance.pk)
            if twins.exists():
                self.add_error(None, DUPLICATE)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors and not can(
            self.actor, ADD if self.instance.pk is None else CHANGE, self.instance
        ):
            self.add_error(None, _("Bạn không được nhập số liệu của địa bàn này."))


class DayForm(BootstrapFormMixin, forms.Form):
    """ "Xem tại ngày": the day progress is computed for (today by default)."""

    day = forms.DateField(label=_("Tính đến ngày"), required=False, widget=DateInput())

    def chosen(self) -> dt.date:
        if self.is_valid() and self.cleaned_data.get("day"):
            return self.cleaned_data["day"]
        return clock.today()


__all__ = ["DayForm", "ManualValueForm", "PlanForm", "TargetForm", "resolve_unit", "unit_choices"]
