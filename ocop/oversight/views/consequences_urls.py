"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path

from . import consequences

urlpatterns: list = [
    path("warnings/", consequences.WarningListView.as_view(), name="warning_list"),
    path("warnings/<int:pk>/", consequences.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/resolve/", consequences.warning_resolve, name="warning_resolve"),
    path("warnings/<int:pk>/reinspect/", consequences.warning_reinspect, name="warning_reinspect"),
]
