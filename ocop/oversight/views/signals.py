"""Scan signals pages: the province's list with a reason for each, a signal's figures and the
officer's two ways on: dismiss it with a note, or put its producer in an inspection plan.

The rules live in ``ocop.oversight.signal_rules`` (explained on the list page, ``RULE_TEXTS``),
the refresh and the dismissal in ``ocop.oversight.signals``; the views only show and ask.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ocop.core import clock
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.forms import BootstrapFormMixin
from ocop.core.generic import ObjectDetailView, ObjectListView
from ocop.core.scoping import CHANGE, VIEW, can, get_restricted_object_or_404, role_required
from ocop.public.models import MissedLookup, ScanCount

from .. import signal_rules as rules
from .. import signals as service
from ..filtersets.signals import SignalFilterSet
from ..models import InspectionPlan, PlanStatus, ScanSignal, SignalRule, SignalStatus
from ..tables.signals import SignalTable


def rule_texts() -> list[tuple[str, str]]:
    """Each rule in plain Vietnamese, with its thresholds (the box at the top of the list)."""
    return [
        (
            _("Giấy chứng nhận hết hiệu lực, bị thu hồi hoặc đã được thay thế vẫn được quét"),
            _(
                "Mã QR trên giấy chứng nhận hoặc tem của một giấy không còn hiệu lực được quét "
                "từ %(n)s lần trở lên trong %(days)s ngày qua (chỉ tính từ ngày giấy hết hiệu lực, "
                "bị thu hồi hoặc được thay thế): có thể bao bì, tem cũ vẫn đang được dùng, hoặc mã bị "
                "sao chép sang hàng khác."
            )
            % {"n": rules.STATUS_MIN_SCANS, "days": rules.STATUS_WINDOW_DAYS},
        ),
        (
            _("Được quét nhiều ở vùng xa nơi sản xuất"),
            _(
                "Trong %(days)s ngày qua có từ %(n)s lượt quét QR được biết tỉnh, và từ %(share)s%% trở lên "
                "đến từ các tỉnh thuộc vùng kinh tế - xã hội khác với vùng của tỉnh nơi sản xuất (6 vùng): "
                "nên xem sản phẩm được bán ở đâu, có hàng nhái không. Tỉnh của lượt quét do máy chủ trung "
                "gian cho biết; hệ thống không đọc, không lưu địa chỉ của người quét."
            )
            % {
                "days": rules.FAR_WINDOW_DAYS,
                "n": rules.FAR_MIN_SCANS,
                "share": round(100 * rules.FAR_MIN_SHARE),
            },
        ),
        (
            _("Lượt quét tăng đột biến"),
            _(
                "Một ngày trong %(recent)s ngày qua có số lượt quét (không tính API) từ %(floor)s trở lên và "
                "gấp %(factor)s lần trở lên trung vị của %(lookback)s ngày trước đó: có thể một lô hàng lớn "
                "vừa ra thị trường, hoặc mã đang bị dùng bất thường."
            )
            % {
                "recent": rules.SURGE_RECENT_DAYS,
                "floor": rules.SURGE_FLOOR,
                "factor": rules.SURGE_FACTOR,
                "lookback": rules.SURGE_LOOKBACK_DAYS,
            },
        ),
        (
            _("Mã không tồn tại, gần giống một mã thật"),
            _(
                "Một mã không có giấy chứng nhận nào được tra từ %(n)s lần trở lên trong %(days)s "
                "ngày qua và chỉ khác một mã thật một chút (sai, thừa hoặc thiếu một ký tự, đảo hai "
                "ký tự liền nhau, nhầm O/0, I/1…): có thể nhãn in sai mã, hoặc mã giả bắt chước mã thật."
            )
            % {"n": rules.MISTYPED_MIN_MISSES, "days": service.WINDOW_DAYS},
        ),
    ]


def inactive_rules() -> list[str]:
    """Why a rule does not run on this installation (shown on the page)."""
    if service.regions_active():
        return []
    return [
        _(
            "Dấu hiệu “Được quét nhiều ở vùng xa nơi sản xuất” chưa hoạt động: hệ thống không tra địa chỉ IP "
            "(không có dịch vụ định vị khi chạy nội bộ, và không lưu địa chỉ của ai). Quản trị viên bật nó "
            "bằng cách cho máy chủ trung gian ghi tỉnh của lượt quét vào một tiêu đề HTTP và đặt tên tiêu đề "
            "đó trong OCOP_SCAN_REGION_HEADER."
        )
    ]


class SignalListView(ObjectListView):
    model = ScanSignal
    table_class = SignalTable
    filterset_class = SignalFilterSet
    template_name = "oversight/signal_list.html"
    title = gettext_lazy("Dấu hiệu rủi ro từ lượt quét")

    def get_queryset(self) -> QuerySet[ScanSignal]:
        return service.by_urgency(super().get_queryset().select_related("product", "certificate"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(rule_texts=rule_texts(), inactive_rules=inactive_rules())
        return context


def _daily_scans(signal: ScanSignal, today: dt.date) -> list[tuple[dt.date, int]]:
    """The last WINDOW_DAYS days of the counter the signal is about (one grouped query)."""
    start = today - dt.timedelta(days=service.WINDOW_DAYS - 1)
    if signal.rule == SignalRule.MISTYPED:
        rows = MissedLookup.objects.filter(code=signal.code, day__gte=start, day__lte=today).values_list(
            "day", "count"
        )
    else:
        counts = ScanCount.objects.filter(day__gte=start, day__lte=today).order_by()
        if signal.certificate_id and signal.rule != SignalRule.SURGE:
            counts = counts.filter(kind="certificate", object_id=signal.certificate_id)
        else:
            counts = counts.filter(product_id=signal.product_id).exclude(source="api")
        rows = counts.values("day").annotate(n=Sum("count")).values_list("day", "n")
    by_day = dict(rows)
    return [
        (start + dt.timedelta(days=i), by_day.get(start + dt.timedelta(days=i), 0))
        for i in range(service.WINDOW_DAYS)
    ]


def plan_links(user: Any, signal: ScanSignal) -> list[dict[str, str]]:
    """Active plans the user may add producers to that cover the product, each with the link of
    ``oversight:plan_add_producers?producer=<id>`` (none while that page does not exist)."""
    if signal.product.producer_id is None:
        return []
    plans = (
        InspectionPlan.objects.restrict(user, CHANGE)
        .filter(status=PlanStatus.ACTIVE)
        # A Ministry plan without a province covers the whole country.
        .filter(Q(province_id=signal.product.province_id) | Q(province__isnull=True))
        .order_by("-starts_on", "-pk")[:5]
    )
    links = []
    for plan in plans:
        try:
            url = reverse("oversight:plan_add_producers", args=[plan.pk])
        except NoReverseMatch:
            return []
        links.append(
            {"title": plan.title, "url": f"{url}?{urlencode({'producer': signal.product.producer_id})}"}
        )
    return links


class SignalDetailView(ObjectDetailView):
    model = ScanSignal
    template_name = "oversight/signal_detail.html"

    def get_queryset(self) -> QuerySet[ScanSignal]:
        return (
            super().get_queryset().select_related("product", "product__producer", "certificate", "handled_by")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        signal, user = self.object, self.request.user
        daily = _daily_scans(signal, clock.today())
        may_act = signal.status == SignalStatus.OPEN and can(user, CHANGE, signal)
        context.update(
            reason=service.reason(signal),
            rule_texts=rule_texts(),
            daily=daily,
            chart_data={
                "labels": [format_date(day)[:5] for day, _n in daily],
                "values": [n for _day, n in daily],
                "label": _("Lượt tra mã") if signal.rule == SignalRule.MISTYPED else _("Lượt quét"),
            },
            total_window=sum(n for _day, n in daily),
            can_dismiss=may_act,
            plans=plan_links(user, signal) if may_act else [],
            form=DismissForm(),
            region_rows=[row for row in (signal.detail or {}).get("top", []) if len(row) == 3],
        )
        return context


class DismissForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Lý do không cần kiểm tra"),
        max_length=service.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@require_POST
@role_required(ScanSignal, CHANGE)
def signal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    signal = get_restricted_object_or_404(
        ScanSignal.objects.select_related("product"), request.user, VIEW, pk=pk
    )
    if not can(request.user, CHANGE, signal):
        raise PermissionDenied
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy ghi lý do không cần kiểm tra."))
        return HttpResponseRedirect(signal.get_absolute_url())
    note = form.cleaned_data["note"]
    if not is_confirmed(request) and signal.status == SignalStatus.OPEN:
        return confirmation_page(
            request,
            Confirmation(
                title=_("Bỏ qua dấu hiệu"),
                subject=_("%(rule)s — sản phẩm “%(product)s”")
                % {"rule": signal.get_rule_display(), "product": signal.product},
                details=[(_("Lý do"), service.reason(signal)), (_("Ghi chú"), note)],
                consequences=[
                    _("Dấu hiệu chuyển sang “Đã xem, không cần kiểm tra”, kèm ghi chú và tên người xem."),
                    _("Dấu hiệu chỉ mở lại khi số lượt vượt quá %(n)s, con số hôm nay.")
                    % {"n": signal.scans},
                ],
                cancel_url=signal.get_absolute_url(),
            ),
        )
    try:
        service.dismiss(request.user, signal, note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã ghi nhận: dấu hiệu không cần kiểm tra."))
    return HttpResponseRedirect(signal.get_absolute_url())
