"""Scan signals through the database: the public counters (typed codes, provinces of scans) and
``signals.refresh`` over real ScanCount rows, the upsert that keeps officers' decisions, the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from ocop.certification.pdf import verification_path
from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock, queues
from ocop.geo.models import Structure, Unit
from ocop.oversight import signals
from ocop.oversight.models import ScanSignal, SignalStatus
from ocop.public import scans
from ocop.public.models import MissedLookup, ScanCount, ScanRegionCount
from ocop.registry.tests.conftest import make_producer, make_product, world  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def empty_stores(settings) -> None:
    from django.core.cache import cache

    settings.OCOP_SCAN_REGION_HEADER = ""
    cache.clear()
    scans.store().clear()
    yield
    scans.store().clear()


def province(code: str) -> Unit:
    return Unit.objects.get(structure=Structure.CURRENT, code=code)


@pytest.fixture
def made(world):  # noqa: F811
    """A product of Hà Nội with an expired certificate (expired on 11/03/2026) and a valid one."""
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, name="Miến dong Sơn Hà")
    expired = make_certificate(product, issue_date=dt.date(2023, 3, 12))
    other = make_product(producer, name="Chè búp Tân Cương")
    valid = make_certificate(other, issue_date=dt.date(2025, 6, 1))
    return {"producer": producer, "product": product, "expired": expired, "other": other, "valid": valid}


def add_scans(certificate, per_day: dict[int, int], kind: str = "certificate", source: str = "qr") -> None:
    """ScanCount rows: {days before TODAY: count}."""
    product = certificate.product if kind == "certificate" else certificate
    for back, n in per_day.items():
        row, _created = ScanCount.objects.get_or_create(
            day=TODAY - dt.timedelta(days=back),
            kind=kind,
            object_id=certificate.pk,
            source=source,
            defaults={"product": product, "count": 0},
        )
        row.count += n
        row.save()


# --- the issue's case: an expired code that keeps being scanned ------------------------------------


def test_an_expired_code_that_keeps_being_scanned_shows_up_as_a_signal(made, client) -> None:
    expired = made["expired"]
    assert expired.status_on(TODAY) == "expired"
    for _ in range(3):
        client.get(verification_path(expired.code))  # phones scanning the old stamp
    scans.flush(include_current=True)
    add_scans(expired, {1: 15, 10: 15, 12: 24, 45: 500})  # 45 days ago is outside the 30 days
    counts = signals.refresh()
    assert counts["created"] == 1 and counts["expired_scanned"] == 1
    signal = ScanSignal.objects.get()
    assert (signal.rule, signal.product, signal.certificate) == ("expired_scanned", made["product"], expired)
    assert signal.status == SignalStatus.OPEN
    assert signal.scans == 57
    since = signal.detail["since"]
    assert since == (expired.expiry + dt.timedelta(days=1)).isoformat()
    sentence = signals.reason(signal)
    assert sentence == (
        f"Giấy chứng nhận hết hiệu lực từ {dt.date.fromisoformat(since):%d/%m/%Y}, vẫn được quét 57 lần "
        "trong 30 ngày qua (lần cuối 01/12/2026)"
    )


def test_a_valid_certificate_however_scanned_is_no_status_signal(made) -> None:
    add_scans(made["valid"], {0: 15, 1: 15})
    signals.refresh()
    assert not ScanSignal.objects.filter(rule__endswith="_scanned").exists()


def test_revoked_and_superseded_certificates_have_their_own_rule(made) -> None:
    valid = made["valid"]
    valid.revoked_on = TODAY - dt.timedelta(days=10)
    valid.revocation_number = "9/QĐ-UBND"
    valid.revocation_date = valid.revoked_on
    valid.save()
    add_scans(valid, {12: 50, 3: 4})  # the 50 scans were before the revocation
    signals.refresh()
    signal = ScanSignal.objects.get()
    assert signal.rule == "revoked_scanned" and signal.scans == 4
    assert "bị thu hồi từ" in signals.reason(signal)


# --- the upsert -----------------------------------------------------------------------------------------


def test_refresh_updates_figures_and_keeps_the_officers_decision(made) -> None:
    add_scans(made["expired"], {2: 5})
    signals.refresh()
    signal = ScanSignal.objects.get()
    signal.status, signal.status_note = SignalStatus.PLANNED, "Kế hoạch quý I"
    signal.save()
    add_scans(made["expired"], {0: 7})
    counts = signals.refresh()
    assert (counts["created"], counts["updated"]) == (0, 1)
    signal.refresh_from_db()
    assert (signal.status, signal.status_note, signal.scans) == ("planned", "Kế hoạch quý I", 12)
    assert ScanSignal.objects.count() == 1


def test_a_dismissed_signal_reopens_only_when_its_scans_grow(made, world) -> None:  # noqa: F811
    add_scans(made["expired"], {2: 5})
    signals.refresh()
    signal = signals.dismiss(
        world.users["province_hn"], ScanSignal.objects.get(), "Tem cũ ở cửa hàng đã thu hồi"
    )
    assert signal.status == "dismissed" and signal.detail["dismissed_scans"] == 5
    assert signal.handled_by == world.users["province_hn"]
    signals.refresh()  # the same figures: stays dismissed
    signal.refresh_from_db()
    assert signal.status == "dismissed" and signal.detail["dismissed_scans"] == 5
    add_scans(made["expired"], {0: 1})
    assert signals.refresh()["reopened"] == 1
    signal.refresh_from_db()
    assert signal.status == "open" and signal.scans == 6
    assert signal.status_note == "Tem cũ ở cửa hàng đã thu hồi"  # the note stays for the record
    reasons = list(signal.history.values_list("history_change_reason", flat=True))
    assert any("Mở lại" in (reason or "") for reason in reasons)


def test_a_signal_no_longer_found_is_not_closed(made) -> None:
    add_scans(made["expired"], {2: 5})
    signals.refresh()
    ScanCount.objects.all().delete()
    assert signals.refresh()["found"] == 0
    signal = ScanSignal.objects.get()
    assert signal.status == "open" and signal.scans == 5


def test_dismissing_needs_a_note_and_the_right(made, world) -> None:  # noqa: F811
    from django.core.exceptions import PermissionDenied, ValidationError

    add_scans(made["expired"], {2: 5})
    signals.refresh()
    signal = ScanSignal.objects.get()
    with pytest.raises(ValidationError):
        signals.dismiss(world.users["province_hn"], signal, "  ")
    for name in ("commune_hn1", "viewer_hn", "province_hcm", "council_hn", "producer_hn1"):
        with pytest.raises(PermissionDenied):
            signals.dismiss(world.users[name], signal, "Không sao")
    signal.refresh_from_db()
    assert signal.status == "open"


# --- mistyped codes --------------------------------------------------------------------------------------


def transposed(code: str) -> str:
    """Two neighbouring digits of the sequence swapped (caught by the check character)."""
    i = len(code) - 4
    return code[:i] + code[i + 1] + code[i] + code[i + 2 :]


def test_a_code_typed_wrong_again_and_again_is_counted_and_signalled(made, client) -> None:
    valid = made["valid"]
    typo = transposed(valid.code)
    assert typo != valid.code
    for _ in range(5):
        assert client.get(verification_path(typo)).status_code == 404
    client.get(f"/api/v1/public/certificates/{typo}")  # the JSON verification counts too
    client.get("/v/khong-phai-ma")  # not a code's shape: not counted
    assert MissedLookup.objects.count() == 0  # nothing written by the pages
    scans.flush(include_current=True)
    assert list(MissedLookup.objects.values_list("day", "code", "count")) == [(TODAY, typo, 6)]
    signals.refresh()
    signal = ScanSignal.objects.get(rule="mistyped")
    assert (signal.product, signal.certificate, signal.code, signal.scans) == (made["other"], valid, typo, 6)
    assert signal.detail["real_code"] == valid.code
    assert valid.code in signals.reason(signal) and "đảo chỗ hai ký tự" in signals.reason(signal)


def test_missed_lookups_are_bounded(made, monkeypatch) -> None:
    monkeypatch.setattr(scans, "MISSED_CODES_PER_DAY", 2)
    for code in ("OCOP-01-2026-000001-A", "OCOP-01-2026-000002-A", "OCOP-01-2026-000003-A"):
        scans.record_miss(code)
        scans.record_miss(code)
    scans.record_miss("hello world")
    scans.record_miss("OCOP-" + "1" * 60)
    scans.flush(include_current=True)
    assert sorted(MissedLookup.objects.values_list("code", "count")) == [
        ("OCOP-01-2026-000001-A", 2),
        ("OCOP-01-2026-000002-A", 2),
    ]


# --- provinces of scans ------------------------------------------------------------------------------------


def test_the_province_header_is_counted_per_product_and_day(made, client, settings) -> None:
    settings.OCOP_SCAN_REGION_HEADER = "X-Region-Code"
    product, code = made["product"], made["valid"].code
    for value in ("79", "Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Tiền Giang", "Atlantis", ""):
        client.get(verification_path(code), HTTP_X_REGION_CODE=value)
    client.get(verification_path(code), HTTP_X_REGION_CODE="79", HTTP_REFERER="https://example.vn/")  # web
    scans.flush(include_current=True)
    rows = {
        (row.product_id, row.province.code): row.count
        for row in ScanRegionCount.objects.select_related("province")
    }
    other = made["other"]
    assert rows == {(other.pk, "79"): 3, (other.pk, "82"): 1}  # Tiền Giang is part of Đồng Tháp now
    assert product.pk not in {pk for pk, _code in rows}
    assert ScanCount.objects.filter(kind="certificate").count() == 2  # qr and web, as before


def test_without_the_setting_no_province_is_counted(made, client) -> None:
    client.get(verification_path(made["valid"].code), HTTP_X_REGION_CODE="79")
    scans.flush(include_current=True)
    assert ScanRegionCount.objects.count() == 0


def test_far_scans_need_the_header_setting(made, settings) -> None:
    other = made["other"]  # made in Hà Nội
    for back in range(5):
        ScanRegionCount.objects.create(
            day=TODAY - dt.timedelta(days=back), product=other, province=province("79"), count=6
        )
    ScanRegionCount.objects.create(day=TODAY, product=other, province=province("01"), count=4)
    signals.refresh()
    assert not ScanSignal.objects.filter(rule="far_scans").exists()  # inactive without the header
    settings.OCOP_SCAN_REGION_HEADER = "X-Region-Code"
    signals.refresh()
    signal = ScanSignal.objects.get(rule="far_scans")
    assert signal.product == other and signal.scans == 30
    assert signal.detail["share"] == 88
    sentence = signals.reason(signal)
    assert "88% trong 34 lượt quét QR" in sentence and "Hồ Chí Minh 30" in sentence
    assert "Đồng bằng sông Hồng" in sentence


# --- surges ------------------------------------------------------------------------------------------------


def test_a_surge_of_scans_is_a_signal(made) -> None:
    other = made["other"]
    add_scans(other, {back: 4 for back in range(1, 40)}, kind="product")
    add_scans(other, {0: 45}, kind="product")
    add_scans(other, {0: 500}, kind="product", source="api")  # machine checks are left out
    signals.refresh()
    signal = ScanSignal.objects.get(rule="surge")
    assert signal.product == other and signal.scans == 45 and signal.last_day == TODAY
    assert signals.reason(signal) == (
        "Ngày 01/12/2026 có 45 lượt quét, trong khi trung vị 28 ngày trước đó là 4 lượt/ngày (ngưỡng 20)"
    )


# --- the command and the queue ---------------------------------------------------------------------


def test_the_daily_command(made) -> None:
    add_scans(made["expired"], {2: 5})
    out = StringIO()
    call_command("scan-signals", stdout=out)
    assert "1 dấu hiệu, 1 mới" in out.getvalue()
    assert "OCOP_SCAN_REGION_HEADER" in out.getvalue()
    call_command("scan-signals", "--date", "2026-11-30", stdout=out)
    assert ScanSignal.objects.count() == 1


def test_province_officers_see_new_signals_in_their_queue(made, world) -> None:  # noqa: F811
    add_scans(made["expired"], {2: 5})
    signals.refresh()
    items = {item.key: item for item in queues.collect(world.users["province_hn"], TODAY)}
    item = items["oversight_signals_open"]
    assert item.count == 1 and item.label == "Dấu hiệu rủi ro mới"
    assert item.url == "/oversight/signals/?status=open"
    hcm = {item.key: item for item in queues.collect(world.users["province_hcm"], TODAY)}
    assert hcm["oversight_signals_open"].count == 0


def test_counting_a_miss_or_a_province_does_no_query(made, settings, rf) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.OCOP_SCAN_REGION_HEADER = "X-Region-Code"
    request = rf.get("/v/x", HTTP_X_REGION_CODE="Hà Nội")
    with CaptureQueriesContext(connection) as captured:
        for _ in range(20):
            scans.record_miss("OCOP-01-2026-000001-A")
            scans.record_region("certificate", made["valid"].pk, "qr", request)
    assert len(captured.captured_queries) == 0
    assert scans.region_key("Thành phố Hà Nội") == scans.region_key("Ha Noi") == "hanoi"
    assert scans.region_key("1") == "01" and scans.region_key("x" * 90) == ""
