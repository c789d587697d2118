"""Product photos: only real images are stored, only users who may see the product get them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ocop.accounts.models import ApiToken
from ocop.registry.models import ProductImage

from .conftest import make_producer, make_product


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def product(world):
    return make_product(make_producer(world.places["hn1"]))


def _upload(client, product, content: bytes, name: str = "anh.png", caption: str = "Bao bì"):
    return client.post(
        reverse("registry:product_image_add", args=[product.pk]),
        {"image": SimpleUploadedFile(name, content), "caption": caption, "position": 0},
    )


def test_officer_adds_a_photo_and_it_shows_on_the_product(world, product, tmp_path):
    client = world.client("commune_hn1")
    response = _upload(client, product, _png())
    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert (image.format, image.width, image.height) == ("png", 40, 30)
    assert image.image.name.startswith(f"products/{product.pk}/") and "anh" not in image.image.name
    assert (tmp_path / image.image.name).exists()
    page = client.get(product.get_absolute_url())
    assert image.get_absolute_url() in page.content.decode()
    served = client.get(image.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == _png()
    assert image.history.first().history_user == world.users["commune_hn1"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "rong.png", "Tập tin được gửi là rỗng"),
        (b"MZ\x90\x00 not really an image" * 10, "anh.jpg", "không phải ảnh hợp lệ"),
        (b"%PDF-1.4 fake", "tai-lieu.png", "không phải ảnh hợp lệ"),
    ],
)
def test_non_images_are_refused_with_a_message(world, product, tmp_path, content, name, message):
    response = _upload(world.client("commune_hn1"), product, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProductImage.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_gif_is_refused(world, product):
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, "GIF")
    response = _upload(world.client("commune_hn1"), product, buffer.getvalue(), "a.gif")
    assert "Định dạng ảnh GIF không được nhận" in response.content.decode()


def test_oversize_photo_is_refused(world, product, monkeypatch):
    monkeypatch.setattr("ocop.registry.forms.MAX_IMAGE_BYTES", 100)
    response = _upload(world.client("commune_hn1"), product, _png((200, 200)))
    assert "Ảnh quá lớn" in response.content.decode()
    assert not ProductImage.objects.exists()


def test_other_communes_and_read_only_roles_cannot_add_or_see(world, product):
    assert _upload(world.client("commune_hn2"), product, _png()).status_code == 404
    assert _upload(world.client("viewer_hn"), product, _png()).status_code == 404
    _upload(world.client("commune_hn1"), product, _png())
    image = ProductImage.objects.get()
    assert world.client("commune_hn2").get(image.get_absolute_url()).status_code == 404
    assert world.client("province_hcm").get(image.get_absolute_url()).status_code == 404
    assert world.client("viewer_hn").get(image.get_absolute_url()).status_code == 200


def test_delete_removes_row_and_file(world, product, tmp_path, django_capture_on_commit_callbacks):
    client = world.client("commune_hn1")
    _upload(client, product, _png())
    image = ProductImage.objects.get()
    path = tmp_path / image.image.name
    assert (
        world.client("commune_hn2")
        .post(reverse("registry:product_image_delete", args=[image.pk]))
        .status_code
        == 404
    )
    confirm = client.post(reverse("registry:product_image_delete", args=[image.pk]))
    assert confirm.status_code == 200 and "Xoá ảnh sản phẩm" in confirm.content.decode()
    assert ProductImage.objects.exists() and path.exists()  # nothing deleted before "Xác nhận"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:product_image_delete", args=[image.pk]), {"_confirmed": "1"})
    assert response.status_code == 302
    assert not ProductImage.objects.exists()
    assert not path.exists()


def test_api_lists_a_products_photos(world, product):
    _upload(world.client("commune_hn1"), product, _png())
    _, key = ApiToken.issue(world.users["viewer_hn"])
    body = (
        world.client("viewer_hn")
        .get(f"/api/v1/products/{product.pk}", headers={"Authorization": f"Bearer {key}"})
        .json()
    )
    image = ProductImage.objects.get()
    assert body["images"] == [
        {"id": image.pk, "caption": "Bao bì", "width": 40, "height": 30, "url": image.get_absolute_url()}
    ]
