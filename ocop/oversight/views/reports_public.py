"""Public pages of consumers' reports (no login), under /phan-anh/:

- ``report_form`` (``?code=<code>``): says what the code is, takes the report (ocop.oversight.intake
  checks it against spam and routes it), then leads to its status page with the receipt code;
- ``report_status`` (``<receipt>/``): kind, date, status and outcome of one report, never the
  reporter's contact nor the officer's name;
- ``report_lookup`` (``tra-cuu/``): type a receipt code.

In the visitor's language like the other public pages (``ocop.public.language``), never cached
(a form with a CSRF token, one reporter's report) and never indexed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ocop.certification.pdf import public_base_url
from ocop.public.language import browser_language

from .. import intake
from ..forms.reports import LookupForm, ReportForm, normal_receipt
from ..models import ConsumerReport


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def status_path(report: ConsumerReport) -> str:
    return reverse("oversight_public:report_status", args=[report.receipt_code])


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@browser_language
def report_form(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    code = (request.POST if posted else request.GET).get("code", "")
    subject = intake.resolve(code)
    ask_code = not subject.code  # arrived without a code: the reporter may type the one on the package
    if posted:
        form = ReportForm(request.POST, request.FILES, ask_code=ask_code)
    else:
        form = ReportForm(initial={"code": subject.code}, ask_code=ask_code)
    status = 200
    if posted:
        if form.is_valid():
            problem = intake.rate_problem(request, subject.code)
            if not problem:
                data = form.cleaned_data
                report = intake.submit(
                    subject,
                    kind=data["kind"],
                    description=data["description"],
                    where_bought=data["where_bought"],
                    where_province=data["where_province"],
                    photo=data["photo"],
                    contact_name=data["contact_name"],
                    contact=data["contact"],
                )
                intake.count_submission(request, subject.code)
                # Post/redirect/get: reloading the receipt page never sends the report twice.
                return HttpResponseRedirect(f"{status_path(report)}?{urlencode({'new': 1})}")
            form.add_error(None, problem)
            status = 429
        else:
            if form.has_error(NON_FIELD_ERRORS, "honeypot"):
                intake.count_submission(request, subject.code)
            status = 400
    token = intake.reusable_token(request.POST.get("token", "")) if posted else intake.issue_token()
    context: dict[str, Any] = {
        "form": form,
        "subject": subject,
        "token": token,
        "honeypot": form[intake.HONEYPOT],
        "photo_posted": posted and bool(request.FILES.get("photo")),
    }
    return _noindex(render(request, "oversight/public/report_form.html", context, status=status))


def _lookup_page(
    request: HttpRequest, form: LookupForm, status: int = 200, missing: str = ""
) -> HttpResponse:
    context = {"form": form, "missing": missing}
    return _noindex(render(request, "oversight/public/report_lookup.html", context, status=status))


@never_cache
@require_safe
@browser_language
def report_status(request: HttpRequest, receipt: str) -> HttpResponse:
    normal = normal_receipt(receipt)
    if normal and normal != receipt:
        return HttpResponseRedirect(reverse("oversight_public:report_status", args=[normal]))
    report = (
        ConsumerReport.objects.filter(receipt_code=normal).select_related("product", "province").first()
        if normal
        else None
    )
    if report is None:
        return _lookup_page(
            request, LookupForm(initial={"receipt": receipt[:20]}), status=404, missing=receipt[:20]
        )
    path = status_path(report)
    context = {
        "report": report,
        "new": request.GET.get("new") == "1",
        "status_url": public_base_url(request) + path,
    }
    return _noindex(render(request, "oversight/public/report_status.html", context))


@never_cache
@require_safe
@browser_language
def report_lookup(request: HttpRequest) -> HttpResponse:
    if "receipt" not in request.GET:
        return _lookup_page(request, LookupForm())
    form = LookupForm(request.GET)
    if form.is_valid() and form.cleaned_data["receipt"]:
        return HttpResponseRedirect(
            reverse("oversight_public:report_status", args=[form.cleaned_data["receipt"]])
        )
    if form.is_valid():
        form.add_error("receipt", LookupForm.base_fields["receipt"].help_text)
    return _lookup_page(request, form, status=400)
