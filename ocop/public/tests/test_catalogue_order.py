"""The catalogue, a province's and a producer's pages list the products valid today first (then the
expired and revoked ones), by name within each; a search keeps its relevance first; cards show
the product's photo through the public copy (/anh/)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ocop.public.published import published_products, valid_first
from ocop.registry.models import Product

from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"
from .test_privacy import _jpeg_with_metadata, add_photo

pytestmark = pytest.mark.django_db


def order(html: str, catalogue) -> list[str]:
    """The catalogue's keys in the order their cards appear."""
    by_name = {product.name: key for key, product in catalogue.products.items()}
    shown = re.findall(r'<span class="pub-card-name">([^<]+)</span>', html)
    return [by_name[name] for name in shown if name in by_name]


def test_valid_products_come_first_then_by_name(anonymous, catalogue) -> None:
    # Alphabetically: Bánh tráng (hcm, valid), Gạo (valid), Mật ong (expired), Miến (valid), Trà (revoked).
    shown = order(anonymous.get("/san-pham/").content.decode(), catalogue)
    assert shown == ["hcm", "valid", "superseded", "expired", "revoked"]


def test_a_search_keeps_relevance_first(anonymous, catalogue) -> None:
    # "dong anh" matches the producer's name only: one relevance level, valid ones first within it.
    shown = order(anonymous.get("/san-pham/", {"q": "dong anh"}).content.decode(), catalogue)
    assert shown == ["valid", "superseded", "expired", "revoked"]
    ordering = valid_first(published_products().order_by("sort_key")).query.order_by
    assert ordering[-1] == "sort_key" and len(ordering) == 2


def test_province_and_producer_pages_list_valid_products_first(anonymous, catalogue) -> None:
    province = catalogue.producer.province
    shown = order(anonymous.get(reverse("public:province", args=[province.code])).content.decode(), catalogue)
    assert shown == ["valid", "superseded", "revoked", "expired"]  # valid, then by star: revoked was 4★
    producer = anonymous.get(reverse("public:producer", args=[catalogue.producer.pk])).content.decode()
    assert order(producer, catalogue) == ["valid", "superseded", "expired", "revoked"]


def test_cards_show_the_public_copy_of_the_first_photo(anonymous, catalogue) -> None:
    product: Product = catalogue.products["valid"]
    second = add_photo(product, _jpeg_with_metadata((40, 30)), caption="Mặt sau")
    first = add_photo(product, _jpeg_with_metadata((40, 30)), caption="Túi gạo 2 kg")
    first.position, second.position = 0, 1
    first.save()
    second.save()
    html = anonymous.get("/san-pham/").content.decode()
    thumbnail = reverse("public:image", args=[first.pk, 480])
    assert f'<img class="pub-card-photo" src="{thumbnail}" alt="Túi gạo 2 kg"' in html
    assert first.image.url not in html  # never the uploaded file (it may carry the camera's metadata)
    served = anonymous.get(thumbnail)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert html.count('class="pub-card-photo pub-card-nophoto"') == 4  # the others have no photo
