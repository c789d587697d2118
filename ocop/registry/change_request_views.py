"""Change request pages: a producer asks (from its product's page), officers decide, both follow.

The rules are in `ocop.registry.change_requests` (scope, stale requests, what may be asked); the
views only show forms and turn refusals into messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import ADD, CHANGE, VIEW, can, get_restricted_object_or_404

from . import change_requests as service
from .filtersets import ChangeRequestFilterSet
from .forms import ChangeRequestForm, DecisionForm
from .models import ChangeRequest, Product
from .tables import ChangeRequestTable


class ChangeRequestListView(ObjectListView):
    model = ChangeRequest
    table_class = ChangeRequestTable
    filterset_class = ChangeRequestFilterSet
    template_name = "registry/change_request_list.html"
    title = gettext_lazy("Đề nghị thay đổi thông tin sản phẩm")

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return super().get_queryset().select_related("product")


def _add_errors(form: ChangeRequestForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def change_request_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A producer account asks to change its product's name, product set, place, standards, packaging."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    product = get_restricted_object_or_404(
        Product.objects.select_related("producer", "unit", "province"), request.user, VIEW, pk=pk
    )
    fields = service.requestable_fields(request.user, product)
    if not fields or not can(request.user, ADD, ChangeRequest(product=product)):
        raise PermissionDenied
    form = ChangeRequestForm(request.POST or None, product=product, fields=fields)
    if request.method == "POST" and form.is_valid():
        try:
            change_request = service.submit(request.user, product, form.values(), form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã gửi đề nghị thay đổi; cán bộ xã/tỉnh sẽ duyệt và bạn sẽ nhận được thông báo kết quả."),
            )
            return HttpResponseRedirect(change_request.get_absolute_url())
    pending = product.change_requests.filter(status="pending").first()
    return render(
        request,
        "registry/change_request_form.html",
        {"form": form, "product": product, "pending": pending},
    )


class ChangeRequestDetailView(ObjectDetailView):
    model = ChangeRequest
    template_name = "registry/change_request_detail.html"

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        return (
            super()
            .get_queryset()
            .select_related("product", "product__producer", "requested_by", "decided_by")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        change_request, user = self.object, self.request.user
        pending = change_request.is_pending
        context.update(
            rows=change_request.rows(),
            can_decide=pending and can(user, CHANGE, change_request),
            can_withdraw=pending and can(user, ADD, change_request),
            form=DecisionForm(),
        )
        return context


def _may(user: Any, change_request: ChangeRequest, action: str, note: str) -> bool:
    """Whether the step could go now (then it asks for confirmation first); else the service's
    refusal is shown straight away. A rejection needs its note before anything is confirmed."""
    if not change_request.is_pending:
        return False
    if action == "withdraw":
        return can(user, ADD, change_request)
    return can(user, CHANGE, change_request) and (action == "approve" or bool(note.strip()))


def _confirmation(change_request: ChangeRequest, action: str, note: str) -> Confirmation:
    product = change_request.product
    changes = [
        (str(row["label"]).capitalize(), f"{row['old']} → {row['new']}") for row in change_request.rows()
    ]
    note_row = [(_("Ý kiến"), note)] if note else []
    if action == "approve":
        title = _("Duyệt đề nghị thay đổi")
        consequences = [
            _("Thông tin sản phẩm được cập nhật ngay như dưới đây và ghi vào lịch sử."),
            _("Đề nghị đã duyệt không rút lại được."),
        ]
    elif action == "reject":
        title = _("Từ chối đề nghị thay đổi")
        consequences = [
            _("Thông tin sản phẩm giữ nguyên; chủ thể thấy ý kiến từ chối."),
            _("Đề nghị đã từ chối không mở lại được; chủ thể có thể gửi đề nghị mới."),
        ]
    else:
        title = _("Rút đề nghị thay đổi")
        consequences = [
            _("Đề nghị không còn chờ duyệt; thông tin sản phẩm giữ nguyên."),
            _("Đề nghị đã rút không mở lại được; có thể gửi đề nghị mới."),
        ]
    return Confirmation(
        title=title,
        subject=_("Sản phẩm “%(product)s”") % {"product": product},
        details=[*changes, *note_row],
        consequences=consequences,
        cancel_url=change_request.get_absolute_url(),
    )


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    change_request = get_restricted_object_or_404(ChangeRequest.objects.all(), request.user, VIEW, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not is_confirmed(request) and _may(request.user, change_request, action, note):
        return confirmation_page(request, _confirmation(change_request, action, note))
    try:
        if action == "approve":
            service.approve(request.user, change_request, note)
            messages.success(request, _("Đã duyệt đề nghị; thông tin sản phẩm đã được cập nhật."))
        elif action == "reject":
            service.reject(request.user, change_request, note)
            messages.success(request, _("Đã từ chối đề nghị; chủ thể sẽ nhận được thông báo."))
        else:
            service.withdraw(request.user, change_request)
            messages.success(request, _("Đã rút đề nghị."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return HttpResponseRedirect(change_request.get_absolute_url())


@require_POST
def change_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@require_POST
def change_request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@require_POST
def change_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "withdraw")


def context_for_product(user: Any, product: Product) -> dict[str, Any]:
    """What the product page shows of change requests: the open one, and whether the user may ask."""
    return {
        "pending_change": product.change_requests.filter(status="pending").first(),
        "can_request_change": bool(service.requestable_fields(user, product))
        and can(user, ADD, ChangeRequest(product=product)),
    }
