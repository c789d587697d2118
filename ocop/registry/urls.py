from django.urls import path

from . import change_request_views as cr_views
from . import imports_views, views

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
    path("products/<int:pk>/images/add/", views.ProductImageCreateView.as_view(), name="product_image_add"),
    path("images/<int:pk>/", views.product_image, name="product_image"),
    path("images/<int:pk>/delete/", views.product_image_delete, name="product_image_delete"),
    path("products/<int:pk>/edit/", views.ProductUpdateView.as_view(), name="product_edit"),
    path("products/<int:pk>/delete/", views.ProductDeleteView.as_view(), name="product_delete"),
    path(
        "products/<int:pk>/change-request/",
        cr_views.change_request_add,
        name="change_request_add",
    ),
    path("change-requests/", cr_views.ChangeRequestListView.as_view(), name="change_request_list"),
    path(
        "change-requests/<int:pk>/", cr_views.ChangeRequestDetailView.as_view(), name="change_request_detail"
    ),
    path(
        "change-requests/<int:pk>/approve/",
        cr_views.change_request_approve,
        name="change_request_approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        cr_views.change_request_reject,
        name="change_request_reject",
    ),
    path(
        "change-requests/<int:pk>/withdraw/",
        cr_views.change_request_withdraw,
        name="change_request_withdraw",
    ),
    path("unit-options/", views.unit_options, name="unit_options"),
    path("import/<str:kind>/", imports_views.import_upload, name="import"),
    path("import/<str:kind>/template.xlsx", imports_views.import_template, name="import_template"),
    path("import/<str:kind>/done/", imports_views.import_done, name="import_done"),
    path("import/<str:kind>/<slug:token>/", imports_views.import_preview, name="import_preview"),
    path("import/<str:kind>/<slug:token>/confirm/", imports_views.import_confirm, name="import_confirm"),
    path("import/<str:kind>/<slug:token>/errors.xlsx", imports_views.import_errors, name="import_errors"),
]
