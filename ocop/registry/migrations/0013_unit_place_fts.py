"""SQLite: an FTS5 trigram index over the units' folded place names (``geo_unit.place_text``), kept
in sync by triggers, so that a place term of a search reads the index instead of scanning ~14,000
units. Nothing on PostgreSQL (its pg_trgm index: geo 0004)."""

from django.db import migrations

from ocop.registry.search import fts_drop_statements, fts_statements

TABLE, FTS = "geo_unit", "geo_unit_fts"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in fts_statements(TABLE):
        schema_editor.execute(statement)
    schema_editor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in fts_drop_statements(TABLE):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("registry", "0012_product_dash_status"), ("geo", "0004_unit_place_text")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
