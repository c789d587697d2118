"""Evidence pages: add/edit/delete forms, one document's page, the download, the expiring list.

Every view goes through ocop.core.scoping on the document (scoped through its producer): adding
needs "add" on a document of that producer, editing "change", deleting "delete", reading and
downloading "view"; anything out of scope is a 404 so its existence stays hidden.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.core import concurrency
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, can, get_restricted_object_or_404, role_can
from ocop.registry.models import Producer, Product

from .filtersets import ExpiringFilterSet
from .forms import EvidenceDocumentForm
from .models import EvidenceDocument
from .rules import EXPIRING_WINDOW_DAYS
from .tables import ExpiringTable
from .uploads import file_response, save_document

RELATED = ("producer__province", "producer__commune", "product", "uploaded_by")


def _documents() -> QuerySet[EvidenceDocument]:
    return EvidenceDocument.objects.select_related(*RELATED)


def _login_or_403(request: HttpRequest, action: str) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not role_can(request.user, action, EvidenceDocument):
        raise PermissionDenied
    return None


def _back_url(document: EvidenceDocument) -> str:
    """Where the user came from: the product's or the producer's evidence tab."""
    owner = document.product if document.product_id else document.producer
    return f"{owner.get_absolute_url()}?tab=evidence"


def _render_form(
    request: HttpRequest, form: EvidenceDocumentForm, cancel_url: str, **extra: Any
) -> HttpResponse:
    context = {"form": form, "object": form.instance if form.instance.pk else None, "cancel_url": cancel_url}
    if form.instance.pk:
        context["version"] = concurrency.version_of(form.instance)
    return render(request, "documents/document_form.html", {**context, **extra})


def _save_form(request: HttpRequest, form: EvidenceDocumentForm) -> EvidenceDocument:
    document = form.save(commit=False)
    if document.pk is None:
        document.uploaded_by = request.user
    return save_document(document, form.checked)


def document_add(request: HttpRequest, producer_id: int) -> HttpResponse:
    """Add a document to a producer; `?product=<id>` preselects one of its products."""
    if (refusal := _login_or_403(request, ADD)) is not None:
        return refusal
    producer = get_restricted_object_or_404(Producer.objects.all(), request.user, VIEW, pk=producer_id)
    if not can(request.user, ADD, EvidenceDocument(producer=producer)):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    product_id = request.GET.get("product", "")
    if product_id.isdigit():
        initial["product"] = product_id
    bound = request.method == "POST"
    form = EvidenceDocumentForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        producer=producer,
        actor=request.user,
        initial=initial,
    )
    owner = producer
    if product_id.isdigit() and Product.objects.filter(pk=product_id, producer=producer).exists():
        owner = Product(pk=int(product_id))
    cancel = f"{owner.get_absolute_url()}?tab=evidence"
    if bound and form.is_valid():
        document = _save_form(request, form)
        messages.success(request, _("Đã lưu giấy tờ “%(title)s”.") % {"title": document.title})
        return HttpResponseRedirect(_back_url(document))
    return _render_form(request, form, cancel)


def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if (refusal := _login_or_403(request, CHANGE)) is not None:
        return refusal
    if request.method != "POST":
        document = get_restricted_object_or_404(_documents(), request.user, CHANGE, pk=pk)
        form = EvidenceDocumentForm(instance=document, producer=document.producer, actor=request.user)
        return _render_form(request, form, document.get_absolute_url())
    with transaction.atomic():  # check the version and save under the row's lock (core.concurrency)
        concurrency.lock_row(EvidenceDocument, pk)
        document = get_restricted_object_or_404(_documents(), request.user, CHANGE, pk=pk)
        kwargs = {"producer": document.producer, "actor": request.user}
        form = EvidenceDocumentForm(request.POST, request.FILES, instance=document, **kwargs)
        if concurrency.is_stale(document, concurrency.read_version(request)):
            current = EvidenceDocumentForm(instance=concurrency.stored(document), **kwargs)
            extra = concurrency.stale_form_context(form, current, document)
            return _render_form(request, form, document.get_absolute_url(), **extra)
        if form.is_valid():
            document = _save_form(request, form)
            messages.success(request, _("Đã lưu giấy tờ “%(title)s”.") % {"title": document.title})
            return HttpResponseRedirect(_back_url(document))
    return _render_form(request, form, document.get_absolute_url())


def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if (refusal := _login_or_403(request, DELETE)) is not None:
        return refusal
    if request.method != "POST":
        document = get_restricted_object_or_404(_documents(), request.user, DELETE, pk=pk)
        return _render_delete(request, document)
    with transaction.atomic():
        concurrency.lock_row(EvidenceDocument, pk)
        document = get_restricted_object_or_404(_documents(), request.user, DELETE, pk=pk)
        if concurrency.is_stale(document, concurrency.read_version(request)):
            return _render_delete(request, document, **concurrency.stale_delete_context(document))
        back = _back_url(document)
        title = document.title
        try:
            with transaction.atomic():
                document.delete()  # the file goes on commit (models._delete_file)
        except ProtectedError:  # pragma: no cover - nothing protects a document today
            messages.error(request, _("Không xoá được giấy tờ này."))
            return HttpResponseRedirect(document.get_absolute_url())
    messages.success(request, _("Đã xoá giấy tờ “%(title)s”.") % {"title": title})
    return HttpResponseRedirect(back)


def _render_delete(request: HttpRequest, document: EvidenceDocument, **extra: Any) -> HttpResponse:
    context = {"object": document, "version": concurrency.version_of(document), **extra}
    return render(request, "documents/document_confirm_delete.html", context)


def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, to users who may see the document; 404 for everyone else (existence stays hidden)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    document = get_restricted_object_or_404(EvidenceDocument.objects.all(), request.user, VIEW, pk=pk)
    return file_response(document)


class DocumentDetailView(ObjectDetailView):
    model = EvidenceDocument
    template_name = "documents/document_detail.html"

    def get_queryset(self) -> QuerySet[EvidenceDocument]:
        return super().get_queryset().select_related(*RELATED)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, document = self.request.user, self.object
        context["can_change"] = can(user, CHANGE, document)
        context["can_delete"] = can(user, DELETE, document)
        context["producer_visible"] = can(user, VIEW, document.producer)
        context["product_visible"] = document.product is not None and can(user, VIEW, document.product)
        context["back_url"] = _back_url(document)
        return context


class ExpiringListView(ObjectListView):
    """Evidence expiring within N days (`?days=90`), per unit and type, within the user's scope."""

    model = EvidenceDocument
    table_class = ExpiringTable
    filterset_class = ExpiringFilterSet
    template_name = "documents/expiring_list.html"
    title = gettext_lazy("Giấy tờ minh chứng sắp hết hạn")

    def get_queryset(self) -> QuerySet[EvidenceDocument]:
        return (
            super()
            .get_queryset()
            .filter(expiry_date__isnull=False)
            .select_related("producer__province", "producer__commune", "product")
            .order_by("expiry_date", "pk")
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        # Always bound, so the default window applies to a bare /documents/expiring/ too.
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if not data.get("days"):
            data["days"] = str(EXPIRING_WINDOW_DAYS)
        kwargs["data"] = data
        return kwargs
