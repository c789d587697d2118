"""Products' search_text now ends with the folded description ("gạo" finds "Hủ tiếu … từ gạo Đồng Tháp").

Recomputed here for the rows already stored, in batches (the SQLite FTS triggers follow the UPDATE).
The parts are written out, not taken from the model: a migration must not follow later model code.
"""

from django.db import migrations

from ocop.core.text import fold

BATCH = 1000


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    Product = apps.get_model("registry", "Product")
    fields = ("name", "name_en", "code", "legacy_code", "gtin", "description")
    rows = Product._base_manager.using(using).order_by("pk").only("pk", "search_text", *fields)
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        changed = []
        for product in batch:
            parts = [getattr(product, name) or "" for name in fields]
            text = " | ".join(fold(part) for part in parts if part)
            if text != product.search_text:
                product.search_text = text
                changed.append(product)
        Product._base_manager.using(using).bulk_update(changed, ["search_text"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_dashboard_indexes"), ("geo", "0004_unit_place_text")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
