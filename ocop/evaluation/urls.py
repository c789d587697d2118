from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns: list = [
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/<str:code>/", views.CertificateDetailView.as_view(), name="certificate_detail"),
    path("certificates/<str:code>/pdf/", views.CertificatePdfView.as_view(), name="certificate_pdf"),
]
