"""Databases of either kind as extra connection aliases, for the tests that build an installation of
their own: backup/restore (test_backup) and the upgrade (test_upgrade)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.db import connection

from ocop.core import backup

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def _postgres_server() -> str:
    """The URL of a maintenance database on the PostgreSQL server the test may create databases on."""
    if connection.vendor == "postgresql":
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    return LOCAL_POSTGRES


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator:
    """new_database("sqlite" | "postgresql") → the alias of a new, empty database of that kind."""
    aliases, created = [], []

    def make(kind: str) -> str:
        alias = f"restore_{len(aliases)}"
        if kind == "sqlite":
            config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / f"{alias}.sqlite3")}
        else:
            server = _postgres_server()
            name = f"ocop_restore_{uuid.uuid4().hex[:12]}"
            try:
                with psycopg.connect(_conninfo(server), autocommit=True) as c:
                    c.execute(f'CREATE DATABASE "{name}"')
            except psycopg.OperationalError as error:
                message = (
                    f"PostgreSQL unreachable at {server.split('@')[-1]} ({error}): "
                    "the test needs a new PostgreSQL database"
                )
                # .ci/run starts PostgreSQL before stage 1: there, a test left out would go unseen.
                if os.environ.get("CI"):
                    pytest.fail(message)
                pytest.skip(message)
            created.append((server, name))
            config = dj_database_url.parse(server.rsplit("/", 1)[0] + "/" + name)
        aliases.append(backup.open_connection(alias, config))
        return alias

    yield make
    for alias in aliases:
        backup.close_connection(alias)
    for server, name in created:
        with psycopg.connect(_conninfo(server), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _conninfo(url: str) -> str:
    config = dj_database_url.parse(url)
    parts = {
        "dbname": config["NAME"],
        "user": config["USER"],
        "password": config["PASSWORD"],
        "host": config["HOST"],
        "port": config["PORT"],
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value) + " connect_timeout=3"
