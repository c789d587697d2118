from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("expiring/", views.ExpiringListView.as_view(), name="expiring"),
    path("producers/<int:producer_id>/add/", views.document_add, name="add"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/delete/", views.document_delete, name="delete"),
    path("<int:pk>/download/", views.download, name="download"),
]
