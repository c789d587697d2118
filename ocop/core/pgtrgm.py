"""Trigram indexes on PostgreSQL for migrations: created when pg_trgm can be enabled, skipped with a
warning when the database user may not (search stays correct, it scans instead)."""

from __future__ import annotations

import warnings

from django.db import DatabaseError, transaction


def create_trigram_indexes(schema_editor, indexes: dict[str, tuple[str, str]]) -> bool:
    """``indexes``: name → (table, column). True when created; nothing happens on SQLite."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: the refusal is undone alone
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        sql = "; ".join(
            f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)"
            for name, (table, column) in indexes.items()
        )
        message = (
            f"pg_trgm could not be enabled ({str(error).strip()}): search indexes skipped, search works "
            f"unindexed. As a superuser run: CREATE EXTENSION pg_trgm; {sql}"
        )
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        return False
    for name, (table, column) in indexes.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )
    return True


def drop_indexes(schema_editor, names: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in names:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
