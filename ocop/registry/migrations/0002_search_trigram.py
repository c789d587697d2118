"""PostgreSQL: trigram indexes on the folded search columns (`contains` searches); nothing on SQLite.

Creating the pg_trgm extension may need rights the database user lacks: then the indexes are
skipped with a warning (search still works, unindexed) and can be added later by re-running this
step's SQL as a superuser (see README, "Search").
"""

import warnings

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "registry_producer_search_trgm": "registry_producer",
    "registry_product_search_trgm": "registry_product",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint: a refusal is undone
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        warnings.warn(
            f"pg_trgm could not be enabled ({error}); the search indexes are not created: "
            "search works but scans the tables. As a superuser: CREATE EXTENSION pg_trgm; "
            "then CREATE INDEX … USING gin (search_text gin_trgm_ops) (README, Search).",
            RuntimeWarning,
            stacklevel=1,
        )
        return
    for index, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
