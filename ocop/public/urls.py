"""Public addresses, mounted at the site root (see ocop/urls.py).

Printed on packages, stamps and certificates, hence permanent and without a trailing slash:
/v/<certificate code>, /01/<GTIN>[/10/<lot>], /p/<OCOP product code>. The rest are site pages.
"""

from django.urls import path, re_path

from . import opendata_views, qr, scan_report, views

app_name = "public"

urlpatterns = [
    # The addresses of the QR codes (millions of scans a month) are matched first.
    path("v/<str:code>", views.verify, name="verify"),
    path("p/<str:code>", views.product_by_code, name="product_code"),
    path("san-pham/", views.catalogue, name="catalogue"),
    path("san-pham/<int:pk>/", views.product_by_id, name="product_id"),
    path("san-pham/<int:pk>/<str:slug>/", views.product_by_id, name="product_id_slug"),
    path("p/<str:code>/", views.product_by_code, {"slug": ""}, name="product_code_slash"),
    path("p/<str:code>/<str:slug>", views.product_by_code, name="product_code_slug"),
    path("01/<str:gtin>", views.gs1_resolver, name="gs1"),
    path("01/<str:gtin>/10/<str:lot>", views.gs1_resolver, name="gs1_lot"),
    path("chu-the/<int:pk>/", views.producer_detail, name="producer"),
    path("chu-the/<int:pk>/<str:slug>/", views.producer_detail, name="producer_slug"),
    path("tinh/", views.province_list, name="provinces"),
    path("tinh/<str:code>/", views.province_detail, name="province"),
    path("v/", views.verify_form, name="verify_form"),
    path("anh/<int:pk>/<int:width>/", views.image, name="image"),
    path("ngon-ngu/", views.set_language, name="set_language"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]

# QR codes of the permanent addresses (ocop.public.qr), open data (ocop.public.opendata) and the
# officers' scan report (ocop.public.scan_report, login required).
urlpatterns += [
    re_path(r"^qr/v/(?P<code>[^/]+)\.(?P<fmt>svg|png)$", qr.certificate_qr, name="qr_certificate"),
    re_path(r"^qr/p/(?P<code>[^/]+)\.(?P<fmt>svg|png)$", qr.product_qr, name="qr_product"),
    re_path(r"^qr/01/(?P<gtin>[0-9]+)\.(?P<fmt>svg|png)$", qr.gtin_qr, name="qr_gtin"),
    re_path(r"^qr/san-pham/(?P<pk>[0-9]+)\.(?P<fmt>svg|png)$", qr.product_id_qr, name="qr_product_id"),
    path("open-data/", opendata_views.open_data, name="open_data"),
    path("open-data/ocop-products.csv", opendata_views.products_csv, name="open_data_csv"),
    path("open-data/ocop-products.json", opendata_views.products_json, name="open_data_json"),
    path("open-data/catalog.jsonld", opendata_views.catalog_jsonld, name="open_data_catalog"),
    path("open-data/changes.atom", opendata_views.changes_feed, name="open_data_feed"),
    path("scans/", scan_report.scan_report, name="scan_report"),
]
