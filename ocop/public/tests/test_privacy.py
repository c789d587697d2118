"""Only what the law makes public: never the producer's personal or contact data, never the
uploaded photo files themselves (their metadata can locate a household), never evidence."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ocop.certification.pdf import verification_path
from ocop.public import images
from ocop.public.published import product_path
from ocop.registry.models import ProductImage

from .conftest import PRIVATE
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db


def _jpeg_with_metadata(size=(1600, 1200)) -> bytes:
    picture = Image.new("RGB", size, (200, 160, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (21.0, 2.0, 3.0)  # GPS latitude: a household's kitchen
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", exif=exif, comment=b"nha ong Nguyen", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    return buffer.getvalue()


def add_photo(product, content: bytes, caption: str = "Bao bì") -> ProductImage:
    photo = ProductImage(product=product, caption=caption, format="jpg", width=1600, height=1200)
    photo.image.save("anh.jpg", SimpleUploadedFile("anh.jpg", content), save=False)
    photo.save()
    return photo


def public_pages(client, catalogue) -> dict[str, str]:
    product = catalogue.products["valid"]
    certificate = catalogue.certificates["valid"]
    paths = {
        "catalogue": "/san-pham/",
        "search": "/san-pham/?q=dong+anh",
        "product": product_path(product),
        "gs1": f"/01/{product.gtin}",
        "linkset": f"/01/{product.gtin}?linkType=all",
        "producer": reverse("public:producer", args=[catalogue.producer.pk]),
        "province": reverse("public:province", args=[product.province.code]),
        "verify": verification_path(certificate.code),
        "api": reverse("api:public_certificate", args=[certificate.code]),
        "sitemap": "/sitemap.xml",
    }
    pages = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


def test_personal_data_never_appears(anonymous, catalogue) -> None:
    for name, html in public_pages(anonymous, catalogue).items():
        for field, value in PRIVATE.items():
            assert value not in html, (name, field)
        assert "Giám đốc" not in html, name  # the representative's position
        assert "/documents/" not in html and "/registry/" not in html, name  # no evidence, no officer links


def test_officers_see_the_same_public_pages(world, catalogue) -> None:
    """A signed-in officer gets the public page, not more (the cache is shared by everyone)."""
    for html in public_pages(world.client("admin"), catalogue).values():
        assert PRIVATE["phone"] not in html and PRIVATE["representative_name"] not in html


def test_photos_are_served_without_metadata(anonymous, catalogue) -> None:
    photo = add_photo(catalogue.products["valid"], _jpeg_with_metadata())
    html = anonymous.get(product_path(catalogue.products["valid"])).content.decode()
    small = reverse("public:image", args=[photo.pk, 480])
    large = reverse("public:image", args=[photo.pk, 1280])
    assert small in html and f'content="http://testserver{large}"' in html  # og:image
    assert photo.image.url not in html and photo.get_absolute_url() not in html
    response = anonymous.get(large)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "public" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    for secret in (b"PhoneMaker", b"nha ong Nguyen", b"secret", b"Exif"):
        assert secret not in data
    with Image.open(io.BytesIO(data)) as served:
        assert not served.getexif() and "comment" not in served.info
        assert served.size == (1200, 1600)  # turned upright (the EXIF orientation); never enlarged
    with Image.open(io.BytesIO(b"".join(anonymous.get(small).streaming_content))) as thumb:
        assert thumb.size == (480, 640)
    # Served from the copy on disk from then on; deleting the photo deletes its copies.
    copy = photo.image.storage.path(images.name_for(photo, 1280))
    photo.delete()
    assert not os.path.exists(copy)
    assert anonymous.get(large).status_code == 404


def test_photos_of_unrecognised_products_are_not_public(anonymous, catalogue) -> None:
    photo = add_photo(catalogue.products["unpublished"], _jpeg_with_metadata((40, 30)))
    assert anonymous.get(reverse("public:image", args=[photo.pk, 480])).status_code == 404
    shown = add_photo(catalogue.products["valid"], _jpeg_with_metadata((40, 30)))
    assert anonymous.get(reverse("public:image", args=[shown.pk, 480])).status_code == 200
    assert anonymous.get(reverse("public:image", args=[shown.pk, 999])).status_code == 404
    # The officers' address of the original still needs a login.
    assert anonymous.get(shown.get_absolute_url()).status_code == 302


def test_a_new_photo_appears_on_the_cached_page(anonymous, catalogue) -> None:
    path = product_path(catalogue.products["valid"])
    assert "/anh/" not in anonymous.get(path).content.decode()
    photo = add_photo(catalogue.products["valid"], _jpeg_with_metadata((40, 30)))
    assert reverse("public:image", args=[photo.pk, 480]) in anonymous.get(path).content.decode()
