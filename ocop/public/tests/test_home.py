"""`/`: the public home for a visitor (search, verify a code, browse by province and star, the
headline figures), the dashboard for a signed-in officer; cached like the other listings."""

from __future__ import annotations

import datetime as dt
import re

from django.core.cache import cache
from django.urls import reverse

from ocop.certification.tests.conftest import make_certificate
from ocop.registry.tests.conftest import communes_of, make_producer, make_product
from ocop.registry.tests.test_list_queries import count_queries


def test_the_site_address_is_the_public_home_for_a_visitor(anonymous, catalogue) -> None:
    response = anonymous.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("core:home") == "/"
    assert "<title>Tra cứu sản phẩm OCOP · OCOP Việt Nam</title>" in html
    # Search goes to the catalogue, the code to the verification form (which redirects to /v/<code>).
    assert re.search(r'<form method="get" action="/san-pham/" role="search">\s*<label[^>]*for="home-q"', html)
    assert 'name="q" id="home-q"' in html
    assert '<form class="pub-verify-form" method="get" action="/v/">' in html and 'name="code"' in html
    # Browse by province (those with recognised products, in dictionary order: Hà Nội, Hồ Chí Minh), by star.
    hanoi, hcm = catalogue.producer.province, catalogue.products["hcm"].province
    assert html.index(f'href="/tinh/{hanoi.code}/"') < html.index(f'href="/tinh/{hcm.code}/"')
    assert "/san-pham/?star=4&amp;status=valid" in html and "/san-pham/?star=5&amp;status=valid" in html
    assert 'href="/accounts/login/"' in html  # the officers' way in stays in the footer
    assert response["Cache-Control"] == "public, max-age=60"


def test_the_home_figures_count_today_s_valid_products(anonymous, catalogue) -> None:
    from ocop.public.views.home import figures

    counted = figures()
    # Valid today: valid (4★), the superseded one's successor (4★), hcm (3★); expired and revoked are not.
    assert counted["valid"] == 3 and counted["total"] == 5
    assert counted["stars"] == [(5, 0), (4, 2), (3, 1)]
    assert counted["producers"] == 2
    by_code = {p["code"]: (p["valid"], p["total"]) for p in counted["provinces"]}
    assert by_code == {"01": (2, 4), "79": (1, 1)}
    html = anonymous.get("/").content.decode()
    assert '<a href="/san-pham/?star=4&amp;status=valid">2</a>' in html
    assert '<a href="/san-pham/?status=valid">3</a>' in html


def test_signed_in_officers_land_on_their_dashboard(world, client) -> None:
    from ocop.accounts.tests.conftest import PASSWORD

    officer = world.users["viewer_hn"]
    officer.set_password(PASSWORD)
    officer.save()
    response = client.post(reverse("accounts:login"), {"username": "viewer_hn", "password": PASSWORD})
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert "<title>Tổng quan · OCOP</title>" in html and "Tra cứu sản phẩm OCOP" not in html
    assert "public" not in client.get("/").get("Cache-Control", "")  # a signed-in page is nobody else's


def test_the_dashboard_is_never_served_from_the_public_cache(world, anonymous) -> None:
    anonymous.get("/")  # cached for visitors
    html = world.client("viewer_hn").get("/").content.decode()
    assert "<title>Tổng quan · OCOP</title>" in html
    assert "<title>Tra cứu sản phẩm OCOP" in anonymous.get("/").content.decode()


def test_the_home_is_cached_and_follows_new_certificates(
    anonymous, catalogue, django_assert_num_queries
) -> None:
    anonymous.get("/")
    with django_assert_num_queries(0):
        anonymous.get("/")
    product = make_product(catalogue.producer, name="Nước mắm mới")
    make_certificate(product, star=5, issue_date=dt.date(2025, 9, 1))  # invalidates the listings
    assert '<a href="/san-pham/?star=5&amp;status=valid">1</a>' in anonymous.get("/").content.decode()


def test_home_query_count_does_not_grow_with_products_or_provinces(world, anonymous) -> None:
    places = [*communes_of(world.places["hn"], 3), *communes_of(world.places["hcm"], 2)]

    def grow(n: int) -> None:
        for i in range(n):
            product = make_product(make_producer(places[i % len(places)]))
            make_certificate(product, issue_date=dt.date(2025, 1, 10), star=3 + i % 3)

    grow(2)
    cache.clear()
    few = count_queries(anonymous, "/")
    assert few == 2  # the counts by province, status and star; the producers
    grow(20)
    cache.clear()
    assert count_queries(anonymous, "/") == few


def test_a_code_typed_on_the_home_goes_to_its_verification(anonymous, catalogue) -> None:
    code = catalogue.certificates["valid"].code
    response = anonymous.get(reverse("public:verify_form"), {"code": code.lower()})
    assert response.status_code == 302 and response["Location"] == f"/v/{code}"


def test_robots_allow_the_home(anonymous, db) -> None:
    assert "Allow: /$" in anonymous.get("/robots.txt").content.decode().splitlines()
