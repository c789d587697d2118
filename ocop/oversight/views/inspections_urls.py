"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path

from . import inspections

urlpatterns: list = [
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/record/", inspections.inspection_record, name="inspection_record"),
    path("inspections/<int:pk>/minutes.pdf", inspections.inspection_minutes, name="inspection_minutes"),
    path("inspections/<int:pk>/signature.png", inspections.inspection_signature, name="inspection_signature"),
    path("attachments/<int:pk>/", inspections.attachment_download, name="attachment_download"),
]
