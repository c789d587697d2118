"""Certificate verification: /v/<certificate code>, the address printed as the certificate's QR
code (a mistyped code is answered from its check character, without a lookup), and the form /v/
where a code is typed. Each verification reports a hit to ``scans.record_hit``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.views.decorators.http import require_safe

from ocop.certification.pdf import verification_path

from .. import cache, published
from ..cache import CERTIFICATE
from ..language import browser_language
from ..scans import hit_source, record_hit, record_miss, record_region
from .common import Entry, _render, _respond, _variant

# --- verification ---------------------------------------------------------------------------------


def _verification_entry(request: HttpRequest, code: str) -> Entry:
    result = published.verify(code)
    status = 404 if result.status == published.INVALID else 200
    object_id = result.certificate.id if result.certificate else None
    return _render(request, "public/verify.html", {"v": result}, status=status, object_id=object_id)


@require_safe
@browser_language
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """/v/<certificate code>: the address printed as the certificate's QR code (pdf.verification_url)."""
    normal, problem = published.check_code(code)
    if normal and normal != code:
        return HttpResponsePermanentRedirect(verification_path(normal))
    if problem:  # malformed or mistyped: answered without a lookup, not worth a cache entry
        entry = _verification_entry(request, normal)
    else:
        entry = cache.get_or_build(
            CERTIFICATE, normal, _variant(request, "page"), lambda: _verification_entry(request, normal)
        )
    if entry["object_id"] is None:
        record_miss(normal)  # a typed code that resembles none: counted for the oversight signals
    source = hit_source(request)
    record_hit("certificate", entry["object_id"], source)
    record_region("certificate", entry["object_id"], source, request)
    return _respond(entry)


@require_safe
@browser_language
def verify_form(request: HttpRequest) -> HttpResponse:
    """/v/: type the code printed on a certificate or stamp (?code=… goes to /v/<code>)."""
    if code := request.GET.get("code", "").strip():
        normal, _problem = published.check_code(code)
        if normal:
            return HttpResponseRedirect(verification_path(normal))
    return _respond(_render(request, "public/verify_form.html", {}))
