"""Unit.place_text: the folded place names search finds a record by (ocop.geo.places), filled for the
units already loaded, with a trigram index on PostgreSQL (skipped with a warning without pg_trgm)."""

from django.db import migrations, models

from ocop.core.pgtrgm import create_trigram_indexes, drop_indexes
from ocop.geo.places import PlaceUnit, place_texts
from ocop.geo.sources import short_name

INDEX = "geo_unit_place_text_trgm"


def fill(apps, schema_editor):
    using = schema_editor.connection.alias
    Unit = apps.get_model("geo", "Unit")
    Succession = apps.get_model("geo", "UnitSuccession")
    rows = list(Unit.objects.using(using).values_list("id", "name", "parent_id", "current_province_id"))
    texts = place_texts(
        (PlaceUnit(pk, short_name(name), parent, province) for pk, name, parent, province in rows),
        Succession.objects.using(using).values_list("former_id", "current_id"),
    )
    Unit.objects.using(using).bulk_update(
        [Unit(pk=pk, place_text=text) for pk, text in texts.items()], ["place_text"], batch_size=2000
    )
    create_trigram_indexes(schema_editor, {INDEX: ("geo_unit", "place_text")})


def unfill(apps, schema_editor):
    drop_indexes(schema_editor, [INDEX])


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_name_folded_trigram")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="place_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, unfill, elidable=False),
    ]
