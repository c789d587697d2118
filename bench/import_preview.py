"""Benchmark: the import wizard's preview (dry run) of 30,000 product rows, as a ratio to a raw baseline.

    .venv/bin/python bench/import_preview.py [--rows 30000] [--repeat 3] [--keep DIR]

Data: a scratch SQLite database (never var/) with all administrative units, the demo and the
national-scale dataset generated with 30,000 products (`--products`, default 30,000 here). The
first `--rows` generated products are exported with the registry's own export (the import
template's columns), then deleted, so every row of the file is a new product of an existing
producer (as in bench/product_import.py).

Operations, each measured in the same run and interleaved with the baseline:
    preview: the background task of the wizard's dry run (`import_tasks.validate_import`, as
             `ocop db_worker` runs it) on an ImportJob of a central officer holding the file:
             every row read, looked up and validated by the models, progress saved, the result
             (counts, preview rows) stored on the job; nothing written to the registry.
    upload:  the web request itself, `POST /registry/import/products/` with the file (the test
             client, the settings' database task backend): it stores the file, creates the job
             and queues the task, then answers with the progress page.
Baseline: reading the same file with python-calamine and `bulk_create` of the rows without any
validation (only the producer/unit lookups a row needs to be stored at all), as in
bench/product_import.py; the created products are deleted again (not timed).
"""

from __future__ import annotations

import json
import secrets
import shutil
import time

from _scratch import allow_test_client, machine, national, parse_args, start_django, summary


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        lambda p: (
            p.add_argument("--rows", type=int, default=30_000),
            p.set_defaults(repeat=3, products=30_000),
        ),
    )
    directory = start_django(args.keep)
    info = national(args)

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.test import Client
    from django_tasks_db.models import DBTaskResult
    from python_calamine import CalamineWorkbook

    from ocop.accounts.models import User
    from ocop.demo import scale as demo_scale
    from ocop.geo.models import Level, Structure, Unit
    from ocop.registry import import_tasks, io
    from ocop.registry.models import ImportJob, ImportPhase, Producer, Product, import_dir

    path = directory / f"products-{args.rows}.xlsx"
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
    officer = User.objects.get(username="trunguong")  # a central officer: the whole country

    def preview() -> float:
        token = secrets.token_urlsafe(24)
        shutil.copyfile(path, import_dir() / token)  # what the upload request stored
        job = ImportJob.objects.create(token=token, kind="products", filename=path.name, user=officer)
        started = time.perf_counter()
        import_tasks.validate_import.call(job.pk)
        elapsed = time.perf_counter() - started
        job.refresh_from_db()
        assert job.phase == ImportPhase.PREVIEWED, (job.phase, job.message)
        assert (job.created_count, job.error_count) == (rows_in_file, 0), (job.created_count, job.errors[:3])
        job.remove_files()
        job.delete()
        return elapsed

    allow_test_client()  # the test client's "testserver" host, without template instrumentation
    client = Client()
    client.force_login(officer)
    content = path.read_bytes()

    def upload() -> float:
        file = SimpleUploadedFile(path.name, content)
        started = time.perf_counter()
        response = client.post("/registry/import/products/", {"file": file})
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        job = ImportJob.objects.get()
        assert job.phase == ImportPhase.QUEUED and response.context["step"] == "running"
        DBTaskResult.objects.filter(id=job.task_id).delete()  # never run: the preview is measured above
        job.remove_files()
        job.delete()
        return elapsed

    keys = [c.key for c in io.PRODUCT_SPEC.columns]

    def baseline() -> float:
        marker = Product.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.perf_counter()
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
        elapsed = time.perf_counter() - started
        created = Product.objects.filter(pk__gt=marker)
        assert created.count() == rows_in_file
        with transaction.atomic():
            created._raw_delete("default")
        return elapsed

    ImportJob.objects.all().delete()
    preview_times, upload_times, baseline_times = [], [], []
    for _i in range(args.repeat):
        baseline_times.append(baseline())
        preview_times.append(preview())
        upload_times.append(upload())

    report = {
        "machine": machine(),
        "database": f"SQLite (scratch, {directory})",
        "rows": rows_in_file,
        "file_bytes": path.stat().st_size,
        "producers_in_database": Producer.objects.count(),
        **info,
        "results": [
            summary(
                "preview: validate_import task (dry run) ÷ calamine read + bulk_create",
                preview_times,
                baseline_times,
            ),
            summary(
                "upload: POST /registry/import/products/ (store + enqueue) ÷ calamine read + bulk_create",
                upload_times,
                baseline_times,
            ),
        ],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
