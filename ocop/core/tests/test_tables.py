"""ocop.core.tables.Table writes the same HTML as django-tables2's own template, cell for cell."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext
from django_tables2 import RequestConfig

from ocop.accounts.tables import UserTable
from ocop.geo.models import Structure, Unit
from ocop.geo.tables import UnitTable
from ocop.registry.models import Product
from ocop.registry.tables import ProducerTable, ProductTable
from ocop.registry.tests.conftest import communes_of, make_producer, make_product, world  # noqa: F401

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html).replace(" >", ">")  # the template's `<a class="page-link" >`
    return html.replace("> <", "><").replace("> ", ">").replace(" <", "<")


def _our_pager_words(html: str) -> str:
    """django-tables2's pager with the words ours says in the active language (it has no Vietnamese)."""
    return (
        html.replace('aria-label="Table navigation"', f'aria-label="{gettext("Phân trang")}"')
        .replace("</span>previous</a>", f"</span>{gettext('Trang trước')}</a>")
        .replace(">next<span", f">{gettext('Trang sau')}<span")
    )


def _both(table_class, queryset, user, query: str = "", per_page: int = 5) -> tuple[str, str]:
    """The table's HTML written by ocop.core.tables, then by django-tables2's own template (its
    pager's words as ours say them)."""
    request = RequestFactory().get(f"/list/?{query}")
    request.user = user
    html = []
    for template in (None, DJANGO_TABLES2_TEMPLATE):
        table = table_class(queryset, template_name=template, request=request)
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        html.append(_normalised(table.as_html(request)))
    return html[0], _our_pager_words(html[1])


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("query", ["", "sort=-code&page=2", "sort=location"])
def test_product_table_body_is_django_tables2s(
    world,  # noqa: F811
    former_province_tien_giang,
    monkeypatch,
    language,
    query,
) -> None:
    """Also: the place's names read as columns of the page's rows (row_annotations) are written as
    those of the related Unit objects."""
    communes = communes_of(world.places["hn"], 4)
    for i in range(8):
        producer = make_producer(communes[i % 4])
        make_product(producer, unit=former_province_tien_giang if i == 3 else None)
    queryset = Product.objects.select_related(
        "province", "commune", "unit", "producer"
    ).with_programme_status()
    with translation.override(language):
        fast, reference = _both(ProductTable, queryset.with_current_star(), world.users["central"], query)
        with monkeypatch.context() as names_from_units:
            names_from_units.setattr(ProductTable, "row_annotations", lambda self: {})
            _fast, from_units = _both(
                ProductTable, queryset.with_current_star(), world.users["central"], query
            )
    assert "<tbody" in fast and fast.count("<tr") == (4 if "page=2" in query else 6)
    assert fast == reference == from_units


def test_product_rows_are_written_by_the_tables_own_function(world, monkeypatch) -> None:  # noqa: F811
    """The comparison above goes through ProductTable.cells_html (one call a row), not the generic
    cells; a table whose columns differ (here one excluded) keeps the generic path."""
    producer = make_producer(world.places["hn1"])
    for _i in range(3):
        make_product(producer)
    calls = []
    original = ProductTable.cells_html
    monkeypatch.setattr(
        ProductTable, "cells_html", lambda self, record: calls.append(record) or original(self, record)
    )
    queryset = Product.objects.select_related(
        "province", "commune", "unit", "producer"
    ).with_programme_status()
    fast, reference = _both(ProductTable, queryset.with_current_star(), world.users["central"])
    assert len(calls) == 3 and fast == reference
    calls.clear()
    request = RequestFactory().get("/list/")
    request.user = world.users["central"]
    table = ProductTable(queryset.with_current_star(), request=request, exclude=("status",))
    RequestConfig(request, paginate={"per_page": 5}).configure(table)
    assert "<tbody" in table.as_html(request) and calls == []


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("query", ["", "sort=-product_count&page=2", "sort=location"])
def test_producer_rows_are_written_by_the_tables_own_function(
    world,  # noqa: F811
    former_province_tien_giang,
    monkeypatch,
    language,
    query,
) -> None:
    """ProducerTable.cells_html (one call a row) writes what django-tables2's columns write:
    every type and status, no tax code, a former unit, no product and several."""
    from ocop.registry.classification import ProducerType
    from ocop.registry.codes import tax_code_check_digit
    from ocop.registry.models import Producer, ProducerStatus

    def _tax_code(first9: str) -> str:
        return f"{first9}{tax_code_check_digit(first9)}"

    communes = communes_of(world.places["hn"], 3)
    types = list(ProducerType)
    for i in range(8):
        producer = make_producer(
            former_province_tien_giang if i == 3 else communes[i % 3],
            producer_type=types[i % len(types)],
            tax_code="" if i % 2 else _tax_code(f"01{1_234_500 + i:07d}"),
            status=ProducerStatus.SUSPENDED if i == 5 else ProducerStatus.ACTIVE,
        )
        for _j in range(i % 3):
            make_product(producer)
    calls = []
    original = ProducerTable.cells_html
    monkeypatch.setattr(
        ProducerTable, "cells_html", lambda self, record: calls.append(record) or original(self, record)
    )
    queryset = Producer.objects.select_related("province", "commune", "unit")
    with translation.override(language):
        fast, reference = _both(ProducerTable, queryset, world.users["central"], query)
        assert all("place_province" in record.__dict__ for record in calls)  # names as columns
        with monkeypatch.context() as names_from_units:
            names_from_units.setattr(ProducerTable, "row_annotations", lambda self: {})
            _fast, from_units = _both(ProducerTable, queryset, world.users["central"], query)
    shown = 3 if "page=2" in query else 5
    assert fast.count("<tr") == shown + 1 and len(calls) == 2 * shown
    assert fast == reference == from_units
    del calls[shown:]  # the counts below are the first rendering's
    counts = re.findall(r'<td class="text-end">(\d+)</td>', fast)  # the page's products, counted
    assert counts == [str(record.products.count()) for record in calls]


def test_other_tables_bodies_are_django_tables2s(world) -> None:  # noqa: F811
    from ocop.accounts.models import User
    from ocop.registry.models import Producer

    make_producer(world.places["hn1"])
    cases = [
        (ProducerTable, Producer.objects.select_related("province", "commune", "unit"), ""),
        (UserTable, User.objects.select_related("scope_unit"), ""),
        (
            UnitTable,
            Unit.objects.filter(structure=Structure.CURRENT).select_related("parent", "current_province"),
            "",
        ),
    ]
    for table_class, queryset, query in cases:
        fast, reference = _both(table_class, queryset, world.users["admin"], query)
        assert fast == reference, table_class.__name__


def test_empty_table_says_so(world) -> None:  # noqa: F811
    fast, reference = _both(ProductTable, Product.objects.none(), world.users["central"])
    assert "Không có sản phẩm nào." in fast
    assert fast == reference


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("query", ["page=1", "page=6&q=g%C3%A0+%22x%22&sort=-name", "page=12&province=01"])
def test_header_and_pager_are_django_tables2s(world, language, query) -> None:  # noqa: F811
    """The sort links and the pager keep the page's other parameters, mark the current page and skip
    ranges ("…") as django-tables2's template does; the pager's words are in the user's language."""
    producer = make_producer(world.places["hn1"])
    for _i in range(12):
        make_product(producer)
    queryset = Product.objects.select_related("province", "commune", "unit", "producer")
    queryset = queryset.with_programme_status().with_current_star()
    with translation.override(language):
        fast, reference = _both(ProductTable, queryset, world.users["central"], query, 1)
        assert fast == reference
        assert f'<nav aria-label="{gettext("Phân trang")}">' in fast
    words = {"vi": ("Trang trước", "Trang sau"), "en": ("Previous page", "Next page")}[language]
    if "page=1" not in query.split("&"):
        assert f"</span>{words[0]}</a>" in fast
    if "page=12" not in query:
        assert f">{words[1]}<span" in fast
    assert 'class="page-item active"><a class="page-link" href="' in fast
    assert '<a class="page-link">...</a>' in fast
    if "q=" in query:  # the search and the sort stay in every link, the page number changes
        assert 'href="?page=7&amp;q=g%C3%A0+%22x%22&amp;sort=-name"' in fast
        assert 'href="?page=6&amp;q=g%C3%A0+%22x%22&amp;sort=name"' in fast


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_product_count_is_written_as_the_template_writes_it(language) -> None:
    from django.template import Context
    from django.template.base import render_value_in_context

    from ocop.registry.tables import _count_html

    with translation.override(language):
        for count in (0, 7, 999, 1000, 123_456):
            assert _count_html(count, "—") == render_value_in_context(count, Context()), count
        assert _count_html(None, "—") == "—"
