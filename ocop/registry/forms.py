"""Create/edit forms for producers and products, on behalf of an actor (the logged-in user).

The administrative unit may be a current or a former commune (historic records); the choices
offered stay inside the actor's scope and, to keep pages light, within one province at a time
(the province select reloads the commune list through htmx). Whatever is posted, the saved object
must pass can(actor, "add"/"change", object): a commune officer only files records in their commune.

Fields follow the field policy of `ocop.core.scoping` (the models' ScopePaths): a field the actor's
role may not write is shown disabled (a producer account sees its place, status and codes but only
edits descriptive fields), and a value posted for it anyway is refused. Moving a record to another
commune is an officer's act within their scope at both ends, with the reason filled in.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from PIL import Image

from ocop.core.forms import BootstrapFormMixin, DateInput
from ocop.core.scoping import (
    ADD,
    CHANGE,
    VIEW,
    can,
    locked_message,
    may_write,
    refused_changes,
    request_message,
    request_only,
    restrict,
)
from ocop.geo.models import Level, Structure, Unit, UnitSuccession

from .classification import ProductStatus
from .models import (
    STAGES,
    Producer,
    Product,
    ProductImage,
    normalize_gtin,
    normalize_household_id,
    normalize_tax_code,
)

BLANK = "---------"


def unit_label(unit: Unit) -> str:
    if unit.structure == Structure.FORMER:
        return str(_("%(name)s (trước 01/07/2025, mã %(code)s)")) % {"name": unit.name, "code": unit.code}
    return f"{unit.name} ({unit.code})"


def allowed_units(actor: Any) -> QuerySet[Unit]:
    """Communes (current, or former for historic records) the actor may file a record in."""
    communes = Unit.objects.filter(level=Level.COMMUNE)
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return communes.none()
    if actor.is_national:
        return communes
    commune_id = actor.scope_commune_id
    if commune_id:
        # Former communes that went wholly into this commune (a split one has no single commune).
        formers = UnitSuccession.objects.filter(current_id=commune_id).values("former_id")
        whole = (
            Unit.objects.filter(pk__in=formers, level=Level.COMMUNE)
            .annotate(n=Count("successions", filter=Q(successions__current__level=Level.COMMUNE)))
            .filter(n=1)
            .values("pk")
        )
        return communes.filter(Q(pk=commune_id) | Q(pk__in=whole))
    if actor.scope_province_id:
        return communes.filter(current_province_id=actor.scope_province_id)
    return communes.none()


def allowed_provinces(actor: Any) -> QuerySet[Unit]:
    provinces = Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
    if actor is None or not actor.is_authenticated:
        return provinces.none()
    if actor.is_national:
        return provinces
    if actor.scope_province_id:
        return provinces.filter(pk=actor.scope_province_id)
    return provinces.none()


def unit_choices(actor: Any, province_code: str | None) -> list[tuple[Any, str]]:
    """The (pk, label) choices of the unit select for one province, current units first."""
    units = allowed_units(actor).filter(current_province__code=province_code) if province_code else []
    if province_code:
        units = units.order_by("structure", "sort_key", "code")  # "current" < "former"
    return [("", BLANK)] + [(unit.pk, unit_label(unit)) for unit in units]


class LocatedForm(BootstrapFormMixin, forms.ModelForm):
    """A ModelForm for a `Located` model: province (helper) + unit, checked against the actor's scope."""

    unit_province = forms.ModelChoiceField(
        label=_("Tỉnh/thành phố"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("Chọn tỉnh để hiện danh sách xã/phường."),
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.creating = self.instance._state.adding
        # The record as it was, before the posted values are put on the instance (_post_clean).
        self.original = None if self.creating else copy.copy(self.instance)
        provinces = allowed_provinces(actor)
        self.fields["unit_province"].queryset = provinces
        self.fields["unit_province"].label_from_instance = lambda unit: unit.name
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = BLANK
            elif isinstance(field, forms.ChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", BLANK), *field.choices[1:]]
        unit_field = self.fields["unit"]
        unit_field.queryset = allowed_units(actor)
        unit_field.label = _("Xã/phường/đặc khu")
        unit_field.help_text = _("Có thể chọn xã cũ (trước 01/07/2025) cho hồ sơ lịch sử.")
        province_code = self._province_code(provinces)
        self.initial.setdefault("unit_province", province_code)
        unit_field.widget.choices = unit_choices(actor, province_code)
        self.fields["unit_province"].widget.attrs.update(
            {
                "hx-get": reverse("registry:unit_options"),
                "hx-target": f"#{self['unit'].auto_id}",
                "hx-trigger": "change",
            }
        )
        self.locked = self._lock_fields()

    def _lock_fields(self) -> list[str]:
        """Disable the fields the actor's role may not write (core.scoping field policy)."""
        model = self._meta.model
        model_fields = {f.name for f in model._meta.get_fields()}
        # Fields the actor changes only by a change request (a producer: its product's identity).
        self.by_request = frozenset() if self.creating else request_only(self.actor, self.instance)
        locked = [
            name
            for name in self.fields
            if name in model_fields and (name in self.by_request or not may_write(self.actor, model, name))
        ]
        for name in self.by_request & set(self.fields):
            self.fields[name].help_text = _("Muốn thay đổi: dùng “Đề nghị thay đổi” để cán bộ xã/tỉnh duyệt.")
        if "unit" in locked:
            locked.append("unit_province")
            unit_field = self.fields["unit"]
            unit_field.queryset = Unit.objects.filter(pk=self.instance.unit_id)
            unit_field.widget.choices = [(unit.pk, unit_label(unit)) for unit in unit_field.queryset]
        for name in locked:
            self.fields[name].disabled = True
        return locked

    def _refuse_posted_locked(self) -> None:
        """A value posted for a disabled field is never applied; say so instead of ignoring it."""
        model = self._meta.model
        for name in self.locked:
            key = self.add_prefix(name)
            if key not in self.data:
                continue
            field = self.fields[name]
            posted = field.widget.value_from_datadict(self.data, self.files, key)
            field.disabled = False  # has_changed() is always False on a disabled field
            try:
                changed = field.has_changed(self.get_initial_for_field(field, name), posted)
            finally:
                field.disabled = True
            if changed:
                field_name = "unit" if name == "unit_province" else name
                if field_name in self.by_request:
                    self.add_error(name, request_message())
                else:
                    self.add_error(name, locked_message(self.actor, model, field_name))

    def _province_code(self, provinces: QuerySet[Unit]) -> str | None:
        if self.is_bound:
            code = self.data.get(self.add_prefix("unit_province"))
            if code:
                return code
            unit_pk = self.data.get(self.add_prefix("unit"))
            if unit_pk and str(unit_pk).isdigit():
                unit = Unit.objects.filter(pk=unit_pk).select_related("current_province").first()
                if unit is not None and unit.current_province is not None:
                    return unit.current_province.code
        if self.instance.unit_id:
            return self.instance.province.code if self.instance.province_id else None
        if self.initial.get("unit"):
            unit = Unit.objects.filter(pk=getattr(self.initial["unit"], "pk", self.initial["unit"])).first()
            if unit is not None and unit.current_province_id:
                return unit.current_province.code
        only = list(provinces[:2])
        return only[0].code if len(only) == 1 else None

    def _post_clean(self) -> None:
        super()._post_clean()
        self._refuse_posted_locked()
        if self.instance.unit_id is not None:
            self.instance.locate()
        if self.errors:
            return
        if self.original is not None:
            reason = self.data.get("_reason", "")
            for name, message in refused_changes(self.actor, self.original, self.instance, reason).items():
                self.add_error(name if name in self.fields else None, message)
            if self.errors:
                return
        if not can(self.actor, ADD if self.creating else CHANGE, self.instance):
            self.add_error("unit", _("Bạn không có quyền quản lý hồ sơ ở địa bàn này."))


class ProducerForm(LocatedForm):
    class Meta:
        model = Producer
        fields = [
            "name",
            "producer_type",
            "legal_form",
            "community_capital_share",
            "tax_code",
            "household_id",
            "registration_date",
            "status",
            "unit_province",
            "unit",
            "address",
            "phone",
            "email",
            "representative_name",
            "representative_position",
            "representative_gender",
            "representative_ethnicity",
            "representative_ethnicity_other",
            "representative_disability",
            "workforce_total",
            "workforce_local",
        ]
        widgets = {"registration_date": DateInput()}

    def clean_tax_code(self) -> str:
        return normalize_tax_code(self.cleaned_data.get("tax_code", ""))

    def clean_household_id(self) -> str:
        return normalize_household_id(self.cleaned_data.get("household_id", ""))


class ProductForm(LocatedForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "name_en",
            "producer",
            "classification_set",
            "legacy_classification",
            "status",
            "unit_province",
            "unit",
            "legacy_code",
            "gtin",
            "description",
            "story",
            "raw_materials",
            "raw_material_origin",
            "standards",
            "packaging",
            "where_to_buy",
        ]
        labels = {"unit": _("Xã/phường nơi sản xuất")}
        widgets = {
            field: forms.Textarea(attrs={"rows": 3})
            for field in ("description", "story", "raw_materials", "raw_material_origin")
        }

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        producers = restrict(Producer.objects.all(), actor, VIEW).only("pk", "name", "tax_code")
        self.fields["producer"].queryset = producers
        self.fields["producer"].label_from_instance = lambda p: (
            f"{p.name} ({p.tax_code})" if p.tax_code else p.name
        )
        # Only the stages are typed in; recognised, expired and revoked follow the certificates.
        # A value imported from an old spreadsheet stays on offer for its product until changed.
        stages = [(stage.value, stage.label) for stage in STAGES]
        stored = self.instance.status
        if stored and stored not in {value for value, _label in stages}:
            stages.append((stored, ProductStatus(stored).label))
        status = self.fields["status"]
        status.choices = stages
        status.help_text = _(
            "Đạt sao, hết hạn và bị thu hồi không chọn ở đây: "
            "tình trạng đó lấy từ giấy chứng nhận của sản phẩm."
        )

    def clean_gtin(self) -> str:
        return normalize_gtin(self.cleaned_data.get("gtin", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit is not None and unit.structure == Structure.CURRENT and unit.level != Level.COMMUNE:
            self.add_error("unit", _("Hãy chọn xã/phường nơi sản xuất."))
        return cleaned


MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


class ProductImageForm(BootstrapFormMixin, forms.ModelForm):
    """A product photo: JPEG, PNG or WebP up to 5 MB, checked by decoding it, not by its name."""

    class Meta:
        model = ProductImage
        fields = ["image", "caption", "position"]
        widgets = {"image": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if upload is None or not hasattr(upload, "size"):
            return upload
        if upload.size == 0:
            raise forms.ValidationError(_("Tệp ảnh rỗng."))
        if upload.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(
                _("Ảnh quá lớn (%(size)s MB); tối đa 5 MB.") % {"size": round(upload.size / 1048576, 1)}
            )
        try:
            with Image.open(upload) as picture:
                picture.verify()  # decodes the structure: a renamed non-image fails here
                image_format, (width, height) = picture.format, picture.size
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise forms.ValidationError(_("Ảnh có kích thước điểm ảnh quá lớn.")) from None
        except Exception:
            raise forms.ValidationError(_("Tệp không phải ảnh hợp lệ (chỉ nhận JPEG, PNG, WebP).")) from None
        if image_format not in IMAGE_FORMATS:
            raise forms.ValidationError(
                _("Định dạng ảnh %(format)s không được nhận; chỉ nhận JPEG, PNG, WebP.")
                % {"format": image_format}
            )
        upload.seek(0)
        self.instance.format = image_format.lower().replace("jpeg", "jpg")
        self.instance.width, self.instance.height = width, height
        return upload


def commune_choices(province_code: str | None) -> list[tuple[Any, str]]:
    """Every current commune of a province: where a producer may ask to move its product."""
    if not province_code:
        return [("", BLANK)]
    units = Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, current_province__code=province_code
    ).order_by("sort_key", "code")
    return [("", BLANK)] + [(unit.pk, unit_label(unit)) for unit in units]


class ChangeRequestForm(BootstrapFormMixin, forms.Form):
    """A producer's request: the fields it may ask for, pre-filled with today's values, and why."""

    def __init__(self, *args: Any, product: Product, fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        self.requested = fields
        for name in fields:
            model_field = Product._meta.get_field(name)
            if name == "unit":
                self._add_place_fields()
                continue
            field = model_field.formfield()
            field.required = False
            self.fields[name] = field
            self.initial.setdefault(name, getattr(product, name))
        self.fields["reason"] = forms.CharField(
            label=_("Lý do đề nghị"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_(
                "Cán bộ xã/tỉnh đọc lý do này khi duyệt; giấy chứng nhận giữ thông tin đã công nhận."
            ),
        )

    def _add_place_fields(self) -> None:
        province = self.product.province
        code = (self.data.get(self.add_prefix("unit_province")) if self.is_bound else None) or (
            province.code if province else None
        )
        self.fields["unit_province"] = forms.ModelChoiceField(
            label=_("Tỉnh/thành phố"),
            queryset=Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by(
                "sort_key"
            ),
            to_field_name="code",
            required=False,
            empty_label=BLANK,
        )
        self.fields["unit_province"].label_from_instance = lambda unit: unit.name
        self.initial.setdefault("unit_province", code)
        self.fields["unit"] = forms.ModelChoiceField(
            label=_("Xã/phường nơi sản xuất"),
            queryset=Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE),
            required=False,
            empty_label=BLANK,
        )
        self.fields["unit"].widget.choices = commune_choices(code)
        self.initial.setdefault("unit", self.product.unit_id)
        self.fields["unit_province"].widget.attrs.update(
            {
                "hx-get": reverse("registry:unit_options") + "?all=1",
                "hx-target": f"#{self['unit'].auto_id}",
                "hx-trigger": "change",
            }
        )

    def values(self) -> dict[str, Any]:
        """The values asked for (those equal to the product's are dropped by the request itself)."""
        return {
            name: self.cleaned_data[name]
            for name in self.requested
            if self.cleaned_data.get(name) is not None
        }


class DecisionForm(BootstrapFormMixin, forms.Form):
    """An officer's decision on a change request: a note (approval) or the reason (rejection)."""

    note = forms.CharField(
        label=_("Ý kiến của cán bộ"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
