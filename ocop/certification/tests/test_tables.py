"""The certificate list's body is django-tables2's own markup, cell for cell (dates, stars, badges,
decisions written in Python for speed: ocop.core.tables)."""

from __future__ import annotations

import datetime as dt

import django_tables2 as tables
import pytest
from django.utils import translation

from ocop.certification.models import EXTENDED_LABEL, Certificate
from ocop.certification.tables import CertificateTable
from ocop.core import clock
from ocop.core.tables import Table
from ocop.core.tests.test_tables import _both as _both_of

from .conftest import make_certificate, make_decision, make_producer, make_product, world  # noqa: F401


class DatesTable(Table):
    """Every kind of date column: a format string, a format name (localised), the default."""

    issue_date = tables.DateColumn(format="d/m/Y")
    expiry = tables.DateColumn(format="DATE_FORMAT")
    revoked_on = tables.DateColumn()
    created = tables.DateColumn(format="d/m/Y")  # a datetime: through the template as before

    class Meta:
        model = Certificate
        fields = ["issue_date", "expiry", "revoked_on", "created"]


def _both(table_class, queryset, user) -> tuple[str, str]:
    return _both_of(table_class, queryset, user, per_page=10)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_certificate_tables_bodies_are_django_tables2s(world, monkeypatch, language) -> None:  # noqa: F811
    """Also: the decision read as columns of the page's rows (row_annotations) is written as the
    Decision object's."""
    producer = make_producer(world.places["hn1"])
    make_certificate(make_product(producer), star=3, issue_date=dt.date(2024, 2, 29))
    make_certificate(
        make_product(producer),
        make_decision(number="7/QĐ-UBND & <b>", date=dt.date(2025, 3, 1), province=producer.province),
        star=4,
        potential_5_star=True,
        issue_date=dt.date(2025, 3, 1),
    )
    revoked = make_certificate(make_product(producer), star=4, issue_date=dt.date(2023, 12, 31))
    Certificate.objects.filter(pk=revoked.pk).update(revoked_on=dt.date(2024, 6, 1))
    # Valid past its printed expiry (Art. 12.3): the badge's words are not the status's label.
    extended = make_certificate(
        make_product(producer), star=3, issue_date=clock.today() - dt.timedelta(days=1200)
    )
    Certificate.objects.filter(pk=extended.pk).update(extended_until=clock.today() + dt.timedelta(days=60))
    queryset = Certificate.objects.select_related("product__province", "decision")
    with translation.override(language):
        for table_class in (CertificateTable, DatesTable):
            fast, reference = _both(table_class, queryset, world.users["central"])
            assert fast.count("<tr") == 5, table_class.__name__
            assert fast == reference, table_class.__name__
        assert str(EXTENDED_LABEL) in _both(CertificateTable, queryset, world.users["central"])[0]
        with monkeypatch.context() as from_objects:
            from_objects.setattr(CertificateTable, "row_annotations", lambda self: {})
            objects = _both(CertificateTable, queryset, world.users["central"])[1]
        assert _both(CertificateTable, queryset, world.users["central"])[0] == objects
    assert (
        "29/02/2024" in fast
        and "7/QĐ-UBND &amp; &lt;b&gt;" in _both(CertificateTable, queryset, world.users["central"])[0]
    )


def test_certificate_rows_are_written_by_the_tables_own_function(world, monkeypatch) -> None:  # noqa: F811
    make_certificate(make_product(make_producer(world.places["hn1"])), star=3)
    calls = []
    original = CertificateTable.cells_html
    monkeypatch.setattr(
        CertificateTable, "cells_html", lambda self, record: calls.append(record) or original(self, record)
    )
    queryset = Certificate.objects.select_related("product__province", "decision")
    fast, reference = _both(CertificateTable, queryset, world.users["central"])
    assert len(calls) == 1 and fast == reference
