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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT compiler")
@pytest.mark.django_db
def test_postgresql_connections_run_without_jit(settings) -> None:
    """JIT compiled a page's statements for longer than they ran (ocop.core.apps.session_settings):
    every connection Django opens turns it off, unless OCOP_PG_JIT=1 keeps the server's setting."""
    from ocop.core.apps import session_settings

    def jit() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            return cursor.fetchone()[0]

    assert jit() == "off"  # the test's own connection, opened by Django
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    session_settings(type(connection), connection)
    assert jit() == "off"
    settings.PG_JIT = True
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")
    session_settings(type(connection), connection)
    assert jit() == "on"
