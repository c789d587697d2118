"""Trigram index for substring search on folded names (PostgreSQL only; SQLite scans, which is fast enough)."""

from django.db import migrations

INDEX = "geo_unit_name_folded_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON geo_unit USING gin (name_folded gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_unit_history")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
