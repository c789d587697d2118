"""Re-evaluation at expiry (QĐ 26/2026/QĐ-TTg Art. 7.6.a) and the extension of Art. 12.3, through
the workflow, the dossier form, the API and the certificate's status in Python and SQL.

Dates are worked out by hand from the text: a dossier is filed "không sớm hơn 180 ngày và không
muộn hơn 120 ngày tính đến ngày hết thời hạn của giấy chứng nhận"; a certificate of a filer
"tiếp tục có hiệu lực đến ngày có kết quả xử lý …, nhưng không quá 180 ngày tính từ ngày hết thời
hạn".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ocop.certification.models import EXTENDED_LABEL, Certificate
from ocop.core import clock
from ocop.evaluation import workflow
from ocop.evaluation.models import Dossier, DossierKind, DossierStatus
from ocop.evaluation.workflow import StepError

from .conftest import make_certificate
from .test_workflow_api import DOSSIERS, _refused, api  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

# A certificate issued 10/07/2024 expires (last valid day) 10/07/2027 (36 months, same day).
ISSUED = dt.date(2024, 7, 10)
EXPIRY = dt.date(2027, 7, 10)
OPENS = dt.date(2027, 1, 11)  # 10/07/2027 − 180 days
CLOSES = dt.date(2027, 3, 12)  # 10/07/2027 − 120 days
LAST = dt.date(2028, 1, 6)  # 10/07/2027 + 180 days


def _on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


@pytest.fixture
def certificate(products) -> Certificate:
    return make_certificate(products["hn1"], star=4, issue_date=ISSUED)


def _file(world, certificate: Certificate) -> Dossier:
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, certificate.product, kind=DossierKind.REEVALUATION)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": "Sản phẩm", "applicant": "Nguyễn Thị Hoa", "phone": "0912345678"},
        self_assessment={"summary": "Giữ nguyên quy trình"},
    )
    return workflow.submit(producer, dossier)


def test_the_window_dates_are_those_of_the_text(certificate) -> None:
    assert certificate.expiry == EXPIRY
    assert (EXPIRY - OPENS).days == 180 and (EXPIRY - CLOSES).days == 120
    assert (LAST - EXPIRY).days == 180


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (EXPIRY - dt.timedelta(days=300), "Chưa đến thời hạn"),
        (OPENS - dt.timedelta(days=1), "Chưa đến thời hạn"),
        (CLOSES + dt.timedelta(days=1), "Đã quá thời hạn"),
        (EXPIRY - dt.timedelta(days=10), "Đã quá thời hạn"),
        (EXPIRY + dt.timedelta(days=20), "đã hết hạn ngày 10/07/2027"),
    ],
)
def test_a_reevaluation_outside_its_window_is_refused(world, certificate, monkeypatch, day, words) -> None:
    _on(monkeypatch, day)
    with pytest.raises(StepError) as refused:
        workflow.create_dossier(
            world.users["producer_hn1"], certificate.product, kind=DossierKind.REEVALUATION
        )
    message = " ".join(refused.value.messages)
    assert words in message and "11/01/2027" in message and "12/03/2027" in message
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("day", [OPENS, OPENS + dt.timedelta(days=30), CLOSES])
def test_a_reevaluation_inside_its_window_is_filed_and_extends_the_certificate(
    world, certificate, monkeypatch, day
) -> None:
    _on(monkeypatch, day)
    dossier = _file(world, certificate)
    assert dossier.status == DossierStatus.SUBMITTED and dossier.submitted_on == day
    certificate.refresh_from_db()
    assert certificate.extended_until == LAST  # 10/01/2027 + 180 days
    latest = certificate.history.first()
    assert latest.extended_until == LAST and "khoản 3 Điều 12" in latest.history_change_reason


def test_a_draft_made_in_the_window_cannot_be_submitted_after_it(world, certificate, monkeypatch) -> None:
    _on(monkeypatch, CLOSES)
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, certificate.product, kind=DossierKind.REEVALUATION)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": "Sản phẩm", "applicant": "Nguyễn Thị Hoa", "phone": "0912345678"},
        self_assessment={"summary": "Giữ nguyên quy trình"},
    )
    _on(monkeypatch, CLOSES + dt.timedelta(days=1))
    with pytest.raises(StepError, match="Đã quá thời hạn"):
        workflow.submit(producer, dossier)


def test_a_late_producer_is_offered_a_first_time_dossier(world, certificate, monkeypatch) -> None:
    _on(monkeypatch, EXPIRY - dt.timedelta(days=10))
    client = world.client("producer_hn1")
    url = reverse("evaluation:dossier_add") + f"?product={certificate.product.pk}"
    page = client.post(url, {"kind": "reevaluation", "sheet": "B07"})
    text = page.content.decode()
    assert page.status_code == 200 and "Đã quá thời hạn" in text and "11/01/2027" in text
    assert 'id="offer-first"' in text and 'value="first"' in text
    response = client.post(url, {"kind": "first", "sheet": "B07"})
    assert response.status_code == 302
    assert Dossier.objects.get().kind == DossierKind.FIRST


def test_the_api_refuses_a_reevaluation_outside_its_window(world, certificate, api, monkeypatch) -> None:  # noqa: F811
    _on(monkeypatch, EXPIRY - dt.timedelta(days=300))
    body = {"product": certificate.product.pk, "kind": "reevaluation", "sheet": "B07"}
    detail = _refused(api("producer_hn1").post(DOSSIERS, body), 422, "Chưa đến thời hạn")
    assert "11/01/2027" in detail and "12/03/2027" in detail


def _status(certificate: Certificate, day: dt.date) -> tuple[str, str]:
    """The status on ``day`` in Python and in SQL (one definition: they must agree)."""
    python = Certificate.objects.get(pk=certificate.pk).status_on(day)
    sql = Certificate.objects.with_status(day).get(pk=certificate.pk).status
    return python, sql


def test_a_filed_certificate_stays_valid_after_expiry_at_most_180_days(
    world, certificate, monkeypatch
) -> None:
    _on(monkeypatch, OPENS)
    _file(world, certificate)
    last = LAST
    for day, expected in [
        (EXPIRY, "valid"),
        (EXPIRY + dt.timedelta(days=1), "valid"),
        (last, "valid"),
        (last + dt.timedelta(days=1), "expired"),
    ]:
        assert _status(certificate, day) == (expected, expected), day
        assert Certificate.objects.valid_on(day).filter(pk=certificate.pk).exists() == (expected == "valid")
    after = EXPIRY + dt.timedelta(days=30)
    _on(monkeypatch, after)
    shown = Certificate.objects.with_status(after).get(pk=certificate.pk)
    assert shown.is_extended and shown.valid_until == last
    assert shown.status_label == str(EXTENDED_LABEL) == "Còn hiệu lực (gia hạn theo khoản 3 Điều 12)"
    assert certificate.product.programme_status_on(after) == "recognised"


def test_without_a_filing_the_certificate_expires_on_its_date(certificate) -> None:
    assert _status(certificate, EXPIRY + dt.timedelta(days=1)) == ("expired", "expired")
    assert Certificate.objects.get(pk=certificate.pk).extended_until is None


def test_the_result_ends_the_extension(world, certificate, monkeypatch) -> None:
    _on(monkeypatch, OPENS)
    dossier = _file(world, certificate)
    result_day = EXPIRY + dt.timedelta(days=45)
    workflow.end_extension(dossier, result_day, "Kết quả đánh giá lại: không đạt")
    certificate.refresh_from_db()
    assert certificate.extended_until == result_day - dt.timedelta(days=1)
    assert _status(certificate, result_day - dt.timedelta(days=1)) == ("valid", "valid")
    assert _status(certificate, result_day) == ("expired", "expired")
    assert certificate.history.first().history_change_reason == "Kết quả đánh giá lại: không đạt"
    # A result before the printed expiry leaves no extension at all.
    workflow.end_extension(dossier, EXPIRY - dt.timedelta(days=5), "Kết quả sớm")
    certificate.refresh_from_db()
    assert certificate.extended_until is None


def test_the_public_pages_api_and_open_data_say_extended(world, certificate, monkeypatch, client) -> None:
    _on(monkeypatch, OPENS)
    _file(world, certificate)
    after = EXPIRY + dt.timedelta(days=30)
    _on(monkeypatch, after)
    data = client.get(f"/api/v1/public/certificates/{certificate.code}").json()
    assert data["status"] == "valid" and data["extended"] is True
    assert data["valid_until"] == "2028-01-06" and data["expires"] == "2027-07-10"
    assert data["status_label"] == "Còn hiệu lực (gia hạn theo khoản 3 Điều 12)"
    page = client.get(f"/v/{certificate.code}").content.decode()
    assert "gia hạn theo khoản 3 Điều 12" in page and "06/01/2028" in page
    officer = world.client("province_hn")
    api_data = officer.get(f"/api/v1/certificates/{certificate.code}").json()
    assert api_data["extended"] is True and api_data["valid_until"] == "2028-01-06"
    assert api_data["status_label"] == "Còn hiệu lực (gia hạn theo khoản 3 Điều 12)"
    detail = officer.get(certificate.get_absolute_url()).content.decode()
    assert "Còn hiệu lực (gia hạn theo khoản 3 Điều 12)" in detail and "06/01/2028" in detail


def test_art_12_3_a_window_closed_before_the_decision_took_effect(world, products, monkeypatch) -> None:
    """Art. 12.3: expiring 01/08/2026, its window (02/02–03/04/2026) closed before QĐ 26/2026 took
    effect on 22/05/2026: a re-evaluation may still be filed until expiry, and extends it."""
    certificate = make_certificate(products["hn1"], star=3, issue_date=dt.date(2023, 8, 1))
    _on(monkeypatch, dt.date(2026, 6, 15))
    _file(world, certificate)
    certificate.refresh_from_db()
    assert certificate.extended_until == dt.date(2027, 1, 28)  # 01/08/2026 + 180 days
    assert _status(certificate, dt.date(2026, 12, 1)) == ("valid", "valid")
