"""Benchmark: importing 20,000 product rows from .xlsx, as a ratio to a raw read-and-insert baseline.

    .venv/bin/python bench/product_import.py [--rows 20000] [--repeat 3] [--keep DIR]

Data: a scratch SQLite database (never var/) with all administrative units and the national-scale
dataset (ocop.demo.scale). The generated products are exported with the registry's own
export (ocop.registry.io.export_queryset, the import template's columns), then deleted, so the
file's rows are new products whose producers exist: exactly what a province importing its list
does.

Operation: ocop.registry.io.import_file("products", file, "products.xlsx", None) — every row
validated by the models (full_clean), producers and units looked up, one transaction.
Baseline (same run, same file, interleaved): read the sheet with python-calamine and bulk_create
the rows without any validation (only the lookups a row needs to be stored at all: producer by
tax code or name, unit by code, its current province/commune). After each measurement the created
products are deleted again (not timed). The ratio operation ÷ baseline is what to compare over time.
"""

from __future__ import annotations

import json
import time

from _scratch import machine, national, parse_args, start_django, summary


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        lambda p: (p.add_argument("--rows", type=int, default=20_000), p.set_defaults(repeat=3)),
    )
    directory = start_django(args.keep)
    info = national(args)

    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from ocop.demo import scale as demo_scale
    from ocop.geo.models import Level, Structure, Unit
    from ocop.registry import io
    from ocop.registry.models import Producer, Product

    path = directory / "products.xlsx"
    generated = Product.objects.filter(producer__email__endswith=f"@{demo_scale.MARK_DOMAIN}")
    if not path.exists():
        ids = list(generated.order_by("pk").values_list("pk", flat=True)[: args.rows])
        with path.open("wb") as stream:
            io.export_queryset("products", Product.objects.filter(pk__in=ids).order_by("pk"), stream)
        with transaction.atomic():
            models = demo_scale.evaluation_models()
            if models is not None:
                models[1].objects.filter(product_id__in=ids)._raw_delete("default")
            Product.objects.filter(pk__in=ids)._raw_delete("default")
    rows_in_file = len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1

    def created_after(marker: int):
        return Product.objects.filter(pk__gt=marker)

    def clean_up(marker: int) -> None:
        with transaction.atomic():
            created_after(marker)._raw_delete("default")

    def operation() -> None:
        result = io.import_file("products", str(path), "products.xlsx", None)
        assert not result.errors, result.errors[:5]
        assert result.created == rows_in_file, (result.created, rows_in_file)

    keys = [c.key for c in io.PRODUCT_SPEC.columns]

    def baseline() -> None:
        cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        by_tax = dict(Producer.objects.exclude(tax_code="").values_list("tax_code", "pk"))
        by_name = dict(Producer.objects.values_list("name", "pk"))
        units = {
            (structure, code): (pk, province, level)
            for pk, structure, code, province, level in Unit.objects.values_list(
                "pk", "structure", "code", "current_province_id", "level"
            )
        }
        objs = []
        for raw in cells[1:]:
            row = {key: str(value).strip() for key, value in zip(keys, raw, strict=False)}
            if row.get("unit_code"):
                unit_id, province_id, level = units[(Structure.CURRENT, row["unit_code"])]
                commune_id = unit_id if level == Level.COMMUNE else None
            else:
                unit_id, province_id, _level = units[(Structure.FORMER, row["former_unit_code"])]
                commune_id = None
            objs.append(
                Product(
                    name=row["name"],
                    producer_id=by_tax.get(row["producer_tax_code"]) or by_name[row["producer_name"]],
                    classification_set=row["classification_set"],
                    legacy_code=row["legacy_code"],
                    packaging=row["packaging"],
                    gtin=row["gtin"],
                    status=row["status"] or "potential",
                    code=row["code"] or None,
                    unit_id=unit_id,
                    province_id=province_id,
                    commune_id=commune_id,
                )
            )
        with transaction.atomic():
            Product.objects.bulk_create(objs, batch_size=2000)

    operation_times, baseline_times = [], []
    for _i in range(args.repeat):
        for function, times in ((baseline, baseline_times), (operation, operation_times)):
            marker = Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
            assert created_after(marker).count() == rows_in_file
            clean_up(marker)

    report = {
        "machine": machine(),
        "database": f"SQLite (scratch, {directory})",
        "rows": rows_in_file,
        "file_bytes": path.stat().st_size,
        "producers_in_database": Producer.objects.count(),
        **info,
        "results": [
            summary("import_file(products) ÷ calamine read + bulk_create", operation_times, baseline_times)
        ],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
