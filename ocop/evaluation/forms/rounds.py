"""Forms of rounds and councils: "Mở đợt đánh giá", seating a member, putting a dossier before the
council (with the accounts and dossiers the acting user may choose), and the recognition decision.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ocop.certification.forms import MINISTRY
from ocop.core import clock
from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.scoping import CENTRAL, CHANGE, VIEW, restrict
from ocop.registry.forms import allowed_provinces

from ..models import Dossier, DossierStatus, Evaluation, Level, MemberRole, Round
from ..workflow import eligible_members


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
        label=_("Nhận hồ sơ đề nghị trước ngày"),
        required=False,
        widget=DateInput(),
        help_text=_("Bắt buộc với đợt bổ sung; để trống ở đợt 1, 2 để dùng thời hạn theo Điều 5."),
    )
    closes_by = forms.DateField(
        label=_("Hoàn thành trước ngày"),
        required=False,
        widget=DateInput(),
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
    """Accounts the actor may seat on this round's council: exactly those the workflow accepts
    (workflow.eligible_members: active council accounts of the round's province, or national ones
    for a central round, without conflict), within the actor's scope."""
    users = restrict(eligible_members(round_), actor, VIEW)
    return users.select_related("scope_unit").order_by("full_name", "username")


class _Accounts(forms.ModelMultipleChoiceField):
    """Several accounts; a single posted id (an older form, a script) counts as a list of one."""

    def clean(self, value: Any) -> Any:
        if value not in self.empty_values and not isinstance(value, list | tuple):
            value = [value]
        return super().clean(value)


class MemberAddForm(BootstrapFormMixin, forms.Form):
    """Thêm thành viên: one or several accounts at once (a checkbox list, so the picker does not
    close after each), seated with the same role and department."""

    user = _Accounts(
        label=_("Tài khoản"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Chọn một hoặc nhiều tài khoản; mỗi tài khoản được thêm với vai trò và cơ quan bên dưới."
        ),
        error_messages={
            "required": _("Hãy chọn ít nhất một tài khoản."),
            "invalid_choice": _("Tài khoản đã chọn không hợp lệ cho hội đồng này."),
            "invalid_pk_value": _("Tài khoản đã chọn không hợp lệ cho hội đồng này."),
        },
    )
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
    number = forms.CharField(
        label=_("Số quyết định"),
        max_length=60,
        help_text=_(
            "Ví dụ: 1887/QĐ-UBND. Quyết định đã ghi (cùng số, ngày và cơ quan ban hành) được dùng lại: "
            "giấy chứng nhận mới được ghi thêm vào quyết định đó."
        ),
    )
    date = forms.DateField(label=_("Ngày ban hành"), widget=DateInput())
    authority = forms.CharField(label=_("Cơ quan ban hành"), max_length=255)
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    issue_date = forms.DateField(
        label=_("Ngày cấp giấy chứng nhận"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống: cùng ngày ban hành quyết định."),
    )

    def __init__(self, *args: Any, queryset: QuerySet[Evaluation], round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evaluations"].queryset = queryset
        if round_.level == Level.CENTRAL:
            self.initial.setdefault("authority", MINISTRY)
        elif round_.province is not None:
            self.initial.setdefault("authority", f"UBND {round_.province.name}")
