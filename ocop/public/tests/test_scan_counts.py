"""Scan analytics: public hits are counted in the cache (no database write on the page) and flushed
in batches into ScanCount (F() upserts), by `ocop flush-scans` and by the web processes themselves."""

from __future__ import annotations

import datetime as dt
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocop.certification.pdf import verification_path
from ocop.certification.tests.conftest import make_certificate
from ocop.core import clock
from ocop.public import scans
from ocop.public.models import ScanCount
from ocop.registry.tests.conftest import make_product

from .conftest import TODAY
from .shared import module_catalogue, module_world  # noqa: F401 - fixtures "catalogue" and "world"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_store():
    scans.store().clear()
    yield
    scans.store().clear()


def rows() -> set[tuple]:
    return set(ScanCount.objects.values_list("day", "kind", "object_id", "source", "count", "product_id"))


def test_page_hits_are_counted_by_kind_object_and_source(anonymous, catalogue) -> None:
    c = catalogue.certificates["valid"]
    product = catalogue.products["valid"]
    anonymous.get(verification_path(c.code))  # printed address, no Referer: a QR scan
    anonymous.get(verification_path(c.code))
    anonymous.get(verification_path(c.code), HTTP_REFERER="http://testserver/san-pham/")  # a click: web
    anonymous.get(reverse("api:public_certificate", args=[c.code]))
    anonymous.get(f"/p/{product.code}")  # QR on the package
    anonymous.get(f"/p/{product.code}", HTTP_REFERER="https://www.google.com/")
    anonymous.get("/v/OCOP-01-2026-999999-X")  # unknown code: nothing to count
    assert ScanCount.objects.count() == 0  # nothing written by the pages themselves
    assert scans.flush(include_current=True) == 5
    assert rows() == {
        (TODAY, "certificate", c.pk, "qr", 2, product.pk),
        (TODAY, "certificate", c.pk, "web", 1, product.pk),
        (TODAY, "certificate", c.pk, "api", 1, product.pk),
        (TODAY, "product", product.pk, "qr", 1, product.pk),
        (TODAY, "product", product.pk, "web", 1, product.pk),
    }
    # Flushing again adds nothing; new hits are added to the same rows (F() increments).
    assert scans.flush(include_current=True) == 0
    anonymous.get(verification_path(c.code))
    scans.flush(include_current=True)
    assert ScanCount.objects.get(kind="certificate", object_id=c.pk, source="qr").count == 3
    assert ScanCount.objects.count() == 5


def test_gs1_hits_count_for_the_product(anonymous, catalogue) -> None:
    product = catalogue.products["valid"]
    anonymous.get(f"/01/{product.gtin.zfill(14)}")
    scans.flush(include_current=True)
    assert rows() == {(TODAY, "product", product.pk, "qr", 1, product.pk)}


def test_recording_a_hit_does_no_query_and_never_raises(catalogue, monkeypatch) -> None:
    c = catalogue.certificates["valid"]
    with CaptureQueriesContext(connection) as captured:
        for _ in range(50):
            scans.record_hit("certificate", c.pk, "qr")
    assert len(captured.captured_queries) == 0

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(scans.store(), "incr", broken)
    monkeypatch.setattr(scans.store(), "add", broken)
    assert scans.record_hit("certificate", c.pk, "qr") is None  # logged, not raised
    assert scans.record_hit("producer", 1, "web") is None and scans.record_hit("product", None, "qr") is None


def test_only_complete_minutes_are_taken_by_a_normal_flush(catalogue, monkeypatch) -> None:
    c = catalogue.certificates["valid"]
    now = time.time()
    monkeypatch.setattr(scans.time, "time", lambda: now - 300)  # five minutes ago
    for _ in range(3):
        scans.record_hit("certificate", c.pk, "qr")
    monkeypatch.setattr(scans.time, "time", lambda: now)
    scans.record_hit("certificate", c.pk, "qr")  # this minute: left for late writers
    assert scans.flush() == 1
    assert ScanCount.objects.get().count == 3
    assert scans.flush() == 0  # the old buckets are gone
    assert scans.flush(include_current=True) == 1
    assert ScanCount.objects.get().count == 4


def test_many_objects_are_written_in_few_queries(catalogue, django_assert_max_num_queries) -> None:
    products = [make_product(catalogue.producer) for _ in range(30)]
    for product in products:
        make_certificate(product, star=3)
        for source in ("qr", "web"):
            scans.record_hit("product", product.pk, source)
    with django_assert_max_num_queries(8):
        assert scans.flush(include_current=True) == 60
    for product in products:
        scans.record_hit("product", product.pk, "qr")
    with django_assert_max_num_queries(8):  # 30 existing rows: one UPDATE … count = count + 1
        assert scans.flush(include_current=True) == 30
    assert ScanCount.objects.filter(source="qr", count=2).count() == 30


def test_upsert_adds_to_a_row_created_meanwhile(catalogue) -> None:
    product = catalogue.products["valid"]
    key = {"day": TODAY, "kind": "product", "object_id": product.pk, "source": "qr"}
    ScanCount.objects.create(**key, count=5, product=product)
    scans._upsert_one(ScanCount(**key, count=2, product=product))
    assert ScanCount.objects.get().count == 7


def test_counts_for_deleted_objects_are_dropped(catalogue) -> None:
    scans.record_hit("product", 999_999, "qr")
    assert scans.flush(include_current=True) == 0 and ScanCount.objects.count() == 0


def test_flush_command(catalogue) -> None:
    c = catalogue.certificates["valid"]
    scans.record_hit("certificate", c.pk, "web")
    out, err = StringIO(), StringIO()
    call_command("flush-scans", "--all", stdout=out, stderr=err)
    assert "Đã ghi 1 dòng lượt quét." in out.getvalue()
    assert "REDIS_URL" in err.getvalue()  # locmem: the web processes flush their own memory
    assert ScanCount.objects.get().count == 1


def test_web_process_flushes_after_a_response_once_a_minute(anonymous, catalogue, monkeypatch) -> None:
    c = catalogue.certificates["valid"]
    monkeypatch.setattr(scans, "flush_interval", lambda: 60)
    monkeypatch.setitem(scans._state, "atexit", True)  # no exit hook from a test
    monkeypatch.setitem(scans._state, "next", 0.0)
    monkeypatch.setitem(scans._state, "due", False)
    now = time.time()
    monkeypatch.setattr(scans.time, "time", lambda: now - 300)
    scans.record_hit("certificate", c.pk, "qr")  # a flush is due: after the next response
    monkeypatch.setattr(scans.time, "time", lambda: now)
    assert ScanCount.objects.count() == 0
    anonymous.get(verification_path(c.code))  # request_finished runs it once the page is sent
    assert ScanCount.objects.get().count == 1  # the old minute; this request's hit waits
    assert scans._state["due"] is False
    anonymous.get(verification_path(c.code))  # not due again for a minute
    assert ScanCount.objects.get().count == 1


def test_one_day_per_row(catalogue, monkeypatch) -> None:
    c = catalogue.certificates["valid"]
    scans.record_hit("certificate", c.pk, "qr")
    monkeypatch.setattr(clock, "today", lambda: TODAY + dt.timedelta(days=1))
    scans.record_hit("certificate", c.pk, "qr")
    scans.flush(include_current=True)
    assert sorted(ScanCount.objects.values_list("day", flat=True)) == [TODAY, TODAY + dt.timedelta(days=1)]
