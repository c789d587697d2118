"""The certificate pages, mounted at /evaluation/certificates/ (the documented addresses) by ocop.urls."""

from django.urls import path

from . import lifecycle_views, stamp_views, views

app_name = "certification"

urlpatterns: list = [
    path("", views.CertificateListView.as_view(), name="certificate_list"),
    # Before <code>/: "expiring" is not a certificate code.
    path("expiring/", lifecycle_views.CertificateExpiringView.as_view(), name="certificate_expiring"),
    path("<str:code>/", views.CertificateDetailView.as_view(), name="certificate_detail"),
    path("<str:code>/revoke/", lifecycle_views.CertificateRevokeView.as_view(), name="certificate_revoke"),
    path("<str:code>/pdf/", views.CertificatePdfView.as_view(), name="certificate_pdf"),
    # A sheet of tem OCOP (?per_sheet=8|12|24|40) for a certificate valid today.
    path("<str:code>/stamps.pdf", stamp_views.CertificateStampsView.as_view(), name="certificate_stamps"),
]
