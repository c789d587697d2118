"""/v/<code> and GET /api/v1/public/certificates/<code>: one unmistakable status, for anyone."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from ocop.certification import codes
from ocop.certification.pdf import verification_path, verification_url
from ocop.core import clock
from ocop.public import scans

from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db

JSON_KEYS = {"code", "status", "star", "product", "producer", "province", "issued", "expires", "revocation"}


def page(client, code: str) -> tuple[int, str]:
    response = client.get(verification_path(code))
    return response.status_code, response.content.decode()


def api(client, code: str):
    return client.get(reverse("api:public_certificate", args=[code]))


def mistype(code: str) -> str:
    """The code with one digit of its sequence changed (the check character no longer matches)."""
    head, check = code[:-2], code[-1]
    last = head[-1]
    return head[:-1] + ("1" if last != "1" else "2") + "-" + check


def test_valid(anonymous, catalogue) -> None:
    c = catalogue.certificates["valid"]
    status, html = page(anonymous, c.code)
    assert status == 200
    assert "HỢP LỆ" in html and "KHÔNG HỢP LỆ" not in html
    assert "★★★★" in html and "4 sao" in html
    assert "10/01/2028" in html  # valid until the end of that day (issue + 36 months)
    assert "Gạo nếp cái hoa vàng" in html and "Hợp tác xã Nông sản Sạch Đông Anh" in html
    assert 'class="pub-verdict pub-verdict-valid"' in html and 'aria-describedby="verdict-line"' in html
    body = api(anonymous, c.code).json()
    assert set(body) >= JSON_KEYS and "superseded_by" in body
    assert body["status"] == "valid" and body["star"] == 4 and body["code"] == c.code
    assert (
        body["product"] == "Gạo nếp cái hoa vàng"
        and body["province"] == catalogue.products["valid"].province.name
    )
    assert (body["issued"], body["expires"], body["revocation"]) == ("2025-01-10", "2028-01-10", None)
    assert body["certificate_number"] == "15/GCN" and body["url"].endswith(verification_path(c.code))


def test_expired(anonymous, catalogue) -> None:
    c = catalogue.certificates["expired"]
    status, html = page(anonymous, c.code)
    assert status == 200 and "HẾT HẠN" in html and "hết hiệu lực sau ngày 10/01/2026" in html
    body = api(anonymous, c.code).json()
    assert (body["status"], body["expires"], body["star"]) == ("expired", "2026-01-10", 3)


def test_revoked(anonymous, catalogue) -> None:
    c = catalogue.certificates["revoked"]
    status, html = page(anonymous, c.code)
    assert status == 200 and "ĐÃ BỊ THU HỒI" in html
    assert "77/QĐ-UBND" in html and "01/03/2026" in html
    assert "không còn đáp ứng tiêu chí" in html  # the ground (Art. 8.1.b)
    body = api(anonymous, c.code).json()
    assert body["status"] == "revoked"
    assert body["revocation"] == {
        "date": "2026-03-01",
        "decision_number": "77/QĐ-UBND",
        "decision_date": "2026-03-01",
        "authority": "UBND thành phố Hà Nội",
        "ground": "b",
    }


def test_superseded_points_to_the_new_certificate(anonymous, catalogue) -> None:
    old, new = catalogue.certificates["superseded"], catalogue.certificates["successor"]
    status, html = page(anonymous, old.code)
    assert status == 200 and "ĐÃ ĐƯỢC THAY THẾ" in html
    assert f'href="{verification_path(new.code)}"' in html
    body = api(anonymous, old.code).json()
    assert (body["status"], body["superseded_by"]) == ("superseded", new.code)
    assert api(anonymous, new.code).json()["status"] == "valid"


@pytest.mark.parametrize(
    ("kind", "reason", "words"),
    [
        ("mistyped", "mistyped", "gõ nhầm"),
        ("unknown", "unknown", "nhãn OCOP có thể là giả"),
        ("junk", "malformed", ""),
    ],
)
def test_invalid_codes(anonymous, catalogue, kind, reason, words) -> None:
    real = catalogue.certificates["valid"].code
    code = {"mistyped": mistype(real), "unknown": codes.format_code("01", 2026, 987654), "junk": "ABC-123"}[
        kind
    ]
    assert codes.is_valid(code) == (kind == "unknown")
    status, html = page(anonymous, code)
    assert status == 404 and "KHÔNG HỢP LỆ" in html and words in html
    assert 'class="pub-verdict pub-verdict-invalid"' in html and 'name="code"' in html  # a form to try again
    body = api(anonymous, code).json()
    assert set(body) >= JSON_KEYS and "superseded_by" in body
    assert (body["status"], body["reason"], body["star"], body["product"]) == ("invalid", reason, None, None)


def test_a_certificate_issued_after_today_is_not_valid_yet(anonymous, catalogue, monkeypatch) -> None:
    import datetime as dt

    monkeypatch.setattr(clock, "today", lambda: dt.date(2024, 1, 1))
    assert api(anonymous, catalogue.certificates["valid"].code).json()["status"] == "invalid"


def test_cors_open_and_no_auth(anonymous, catalogue) -> None:
    code = catalogue.certificates["valid"].code
    response = api(anonymous, code)
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    url = reverse("api:public_certificate", args=[code])
    preflight = anonymous.options(
        url,
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="accept",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "accept" in preflight["Access-Control-Allow-Headers"].lower()
    # A bearer-less call from another origin is answered like any other.
    assert anonymous.get(url, HTTP_ORIGIN="https://shop.example.com").json()["status"] == "valid"


def test_the_qr_address_of_the_certificate_pdf_opens_this_page(anonymous, catalogue, settings) -> None:
    settings.OCOP_PUBLIC_URL = "https://ocop.example.gov.vn"
    code = catalogue.certificates["valid"].code
    url = verification_url(code, RequestFactory().get("/"))
    assert url == f"https://ocop.example.gov.vn/v/{code}"
    assert anonymous.get(url.removeprefix("https://ocop.example.gov.vn")).status_code == 200
    # A code whose check character is "*" stays a plain path segment.
    sequence = next(n for n in range(1, 500) if codes.format_code("01", 2026, n).endswith("*"))
    starred = codes.format_code("01", 2026, sequence)
    assert reverse("public:verify", args=[starred]) == verification_path(starred)
    assert anonymous.get(verification_path(starred)).status_code == 404  # well-formed, not issued


def test_typed_codes_are_normalised(anonymous, catalogue) -> None:
    code = catalogue.certificates["valid"].code
    response = anonymous.get("/v/" + code.lower())
    assert response.status_code == 301 and response["Location"] == verification_path(code)
    form = anonymous.get(reverse("public:verify_form"), {"code": f"  {code.lower()} "})
    assert form.status_code == 302 and form["Location"] == verification_path(code)
    assert anonymous.get(reverse("public:verify_form")).status_code == 200


def test_bounded_queries_cold_and_warm(anonymous, catalogue, django_assert_max_num_queries) -> None:
    code = catalogue.certificates["revoked"].code
    with django_assert_max_num_queries(1):
        assert anonymous.get(verification_path(code)).status_code == 200
    with django_assert_max_num_queries(0):
        assert anonymous.get(verification_path(code)).status_code == 200
    with django_assert_max_num_queries(1):
        assert api(anonymous, code).status_code == 200
    with django_assert_max_num_queries(0):
        assert api(anonymous, code).status_code == 200
    with django_assert_max_num_queries(0):  # a typo is caught by the check character alone
        assert anonymous.get(verification_path(mistype(code))).status_code == 404


def test_every_hit_is_reported(anonymous, catalogue, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr("ocop.public.views.verification.record_hit", lambda *args: calls.append(args))
    monkeypatch.setattr("ocop.public.api.record_hit", lambda *args: calls.append(args))
    c = catalogue.certificates["valid"]
    anonymous.get(verification_path(c.code))
    anonymous.get(verification_path(c.code), HTTP_REFERER="http://testserver/san-pham/")  # cached
    api(anonymous, c.code)
    anonymous.get(verification_path(mistype(c.code)))
    assert calls == [
        ("certificate", c.pk, "qr"),
        ("certificate", c.pk, "web"),
        ("certificate", c.pk, "api"),
        ("certificate", None, "qr"),
    ]
    assert scans.record_hit("certificate", c.pk, "qr") is None  # the seam is a no-op for now
