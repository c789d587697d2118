"""The user's notifications: /notifications/ (own only, newest first), marking them read (POST),
and /notifications/settings/: which kinds the user also receives by e-mail.

Whatever the role, a user only ever lists and marks their own notifications: another user's
notification is a 404, like any object outside one's scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .generic import is_htmx
from .models import Notification
from .notifications import email_muted, kinds_for, set_email_kinds
from .scoping import CHANGE, VIEW, get_restricted_object_or_404, restrict


def own_notifications(user: Any, action: str = VIEW) -> QuerySet[Notification]:
    return restrict(Notification.objects.filter(user=user), user, action)


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "core/notifications.html"
    paginate_by = 50
    title = gettext_lazy("Thông báo")

    def get_queryset(self) -> QuerySet[Notification]:
        notifications = own_notifications(self.request.user)
        if self.request.GET.get("unread"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["unread_only"] = bool(self.request.GET.get("unread"))
        return context


def _safe_target(request: HttpRequest, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return None


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; `open=1` then goes to what it is about."""
    notification = get_restricted_object_or_404(
        Notification.objects.filter(user=request.user), request.user, CHANGE, pk=pk
    )
    notification.mark_read()
    if request.POST.get("open") and (target := _safe_target(request, notification.url)):
        return HttpResponseRedirect(target)
    if is_htmx(request):
        return render(request, "core/includes/notification_item.html", {"notification": notification})
    return HttpResponseRedirect(reverse("core:notifications"))


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = (
        own_notifications(request.user, CHANGE).filter(read_at__isnull=True).update(read_at=timezone.now())
    )
    if count:
        messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
    return HttpResponseRedirect(reverse("core:notifications"))


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """E-mail on or off per kind of notification, for the signed-in user only (in-app ones always come)."""
    kinds = kinds_for(request.user)
    if request.method == "POST":
        codes = {kind.code for kind in kinds}
        set_email_kinds(request.user, [code for code in request.POST.getlist("email") if code in codes])
        messages.success(request, _("Đã lưu cài đặt nhận thư thông báo."))
        return HttpResponseRedirect(reverse("core:notification_settings"))
    muted = email_muted(request.user)
    context = {
        "title": _("Cài đặt thông báo"),
        "kinds": [(kind.code, kind.label, kind.code not in muted) for kind in kinds],
        "address": request.user.email,
    }
    return render(request, "core/notification_settings.html", context)
