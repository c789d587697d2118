"""PostgreSQL: trigram indexes on the folded search columns (registry.search); nothing on SQLite.
Skipped with a warning when pg_trgm cannot be enabled (ocop.core.pgtrgm; README, "Search")."""

from django.db import migrations

from ocop.core.pgtrgm import create_trigram_indexes, drop_indexes

INDEXES = {
    "registry_producer_search_trgm": ("registry_producer", "search_text"),
    "registry_product_search_trgm": ("registry_product", "search_text"),
}


def forwards(apps, schema_editor):
    create_trigram_indexes(schema_editor, INDEXES)


def backwards(apps, schema_editor):
    drop_indexes(schema_editor, list(INDEXES))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
