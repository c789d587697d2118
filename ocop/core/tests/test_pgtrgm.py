"""Trigram index migrations: a database user who may not enable pg_trgm gets a warning, not a failure."""

from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection

from ocop.core.pgtrgm import create_trigram_indexes


class _Editor:
    def __init__(self, refuse: bool) -> None:
        self.connection = SimpleNamespace(vendor="postgresql", alias=connection.alias)
        self.refuse, self.executed = refuse, []

    def execute(self, sql: str) -> None:
        if self.refuse and sql.startswith("CREATE EXTENSION"):
            raise DatabaseError('permission denied to create extension "pg_trgm"')
        self.executed.append(sql)


def test_a_refused_extension_skips_the_indexes_with_a_warning(db) -> None:
    editor = _Editor(refuse=True)
    with pytest.warns(
        RuntimeWarning, match=r"permission denied.*CREATE INDEX t_trgm ON t USING gin \(c gin_trgm_ops\)"
    ):
        assert create_trigram_indexes(editor, {"t_trgm": ("t", "c")}) is False
    assert editor.executed == []


def test_the_indexes_are_created_when_the_extension_is_there(db) -> None:
    editor = _Editor(refuse=False)
    assert create_trigram_indexes(editor, {"t_trgm": ("t", "c")}) is True
    assert editor.executed == [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS t_trgm ON t USING gin (c gin_trgm_ops)",
    ]
