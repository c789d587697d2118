from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("producers/", views.ProducerListView.as_view(), name="producer_list"),
    path("producers/add/", views.ProducerCreateView.as_view(), name="producer_add"),
    path("producers/<int:pk>/", views.ProducerDetailView.as_view(), name="producer_detail"),
    path("producers/<int:pk>/edit/", views.ProducerUpdateView.as_view(), name="producer_edit"),
    path("producers/<int:pk>/delete/", views.ProducerDeleteView.as_view(), name="producer_delete"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/add/", views.ProductCreateView.as_view(), name="product_add"),
    path("products/<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("products/<int:pk>/edit/", views.ProductUpdateView.as_view(), name="product_edit"),
    path("products/<int:pk>/delete/", views.ProductDeleteView.as_view(), name="product_delete"),
    path("unit-options/", views.unit_options, name="unit_options"),
]
