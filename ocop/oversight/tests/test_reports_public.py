"""Consumers' reports from the public pages: the button, the form, its spam checks, routing and
the receipt, in the consumer's language; nothing of the reporter ever shown publicly."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from ocop.core.models import Notification
from ocop.oversight import intake
from ocop.oversight.models import ConsumerReport, ReportStatus
from ocop.public import published

from .reports_world import (
    FORM_URL,
    catalogue,
    empty_cache,
    fixed_today,
    form_data,
    make_report,
    media_in_tmp,
    photo,
    png_bytes,
    post_report,
    world,
)

# Fixtures shared with the other report tests: pytest finds them by name in this module.
FIXTURES = (catalogue, empty_cache, fixed_today, media_in_tmp, world)

pytestmark = pytest.mark.django_db


def button_href(code: str) -> str:
    return f'href="{FORM_URL}?{urlencode({"code": code})}"'.replace("&", "&amp;")


def notified(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=intake.NOTICE_KIND))


# --- the button on the public pages ---------------------------------------------------------------


@pytest.mark.parametrize("state", ["valid", "expired", "revoked", "superseded"])
def test_button_on_every_verification_verdict(catalogue, state, django_assert_max_num_queries) -> None:
    client = Client()
    code = catalogue.certificates[state].code
    first = client.get(published.verification_path(code)).content.decode()
    assert "Báo cáo vi phạm / phản ánh" in first and button_href(code) in first
    with django_assert_max_num_queries(0):  # still served from the page cache, button included
        again = client.get(published.verification_path(code)).content.decode()
    assert again == first
    assert "csrfmiddlewaretoken" not in first  # nothing per visitor in a cached page


@pytest.mark.parametrize("code", ["OCOP-01-2026-999999-9", "KHONG-PHAI-MA"])
def test_button_on_unknown_and_malformed_codes(catalogue, code) -> None:
    response = Client().get(f"/v/{code}")
    normal, _problem = published.check_code(code)
    assert "Báo cáo vi phạm / phản ánh" in response.content.decode()
    assert button_href(normal) in response.content.decode()


def test_button_on_product_page_and_gs1_link(catalogue, django_assert_max_num_queries) -> None:
    client = Client()
    product = catalogue.products["valid"]
    by_code = client.get(f"/p/{product.code}").content.decode()
    assert button_href(product.code) in by_code
    gtin = published.gtin14(product.gtin)
    with django_assert_max_num_queries(1):  # the GTIN alias; the page itself comes from the cache
        by_gtin = client.get(f"/01/{gtin}", HTTP_ACCEPT="text/html").content.decode()
    assert by_gtin == by_code  # one cached page for every address of the product


def test_button_on_not_found_product_and_gtin(catalogue) -> None:
    client = Client()
    missing = client.get("/p/01-00004-99-2026")
    assert missing.status_code == 404 and button_href("01-00004-99-2026") in missing.content.decode()
    unknown_gtin = "8935049509996"
    response = client.get(f"/01/{unknown_gtin}")
    assert response.status_code == 404 and "Báo cáo vi phạm / phản ánh" in response.content.decode()


# --- the form -------------------------------------------------------------------------------------


def test_form_says_what_the_code_is(catalogue) -> None:
    code = catalogue.certificates["expired"].code
    response = Client().get(FORM_URL, {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mật ong rừng" in html and catalogue.producer.name in html and "Hết hạn" in html
    assert 'name="website"' in html and 'class="d-none"' in html  # the honeypot, hidden
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_form_by_product_code_and_gtin(catalogue) -> None:
    product = catalogue.products["valid"]
    assert intake.resolve(product.code).product_id == product.pk
    subject = intake.resolve(product.gtin)
    assert subject.product_id == product.pk and subject.certificate_id == catalogue.certificates["valid"].pk
    assert subject.province_id == product.province_id and subject.status == published.VALID


def test_form_for_an_unknown_code(catalogue) -> None:
    html = Client().get(FORM_URL, {"code": "GIA-MAO-123"}).content.decode()
    assert 'id="subject-unknown"' in html and "GIA-MAO-123" in html


def test_submission_routed_to_the_product_province(catalogue, world) -> None:
    code = catalogue.certificates["expired"].code
    response = post_report(Client(), code, where_province=world.places["hcm"].code)
    report = ConsumerReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/phan-anh/{report.receipt_code}/?new=1"
    # The product's province (Hà Nội), not where it was bought.
    assert report.province == world.places["hn"] and report.where_province == world.places["hcm"]
    assert report.product == catalogue.products["expired"]
    assert report.certificate == catalogue.certificates["expired"]
    assert report.status == ReportStatus.NEW and report.contact == "0987 654 321"
    # The province's officers are told, nobody else; the notice carries no contact.
    (notice,) = notified(world.users["province_hn"])
    assert report.receipt_code in notice.params["receipt"] and notice.url == report.get_absolute_url()
    assert "0987" not in str(notice.params) and "Trần Văn Mua" not in str(notice.params)
    for other in ("province_hcm", "central", "commune_hn1", "producer_hn1", "viewer_hn"):
        assert notified(world.users[other]) == []
    receipt = Client().get(response["Location"]).content.decode()
    assert 'id="receipt-code">' + report.receipt_code in receipt.replace('user-select-all" ', "")
    assert f"http://testserver/phan-anh/{report.receipt_code}/" in receipt


def test_unknown_code_goes_to_where_bought_else_central(catalogue, world) -> None:
    post_report(Client(), "GIA-MAO-123", where_province=world.places["hcm"].code)
    report = ConsumerReport.objects.get()
    assert report.product is None and report.code == "GIA-MAO-123"
    assert report.province == world.places["hcm"]
    assert len(notified(world.users["province_hcm"])) == 1 and notified(world.users["province_hn"]) == []
    post_report(Client(), "GIA-MAO-456", ip="203.0.113.8")
    unrouted = ConsumerReport.objects.get(code="GIA-MAO-456")
    assert unrouted.province is None
    assert len(notified(world.users["central"])) == 1


def test_required_fields_and_lengths(catalogue) -> None:
    response = post_report(Client(), "", description="", kind="nonsense")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy mô tả điều bạn thấy." in html
    too_long = post_report(Client(), "", description="x" * 4001, contact="1" * 121)
    assert too_long.status_code == 400 and not ConsumerReport.objects.exists()


def test_honeypot_refused(catalogue) -> None:
    response = post_report(Client(), "", website="http://spam.example")
    assert response.status_code == 400 and not ConsumerReport.objects.exists()
    assert "Không gửi được phản ánh" in response.content.decode()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: intake.issue_token(time.time()), "quá nhanh"),
        (lambda: intake.issue_token(time.time() - 3 * 3600), "quá 2 giờ"),
        (lambda: "giả-mạo", "không hợp lệ"),
        (lambda: intake.issue_token(time.time() - 30)[:-2] + "xx", "không hợp lệ"),
    ],
)
def test_timestamp_refused(catalogue, token, message) -> None:
    response = post_report(Client(), "", token=token())
    assert response.status_code == 400 and not ConsumerReport.objects.exists()
    assert message in response.content.decode()


def test_form_shown_again_keeps_the_first_timestamp(catalogue) -> None:
    first = intake.issue_token(time.time() - 1)
    assert intake.reusable_token(first) == first
    assert intake.reusable_token(intake.issue_token(time.time() - 3 * 3600)) != first


def test_rate_limit_per_client(catalogue) -> None:
    client = Client()
    for _ in range(intake.PER_CLIENT_PER_HOUR):
        assert post_report(client, "").status_code == 302
    refused = post_report(client, "")
    assert refused.status_code == 429
    assert "trong giờ này" in refused.content.decode()
    assert ConsumerReport.objects.count() == intake.PER_CLIENT_PER_HOUR
    assert post_report(client, "", ip="198.51.100.1").status_code == 302  # another client
    # The address is never stored: only a keyed hash in the cache keys.
    assert not any("203.0.113.7" in key for key in getattr(cache, "_cache", {}))


def test_rate_limit_per_code(catalogue, monkeypatch) -> None:
    monkeypatch.setattr(intake, "PER_CODE_PER_DAY", 2)
    code = catalogue.certificates["valid"].code
    assert post_report(Client(), code, ip="198.51.100.1").status_code == 302
    assert post_report(Client(), code, ip="198.51.100.2").status_code == 302
    assert post_report(Client(), code, ip="198.51.100.3").status_code == 429
    assert post_report(Client(), "", ip="198.51.100.3").status_code == 302  # other codes still go


def test_photo_stored_privately_without_metadata(catalogue, settings) -> None:
    response = post_report(Client(), "", photo=photo())
    assert response.status_code == 302
    report = ConsumerReport.objects.get()
    assert report.photo.name.startswith("oversight/reports/") and report.photo_type == "image/png"
    assert "anh.png" not in report.photo.name  # the reporter's file name is not kept
    assert not report.photo.name.startswith("public/")
    status = Client().get(f"/phan-anh/{report.receipt_code}/").content.decode()
    assert report.photo.name not in status


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: photo("anh.png", b"just text, not a picture"), "không thuộc loại được nhận"),
        (lambda: photo("anh.pdf", b"%PDF-1.4 fake"), "Chỉ nhận ảnh JPEG, PNG hoặc WebP"),
        (lambda: photo("anh.exe", b"MZ\x90\x00" + b"\x00" * 60), "chương trình thực thi"),
        (lambda: photo("anh.jpg", png_bytes()), "không khớp"),
        (lambda: photo("anh.png", png_bytes()[:40]), "hỏng"),
    ],
)
def test_bad_photo_refused(catalogue, upload, message) -> None:
    response = post_report(Client(), "", photo=upload())
    assert response.status_code == 400 and not ConsumerReport.objects.exists()
    assert message in response.content.decode()


def test_photo_too_large(catalogue, settings) -> None:
    settings.OCOP_REPORT_PHOTO_MAX_MB = 0
    response = post_report(Client(), "", photo=photo())
    assert response.status_code == 400 and "Ảnh quá lớn" in response.content.decode()


def test_csrf_stays_on(catalogue) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(FORM_URL, form_data(""), REMOTE_ADDR="203.0.113.9").status_code == 403
    assert not ConsumerReport.objects.exists()


# --- following the report -------------------------------------------------------------------------


def test_status_page_never_shows_contact_or_officer(catalogue, world) -> None:
    from ocop.oversight import triage

    post_report(
        Client(), catalogue.certificates["revoked"].code, contact_name="Lê Thị Kín", contact="kin@example.vn"
    )
    report = ConsumerReport.objects.get()
    html = Client().get(f"/phan-anh/{report.receipt_code}/").content.decode()
    assert "Mới nhận" in html and "Trà sen Tây Hồ" in html
    assert "Lê Thị Kín" not in html and "kin@example.vn" not in html
    officer = world.users["province_hn"]
    officer.first_name, officer.last_name = "Cán", "Bộ Xử Lý"
    officer.save()
    triage.close(officer, report, "Đã kiểm tra: cơ sở đã gỡ tem OCOP.", "Cơ sở đã gỡ tem OCOP khỏi sản phẩm.")
    html = Client().get(f"/phan-anh/{report.receipt_code}/").content.decode()
    assert "Đã xử lý xong" in html and "Cơ sở đã gỡ tem OCOP khỏi sản phẩm." in html
    assert "Đã kiểm tra" not in html  # the internal reason stays internal when an outcome is written
    assert "province_hn" not in html and "Bộ Xử Lý" not in html and "kin@example.vn" not in html


def test_unknown_receipt_is_a_404_with_the_lookup_form(catalogue) -> None:
    response = Client().get("/phan-anh/ABCDE-23456/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy phản ánh" in html and 'name="receipt"' in html


def test_receipt_typed_loosely_is_found(catalogue) -> None:
    report = make_report()
    loose = report.receipt_code.lower().replace("-", " ")
    response = Client().get("/phan-anh/tra-cuu/", {"receipt": loose})
    assert response.status_code == 302 and response["Location"] == f"/phan-anh/{report.receipt_code}/"
    lower = Client().get(f"/phan-anh/{report.receipt_code.lower()}/")
    assert lower.status_code == 302 and lower["Location"] == f"/phan-anh/{report.receipt_code}/"
    assert Client().get("/phan-anh/tra-cuu/", {"receipt": "OOO"}).status_code == 400
    assert Client().get("/phan-anh/tra-cuu/").status_code == 200


def test_pages_in_english_for_an_english_browser(catalogue) -> None:
    code = catalogue.certificates["valid"].code
    html = Client().get(FORM_URL, {"code": code}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Báo cáo vi phạm" not in html and "Send" in html
    verify = Client().get(published.verification_path(code), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert button_href(code) in verify and "Báo cáo vi phạm" not in verify


def test_photo_metadata_removed(catalogue) -> None:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "MayAnhBiMat"  # camera maker; GPS tags travel the same way
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 10)).save(buffer, format="JPEG", exif=exif)
    assert b"MayAnhBiMat" in buffer.getvalue()
    response = post_report(Client(), "", photo=photo("anh.jpg", buffer.getvalue()))
    assert response.status_code == 302
    stored = ConsumerReport.objects.get().photo.open("rb").read()
    assert stored.startswith(b"\xff\xd8\xff") and b"MayAnhBiMat" not in stored


def test_photo_with_too_many_pixels(catalogue, monkeypatch) -> None:
    monkeypatch.setattr(intake, "MAX_PIXELS", 10)
    response = post_report(Client(), "", photo=photo())
    assert response.status_code == 400 and "điểm ảnh" in response.content.decode()
