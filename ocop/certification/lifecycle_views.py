"""The end of a certificate's life: revocation (Art. 8) and the certificates about to expire (Art. 7.6, 12.3).

    /evaluation/certificates/expiring/          valid today, expiring within ?days= (180), with the
                                                re-evaluation window; ?export=xlsx|csv
    /evaluation/certificates/<code>/revoke/     "Thu hồi giấy chứng nhận" (revocation.revoke)

Both are scoped with ocop.core.scoping like the other certificate pages; the revocation itself is
decided by revocation.revoke (who may revoke which star), never here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, BinaryIO

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from ocop.core import clock
from ocop.core.confirm import Confirmation, confirmation_page, is_confirmed
from ocop.core.formatting import format_date
from ocop.core.generic import ExportMixin, ObjectListView, is_htmx
from ocop.core.scoping import CHANGE, get_restricted_object_or_404, role_can
from ocop.core.tabular import Column, Spec

from . import extensions, reminders, revocation
from .filtersets import ExpiringCertificateFilterSet
from .forms import RevocationForm
from .models import Certificate, RevocationGround
from .steps import StepError
from .tables import ExpiringCertificateTable

# --- certificates about to expire ----------------------------------------------------------------

EXPIRING_SPEC = Spec(
    columns=[
        Column(gettext_lazy("Mã giấy chứng nhận"), "code"),
        Column(gettext_lazy("Số giấy chứng nhận"), "number"),
        Column(gettext_lazy("Sản phẩm"), "product"),
        Column(gettext_lazy("Mã sản phẩm"), "product_code"),
        Column(gettext_lazy("Chủ thể"), "producer"),
        Column(gettext_lazy("Xã/phường/đặc khu"), "commune"),
        Column(gettext_lazy("Tỉnh/thành phố"), "province"),
        Column(gettext_lazy("Hạng sao"), "star", width=10),
        Column(gettext_lazy("Ngày cấp"), "issue_date", width=12),
        Column(gettext_lazy("Hiệu lực đến hết ngày"), "expiry", width=12),
        Column(gettext_lazy("Còn (ngày)"), "days_left", width=10),
        Column(gettext_lazy("Bắt đầu nhận hồ sơ đánh giá lại"), "opens", width=14),
        Column(gettext_lazy("Hạn cuối nộp hồ sơ đánh giá lại"), "closes", width=14),
        Column(gettext_lazy("Tình trạng nộp hồ sơ"), "state", width=28),
        Column(gettext_lazy("Hồ sơ đánh giá lại"), "dossier", width=28),
    ]
)


def expiring_row(certificate: Certificate, today: dt.date) -> dict[str, Any]:
    product = certificate.product
    opens, closes = reminders.window(certificate.expiry, today)
    status = getattr(certificate, "reevaluation_status", None)
    return {
        "code": certificate.code,
        "number": certificate.number,
        "product": product.name,
        "product_code": product.code or "",
        "producer": product.producer.name,
        "commune": product.commune.name if product.commune_id else "",
        "province": product.province.name,
        "star": certificate.star,
        "issue_date": format_date(certificate.issue_date),
        "expiry": format_date(certificate.expiry),
        "days_left": (certificate.expiry - today).days,
        "opens": format_date(opens),
        "closes": format_date(closes),
        "state": str(reminders.WindowState.LABELS[reminders.window_state(certificate.expiry, today)]),
        "dossier": extensions.filing_status_label(status) if status else _("Chưa có"),
    }


class CertificateExpiringView(ExportMixin, ObjectListView):
    """Certificates valid today that expire within ?days= (default 180), in the user's scope."""

    model = Certificate
    table_class = ExpiringCertificateTable
    filterset_class = ExpiringCertificateFilterSet
    template_name = "certification/certificate_expiring.html"
    title = gettext_lazy("Giấy chứng nhận sắp hết hiệu lực")
    export_name = gettext_lazy("Giấy chứng nhận sắp hết hiệu lực")

    def get_queryset(self) -> QuerySet[Certificate]:
        # The latest re-evaluation dossier (any status but withdrawn) of each certificate. It needs no
        # scoping of its own: a dossier has its product's scope, the same as the certificate's.
        latest = reminders.reevaluation_dossiers().order_by("-created", "-pk")
        return (
            super()
            .get_queryset()
            .valid_on(clock.today())
            .filter(reminders.followed())
            .select_related("product__producer", "product__province", "product__commune")
            .annotate(
                reevaluation_status=Subquery(latest.values("status")[:1]),
                reevaluation_dossier=Subquery(latest.values("pk")[:1]),
            )
            .order_by("expiry", "pk")
        )

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        # Always bound, so the default window applies to a bare /evaluation/certificates/expiring/ too.
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = self.request.GET.copy()
        if not data.get("days"):
            data["days"] = str(reminders.window_days(clock.today())[0])  # when the window opens
        kwargs["data"] = data
        return kwargs

    def get_table_kwargs(self) -> dict[str, Any]:
        return {**super().get_table_kwargs(), "today": clock.today()}

    def write_export(self, queryset: QuerySet, stream: BinaryIO, fmt: str) -> None:
        today = clock.today()
        rows = (expiring_row(certificate, today) for certificate in queryset.iterator(chunk_size=500))
        EXPIRING_SPEC.write_rows(rows, stream, fmt)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        opens_days, closes_days = reminders.window_days(clock.today())
        context.update(
            today=clock.today(),
            opens_days=opens_days,
            closes_days=closes_days,
            certificate_list_url=reverse("certification:certificate_list"),
        )
        return context


# --- revocation ----------------------------------------------------------------------------------


def deadline_context(form: RevocationForm, data: QueryDict | None = None) -> dict[str, Any]:
    """The 15-day deadline (Art. 8.4) for the dates typed so far (a bound form, or raw GET data)."""

    def parse(name: str) -> dt.date | None:
        if data is None:
            return getattr(form, "cleaned_data", {}).get(name) if form.is_bound else None
        try:
            return form.fields[name].clean(data.get(name, ""))
        except ValidationError:
            return None

    conclusion, date = parse("conclusion_on"), parse("date")
    deadline = revocation.revocation_deadline(conclusion) if conclusion else None
    return {
        "conclusion_on": conclusion,
        "decision_date": date,
        "deadline": deadline,
        "late": bool(deadline and date and date > deadline),
    }


class CertificateRevokeView(LoginRequiredMixin, FormView):
    """Thu hồi giấy chứng nhận: the province office (3–4★) or the national agency (5★)."""

    form_class = RevocationForm
    template_name = "certification/certificate_revoke.html"
    deadline_template = "certification/includes/revocation_deadline.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not role_can(request.user, CHANGE, Certificate):
            raise PermissionDenied  # communes, councils, producers and viewers never revoke
        certificates = Certificate.objects.select_related(
            "product__producer", "product__province", "product__commune", "decision"
        ).with_status(clock.today())
        self.certificate = get_restricted_object_or_404(
            certificates, request.user, CHANGE, code=kwargs["code"]
        )
        self.refusal = revocation.revocation_refusal(request.user, self.certificate)
        proposals = extensions.revocation_proposals(request.user, self.certificate)
        self.proposal = proposals[-1] if proposals else None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "deadline" in request.GET and is_htmx(request):
            # htmx, as the dates are typed: the deadline and the warning only.
            return render(request, self.deadline_template, deadline_context(self.get_form(), request.GET))
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.refusal:
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "certificate": self.certificate}

    def get_initial(self) -> dict[str, Any]:
        # Pre-filled from the latest conclusion proposing this revocation (an inspection's), if any.
        initial = super().get_initial()
        if self.proposal is not None:
            initial.update(
                ground=self.proposal.ground,
                conclusion_on=self.proposal.concluded_on,
                reason=self.proposal.reason,
            )
        return initial

    def _confirmation(self, form: RevocationForm) -> Confirmation:
        data = form.cleaned_data
        certificate = self.certificate
        return Confirmation(
            title=_("Thu hồi giấy chứng nhận"),
            subject=_("Giấy chứng nhận %(code)s — %(product)s")
            % {"code": certificate.code, "product": certificate.product},
            details=[
                (_("Căn cứ thu hồi"), str(RevocationGround(data["ground"]).label)),
                (_("Số quyết định thu hồi"), data["number"]),
                (_("Ngày ban hành quyết định"), format_date(data["date"])),
                (_("Ngày thu hồi"), format_date(data["revoked_on"] or data["date"])),
            ],
            consequences=[
                _(
                    "Giấy chứng nhận %(code)s hết hiệu lực từ ngày thu hồi; "
                    "quyết định thu hồi được ghi vào lịch sử."
                )
                % {"code": certificate.code},
                _("Trang tra cứu công khai báo giấy chứng nhận đã bị thu hồi."),
                _("Không thể hoàn tác: muốn công nhận lại, sản phẩm phải được đánh giá lại."),
            ],
            cancel_url=certificate.get_absolute_url(),
        )

    def get_form(self, form_class: Any = None) -> RevocationForm:
        form = super().get_form(form_class)
        live = {
            "hx-get": self.request.path,
            "hx-trigger": "change",
            "hx-target": "#revocation-deadline",
            "hx-include": "[name=conclusion_on],[name=date]",
            "hx-vals": '{"deadline": "1"}',
        }
        for name in ("conclusion_on", "date"):
            form.fields[name].widget.attrs.update(live)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            certificate=self.certificate,
            refusal=self.refusal,
            proposal=self.proposal,
            today=clock.today(),
            **deadline_context(context["form"]),
        )
        return context

    def form_valid(self, form: RevocationForm) -> HttpResponse:
        if not is_confirmed(self.request):  # irreversible: the confirmation step first (core.confirm)
            return confirmation_page(self.request, self._confirmation(form))
        # The whole request's changes (decision, certificate, product) carry the reason in history.
        self.request.audit_reason = form.cleaned_data["reason"][:500]
        try:
            decision = revocation.revoke(self.request.user, self.certificate, **form.step_arguments())
        except StepError as error:
            form.add_error(None, error.messages)
            return self.form_invalid(form)
        except ValidationError as error:  # a model check (e.g. the same decision already recorded)
            form.add_model_errors(error)
            return self.form_invalid(form)
        if getattr(decision, "reused", False):
            messages.success(
                self.request,
                _(
                    "Đã thu hồi giấy chứng nhận %(code)s theo quyết định đã có %(number)s "
                    "(quyết định này nay thu hồi %(count)s giấy chứng nhận)."
                )
                % {
                    "code": self.certificate.code,
                    "number": decision.number,
                    "count": decision.revoked_certificates.count(),
                },
            )
        else:
            messages.success(
                self.request,
                _("Đã thu hồi giấy chứng nhận %(code)s theo quyết định %(number)s.")
                % {"code": self.certificate.code, "number": decision.number},
            )
        if form.late:
            messages.warning(
                self.request,
                _(
                    "Quyết định ban hành ngày %(date)s, quá thời hạn 15 ngày kể từ ngày có kết luận "
                    "(hạn %(deadline)s, Điều 8.4)."
                )
                % {"date": format_date(decision.date), "deadline": format_date(form.deadline)},
            )
        return HttpResponseRedirect(self.certificate.get_absolute_url())
