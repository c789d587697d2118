from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<str:structure>/<str:code>/", views.UnitDetailView.as_view(), name="unit_detail"),
]
