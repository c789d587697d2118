"""Producer and product pages: scoped lists with filters, detail tabs, create/edit/delete forms.

Every view goes through ocop.core.scoping: lists and details are restricted for "view", edit
pages for "change", delete pages for "delete"; out-of-scope objects are 404, roles that may never
do an action get 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DeleteView, UpdateView

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.generic import (
    ExportMixin,
    ObjectDetailView,
    ObjectListView,
    VersionedDeleteMixin,
    VersionedUpdateMixin,
)
from ocop.core.scoping import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    RestrictedViewMixin,
    can,
    get_restricted_object_or_404,
    restrict,
    role_can,
)

from . import change_request_views, extensions
from . import io as registry_io
from .filtersets import ProducerFilterSet, ProductFilterSet
from .forms import ProducerForm, ProductForm, ProductImageForm, commune_choices, unit_choices
from .models import Producer, Product, ProductImage, listing
from .search import RankedListMixin
from .tables import ProducerTable, ProductTable

LOCATION = ("unit", "province", "commune")


class ActionsMixin:
    """can_add / can_change / can_delete for the templates' buttons (the same rules as the views)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        model = self.model
        context["can_add"] = role_can(user, ADD, model)
        obj = getattr(self, "object", None)
        if obj is not None:
            context["can_change"] = can(user, CHANGE, obj)
            context["can_delete"] = can(user, DELETE, obj)
        return context


# --- producers ---


class RegistryExportMixin(ExportMixin):
    """?export=xlsx|csv: the filtered, scoped list in the import template's columns (re-importable)."""

    export_kind: str

    def write_export(self, queryset: QuerySet, stream: Any, fmt: str) -> None:
        registry_io.export_queryset(self.export_kind, queryset, stream, fmt)


class ProducerListView(ActionsMixin, RankedListMixin, RegistryExportMixin, ObjectListView):
    model = Producer
    table_class = ProducerTable
    filterset_class = ProducerFilterSet
    template_name = "registry/producer_list.html"
    title = gettext_lazy("Chủ thể OCOP")
    export_kind = "producers"
    export_name = gettext_lazy("Chủ thể")

    def get_queryset(self) -> QuerySet[Producer]:
        # The place's names: columns of the page's rows (ProducerTable.row_annotations), not Unit
        # objects; product_count: counted for the shown page only (ProducerTable.prepare_records).
        return super().get_queryset().order_by("sort_key", "pk")


def add_extension_tabs(context: dict[str, Any], tabs: Any, request: HttpRequest, obj: Any) -> None:
    """``extra_tabs`` (key, label, badge) and the shown one's ``tab_html``: each tab counts or
    renders with its own scoped queries; only the shown tab is rendered (and counts what it lists)."""
    context["extra_tabs"] = []
    for tab in tabs.all():
        if tab.key == context["active_tab"]:
            context["tab_html"], count = tab.render(request, obj)
        else:
            count = tab.count(obj, request.user)
        context["extra_tabs"].append({"key": tab.key, "label": tab.label, "count": count})


class ProducerDetailView(ActionsMixin, ObjectDetailView):
    model = Producer
    template_name = "registry/producer_detail.html"

    def get_queryset(self) -> QuerySet[Producer]:
        return super().get_queryset().select_related(*LOCATION, "unit__current_province")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["active_tab"] == "products":
            products = restrict(
                self.object.products.select_related(*LOCATION).with_current_star().with_programme_status(),
                self.request.user,
                VIEW,
            )
            context["products"] = products
        context["product_count"] = restrict(self.object.products.all(), self.request.user, VIEW).count()
        add_extension_tabs(context, extensions.producer_tabs, self.request, self.object)
        return context


class ScopedFormMixin(LoginRequiredMixin, RestrictedViewMixin):
    template_name = "registry/object_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["model_meta"] = self.model._meta
        context["cancel_url"] = (
            self.object.get_absolute_url() if getattr(self, "object", None) else reverse(self.list_url)
        )
        return context


class ProducerCreateView(ScopedFormMixin, CreateView):
    model = Producer
    form_class = ProducerForm
    restrict_action = ADD
    list_url = "registry:producer_list"

    def form_valid(self, form: ProducerForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã thêm chủ thể “%(name)s”.") % {"name": self.object.name})
        return response


class ProducerUpdateView(VersionedUpdateMixin, ScopedFormMixin, UpdateView):
    model = Producer
    form_class = ProducerForm
    restrict_action = CHANGE
    list_url = "registry:producer_list"

    def form_valid(self, form: ProducerForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu chủ thể “%(name)s”.") % {"name": self.object.name})
        return response


class ScopedDeleteView(VersionedDeleteMixin, LoginRequiredMixin, RestrictedViewMixin, DeleteView):
    template_name = "registry/object_confirm_delete.html"
    restrict_action = DELETE

    def form_valid(self, form: Any) -> HttpResponse:
        name = str(self.object)
        try:
            self.object.delete()
        except ProtectedError:
            messages.error(self.request, self.protected_message % {"name": name})
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(self.request, _("Đã xoá “%(name)s”.") % {"name": name})
        return HttpResponseRedirect(self.get_success_url())


class ProducerDeleteView(ScopedDeleteView):
    model = Producer
    success_url = reverse_lazy("registry:producer_list")
    protected_message = gettext_lazy(
        "Không xoá được chủ thể “%(name)s” vì còn sản phẩm; hãy xoá hoặc chuyển sản phẩm trước."
    )


# --- products ---


class ProductListView(ActionsMixin, RankedListMixin, RegistryExportMixin, ObjectListView):
    model = Product
    table_class = ProductTable
    filterset_class = ProductFilterSet
    template_name = "registry/product_list.html"
    title = gettext_lazy("Sản phẩm OCOP")
    export_kind = "products"
    export_name = gettext_lazy("Sản phẩm")

    @property
    def queryset(self) -> QuerySet[Product]:
        # What MultipleObjectMixin starts from (restricted by RestrictedViewMixin.get_queryset):
        # the star and status annotations built once a day. The place's names: columns of the
        # page's rows (ProductTable.row_annotations), not Unit objects.
        return listing("producer")


class ProductDetailView(ActionsMixin, ObjectDetailView):
    model = Product
    template_name = "registry/product_detail.html"

    def get_queryset(self) -> QuerySet[Product]:
        return (
            super()
            .get_queryset()
            .select_related(*LOCATION, "producer")
            .prefetch_related("images")
            .with_programme_status()
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["producer_visible"] = can(self.request.user, VIEW, self.object.producer)
        context.update(change_request_views.context_for_product(self.request.user, self.object))
        # Tabs and boxes of the apps above the registry (extensions.py).
        add_extension_tabs(context, extensions.product_tabs, self.request, self.object)
        active = context["active_tab"]
        if active == "info":
            context["panels_html"] = [
                panel.render(self.request, self.object) for panel in extensions.product_panels.all()
            ]
        return context


class ProductCreateView(ScopedFormMixin, CreateView):
    model = Product
    form_class = ProductForm
    restrict_action = ADD
    list_url = "registry:product_list"

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        producer_id = self.request.GET.get("producer", "")
        if producer_id.isdigit():
            producer = (
                restrict(Producer.objects.all(), self.request.user, VIEW).filter(pk=producer_id).first()
            )
            if producer is not None:
                initial.update(producer=producer.pk, unit=producer.unit_id)
        return initial

    def form_valid(self, form: ProductForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Đã thêm sản phẩm “%(name)s”, mã %(code)s.")
            % {"name": self.object.name, "code": self.object.code},
        )
        return response


class ProductUpdateView(VersionedUpdateMixin, ScopedFormMixin, UpdateView):
    model = Product
    form_class = ProductForm
    restrict_action = CHANGE
    list_url = "registry:product_list"

    def form_valid(self, form: ProductForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã lưu sản phẩm “%(name)s”.") % {"name": self.object.name})
        return response


class ProductDeleteView(ScopedDeleteView):
    model = Product
    success_url = reverse_lazy("registry:product_list")
    protected_message = gettext_lazy("Không xoá được sản phẩm “%(name)s” vì còn hồ sơ liên quan.")


def unit_options(request: HttpRequest) -> HttpResponse:
    """htmx: the <option>s of the unit select for one province, within the user's scope."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    code = request.GET.get("unit_province", "").strip()
    # all=1: every current commune of the province (a producer asking to move its product).
    choices = (
        commune_choices(code or None)
        if request.GET.get("all") == "1"
        else unit_choices(request.user, code or None)
    )
    return render(request, "registry/unit_options.html", {"choices": choices})


class ProductImageCreateView(LoginRequiredMixin, CreateView):
    """Add a photo to a product: whoever may change the product may add its photos."""

    model = ProductImage
    form_class = ProductImageForm
    template_name = "registry/object_form.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.product = get_restricted_object_or_404(
            Product.objects.all(), request.user, CHANGE, pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class: Any = None) -> ProductImageForm:
        form = super().get_form(form_class)
        form.instance.product = self.product
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(model_meta=ProductImage._meta, cancel_url=self.product.get_absolute_url())
        return context

    def form_valid(self, form: ProductImageForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(
            self.request, _("Đã thêm ảnh cho sản phẩm “%(name)s”.") % {"name": self.product.name}
        )
        return response

    def get_success_url(self) -> str:
        return self.product.get_absolute_url()


@require_POST
def product_image_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    image = get_restricted_object_or_404(
        ProductImage.objects.select_related("product"), request.user, CHANGE, pk=pk
    )
    product = image.product
    if not is_confirmed(request):  # the file is deleted for good: confirm first (core.confirm)
        confirmation = Confirmation(
            title=_("Xoá ảnh sản phẩm"),
            subject=_("Sản phẩm “%(product)s”") % {"product": product},
            details=[(_("Ảnh"), image.caption or image.image.name.rsplit("/", 1)[-1])],
            consequences=[_("Tệp ảnh bị xoá khỏi máy chủ; việc xoá được ghi vào lịch sử.")],
            cancel_url=f"{product.get_absolute_url()}?tab=evidence",
        )
        return confirmation_page(request, confirmation)
    image._change_reason = request.audit_reason
    stored = image.image.name
    image.delete()
    # The file goes only once the row is gone for good.
    transaction.on_commit(lambda: image.image.storage.delete(stored))
    messages.success(request, _("Đã xoá ảnh."))
    return HttpResponseRedirect(product.get_absolute_url())


def product_image(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo itself, to users who may see the product (the public site will publish its own)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    image = get_restricted_object_or_404(ProductImage.objects.all(), request.user, VIEW, pk=pk)
    try:
        handle = image.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=f"image/{'jpeg' if image.format == 'jpg' else image.format}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
