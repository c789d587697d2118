"""Database connections are kept between requests, on SQLite as on PostgreSQL (CONN_MAX_AGE)."""

import os

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.urls import reverse


@pytest.mark.each_database
def test_connections_are_kept_as_configured_on_either_database() -> None:
    # Opening a SQLite connection reads the whole schema again: ~2 ms of every request.
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == int(os.environ.get("CONN_MAX_AGE", "60")) > 0


@pytest.mark.django_db(transaction=True)  # outside a test transaction, as a served request is
def test_a_request_reuses_the_connection_of_the_one_before(client) -> None:
    connection.close()  # a connection of an earlier test may be past its minute: start a new one
    assert client.get(reverse("public:catalogue")).status_code == 200
    kept = connection.connection
    assert kept is not None
    # What the handler does at the start and end of every served request (the test client skips it).
    # (SQLite's test database lives in memory and is never closed: this holds on PostgreSQL; the
    # setting above holds SQLite to the same rule.)
    close_old_connections()
    assert connection.connection is kept
    assert client.get(reverse("public:catalogue")).status_code == 200
    assert connection.connection is kept


def _show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


def _set(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler")
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit(settings) -> None:
    """JIT compiled a page's statements for longer than they ran (ocop.core.apps.session_settings):
    every connection Django opens turns it off, unless OCOP_PG_JIT=1 keeps the server's setting."""
    from ocop.core.apps import session_settings

    assert _show("jit") == "off"  # the test's own connection, opened by Django
    _set("SET jit = on")
    session_settings(type(connection), connection)
    assert _show("jit") == "off"
    settings.PG_JIT = True
    _set("SET jit = on")
    session_settings(type(connection), connection)
    assert _show("jit") == "on"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner setting")
@pytest.mark.django_db
def test_postgresql_connections_cost_a_random_page_as_on_ssd(settings) -> None:
    """random_page_cost 1.1 on every connection (settings.PG_RANDOM_PAGE_COST): the default 4 made
    the planner scan all products instead of ORing a search's indexes; None keeps the server's."""
    from ocop.core.apps import session_settings

    assert _show("random_page_cost") == "1.1"  # the test's own connection, opened by Django
    _set("RESET random_page_cost")
    server = _show("random_page_cost")
    settings.PG_RANDOM_PAGE_COST = 2.5
    session_settings(type(connection), connection)
    assert _show("random_page_cost") == "2.5"
    settings.PG_RANDOM_PAGE_COST = None
    _set("RESET random_page_cost")
    session_settings(type(connection), connection)
    assert _show("random_page_cost") == server


@pytest.mark.parametrize(("value", "expected"), [("", None), ("server", None), (" 1.1 ", 1.1), ("4", 4.0)])
def test_the_random_page_cost_setting_is_read_and_checked(monkeypatch, value, expected) -> None:
    from ocop import settings as project_settings

    monkeypatch.setenv("OCOP_PG_RANDOM_PAGE_COST", value)
    assert project_settings._random_page_cost() == expected


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1e9"])
def test_a_wrong_random_page_cost_is_refused_with_a_message(monkeypatch, value) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from ocop import settings as project_settings

    monkeypatch.setenv("OCOP_PG_RANDOM_PAGE_COST", value)
    with pytest.raises(ImproperlyConfigured, match="OCOP_PG_RANDOM_PAGE_COST"):
        project_settings._random_page_cost()
