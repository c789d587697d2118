"""No lost updates (core.concurrency): forms carry the version they were read at, the API uses
ETag / If-Match, and of two concurrent writers exactly one wins while the other is told."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.core import concurrency
from ocop.registry.models import Producer, Product

from .conftest import World, make_producer, make_product

STALE = "người khác đã lưu thay đổi"


def form_data(response) -> dict:
    """What a browser would send back for the page's form, untouched (hidden version included)."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    data["_version"] = response.context["version"]
    return data


# --- (a) two officers, one form ---


def test_second_submit_of_a_stale_form_saves_nothing_and_shows_both_values(world: World) -> None:
    product = make_product(make_producer(world.places["hn1"]), name="Trà xanh", description="Cũ")
    url = reverse("registry:product_edit", args=[product.pk])
    first, second = world.client("province_hn"), world.client("admin")
    page_one, page_two = first.get(url), second.get(url)
    assert 'name="_version"' in page_one.content.decode()
    assert page_one.context["version"] == page_two.context["version"]

    mine = {**form_data(page_one), "name": "Trà xanh Thái Nguyên"}
    assert first.post(url, mine).status_code == 302

    theirs = {**form_data(page_two), "name": "Trà xanh đặc sản", "description": "Mô tả mới"}
    stale = second.post(url, theirs)
    assert stale.status_code == 200
    html = stale.content.decode()
    assert STALE in html and 'id="version-conflict"' in html
    rows = {row["name"]: row for row in stale.context["conflicts"]}
    assert rows["name"]["theirs"] == "Trà xanh Thái Nguyên" and rows["name"]["yours"] == "Trà xanh đặc sản"
    assert rows["description"]["theirs"] == "Cũ" and rows["description"]["yours"] == "Mô tả mới"
    assert "Trà xanh Thái Nguyên" in html and "Trà xanh đặc sản" in html
    # Nothing of the stale submit was saved, and nothing typed is lost: the form holds it.
    product.refresh_from_db()
    assert (product.name, product.description) == ("Trà xanh Thái Nguyên", "Cũ")
    assert stale.context["form"]["description"].value() == "Mô tả mới"
    assert product.history.count() == 2  # created, the first edit

    # The page now carries the new version: saving again overwrites, knowingly.
    assert stale.context["version"] == concurrency.version_of(product)
    again = second.post(url, {**theirs, "_version": stale.context["version"]})
    assert again.status_code == 302
    product.refresh_from_db()
    assert product.description == "Mô tả mới"


def test_stale_producer_form_and_stale_delete(world: World) -> None:
    producer = make_producer(world.places["hn1"], name="HTX Cũ")
    edit = reverse("registry:producer_edit", args=[producer.pk])
    first, second = world.client("province_hn"), world.client("admin")
    page = second.get(edit)
    confirm = second.get(reverse("registry:producer_delete", args=[producer.pk]))
    assert first.post(edit, {**form_data(first.get(edit)), "name": "HTX Mới"}).status_code == 302

    stale = second.post(edit, {**form_data(page), "address": "Thôn 3"})
    assert STALE in stale.content.decode()
    assert [row["name"] for row in stale.context["conflicts"]] == ["name", "address"]
    producer.refresh_from_db()
    assert (producer.name, producer.address) == ("HTX Mới", "")

    # A delete confirmed on a page read before the change deletes nothing.
    url = reverse("registry:producer_delete", args=[producer.pk])
    refused = second.post(url, {"_version": confirm.context["version"]})
    assert refused.status_code == 200 and STALE in refused.content.decode()
    assert Producer.objects.filter(pk=producer.pk).exists()
    assert second.post(url, {"_version": refused.context["version"]}).status_code == 302
    assert not Producer.objects.filter(pk=producer.pk).exists()


def test_form_without_version_is_last_writer_wins(world: World) -> None:
    product = make_product(make_producer(world.places["hn1"]))
    url = reverse("registry:product_edit", args=[product.pk])
    client = world.client("province_hn")
    data = form_data(client.get(url))
    data.pop("_version")
    client.post(url, {**data, "name": "Một"})
    assert client.post(url, {**data, "name": "Hai"}).status_code == 302
    product.refresh_from_db()
    assert product.name == "Hai"


# --- (b) the API: ETag, If-Match, 412 ---


def _headers(user) -> dict[str, str]:
    _token, key = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _patch(client: Client, url: str, body: dict, headers: dict, **extra):
    return client.patch(url, json.dumps(body), content_type="application/json", **headers, **extra)


def test_api_etag_and_if_match(world: World, client) -> None:
    product = make_product(make_producer(world.places["hn1"]))
    url = f"/api/v1/products/{product.pk}"
    headers = _headers(world.users["province_hn"])
    read = client.get(url, **headers)
    etag = read["ETag"]
    assert etag == f'"{concurrency.version_of(product)}"'

    changed = _patch(client, url, {"name": "Tên A"}, headers, HTTP_IF_MATCH=etag)
    assert changed.status_code == 200, changed.json()
    new_etag = changed["ETag"]
    assert new_etag != etag and new_etag == client.get(url, **headers)["ETag"]

    refused = _patch(client, url, {"name": "Tên B"}, headers, HTTP_IF_MATCH=etag)
    assert refused.status_code == 412
    assert "người khác thay đổi" in refused.json()["detail"]
    product.refresh_from_db()
    assert product.name == "Tên A"

    # PUT and DELETE are guarded the same way; "*" and no header skip the check.
    assert client.delete(url, **headers, HTTP_IF_MATCH=etag).status_code == 412
    assert _patch(client, url, {"name": "Tên C"}, headers, HTTP_IF_MATCH="*").status_code == 200
    assert _patch(client, url, {"name": "Tên D"}, headers).status_code == 200
    assert client.delete(url, **headers, HTTP_IF_MATCH=client.get(url, **headers)["ETag"]).status_code == 204


def test_api_producer_put_with_stale_if_match(world: World, client) -> None:
    producer = make_producer(world.places["hn1"])
    url = f"/api/v1/producers/{producer.pk}"
    headers = _headers(world.users["province_hn"])
    etag = client.get(url, **headers)["ETag"]
    body = {"name": "HTX A", "producer_type": "HTX", "unit_code": world.places["hn1"].code}
    put = client.put(url, json.dumps(body), content_type="application/json", **headers, HTTP_IF_MATCH=etag)
    assert put.status_code == 200 and put["ETag"] != etag
    body["name"] = "HTX B"
    stale = client.put(url, json.dumps(body), content_type="application/json", **headers, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and set(stale.json()) == {"detail"}
    assert client.delete(url, **headers, HTTP_IF_MATCH=etag).status_code == 412
    assert Producer.objects.get(pk=producer.pk).name == "HTX A"


def test_openapi_declares_if_match_and_412(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/products/{product_id}"]["patch"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in operation["parameters"])
    assert "412" in operation["responses"]


# --- (c) two writers at the same moment ---


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_writers_exactly_one_wins(unit) -> None:
    if connection.vendor != "postgresql":
        # The test database on SQLite is in memory with a shared cache: a second writer there fails
        # at once ("database table is locked") instead of waiting for the first, so the scene
        # cannot be staged. On a file database BEGIN IMMEDIATE serialises the writers instead.
        pytest.skip("needs a server database for two concurrent writers")
    from ocop.accounts.models import Role, User

    officer = User.objects.create(username="officer", role=Role.ADMIN)
    product = make_product(make_producer(unit("00004")), name="Gốc")
    url = f"/api/v1/products/{product.pk}"
    headers = _headers(officer)
    etag = Client().get(url, **headers)["ETag"]

    # The writer that passes the check first holds the row until the other is seen waiting on
    # its lock: the two requests really overlap.
    original = concurrency.check_if_match
    release, passed = threading.Event(), threading.Lock()

    def held_check(if_match, obj):
        original(if_match, obj)
        if passed.acquire(blocking=False):
            release.wait(timeout=60)

    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            results[name] = _patch(Client(), url, {"name": name}, headers, HTTP_IF_MATCH=etag).status_code
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    concurrency.check_if_match = held_check
    try:
        threads = [threading.Thread(target=write, args=(name,)) for name in ("Tên A", "Tên B")]
        for thread in threads:
            thread.start()
        overlapped = False
        for _ in range(6000):  # a bounded wait for the second writer to block, not a timing check
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    overlapped = True
                    break
            threading.Event().wait(0.01)
        release.set()
        for thread in threads:
            thread.join()
    finally:
        concurrency.check_if_match = original
    assert not errors
    assert overlapped
    assert sorted(results.values()) == [200, 412]
    winner = next(name for name, status in results.items() if status == 200)
    assert Product.objects.get(pk=product.pk).name == winner
