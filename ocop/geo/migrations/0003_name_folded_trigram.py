"""Trigram index for substring search on folded names (PostgreSQL only; SQLite scans, which is fast enough).
Skipped with a warning when pg_trgm cannot be enabled (ocop.core.pgtrgm)."""

from django.db import migrations

from ocop.core.pgtrgm import create_trigram_indexes, drop_indexes

INDEX = "geo_unit_name_folded_trgm"


def forwards(apps, schema_editor):
    create_trigram_indexes(schema_editor, {INDEX: ("geo_unit", "name_folded")})


def backwards(apps, schema_editor):
    drop_indexes(schema_editor, [INDEX])


class Migration(migrations.Migration):
    dependencies = [("geo", "0002_unit_history")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
