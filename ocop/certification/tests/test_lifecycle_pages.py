"""Revocation page (Art. 8) and the certificates-about-to-expire page (Art. 7.6.a, 12.3)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse

from ocop.certification import models as certification
from ocop.certification.models import Certificate, Decision, DecisionKind
from ocop.core import clock

from .conftest import make_certificate, make_decision

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def expiring_in(days: int) -> dt.date:
    """The issue date of a certificate whose last valid day is ``days`` from TODAY (36 months)."""
    expiry = TODAY + dt.timedelta(days=days)
    return expiry.replace(year=expiry.year - 3)


# --- revocation ------------------------------------------------------------------------------------


@pytest.fixture
def four(products) -> Certificate:
    return make_certificate(products["hn1"], star=4, issue_date=dt.date(2025, 1, 10))


@pytest.fixture
def five(products) -> Certificate:
    return make_certificate(products["hn2"], star=5, issue_date=dt.date(2025, 3, 3))


def revoke_url(certificate: Certificate) -> str:
    return reverse("certification:certificate_revoke", args=[certificate.code])


def revocation_post(**overrides: str) -> dict[str, str]:
    data = {
        "ground": "b",
        "conclusion_on": "2026-11-25",
        "number": "2000/QĐ-UBND",
        "date": "2026-12-01",
        "authority": "UBND Thành phố Hà Nội",
        "signer": "Nguyễn Văn A",
        "revoked_on": "",
        "reason": "Kết luận kiểm tra số 12/KL-SNNMT: sản phẩm không còn đạt tiêu chí.",
        "_confirmed": "1",  # the confirmation step (tested on its own below)
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def nothing_written(certificate: Certificate, decisions_before: int) -> bool:
    certificate.refresh_from_db()
    return (
        certificate.revoked_on is None
        and certificate.revocation_decision_id is None
        and Decision.objects.count() == decisions_before
    )


def test_form_lists_the_six_grounds_with_the_deadline_help(world, four) -> None:
    page = world.client("province_hn").get(revoke_url(four)).content.decode()
    for ground in certification.RevocationGround:
        assert f'value="{ground.value}"' in page and str(ground.label) in page
    assert "15 ngày" in page and "Điều 8.4" in page
    assert 'value="UBND Thành phố Hà Nội"' in page  # the province's People's Committee by default


@pytest.mark.parametrize("name", ["commune_hn1", "council_hn", "producer_hn1", "viewer_hn"])
def test_roles_that_never_revoke_get_403(world, four, name) -> None:
    client = world.client(name)
    assert client.get(revoke_url(four)).status_code == 403
    before = Decision.objects.count()
    assert client.post(revoke_url(four), revocation_post()).status_code == 403
    assert nothing_written(four, before)


def test_another_provinces_certificate_is_404(world, four) -> None:
    client = world.client("province_hcm")
    assert client.get(revoke_url(four)).status_code == 404
    before = Decision.objects.count()
    assert client.post(revoke_url(four), revocation_post()).status_code == 404
    assert nothing_written(four, before)
    assert client.get(reverse("certification:certificate_revoke", args=["KHONG-CO"])).status_code == 404


def test_anonymous_is_sent_to_login(client, four) -> None:
    response = client.get(revoke_url(four))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_five_star_refused_to_the_province_with_the_reason(world, five) -> None:
    client = world.client("province_hn")
    detail = client.get(five.get_absolute_url()).content.decode()
    assert revoke_url(five) not in detail  # no button
    page = client.get(revoke_url(five))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Giấy chứng nhận 5 sao do Bộ trưởng thu hồi." in text and 'name="reason"' not in text
    before = Decision.objects.count()
    refused = client.post(revoke_url(five), revocation_post())
    assert refused.status_code == 403
    assert "Giấy chứng nhận 5 sao do Bộ trưởng thu hồi." in refused.content.decode()
    assert nothing_written(five, before)


def test_central_revokes_a_five_star_certificate(world, five) -> None:
    client = world.client("central")
    assert revoke_url(five) in client.get(five.get_absolute_url()).content.decode()
    response = client.post(
        revoke_url(five), revocation_post(authority="Bộ Nông nghiệp và Môi trường", number="15/QĐ-BNNMT")
    )
    assert response.status_code == 302 and response["Location"] == five.get_absolute_url()
    five.refresh_from_db()
    assert five.revoked_on == TODAY and five.revocation_decision.authority_level == "central"


def test_missing_ground_and_reason_are_form_errors_and_nothing_is_written(world, four) -> None:
    client = world.client("province_hn")
    before = Decision.objects.count()
    response = client.post(revoke_url(four), revocation_post(ground="", reason="   ", number=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hãy chọn căn cứ thu hồi (Điều 8, điểm a–e)." in page
    assert "Hãy ghi lý do thu hồi." in page
    assert "Hãy ghi số quyết định thu hồi." in page
    assert nothing_written(four, before)
    # A ground outside Art. 8.1 is an invalid choice too.
    assert "z" not in certification.RevocationGround.values
    client.post(revoke_url(four), revocation_post(ground="z"))
    assert nothing_written(four, before)


def test_dates_are_checked_before_anything_is_written(world, four) -> None:
    client = world.client("province_hn")
    before = Decision.objects.count()
    page = client.post(revoke_url(four), revocation_post(conclusion_on="2026-12-05")).content.decode()
    assert "Ngày có kết luận không được ở tương lai." in page
    page = client.post(revoke_url(four), revocation_post(date="2026-11-20")).content.decode()
    assert "Quyết định thu hồi không thể ban hành trước ngày có kết luận." in page
    assert nothing_written(four, before)


def test_a_decision_on_file_outside_the_province_is_a_form_error(world, four) -> None:
    # A decision on file that is not the province's own (here: no province): never attached to.
    # (One decision for several certificates of the province: test_shared_decisions.)
    make_decision(
        number="2000/QĐ-UBND", date=TODAY, kind=DecisionKind.REVOCATION, authority="UBND Thành phố Hà Nội"
    )
    before = Decision.objects.count()
    page = world.client("province_hn").post(revoke_url(four), revocation_post()).content.decode()
    assert "đã được ghi cho tỉnh khác hoặc cấp khác" in page
    assert nothing_written(four, before)


def test_deadline_preview_and_late_warning(world, four) -> None:
    client = world.client("province_hn")
    fragment = client.get(
        revoke_url(four),
        {"deadline": "1", "conclusion_on": "2026-11-01", "date": "2026-12-01"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "16/11/2026" in fragment and "đã quá thời hạn 15 ngày" in fragment
    assert "<html" not in fragment
    on_time = client.get(
        revoke_url(four),
        {"deadline": "1", "conclusion_on": "2026-11-25", "date": "2026-12-01"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "10/12/2026" in on_time and "đã quá thời hạn" not in on_time
    # The form re-shown with an error keeps the deadline and the warning.
    page = client.post(
        revoke_url(four), revocation_post(conclusion_on="2026-11-01", reason="")
    ).content.decode()
    assert "16/11/2026" in page and "đã quá thời hạn 15 ngày" in page


def test_revocation_asks_for_confirmation_and_writes_nothing_before(world, four) -> None:
    client = world.client("province_hn")
    before = Decision.objects.count()
    response = client.post(revoke_url(four), revocation_post(_confirmed=None))
    page = response.content.decode()
    assert response.status_code == 200 and "Chưa thực hiện" in page and "Thu hồi giấy chứng nhận" in page
    assert four.code in page and "2000/QĐ-UBND" in page and "01/12/2026" in page  # what will happen
    assert 'name="reason" value="Kết luận kiểm tra số 12/KL-SNNMT' in page  # the form, carried over
    assert nothing_written(four, before)
    # Invalid input is shown on the form first, not on a confirmation page.
    page = client.post(revoke_url(four), revocation_post(_confirmed=None, number="")).content.decode()
    assert "Chưa thực hiện" not in page and nothing_written(four, before)
    assert client.post(revoke_url(four), revocation_post()).status_code == 302
    four.refresh_from_db()
    assert four.revoked_on is not None


def test_revocation_is_recorded_and_the_certificate_shows_it(world, four) -> None:
    client = world.client("province_hn")
    assert revoke_url(four) in client.get(four.get_absolute_url()).content.decode()
    response = client.post(
        revoke_url(four),
        revocation_post(ground="đ", conclusion_on="2026-11-01", revoked_on="2026-11-30"),
        follow=True,
    )
    page = response.content.decode()
    assert "Đã thu hồi giấy chứng nhận" in page
    assert "quá thời hạn 15 ngày kể từ ngày có kết luận" in page and "16/11/2026" in page  # the warning
    assert "Bị thu hồi" in page and "2000/QĐ-UBND" in page and "Kết luận kiểm tra số 12/KL-SNNMT" in page
    four.refresh_from_db()
    assert four.revoked_on == dt.date(2026, 11, 30) and four.revocation_ground == "đ"
    assert four.revocation_decision.kind == DecisionKind.REVOCATION
    assert four.revocation_decision.note.startswith("Kết luận kiểm tra")
    assert four.history.first().history_change_reason.startswith("Kết luận kiểm tra")
    # Once revoked, no button, and the page says why it cannot be done again.
    assert revoke_url(four) not in client.get(four.get_absolute_url()).content.decode()
    assert "Giấy chứng nhận đã bị thu hồi." in client.get(revoke_url(four)).content.decode()


# --- certificates about to expire ---------------------------------------------------------------------


@pytest.fixture
def expiring(products) -> dict[str, Certificate]:
    revocation = make_decision(number="9/QĐ-UBND", date=dt.date(2026, 3, 1), kind=DecisionKind.REVOCATION)
    return {
        "open": make_certificate(products["hn1"], star=4, issue_date=expiring_in(150)),
        "not_yet": make_certificate(products["hn2"], star=3, issue_date=expiring_in(200)),
        "late": make_certificate(products["hcm1"], star=3, issue_date=expiring_in(100)),
        "expired": make_certificate(products["hn2"], star=4, issue_date=expiring_in(-5)),
        "revoked": make_certificate(
            products["hn1"],
            star=3,
            issue_date=expiring_in(60),
            revoked_on=dt.date(2026, 3, 1),
            revocation_ground="b",
            revocation_decision=revocation,
        ),
    }


EXPIRING = reverse("certification:certificate_expiring")


def listed(html: str, certificates: dict[str, Certificate]) -> set[str]:
    return {name for name, certificate in certificates.items() if certificate.code in html}


def test_expiring_page_default_window_states_and_help(world, expiring, django_assert_max_num_queries) -> None:
    client = world.client("central")
    with django_assert_max_num_queries(9):
        page = client.get(EXPIRING).content.decode()
    assert listed(page, expiring) == {"open", "late"}  # 180 days by default; only valid certificates
    assert "đang trong thời hạn nộp hồ sơ" in page and "quá hạn nộp hồ sơ" in page
    opens, closes = (
        expiring["open"].expiry - dt.timedelta(days=180),
        expiring["open"].expiry - dt.timedelta(120),
    )
    assert f"{opens:%d/%m/%Y} – {closes:%d/%m/%Y}" in page
    assert ">150<" in page  # days left
    assert "Điều 12.3" in page and "không quá 180 ngày" in page
    page = client.get(EXPIRING, {"days": 365}).content.decode()
    assert listed(page, expiring) == {"open", "late", "not_yet"}
    assert "chưa đến hạn nộp" in page
    assert listed(client.get(EXPIRING, {"days": 365, "state": "open"}).content.decode(), expiring) == {"open"}
    assert listed(client.get(EXPIRING, {"days": 365, "star": 3}).content.decode(), expiring) == {
        "late",
        "not_yet",
    }
    assert client.get(EXPIRING, {"days": -1}).context["object_list"].count() == 0  # invalid: nothing


def test_expiring_page_query_count_does_not_grow_with_rows(
    world, expiring, products, django_assert_max_num_queries
) -> None:
    client = world.client("central")
    for days in range(10, 170, 10):
        make_certificate(products["hn2"], star=4, issue_date=expiring_in(days))
    with django_assert_max_num_queries(9):
        page = client.get(EXPIRING).content.decode()
    assert page.count("text-bg-warning") + page.count("text-bg-danger") >= 17


def test_expiring_page_is_scoped(world, expiring) -> None:
    def seen(name: str) -> set[str]:
        return listed(world.client(name).get(EXPIRING, {"days": 365}).content.decode(), expiring)

    assert seen("province_hn") == {"open", "not_yet"}
    assert seen("province_hcm") == {"late"}
    assert seen("commune_hn2") == {"not_yet"}
    assert seen("producer_hn1") == {"open"}
    assert seen("viewer_hn1") == {"open"}


def test_expiring_page_shows_the_reevaluation_filing(world, expiring, stub_filings) -> None:
    """The filing of the registered provider (evaluation's dossiers: see its test_reevaluation_filings)."""
    open_ = expiring["open"]
    stub_filings.file(open_, "draft")
    client = world.client("province_hn")
    page = client.get(EXPIRING).content.decode()
    assert "Hồ sơ: draft" in page and f'href="/filings/{open_.pk}/"' in page
    assert listed(client.get(EXPIRING, {"dossier": "yes"}).content.decode(), expiring) == {"open"}
    assert listed(client.get(EXPIRING, {"dossier": "no", "days": 365}).content.decode(), expiring) == {
        "not_yet"
    }
    stub_filings.file(open_, "withdrawn")
    assert listed(client.get(EXPIRING, {"dossier": "yes"}).content.decode(), expiring) == set()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_expiring_rows_are_written_as_the_tables_columns_write_them(
    world, expiring, products, stub_filings, monkeypatch, language
) -> None:
    """ExpiringCertificateTable.cells_html (one call a row, the columns its query reads) writes what
    django-tables2's columns and the table's render_* methods write: every window state, a filing
    with its link, one without a page, none ("Chưa có"), a producer name to escape."""
    from ocop.certification.tables import ExpiringCertificateTable

    producer = products["hn2"].producer
    producer.name = 'HTX "Đồng Tháp" <xanh> & sạch'
    producer.save()
    odd = make_certificate(products["hn2"], star=5, issue_date=expiring_in(30), potential_5_star=False)
    stub_filings.file(expiring["open"], "draft")
    stub_filings.file(odd, "submitted")
    monkeypatch.setattr(
        stub_filings, "detail_url", lambda pk: "" if pk == odd.pk else f"/filings/{pk}/?a=1&b=2"
    )
    calls = []
    original = ExpiringCertificateTable.cells_html
    monkeypatch.setattr(
        ExpiringCertificateTable,
        "cells_html",
        lambda self, record: calls.append(record) or original(self, record),
    )
    client = world.client("central")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    def body(**query: str) -> str:
        page = client.get(EXPIRING, {"days": 365, **query}).content.decode()
        return page[page.index("<tbody") : page.index("</tbody>")]

    fast_columns = ExpiringCertificateTable.fast_columns
    for query in ({}, {"sort": "-days_left"}, {"sort": "location"}):
        fast = body(**query)
        monkeypatch.setattr(ExpiringCertificateTable, "fast_columns", ())  # the columns' own cells
        reference = body(**query)
        monkeypatch.setattr(ExpiringCertificateTable, "fast_columns", fast_columns)
        assert fast == reference, query
    assert len(calls) == 3 * 4  # open, not yet, late, odd: four rows a page, three pages
    assert "/filings/" in fast and "&lt;xanh&gt;" in fast and fast.count('class="badge') == 4


def test_expiring_page_without_a_filings_provider(world, expiring, no_filings) -> None:
    """Nothing registered (ocop.certification.extensions): no certificate has a re-evaluation filing."""
    client = world.client("province_hn")
    page = client.get(EXPIRING).content.decode()
    assert listed(page, expiring) == {"open"} and "Chưa có" in page
    assert listed(client.get(EXPIRING, {"dossier": "yes"}).content.decode(), expiring) == set()
    assert listed(client.get(EXPIRING, {"dossier": "no", "days": 365}).content.decode(), expiring) == {
        "open",
        "not_yet",
    }
    rows = b"".join(client.get(EXPIRING, {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert expiring["open"].code in rows and "Chưa có" in rows


def test_expiring_export_csv_and_xlsx(world, expiring) -> None:
    client = world.client("province_hn")
    response = client.get(EXPIRING, {"days": 365, "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Mã giấy chứng nhận" and "Tình trạng nộp hồ sơ" in rows[0]
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {expiring["open"].code, expiring["not_yet"].code}
    assert "đang trong thời hạn nộp hồ sơ" in by_code[expiring["open"].code]
    assert "150" in by_code[expiring["open"].code]
    xlsx = client.get(EXPIRING, {"export": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_certificate_list_links_to_the_expiring_page(world, expiring) -> None:
    page = world.client("viewer_hn").get(reverse("certification:certificate_list")).content.decode()
    assert EXPIRING in page
    assert world.client("viewer_hn").get(EXPIRING).status_code == 200


def test_expiring_export_neutralises_formula_like_names(world, expiring) -> None:
    from python_calamine import CalamineWorkbook

    from ocop.registry.models import Producer, Product

    product = expiring["open"].product
    Product.objects.filter(pk=product.pk).update(name='=HYPERLINK("http://x","y")')
    Producer.objects.filter(pk=product.producer_id).update(name="@SUM(A1)")
    client = world.client("province_hn")
    response = client.get(EXPIRING, {"days": 365, "export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    header, by_code = rows[0], {row[0]: row for row in rows[1:]}
    row = by_code[expiring["open"].code]
    assert row[header.index("Sản phẩm")] == '\'=HYPERLINK("http://x","y")'
    assert row[header.index("Chủ thể")] == "'@SUM(A1)"
    assert row[header.index("Còn (ngày)")] == "150"  # a number stays a number
    xlsx = client.get(EXPIRING, {"days": 365, "export": "xlsx"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content))).get_sheet_by_index(0)
    cells = {r[0]: r for r in sheet.to_python()[1:]}
    assert (
        cells[expiring["open"].code][header.index("Sản phẩm")] == '=HYPERLINK("http://x","y")'
    )  # typed text


def test_revocation_ground_c_quotes_art_8_1_c_in_full() -> None:
    label = str(certification.RevocationGround.C.label)
    assert "ghi nhãn hàng hóa hoặc các quy định pháp luật khác có liên quan" in label
    assert label.endswith("theo kết luận của cơ quan có thẩm quyền")
