"""/evaluation/certificates/<code>/stamps.pdf?per_sheet=8|12|24|40: a sheet of tem OCOP (PDF).

Same scoping as the certificate page (login required; a certificate or product out of the user's
scope is 404). Only for a certificate valid today: otherwise the user is sent back to the
certificate page with the reason (``stamps.refusal``), and no stamps are made.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from ocop.core.scoping import VIEW, can

from . import pdf, stamps
from .views import CertificateDetailView


class CertificateStampsView(CertificateDetailView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        certificate = self.get_object()
        if not can(request.user, VIEW, certificate.product):
            raise Http404
        raw = request.GET.get("per_sheet", str(stamps.DEFAULT_PER_SHEET))
        per_sheet = int(raw) if raw.isdigit() else 0
        if per_sheet not in stamps.LAYOUTS:
            choices = ", ".join(str(n) for n in stamps.LAYOUTS)
            messages.error(request, _("Số tem mỗi tờ phải là một trong: %(choices)s.") % {"choices": choices})
            return HttpResponseRedirect(certificate.get_absolute_url())
        if reason := stamps.refusal(certificate):
            messages.error(request, reason)
            return HttpResponseRedirect(certificate.get_absolute_url())
        body = stamps.stamp_sheet(certificate, pdf.public_base_url(request), per_sheet)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="tem-{certificate.code}-{per_sheet}.pdf"'
        response["Cache-Control"] = "private, no-store"  # scoped to this user; the status changes over time
        return response
