"""URL patterns of this part; ocop.oversight.urls joins them."""

from django.urls import path

from . import signals

urlpatterns: list = [
    path("signals/", signals.SignalListView.as_view(), name="signal_list"),
    path("signals/<int:pk>/", signals.SignalDetailView.as_view(), name="signal_detail"),
    path("signals/<int:pk>/dismiss/", signals.signal_dismiss, name="signal_dismiss"),
]
