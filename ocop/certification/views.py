"""Certificate pages (the lifecycle and stamp pages are in lifecycle_views.py and stamp_views.py).

/evaluation/certificates/                   scoped list (?export=xlsx|csv: the history export)
/evaluation/certificates/<code>/            one certificate
/evaluation/certificates/<code>/pdf/        its printable PDF

The "Giấy chứng nhận" tab of a product page is in product_status.py.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from ocop.core import clock
from ocop.core.generic import ExportMixin, ObjectDetailView, ObjectListView
from ocop.core.scoping import ADD, VIEW, can, restrict, role_can

from . import extensions, pdf, revocation
from . import io as history
from .filtersets import CertificateFilterSet
from .models import Certificate, CertificateStatus
from .tables import CertificateTable

RELATED = ("product", "product__province", "product__commune", "decision", "superseded_by")


class CertificateListView(ExportMixin, ObjectListView):
    model = Certificate
    table_class = CertificateTable
    filterset_class = CertificateFilterSet
    template_name = "certification/certificate_list.html"
    title = gettext_lazy("Giấy chứng nhận OCOP")
    export_name = gettext_lazy("Giấy chứng nhận")

    def get_queryset(self) -> QuerySet[Certificate]:
        # What the rows show: the product and its province (the decision's number and date are
        # columns of the page's rows: CertificateTable.row_annotations; the status is annotated).
        return super().get_queryset().select_related("product__province").with_status(clock.today())

    def write_export(self, queryset: QuerySet, stream: BinaryIO, fmt: str) -> None:
        history.export_queryset(queryset, stream, fmt)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_import"] = role_can(self.request.user, ADD, Certificate)
        return context


class CertificateDetailView(ObjectDetailView):
    model = Certificate
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "certification/certificate_detail.html"

    def get_queryset(self) -> QuerySet[Certificate]:
        return (
            super()
            .get_queryset()
            .select_related(*RELATED, "product__producer", "revocation_decision")
            .with_status(clock.today())
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        certificate = self.object
        context["product_visible"] = can(self.request.user, VIEW, certificate.product)
        context["supersedes"] = restrict(certificate.supersedes.all(), self.request.user, VIEW)
        context["today"] = clock.today()
        # "Thu hồi" is offered to whoever revocation.revoke would accept, while the certificate is in force.
        context["can_revoke"] = certificate.status in (
            CertificateStatus.VALID,
            CertificateStatus.PENDING,
        ) and (revocation.revocation_refusal(self.request.user, certificate) is None)
        context["actions_html"] = extensions.render_certificate_actions(self.request, certificate)
        # Conclusions asking for this certificate's revocation (an inspection's): pending, or decided.
        context["proposals"] = extensions.revocation_proposals(self.request.user, certificate)
        return context


class CertificatePdfView(CertificateDetailView):
    """The printable certificate (PDF, A4 landscape): same scoping as the page, 404 outside it."""

    def get_queryset(self) -> QuerySet[Certificate]:
        return (
            super()
            .get_queryset()
            .select_related("product__producer__commune", "product__producer__province", "decision__province")
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        certificate = self.get_object()
        response = HttpResponse(
            pdf.certificate_pdf(certificate, pdf.public_base_url(request)), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="{certificate.code}.pdf"'
        response["Cache-Control"] = "private, no-store"  # scoped to this user, status changes over time
        return response
