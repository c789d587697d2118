"""SQLite: FTS5 trigram indexes over the folded search_text of producers and products, kept in sync
by triggers and filled from the existing rows. Nothing on PostgreSQL (pg_trgm GIN, migration 0002)."""

from django.db import migrations

from ocop.registry.search import fts_drop_statements, fts_statements

# The tables of this migration (the units' index came later, in 0013).
FTS_TABLES = {"registry_product": "registry_product_fts", "registry_producer": "registry_producer_fts"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, fts in FTS_TABLES.items():
        for statement in fts_statements(table):
            schema_editor.execute(statement)
        schema_editor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in FTS_TABLES:
        for statement in fts_drop_statements(table):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_import_job")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
