"""Shared generic views (NetBox-style): one list view and one detail view that every app reuses.

Lists combine a django-filter FilterSet (the same one the API uses), a django-tables2 table and
the scoping mechanism; an htmx request gets only the results fragment. Detail pages get the
restricted object and a "Lịch sử" (history) tab.
"""

import tempfile
from datetime import date
from typing import Any, BinaryIO

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import InvalidPage
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from ocop.core import concurrency
from ocop.core.formatting import format_date
from ocop.core.forms import style_form
from ocop.core.history import history_entries
from ocop.core.paging import KeysFirstPaginator
from ocop.core.scoping import RestrictedViewMixin
from ocop.core.text import slugify_vi


class ReferenceDataMixin(LoginRequiredMixin):
    """Reference data (administrative units, criteria): every signed-in user may read it."""


class TableListMixin(SingleTableMixin):
    """SingleTableMixin where only the table paginates.

    ListView would paginate the object list too (a second COUNT(*) and a page nobody renders);
    the list templates show the table's page (`table.page`, `table.paginator`). Pages are read keys
    first, with the number of matches (ocop.core.paging); SingleTableMixin would pass Django's
    Paginator explicitly.
    """

    paginator_class = KeysFirstPaginator

    def get_table_pagination(self, table: Any) -> Any:
        pagination = super().get_table_pagination(table)
        if pagination is not False and self.request.GET.get("q", "").strip():
            pagination["count_with_keys"] = True  # a search: one evaluation of its conditions
        return pagination

    def paginate_queryset(self, queryset: Any, page_size: int) -> tuple[None, None, Any, bool]:
        return None, None, queryset, False

    def get_table(self, **kwargs: Any) -> Any:
        table = super().get_table(**kwargs)
        paginator = getattr(table, "paginator", None)
        if paginator is not None:
            # What ListView's pagination answered: a page that is not a number (or "last") or out
            # of range is a 404, not the first or last page shown instead.
            page = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
            try:
                number = int(page)
            except ValueError:
                if page == "last":
                    return table
                raise Http404 from None
            try:
                paginator.validate_number(number)
            except InvalidPage:
                raise Http404 from None
        return table


def _shown_value(field: forms.Field, raw: Any, cleaned: Any) -> str:
    """What a filter's chip says: the chosen object or choice label, else the typed text."""
    if isinstance(cleaned, models.Model):
        label = getattr(field, "label_from_instance", str)
        return str(label(cleaned))
    if isinstance(field, forms.ModelChoiceField):
        return str(raw)
    if isinstance(field, forms.ChoiceField):
        names = {str(code): str(name) for code, name in field.choices}
        values = raw if isinstance(raw, list | tuple) else [raw]
        return ", ".join(names.get(str(value), str(value)) for value in values)
    if isinstance(cleaned, date):
        return format_date(cleaned)
    if isinstance(raw, list | tuple):
        return ", ".join(str(value) for value in raw)
    return str(raw)


def active_filters(form: forms.Form, request: HttpRequest) -> list[dict[str, str]]:
    """The filters in use, each with the list's URL without it (a removable chip; no page number)."""
    chips = []
    cleaned = getattr(form, "cleaned_data", None) or {}
    for bound in form.visible_fields():
        name = bound.html_name
        values = [value for value in request.GET.getlist(name) if value.strip()]
        if not values:
            continue
        query = request.GET.copy()
        for key in (name, "page"):
            query.pop(key, None)
        raw = values if len(values) > 1 else values[0]
        chips.append(
            {
                "label": str(bound.label),
                "value": _shown_value(bound.field, raw, cleaned.get(bound.name)),
                "url": f"{request.path}?{query.urlencode()}" if query else request.path,
            }
        )
    return chips


class _ListBase(TableListMixin, FilterView):
    template_name = "core/object_list.html"
    results_template_name = "core/includes/object_list_results.html"
    paginate_by = 50
    title: str = ""

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.results_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural
        context["model_meta"] = self.model._meta
        if context.get("filter") is not None:
            style_form(context["filter"].form)
            context["active_filters"] = active_filters(context["filter"].form, self.request)
        return context


class ObjectListView(RestrictedViewMixin, _ListBase):
    """A scoped list: the queryset goes through restrict(user, "view")."""


EXPORT_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Exports up to this size stay in memory; larger ones spill to a temporary file on disk.
EXPORT_SPOOL_BYTES = 8 * 1024 * 1024


def export_filename(name: str, fmt: str, day: date | None = None) -> str:
    """'Sản phẩm', 'xlsx' → 'san-pham-2026-11-23.xlsx' (ASCII: every browser and OS keeps it)."""
    day = day or timezone.localdate()
    return f"{slugify_vi(name) or 'export'}-{day.isoformat()}.{fmt}"


class ExportMixin:
    """`?export=xlsx|csv` on a list: the same FilterSet and the same scoped queryset as the page.

    Put it before ObjectListView; set `export_name` (folded into the file name) and implement
    write_export(). The file is written to a spooled temporary file and streamed back in chunks,
    so a 20,000-row export never sits twice in memory.
    """

    export_formats: tuple[str, ...] = ("xlsx", "csv")
    export_name: str = ""
    export_param = "export"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get(self.export_param)
        if fmt is None:
            return super().get(request, *args, **kwargs)
        if fmt not in self.export_formats:
            raise Http404
        return self.export_response(self.get_export_queryset(), fmt)

    def get_export_queryset(self) -> models.QuerySet:
        # Exactly what FilterView.get() lists (get_queryset() is already restricted to the user).
        self.filterset = self.get_filterset(self.get_filterset_class())
        if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
            return self.filterset.qs
        return self.filterset.queryset.none()

    def write_export(self, queryset: models.QuerySet, stream: BinaryIO, fmt: str) -> None:
        raise NotImplementedError

    def export_response(self, queryset: models.QuerySet, fmt: str) -> FileResponse:
        stream = tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
        try:
            self.write_export(queryset, stream, fmt)
        except BaseException:
            stream.close()
            raise
        stream.seek(0)
        name = str(self.export_name or self.model._meta.verbose_name_plural)
        response = FileResponse(
            stream,
            as_attachment=True,
            filename=export_filename(name, fmt),
            content_type=EXPORT_CONTENT_TYPES.get(fmt, "application/octet-stream"),
        )
        response["Cache-Control"] = "private, no-store"  # personal data, scoped to this user
        return response

    def get_export_links(self) -> list[tuple[str, str]]:
        """(format, URL) pairs keeping the current filters and sort (the page number dropped)."""
        links = []
        for fmt in self.export_formats:
            query = self.request.GET.copy()
            for key in ("page", self.export_param):
                query.pop(key, None)
            query[self.export_param] = fmt
            links.append((fmt, f"{self.request.path}?{query.urlencode()}"))
        return links

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["export_links"] = self.get_export_links()
        return context


class ReferenceListView(ReferenceDataMixin, _ListBase):
    """A list of reference data, readable by every signed-in user."""


class _DetailBase(DetailView):
    template_name = "core/object_detail.html"
    tabs: tuple[tuple[str, str], ...] = ()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["active_tab"] = self.request.GET.get("tab", "info")
        if context["active_tab"] == "history" and hasattr(self.object, "history"):
            context["history_entries"] = history_entries(self.object)
        return context


class ObjectDetailView(RestrictedViewMixin, _DetailBase):
    """A scoped detail page: an out-of-scope object is a 404, its existence stays hidden."""


class ReferenceDetailView(ReferenceDataMixin, _DetailBase):
    """A detail page of reference data."""


class _VersionedMixin:
    """The row's version in the page (hidden field ``_version``, core/includes/version_field.html)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if getattr(self, "object", None) is not None:
            context.setdefault("version", concurrency.version_of(self.object))
        return context

    def _locked_object(self) -> models.Model:
        # Lock by the URL's pk, then read through the view's (scoped) queryset: the read sees the
        # last committed write, and a concurrent writer waits for this transaction.
        concurrency.lock_row(self.model, self.kwargs[self.pk_url_kwarg])
        return self.get_object()


class VersionedUpdateMixin(_VersionedMixin):
    """For UpdateView: a form read before someone else's save is not saved but shown again, the
    user's input kept, with the values saved meanwhile next to the user's (core.concurrency)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            self.object = self._locked_object()
            form = self.get_form()
            if concurrency.is_stale(self.object, concurrency.read_version(request)):
                return self.form_stale(form)
            if form.is_valid():
                return self.form_valid(form)
            return self.form_invalid(form)

    def form_stale(self, form: Any) -> HttpResponse:
        kwargs = self.get_form_kwargs()
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        current = self.get_form_class()(**kwargs)  # the stored row, as this form shows it
        extra = concurrency.stale_form_context(form, current, self.object)
        return self.render_to_response(self.get_context_data(form=form, **extra))


class VersionedDeleteMixin(_VersionedMixin):
    """For DeleteView: a confirmation read before someone else's save deletes nothing; the page
    comes back saying so, with the new version."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with transaction.atomic():
            self.object = self._locked_object()
            if concurrency.is_stale(self.object, concurrency.read_version(request)):
                extra = concurrency.stale_delete_context(self.object)
                return self.render_to_response(self.get_context_data(**extra))
            return super().post(request, *args, **kwargs)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def verbose(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name)
