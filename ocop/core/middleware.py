"""Request-level audit context: an optional reason travels with every change of a request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class AuditReasonMiddleware:
    """Reads the reason for a change from the form field `_reason` or the `X-Audit-Reason` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = request.headers.get("X-Audit-Reason", "")
        if request.method == "POST" and not reason:
            reason = request.POST.get("_reason", "")
        request.audit_reason = reason.strip()[:500]
        return self.get_response(request)
