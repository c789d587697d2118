"""The lists' filters on a phone: folded behind one "Bộ lọc" button (open without JavaScript), with
the filters in use shown as chips, each a link to the same list without that filter."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from .conftest import World, make_producer, make_product


def chips(html: str) -> list[tuple[str, str]]:
    """(text, URL) of each chip of the page."""
    block = re.search(r'<ul class="[^"]*ocop-filter-chips[^"]*".*?</ul>', html, re.S)
    if block is None:
        return []
    found = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', block.group(0), re.S)
    return [(_text(text), url.replace("&amp;", "&")) for url, text in found]


def _text(html: str) -> str:
    """The chip's visible text (its hidden "(bỏ lọc này)" left out), spaces collapsed."""
    visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", visible).split())


def test_filters_fold_and_active_ones_are_removable_chips(world: World) -> None:
    producer = make_producer(world.places["hn1"])
    make_product(producer, name="Mật ong hoa nhãn", status="registered")
    client = world.client("province_hn")
    url = reverse("registry:product_list")
    page = client.get(url, {"q": "mật ong", "status": "registered", "page": "1", "sort": "name"})
    html = page.content.decode()
    # One <details>, open as served (ocop.js folds it on a phone), its summary the "Bộ lọc" button.
    assert re.search(r'<details class="ocop-filters[^"]*" open>\s*<summary[^>]*d-md-none', html)
    assert "Bộ lọc" in html and "{#" not in html  # (a template comment left as text)
    shown = chips(html)
    assert [text for text, _url in shown] == ["Tìm kiếm: mật ong", "Tình trạng: Đã đăng ký"]
    removals = {text: parse_qs(urlsplit(link).query) for text, link in shown}
    # Each chip drops its own filter and the page number, and keeps the rest (and the sort).
    assert removals["Tìm kiếm: mật ong"] == {"status": ["registered"], "sort": ["name"]}
    assert removals["Tình trạng: Đã đăng ký"] == {"q": ["mật ong"], "sort": ["name"]}
    # No filter in use: no chips.
    assert chips(client.get(url).content.decode()) == []
    # The htmx results fragment carries the chips too (a filter change redraws them).
    fragment = client.get(url, {"status": "registered"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<details" not in fragment and [t for t, _u in chips(fragment)] == ["Tình trạng: Đã đăng ký"]
    # In English, the labels are English.
    client.cookies["django_language"] = "en"
    english = client.get(url, {"status": "registered"}).content.decode()
    assert [t for t, _u in chips(english)] == ["Status: Registered"]


def test_unit_filters_offer_the_units_by_code_with_name_and_code(world: World) -> None:
    """The province options are every current province "Tên (mã)" by its code, in name order, the
    chosen one selected; the communes appear once a province is chosen (those of that province)."""
    from ocop.geo.models import Level, Structure, Unit

    client = world.client("central")
    page = client.get(reverse("registry:product_list"), {"province": world.places["hn"].code})
    html = page.content.decode()
    select = re.search(r'<select name="province".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    provinces = Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by("sort_key")
    assert [(value, label) for value, _selected, label in options[1:]] == [
        (unit.code, f"{unit.name} ({unit.code})") for unit in provinces
    ]
    assert options[0][0] == "" and [value for value, selected, _label in options if selected] == [
        world.places["hn"].code
    ]
    communes = re.search(r'<select name="commune".*?</select>', html, re.S).group(0)
    shown = re.findall(r'<option value="(\d+)"', communes)
    expected = Unit.objects.filter(structure=Structure.CURRENT, current_province=world.places["hn"])
    assert shown and set(shown) == set(expected.filter(level=Level.COMMUNE).values_list("code", flat=True))
