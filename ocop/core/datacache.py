"""Figures computed from the audited records (the dashboard's statistics, work queue and cards, the
statistics API), kept in the Django cache while nothing they read has changed (issue 11, point 4).

Every change to an audited model writes a history row (`ocop.core.audit`), so the highest history
key of every audited table, read in one statement (an index look-up per table), changes with any
write, in any process. That **stamp** is part of every entry's key: a write makes every entry
built before it unreachable at once, in every process (each one reads the stamp from the
database, not from its own memory), and whoever wrote sees the change on the next page. An entry
computed from some models only names them (``reads=``): the dashboard's figures read products,
producers, certificates and units, so a score sheet saved or a dossier moved keeps them.

What the stamp cannot see is bounded by time: no entry lives longer than
``OCOP_DATA_CACHE_SECONDS`` (default 120; 0 turns the cache off). That covers writes that leave no
history row (loading administrative units, the national demo generator, scan counters) and, on
PostgreSQL, two transactions committing in the opposite order of their history keys.

Nothing is cached or read from the cache inside a transaction: it may see its own uncommitted
rows, and SQLite gives the keys of rolled-back rows again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections, models
from django.utils.translation import get_language

from . import clock
from .audit import AuditFields

PREFIX = "ocop.data:1"
_MISSING = object()


def ttl() -> int:
    """How long an entry may live, in seconds (0: the cache is off)."""
    return int(getattr(settings, "OCOP_DATA_CACHE_SECONDS", 120))


@functools.cache
def _history_tables() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted(
            (model._meta.db_table, model._meta.pk.column)
            for model in apps.get_models()
            if issubclass(model, AuditFields)
        )
    )


@functools.cache
def _statement(using: str) -> str:
    quote = connections[using].ops.quote_name
    return "SELECT " + ", ".join(
        f"(SELECT MAX({quote(pk)}) FROM {quote(table)})" for table, pk in _history_tables()
    )


@dataclass(frozen=True)
class Stamp:
    """The highest history key of every audited table at one moment."""

    keys: dict[str, int]  # history table → its highest key (0: empty)

    def of(self, read: Iterable[type[models.Model]] | None = None) -> str:
        """The stamp of what the audited models ``read`` hold (None: all of them)."""
        tables = sorted(self.keys) if read is None else sorted({_history_table(model) for model in read})
        text = ",".join(f"{table}={self.keys[table]}" for table in tables)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def _history_table(model: type[models.Model]) -> str:
    history = getattr(model, "history", None)
    if history is None or not issubclass(history.model, AuditFields):
        raise ValueError(f"{model.__name__} has no audit history: its changes cannot be seen")
    return history.model._meta.db_table


def stamp(using: str = "default") -> Stamp | None:
    """The state of the audited records now (one statement), or None when nothing may be cached
    (the cache is off, or the connection is inside a transaction)."""
    connection = connections[using]
    if ttl() <= 0 or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_statement(using))
        row = cursor.fetchone()
    tables = [table for table, _pk in _history_tables()]
    return Stamp({table: value or 0 for table, value in zip(tables, row, strict=True)})


def get_or_build[T](
    stamp: Stamp | None,
    variant: Iterable[Any],
    build: Callable[[], T],
    *,
    reads: Iterable[type[models.Model]] | None = None,
) -> T:
    """``build()``, or its value cached under ``stamp`` for this variant (what the value depends on
    besides the records: user, scope, day asked…), the active language and today's date (what is
    due or overdue changes at midnight). ``reads``: the audited models the value is computed from,
    when it is only those (a change to any other keeps it); default every audited model.
    No stamp: ``build()``."""
    if stamp is None:
        return build()
    parts = repr((get_language(), clock.today(), *variant))
    key = f"{PREFIX}:{stamp.of(reads)}:{hashlib.sha256(parts.encode()).hexdigest()[:32]}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, ttl())
    return value


__all__ = ["Stamp", "get_or_build", "stamp", "ttl"]
