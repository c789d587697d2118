"""Benchmark: importing 20,000 product rows from .xlsx, as ratios to a baseline doing the same
essential work, and to django-import-export doing the same import, in the same run.

    .venv/bin/python bench/product_import.py [--rows 20000] [--repeat 3] [--keep DIR]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_import]

Data: a scratch SQLite database (never var/) — or the scratch PostgreSQL database given by
`--database-url`, which the caller creates and drops — with all administrative units and the
national-scale dataset (ocop.demo.scale). The generated products are exported with the
registry's own export (ocop.registry.io.export_queryset, the import template's columns), then
deleted, so the file's rows are new products whose producers exist: exactly what a province
importing its list does.

Operation: ocop.registry.io.import_file("products", file, "products.xlsx", None) — every row
validated by the models (full_clean), producers, units and code counters looked up, one
transaction, history rows with the file as change reason.

Baseline (same run, same file, interleaved): the essential work of the import without its checks —
read the sheet with python-calamine, find each row's producer (tax code or name) and unit (code,
its current province/commune) in dictionaries loaded beforehand, build the products with their
search text and sort key (`refresh_search`), and `bulk_create_with_history` them (products and
their history rows, in batches of 500) in one transaction.

Comparison (same run, when django-import-export is installed — it is not a project dependency; see
bench/README.md): an import-export `ModelResource` for Product importing the same rows (read the
same way with python-calamine into a tablib Dataset), products identified by their code, the
producer by tax code (or name) and the unit by code through ForeignKeyWidget look-ups; (a) its
default mode, each row saved by `Product.save()` (place, search text, history row by the
simple-history signal), and (b) its fast mode `use_bulk` (+ `skip_diff`, batches of 1,000),
with the place and search text set in `before_save_instance` and the history rows written by
`bulk_create_with_history`. Reported as import-export time ÷ import_file time (goal ≥ 5).

After each measurement the created products are deleted again (not timed).
"""

from __future__ import annotations

import json
import sys
import time

from _scratch import machine, national, parse_args, start_django, summary


def _arguments(parser) -> None:
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument(
        "--database-url", help="a scratch PostgreSQL database (created and dropped by you) instead of SQLite"
    )
    parser.add_argument(
        "--skip-import-export", action="store_true", help="leave out the django-import-export comparison"
    )
    parser.add_argument(
        "--import-export-mode",
        choices=("both", "default", "bulk"),
        default="both",
        help="which django-import-export runs to compare (the default mode takes minutes at 20,000 rows)",
    )
    parser.set_defaults(repeat=3)


def main() -> None:
    args = parse_args(__doc__.splitlines()[0], _arguments)
    directory = start_django(args.keep, args.database_url)
    info = national(args)

    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook
    from simple_history.utils import bulk_create_with_history

    from ocop.demo import scale as demo_scale
    from ocop.geo.models import Level, Structure, Unit
    from ocop.registry import codes, io
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
    keys = [c.key for c in io.PRODUCT_SPEC.columns]
    reason = "Nhập từ tệp products.xlsx"

    def read() -> list[dict[str, str]]:
        cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return [{key: str(value).strip() for key, value in zip(keys, raw, strict=False)} for raw in cells[1:]]

    def created_after(marker: int):
        return Product.objects.filter(pk__gt=marker)

    def clean_up(marker: int) -> None:
        with transaction.atomic():
            created_after(marker)._raw_delete("default")

    def operation() -> None:
        result = io.import_file("products", str(path), "products.xlsx", None)
        assert not result.errors, result.errors[:5]
        assert result.created == rows_in_file, (result.created, rows_in_file)

    def baseline() -> None:
        rows = read()
        by_tax = dict(Producer.objects.exclude(tax_code="").values_list("tax_code", "pk"))
        by_name = dict(Producer.objects.values_list("name", "pk"))
        units = {
            (structure, code): (pk, province, level)
            for pk, structure, code, province, level in Unit.objects.values_list(
                "pk", "structure", "code", "current_province_id", "level"
            )
        }
        objs = []
        for row in rows:
            if row.get("unit_code"):
                unit_id, province_id, level = units[(Structure.CURRENT, row["unit_code"])]
                commune_id = unit_id if level == Level.COMMUNE else None
            else:
                unit_id, province_id, _level = units[(Structure.FORMER, row["former_unit_code"])]
                commune_id = None
            product = Product(
                name=row["name"],
                name_en=row["name_en"],
                producer_id=by_tax.get(row["producer_tax_code"]) or by_name[row["producer_name"]],
                classification_set=row["classification_set"].split("·")[0].strip(),
                legacy_code=row["legacy_code"],
                packaging=row["packaging"],
                gtin=row["gtin"],
                status=row["status"] or "potential",
                unit_id=unit_id,
                province_id=province_id,
                commune_id=commune_id,
            )
            if row["code"]:
                code = codes.parse_product_code(row["code"])
                product.code, product.code_sequence, product.code_year = str(code), code.seq, code.year
            product.refresh_search()
            objs.append(product)
        with transaction.atomic():
            bulk_create_with_history(objs, Product, batch_size=500, default_change_reason=reason)

    measured = [("baseline", baseline), ("import_file", operation)]
    skipped = None
    if not args.skip_import_export:
        try:
            import_export_runs = _import_export(read, rows_in_file)
        except ImportError:
            skipped = (
                "django-import-export is not installed: comparison skipped "
                "(pip install django-import-export into the venv for the run; see bench/README.md)"
            )
            print(skipped)
        else:
            wanted = {"both": ("default", "bulk"), "default": ("default",), "bulk": ("bulk",)}
            measured += [
                (name, function)
                for mode, (name, function) in zip(("default", "bulk"), import_export_runs, strict=True)
                if mode in wanted[args.import_export_mode]
            ]

    times: dict[str, list[float]] = {name: [] for name, _function in measured}
    for _i in range(args.repeat):
        for name, function in measured:
            marker = Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
            print(f"{name}: {times[name][-1]:.1f} s", file=sys.stderr, flush=True)  # progress of long runs
            assert created_after(marker).count() == rows_in_file, name
            clean_up(marker)

    results = [
        summary(
            "import_file(products) ÷ baseline (calamine read, search text and sort keys, "
            "bulk_create_with_history)",
            times["import_file"],
            times["baseline"],
        )
    ]
    for name in times:
        if name.startswith("import-export"):
            results.append(summary(f"{name} ÷ import_file(products)", times[name], times["import_file"]))
    import django

    if connection.vendor == "sqlite":
        database = f"SQLite {connection.Database.sqlite_version} (scratch, {directory})"
    else:
        database = f"{connection.vendor} {connection.pg_version} ({args.database_url})"
    report = {
        "machine": machine(),
        "database": database,
        "django": django.get_version(),
        "rows": rows_in_file,
        "file_bytes": path.stat().st_size,
        "producers_in_database": Producer.objects.count(),
        **info,
        "results": results,
    }
    if skipped:
        report["skipped"] = skipped
    print(json.dumps(report, ensure_ascii=False, indent=2))


def _import_export(read, rows_in_file: int) -> list[tuple[str, object]]:
    """The django-import-export runs: (name, function) for its default mode and its use_bulk mode."""
    import import_export
    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets
    from simple_history.utils import bulk_create_with_history

    from ocop.geo.models import Structure, Unit
    from ocop.registry import codes
    from ocop.registry.models import Producer, Product

    class ProducerWidget(widgets.ForeignKeyWidget):
        """The producer by tax code, or by name when the row has none (the file's two columns)."""

        def clean(self, value, row=None, **kwargs):
            if row.get("producer_tax_code"):
                return Producer.objects.get(tax_code=row["producer_tax_code"])
            return Producer.objects.get(name=row["producer_name"])

    class UnitWidget(widgets.ForeignKeyWidget):
        """The unit by current code, or by former code."""

        def clean(self, value, row=None, **kwargs):
            if row.get("unit_code"):
                return Unit.objects.get(structure=Structure.CURRENT, code=row["unit_code"])
            return Unit.objects.get(structure=Structure.FORMER, code=row["former_unit_code"])

    class SetWidget(widgets.CharWidget):
        def clean(self, value, row=None, **kwargs):
            return str(value or "").split("·")[0].strip()

    def declare(bulk: bool):
        class ProductResource(resources.ModelResource):
            producer = fields.Field(
                attribute="producer", column_name="producer_tax_code", widget=ProducerWidget(Producer)
            )
            unit = fields.Field(attribute="unit", column_name="unit_code", widget=UnitWidget(Unit))
            classification_set = fields.Field(
                attribute="classification_set", column_name="classification_set", widget=SetWidget()
            )
            code = fields.Field(
                attribute="code", column_name="code", widget=widgets.CharWidget(allow_blank=False)
            )

            class Meta:
                model = Product
                fields = ("code", "name", "name_en", "producer", "unit", "classification_set")
                fields += ("legacy_code", "packaging", "gtin", "status")
                import_id_fields = ("code",)
                use_bulk = bulk
                skip_diff = bulk
                batch_size = 1000

            def get_instance(self, instance_loader, row):
                # A product is identified by its code; a row without one is new.
                return super().get_instance(instance_loader, row) if row.get("code") else None

            def before_save_instance(self, instance, row, **kwargs):
                instance.status = instance.status or "potential"
                if instance.code:
                    code = codes.parse_product_code(instance.code)
                    instance.code_sequence, instance.code_year = code.seq, code.year
                if bulk:  # what Product.save() does, which bulk_create skips
                    instance.locate()
                    if not instance.code and instance.commune_id is not None:
                        instance.assign_code()
                    instance.refresh_search()

            def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
                if self.create_instances:
                    bulk_create_with_history(self.create_instances, Product, batch_size=batch_size)
                    self.create_instances.clear()

        return ProductResource

    def run(bulk: bool):
        resource_class = declare(bulk)

        def function() -> None:
            rows = read()
            dataset = tablib.Dataset(headers=list(rows[0]))
            for row in rows:
                dataset.append(list(row.values()))
            with transaction.atomic():
                result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
            assert not result.has_errors() and result.totals["new"] == rows_in_file, result.totals

        return function

    version = import_export.__version__
    return [
        (f"import-export {version} ModelResource (default)", run(False)),
        (f"import-export {version} ModelResource (use_bulk, skip_diff)", run(True)),
    ]


if __name__ == "__main__":
    main()
