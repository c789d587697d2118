"""Tem OCOP sheets (/evaluation/certificates/<code>/stamps.pdf): every printed QR decodes to the
certificate's verification URL, as many as asked per sheet; only for a certificate valid today;
scoped like the certificate page."""

from __future__ import annotations

import pypdfium2
import pytest
from django.urls import reverse

from ocop.certification import stamps
from ocop.certification.pdf import verification_url

from .qr_decoding import decode_pdf
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

BASE = "https://ocop.example.gov.vn"


def stamps_url(code: str, per_sheet: int | None = None) -> str:
    url = reverse("certification:certificate_stamps", args=[code])
    return f"{url}?per_sheet={per_sheet}" if per_sheet is not None else url


@pytest.fixture(autouse=True)
def public_url(settings) -> None:
    settings.OCOP_PUBLIC_URL = BASE


@pytest.mark.parametrize("per_sheet", [8, 12, 24, 40])
def test_every_stamp_decodes_to_the_verification_url(world, catalogue, per_sheet) -> None:
    c = catalogue.certificates["valid"]
    response = world.client("province_hn").get(stamps_url(c.code, per_sheet))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    document = pypdfium2.PdfDocument(response.content)
    assert len(document) == 1  # one A4 sheet
    width, height = document[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    text = document[0].get_textpage().get_text_range()
    document.close()
    assert "Gạo nếp cái hoa vàng" in text and c.code in text and "10/01/2028" in text and "15/GCN" in text
    decoded = decode_pdf(response.content, dpi=300)
    assert len(decoded) == per_sheet
    assert set(decoded) == {verification_url(c.code)} == {f"{BASE}/v/{c.code}"}


def test_default_is_twelve_per_sheet(world, catalogue) -> None:
    c = catalogue.certificates["valid"]
    response = world.client("producer_hn1").get(stamps_url(c.code))
    assert response.status_code == 404  # producer_hn1 acts for no organisation here
    user = world.users["producer_hn1"]
    user.producer = catalogue.producer
    user.save()
    response = world.client("producer_hn1").get(stamps_url(c.code))  # its own product: may print
    assert response.status_code == 200
    assert len(decode_pdf(response.content, dpi=200)) == stamps.DEFAULT_PER_SHEET == 12


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("expired", "đã hết hiệu lực sau ngày 10/01/2026"),
        ("revoked", "đã bị thu hồi từ ngày 01/03/2026"),
        ("superseded", "đã được thay thế bởi giấy chứng nhận"),
    ],
)
def test_no_stamps_for_a_certificate_not_valid_today(world, catalogue, key, words) -> None:
    c = catalogue.certificates[key]
    client = world.client("province_hn")
    response = client.get(stamps_url(c.code, 8))
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert words in page and "không" in page
    assert "In tem OCOP" not in page  # the button is offered for valid certificates only


def test_bad_count_is_refused_with_a_message(world, catalogue) -> None:
    c = catalogue.certificates["valid"]
    client = world.client("province_hn")
    for value in ("7", "abc", "1000"):
        response = client.get(stamps_url(c.code) + f"?per_sheet={value}")
        assert response.status_code == 302
    page = client.get(c.get_absolute_url()).content.decode()
    assert "Số tem mỗi tờ phải là một trong: 8, 12, 24, 40." in page


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", 200),
        ("central", 200),
        ("province_hn", 200),
        ("commune_hn1", 200),
        ("council_hn", 200),
        ("viewer_hn", 200),
        ("province_hcm", 404),
        ("commune_hn2", 404),
        ("commune_hcm1", 404),
        ("producer_hn1", 404),  # no organisation
    ],
)
def test_scoping(world, catalogue, user, expected, monkeypatch) -> None:
    monkeypatch.setattr(stamps, "stamp_sheet", lambda *args, **kwargs: b"%PDF-1.7 stub")
    c = catalogue.certificates["valid"]
    assert world.client(user).get(stamps_url(c.code, 8)).status_code == expected


def test_login_required(anonymous, catalogue) -> None:
    c = catalogue.certificates["valid"]
    response = anonymous.get(stamps_url(c.code, 8))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_certificate_page_offers_stamps_and_qr_codes(world, catalogue) -> None:
    c = catalogue.certificates["valid"]
    page = world.client("province_hn").get(c.get_absolute_url()).content.decode()
    assert "In tem OCOP" in page and stamps_url(c.code) in page
    assert f"/qr/v/{c.code}.svg" in page and f"/qr/v/{c.code}.png" in page and f'href="/v/{c.code}"' in page
