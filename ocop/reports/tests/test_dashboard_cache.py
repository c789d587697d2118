"""The home page's figures, work queue and cards, and the statistics API, answer from the cache
(ocop.core.datacache) until an audited record changes, in any process; never stale after a write
through the application, never shared between users, languages or scopes.

These tests run outside a test transaction (``transaction=True``), as a served request does: inside
one nothing is cached."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.core import clock, datacache, queues
from ocop.evaluation.models import Dossier, DossierKind, DossierStatus
from ocop.geo.models import Unit
from ocop.public.models import ScanCount
from ocop.registry.models import Product
from ocop.reports import dashboard, extensions

from .conftest import World, issue, make_producer, make_product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def _home(client) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response, len(captured)


def _queue_count(response, key: str) -> int:
    return next(item.count for item in response.context["queue"] if item.key == key)


def test_the_home_page_answers_from_the_cache_until_a_record_changes(world: World) -> None:
    product = make_product(make_producer(world.places["hn1"]))
    issue(product, 4, clock.today())
    client = world.client("province_hn")
    client.get(reverse("core:home"))  # the session is read and written once
    cache.clear()
    first, built = _home(client)
    again, cached = _home(client)
    assert cached < built  # the figures, queue, card and unit choices are not counted again
    assert again.context["dashboard"].products_total == first.context["dashboard"].products_total == 1
    assert _queue_count(again, "dossiers_forwarded") == 0

    # A commune forwards a dossier and a certificate is issued: the next page shows both at once.
    Dossier.objects.create(
        product=product, kind=DossierKind.FIRST, sheet="B07", status=DossierStatus.FORWARDED
    )
    issue(make_product(make_producer(world.places["hn2"])), 3, clock.today())
    after, recounted = _home(client)
    assert cached < recounted < built  # counted again; the unit picker reads only units, kept
    assert _queue_count(after, "dossiers_forwarded") == 1
    assert after.context["dashboard"].products_total == 2


def test_cached_figures_are_not_shared_between_users_scopes_or_languages(world: World) -> None:
    issue(make_product(make_producer(world.places["hn1"])), 4, clock.today())
    hanoi = world.client("province_hn")
    hcm = world.client("province_hcm")
    assert _home(hanoi)[0].context["dashboard"].products_total == 1
    assert _home(hcm)[0].context["dashboard"].products_total == 0  # not Hà Nội's cached figures
    assert _home(hanoi)[0].context["dashboard"].products_total == 1

    # The queue's labels are cached with the items: each language has its own.
    hanoi.cookies["django_language"] = "en"
    english = hanoi.get(reverse("core:home"), headers={"accept-language": "en"}).content.decode()
    assert "Dossiers forwarded by communes, waiting for a round" in english
    assert "Hồ sơ xã đề nghị, chờ đưa vào đợt đánh giá" not in english
    del hanoi.cookies["django_language"]
    vietnamese = hanoi.get(reverse("core:home")).content.decode()
    assert "Hồ sơ xã đề nghị, chờ đưa vào đợt đánh giá" in vietnamese
    assert "Dossiers forwarded by communes" not in vietnamese


def test_the_statistics_api_answers_from_the_cache_until_a_record_changes(world: World) -> None:
    _token, key = ApiToken.issue(world.users["central"], name="test")
    headers = {"Authorization": f"Bearer {key}"}
    url = "/api/v1/statistics/"
    api = Client()  # the token alone

    def products() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url, headers=headers)
        assert response.status_code == 200, response.content
        return response.json()["products"]["total"], len(captured)

    assert products()[0] == 0
    total, cached = products()
    assert total == 0
    issue(make_product(make_producer(world.places["hcm1"])), 5, clock.today())
    total, recounted = products()
    assert total == 1 and recounted > cached  # counted again after the write
    assert products() == (1, cached)  # and cached again


def test_nothing_is_cached_inside_a_transaction(world: World) -> None:
    with transaction.atomic():
        assert datacache.stamp() is None
        calls = []
        assert datacache.get_or_build(None, ("x",), lambda: calls.append(1) or len(calls)) == 1
        assert datacache.get_or_build(None, ("x",), lambda: calls.append(1) or len(calls)) == 2


def test_the_cache_can_be_turned_off(world: World, settings) -> None:
    settings.OCOP_DATA_CACHE_SECONDS = 0
    assert datacache.stamp() is None
    client = world.client("province_hn")
    _home(client)
    assert _home(client)[1] == _home(client)[1]  # everything counted each time


def test_the_stamp_changes_with_every_audited_write_and_only_then(world: World) -> None:
    before = datacache.stamp().of()
    assert datacache.stamp().of() == before
    product = make_product(make_producer(world.places["hn1"]))  # history rows
    changed = datacache.stamp().of()
    assert changed != before
    product.name = "Trà Shan tuyết"
    product.save()
    assert datacache.stamp().of() not in (before, changed)


def test_the_figures_are_kept_when_only_what_they_do_not_read_changes(world: World, monkeypatch) -> None:
    """The figures are counted from products, producers, certificates and units: a dossier moving
    on recounts the work queue, not the figures; a new certificate recounts both."""
    product = make_product(make_producer(world.places["hn1"]))
    counted = []
    compute = dashboard._figures
    monkeypatch.setattr(dashboard, "_figures", lambda *args: counted.append(args) or compute(*args))
    client = world.client("province_hn")
    _home(client)
    assert len(counted) == 1
    Dossier.objects.create(
        product=product, kind=DossierKind.FIRST, sheet="B07", status=DossierStatus.FORWARDED
    )
    response, _queries = _home(client)
    assert len(counted) == 1 and _queue_count(response, "dossiers_forwarded") == 1
    issue(product, 4, clock.today())
    response, _queries = _home(client)
    assert len(counted) == 2 and response.context["dashboard"].products_total == 1


def test_only_audited_models_can_be_named(world: World) -> None:
    stamp = datacache.stamp()
    assert stamp.of([Product]) != stamp.of([Unit])
    with pytest.raises(ValueError, match="ScanCount"):
        stamp.of([ScanCount])


def test_a_login_keeps_the_cached_figures(world: World) -> None:
    """A login saves last_login alone, which the history leaves out: no history row (core.audit)."""
    before = datacache.stamp().of()
    world.client("province_hn")
    assert datacache.stamp().of() == before


def test_a_provider_or_section_that_reads_other_data_opts_out(world: World) -> None:
    """Work counted from anything but audited records registers with cached=False."""
    outside = {"count": 1}

    def build(user, today) -> queues.Item:
        return queues.Item("outside", "Ngoài", outside["count"], "/")

    def card(user) -> dict:
        return {"count": outside["count"]}

    role = world.users["province_hn"].role
    queues.providers.register(queues.Provider("outside", frozenset({role}), build, order=1, cached=False))
    extensions.sections.register(
        extensions.Section("outside", 1, card, "reports/includes/years.html", cached=False)
    )
    try:
        user = world.users["province_hn"]
        stamp = datacache.stamp()
        assert queues.collect(user, stamp=stamp)[0].count == 1
        assert extensions.collect(user, stamp)[0].context == {"count": 1}
        outside["count"] = 2
        assert queues.collect(user, stamp=stamp)[0].count == 2
        assert extensions.collect(user, stamp)[0].context == {"count": 2}
    finally:
        queues.providers.unregister("outside")
        extensions.sections.unregister("outside")
