"""The certificate PDF: its text, its QR code (decoded from the rendered page), fonts and scoping."""

from __future__ import annotations

import ctypes
import datetime as dt

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from ocop.certification import models as certification
from ocop.certification import pdf
from ocop.certification.models import AuthorityLevel, Decision, DecisionKind, RevocationGround
from ocop.core import clock
from ocop.registry.tests.conftest import make_producer, make_product

from .conftest import TODAY, make_certificate, make_decision

pytestmark = pytest.mark.django_db

PRODUCT = "Gốm men lam Bát Tràng – bình hút lộc"
PRODUCER = "Hợp tác xã Gốm sứ Thừa Thiên Đắk Lắk"
PRIVATE = ("Số 12 ngõ Riêng Tư", "0912345678", "Nguyễn Thị Riêng")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def certificate(world) -> certification.Certificate:
    producer = make_producer(
        world.places["hn1"],
        name=PRODUCER,
        address=PRIVATE[0],
        phone=PRIVATE[1],
        representative_name=PRIVATE[2],
    )
    product = make_product(producer, name=PRODUCT)
    decision = make_decision(
        number="1887/QĐ-UBND",
        date=dt.date(2025, 1, 10),
        authority="UBND thành phố Hà Nội",
        province=world.places["hn"],
        signer="Nguyễn Văn Thắng",
    )
    return make_certificate(product, decision, star=4, issue_date=dt.date(2025, 1, 10), number="125/GCN-UBND")


def pdf_url(certificate: certification.Certificate) -> str:
    return reverse("certification:certificate_pdf", args=[certificate.code])


def page_text(page: pdfium.PdfPage) -> str:
    return " ".join(page.get_textpage().get_text_range().split())


def font_names(page: pdfium.PdfPage) -> set[str]:
    """The font of every non-blank character on the page (subset prefix "ABCDEF+" dropped)."""
    text_page = page.get_textpage()
    names = set()
    for index in range(text_page.count_chars()):
        if chr(pdfium_c.FPDFText_GetUnicode(text_page, index)).isspace():
            continue
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(text_page, index, buffer, len(buffer), ctypes.byref(flags))
        names.add(buffer.value.decode().partition("+")[2])
    return names


def test_pdf_text_qr_code_and_fonts(world, certificate, tmp_path) -> None:
    response = world.client("province_hn").get(pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{certificate.code}.pdf"'

    document = pdfium.PdfDocument(response.content)
    assert len(document) == 1
    page = document[0]
    width, height = page.get_size()
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points

    text = page_text(page)
    expiry = f"{certificate.expiry:%d/%m/%Y}"
    assert expiry == "10/01/2028"
    for expected in [
        "GIẤY CHỨNG NHẬN",
        "Sản phẩm OCOP đạt hạng 4 sao",
        PRODUCT,
        PRODUCER,
        f"{world.places['hn1'].name}, Thành phố Hà Nội",  # the producer's place on the current map
        "UỶ BAN NHÂN DÂN",
        "THÀNH PHỐ HÀ NỘI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 125/GCN-UBND",
        certificate.code,
        "Số 1887/QĐ-UBND ngày 10/01/2025 của UBND thành phố Hà Nội",
        "Ngày cấp: 10/01/2025",
        f"Có giá trị đến: {expiry}",
        "QĐ 148/QĐ-TTg",
        "Hà Nội, ngày 10 tháng 01 năm 2025",
        "TM. UỶ BAN NHÂN DÂN",
        "Nguyễn Văn Thắng",
    ]:
        assert expected in text, expected
    for private in PRIVATE:
        assert private not in text
    assert "BỊ THU HỒI" not in text and "HẾT HIỆU LỰC" not in text

    # Every letter is set in the bundled Noto Serif, none in a font of the machine.
    assert font_names(page) == {
        f"{family.replace(' ', '-')}{bold}" for family in pdf.FONT_FAMILIES for bold in ("", "-Bold")
    }

    image = page.render(scale=3).to_pil()
    image.save(tmp_path / "certificate.png")
    codes = zxingcpp.read_barcodes(image)
    assert [(code.format, code.text) for code in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, f"http://testserver/v/{certificate.code}")
    ]


def test_detail_page_links_to_the_pdf(world, certificate) -> None:
    page = world.client("commune_hn1").get(certificate.get_absolute_url()).content.decode()
    assert f'href="{pdf_url(certificate)}"' in page
    assert "Tải giấy chứng nhận (PDF)" in page


def test_out_of_scope_is_404_and_anonymous_logs_in(world, certificate) -> None:
    for outsider in ("province_hcm", "commune_hn2", "commune_hcm1"):
        assert world.client(outsider).get(pdf_url(certificate)).status_code == 404, outsider
    assert (
        world.client("province_hn").get(reverse("certification:certificate_pdf", args=["OCOP-x"])).status_code
        == 404
    )
    response = Client().get(pdf_url(certificate))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_verification_url(settings, rf) -> None:
    code = "OCOP-01-2025-000001-*"
    settings.OCOP_PUBLIC_URL = ""
    assert pdf.verification_url(code, rf.get("/anything/")) == f"http://testserver/v/{code}"
    with pytest.raises(ImproperlyConfigured):
        pdf.verification_url(code)
    settings.OCOP_PUBLIC_URL = "https://ocop.example.gov.vn/"
    assert pdf.verification_url(code) == f"https://ocop.example.gov.vn/v/{code}"
    assert pdf.verification_url(code, rf.get("/")) == f"https://ocop.example.gov.vn/v/{code}"
    settings.OCOP_PUBLIC_URL = "ocop.example.gov.vn"
    with pytest.raises(ImproperlyConfigured):
        pdf.verification_url(code)


def test_qr_code_follows_the_public_url_setting(world, certificate, settings) -> None:
    settings.OCOP_PUBLIC_URL = "https://ocop.example.gov.vn"
    context = pdf.context(certificate, pdf.public_base_url())
    assert context["verification_url"] == f"https://ocop.example.gov.vn/v/{certificate.code}"


def test_authority_heading(world) -> None:
    hanoi = world.places["hn"]

    def lines(authority: str, level: str = AuthorityLevel.PROVINCE, province=hanoi) -> list[str]:
        return pdf.authority_lines(Decision(authority=authority, authority_level=level, province=province))

    assert lines("UBND tỉnh Đồng Tháp") == ["UỶ BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP"]
    assert lines("Ủy ban nhân dân huyện Đắk Song", AuthorityLevel.DISTRICT) == [
        "UỶ BAN NHÂN DÂN",
        "HUYỆN ĐẮK SONG",
    ]
    assert lines("UBND tỉnh") == ["UỶ BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"]  # the decision's province
    assert lines("Bộ Nông nghiệp và Môi trường", AuthorityLevel.CENTRAL, None) == [
        "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    ]
    assert lines("", AuthorityLevel.CENTRAL, None) == ["BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"]
    ministry = Decision(authority="Bộ Nông nghiệp và Môi trường", authority_level=AuthorityLevel.CENTRAL)
    assert pdf.signature_title(ministry) == "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"


def test_a_certificate_no_longer_valid_is_marked(world, certificate) -> None:
    assert pdf.context(certificate, "http://testserver")["status_watermark"] == ""
    revocation = make_decision(
        number="9/QĐ-UBND",
        date=dt.date(2026, 3, 1),
        kind=DecisionKind.REVOCATION,
        province=world.places["hn"],
    )
    certificate.revoked_on = dt.date(2026, 3, 1)
    certificate.revocation_ground = RevocationGround.B
    certificate.revocation_decision = revocation
    certificate.save()
    assert pdf.context(certificate, "http://testserver")["status_watermark"] == "BỊ THU HỒI"


def test_renaming_the_product_does_not_reprint_the_certificate(world, certificate) -> None:
    product = certificate.product
    product.name = "Bình gốm đổi tên sau khi cấp"
    product.save()
    product.producer.name = "Công ty Tên Mới"
    product.producer.save()
    certificate = certification.Certificate.objects.get(pk=certificate.pk)
    response = world.client("province_hn").get(pdf_url(certificate))
    text = page_text(pdfium.PdfDocument(response.content)[0])
    assert PRODUCT in text and PRODUCER in text
    assert "đổi tên" not in text and "Tên Mới" not in text
