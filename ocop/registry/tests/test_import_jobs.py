"""Import jobs: the wizard's dry run and import run as background tasks (ocop.registry.import_tasks).

Here the tasks go through the real queue (django-tasks-db, the settings' backend) and a worker run
explicitly (`ocop db_worker --batch`), so the pages are seen while a job waits or runs: its
progress (polled by htmx, refreshed without JavaScript), then the preview and the result. Also:
who may see a job, a file that fails (nothing written, the reason in Vietnamese), and progress
kept outside the import's transaction. Nothing here depends on how fast anything runs.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from ocop.registry import import_tasks
from ocop.registry.io import PRODUCER_SPEC
from ocop.registry.io.producers import _ProducerImporter
from ocop.registry.models import ImportJob, ImportPhase, Producer

from .conftest import World
from .test_import_views import producer_row, stored_files, upload, xlsx_file

CSV = "text/csv"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def run_worker(monkeypatch):
    """Run every queued task with `ocop db_worker --batch`, as the worker process would."""
    # The worker drops stale connections between tasks: not the test's own, which holds its transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0
        )

    return run


def job_url(job: ImportJob, name: str = "registry:import_preview") -> str:
    return reverse(name, args=[job.kind, job.token])


def producers_csv(world: World, count: int, name: str = "chu-the.csv") -> SimpleUploadedFile:
    lines = [",".join(f'"{h}"' for h in PRODUCER_SPEC.headers)]
    keys = [c.key for c in PRODUCER_SPEC.columns]
    for n in range(count):
        row = producer_row(world, name=f"Hợp tác xã số {n + 1}")
        lines.append(",".join(row.get(key, "") for key in keys))
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type=CSV)


def test_upload_queues_the_dry_run_and_the_page_polls_until_it_is_done(
    world: World, media_root: Path, run_worker
) -> None:
    client = world.client("commune_hn1")
    rows = [
        producer_row(world),
        producer_row(world, name="Hộ kinh doanh Chè Đỗ Quyên", producer_type="HO_SX"),
    ]
    response = upload(client, "producers", xlsx_file(PRODUCER_SPEC, rows))
    # The request only stored the file and queued the task.
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert (job.phase, job.user, job.kind) == (ImportPhase.QUEUED, world.users["commune_hn1"], "producers")
    assert DBTaskResult.objects.get(id=job.task_id).task_path.endswith("import_tasks.validate_import")
    assert [p.name for p in stored_files(media_root)] == [job.token]
    html = response.content.decode()
    assert response.context["step"] == "running"
    assert f'hx-get="{job_url(job)}"' in html and 'hx-trigger="every 2s"' in html
    assert f'<meta http-equiv="refresh" content="2;url={job_url(job)}">' in html  # without JavaScript
    assert "Đang chờ đến lượt xử lý" in html

    # The poll (htmx) gets the step only, still running.
    poll = client.get(
        job_url(job), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + job_url(job)}
    )
    assert poll.status_code == 200 and "<html" not in poll.content.decode()
    assert 'hx-trigger="every 2s"' in poll.content.decode()
    assert "HX-Push-Url" not in poll  # already the address shown

    run_worker()
    job.refresh_from_db()
    assert (job.phase, job.rows_total, job.created_count, job.error_count) == (ImportPhase.PREVIEWED, 2, 2, 0)
    poll = client.get(job_url(job), headers={"HX-Request": "true"})
    html = poll.content.decode()
    assert poll.context["step"] == "preview" and "hx-trigger" not in html  # the polling stops
    assert "Hộ kinh doanh Chè Đỗ Quyên" in html and job_url(job, "registry:import_confirm") in html
    assert not Producer.objects.exists()

    response = client.post(job_url(job, "registry:import_confirm"))
    assert response.status_code == 302 and response["Location"] == job_url(job)
    job.refresh_from_db()
    assert job.phase == ImportPhase.WRITING
    page = client.get(job_url(job))
    assert page.context["step"] == "running" and "Đang" in page.context["progress"]["label"]
    # A second click while it runs queues nothing more.
    assert client.post(job_url(job, "registry:import_confirm")).status_code == 302
    assert DBTaskResult.objects.count() == 2
    assert not Producer.objects.exists()

    run_worker()
    job.refresh_from_db()
    assert (job.phase, job.created_count, job.message) == (ImportPhase.DONE, 2, "")
    assert Producer.objects.count() == 2
    assert stored_files(media_root) == []
    page = client.get(job_url(job))
    assert page.context["step"] == "done" and page.context["done"]["created"] == 2
    assert client.get(reverse("registry:import_done", args=["producers"])).context["done"]["created"] == 2
    assert {r.status for r in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


def test_a_large_file_goes_through_the_job_pipeline(world: World, media_root: Path, run_worker) -> None:
    client = world.client("commune_hn1")
    response = upload(client, "producers", producers_csv(world, 1200))
    assert response.context["step"] == "running"
    job = ImportJob.objects.get()
    run_worker()
    job.refresh_from_db()
    assert (job.phase, job.rows_total, job.rows_processed) == (ImportPhase.PREVIEWED, 1200, 2400)
    assert (job.created_count, job.error_count, len(job.preview)) == (1200, 0, import_tasks.PREVIEW_ROWS)
    page = client.get(job_url(job))
    assert page.context["result"].created == 1200
    # Every row can be seen before confirming: 50 a page, to the last one.
    table = page.context["preview_table"]
    assert (len(table["rows"]), table["pages"], table["total"]) == (50, 24, 1200)
    last = client.get(job_url(job) + "?page=24").context["preview_table"]
    assert [row["number"] for row in last["rows"]] == list(range(1152, 1202))
    client.post(job_url(job, "registry:import_confirm"))
    run_worker()
    job.refresh_from_db()
    assert job.phase == ImportPhase.DONE
    assert Producer.objects.count() == 1200


def test_progress_of_a_running_job(world: World, media_root: Path) -> None:
    client = world.client("commune_hn1")
    user = world.users["commune_hn1"]
    job = ImportJob.objects.create(
        token="dang-kiem-tra",
        kind="products",
        filename="san-pham.xlsx",
        user=user,
        phase=ImportPhase.VALIDATING,
        rows_total=30_000,
        rows_processed=12_500,
    )
    page = client.get(job_url(job))
    html = page.content.decode()
    assert "Đang kiểm tra… 12.500 / 30.000 dòng" in html
    assert 'aria-valuenow="41"' in html and "ocop-w-40" in html
    assert "san-pham.xlsx" in html
    # Writing: rows checked again (in the job row), then written (in the progress file).
    ImportJob.objects.filter(pk=job.pk).update(phase=ImportPhase.WRITING, rows_processed=30_000)
    job.progress_path.write_text(json.dumps({"done": 45_000, "total": 60_000}))
    html = client.get(job_url(job)).content.decode()
    assert "Đang ghi… 15.000 / 30.000 dòng" in html and 'aria-valuenow="75"' in html
    job.progress_path.unlink()
    ImportJob.objects.filter(pk=job.pk).update(rows_processed=6_000)
    html = client.get(job_url(job)).content.decode()
    assert "Đang kiểm tra lại… 6.000 / 30.000 dòng" in html
    # Queued for long: perhaps no worker runs.
    ImportJob.objects.filter(pk=job.pk).update(phase=ImportPhase.QUEUED)
    assert "db_worker" not in client.get(job_url(job)).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(minutes=5))
    html = client.get(job_url(job)).content.decode()
    assert "tiến trình chạy tác vụ nền (ocop db_worker) chưa chạy" in html
    # The file is still being read: no row count yet.
    ImportJob.objects.filter(pk=job.pk).update(phase=ImportPhase.VALIDATING, rows_total=0, rows_processed=0)
    assert "Đang đọc tệp…" in client.get(job_url(job)).content.decode()


def test_a_job_is_seen_only_by_its_uploader_and_administrators(world: World, media_root: Path) -> None:
    job = ImportJob.objects.create(
        token="cua-xa-hn2", kind="producers", filename="a.csv", user=world.users["commune_hn2"]
    )
    assert world.client("commune_hn2").get(job_url(job)).status_code == 200
    for name in ("commune_hn1", "province_hn", "central"):
        client = world.client(name)
        assert client.get(job_url(job)).status_code == 404, name
        assert client.get(job_url(job, "registry:import_errors")).status_code == 404, name
        assert client.post(job_url(job, "registry:import_confirm")).status_code == 404, name
    assert world.client("admin").get(job_url(job)).status_code == 200


def test_an_unreadable_file_fails_the_job_with_the_reason(world: World, media_root: Path, run_worker) -> None:
    client = world.client("commune_hn1")
    upload(client, "producers", SimpleUploadedFile("hong.xlsx", b"not a zip at all"))
    job = ImportJob.objects.get()
    run_worker()
    job.refresh_from_db()
    assert job.phase == ImportPhase.FAILED
    assert job.message.startswith("Không đọc được tệp bảng tính")
    assert stored_files(media_root) == []
    page = client.get(job_url(job))
    assert page.context["step"] == "upload"
    assert job.message in page.content.decode() and 'name="file"' in page.content.decode()
    assert not Producer.objects.exists()


def test_an_error_while_writing_writes_nothing(
    world: World, media_root: Path, run_worker, monkeypatch
) -> None:
    client = world.client("commune_hn1")
    upload(client, "producers", producers_csv(world, 3))
    job = ImportJob.objects.get()
    run_worker()
    original_write = _ProducerImporter.write

    def write_then_break(self, rows, progress):
        original_write(self, rows[:2], progress)  # two producers saved, then the database fails
        assert Producer.objects.count() == 2
        raise RuntimeError("disk full")

    monkeypatch.setattr(_ProducerImporter, "write", write_then_break)
    client.post(job_url(job, "registry:import_confirm"))
    run_worker()
    job.refresh_from_db()
    assert job.phase == ImportPhase.FAILED
    assert "lỗi hệ thống" in job.message and "chưa có dòng nào được ghi" in job.message
    assert not Producer.objects.exists()  # the import's transaction was rolled back
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"  # and the worker logged why
    page = client.get(job_url(job))
    assert job.message in page.content.decode()


def test_progress_is_saved_every_few_hundred_rows_outside_the_import_transaction(world: World) -> None:
    job = ImportJob.objects.create(
        token="tien-do", kind="producers", filename="a.csv", user=world.users["admin"]
    )
    progress = import_tasks.Progress(job, every_rows=500, every_seconds=3600)
    saved = []
    for done in range(200, 2001, 200):  # import_file reports every 200 rows
        progress(done, 4000)
        saved.append(ImportJob.objects.get(pk=job.pk).rows_processed)
    assert saved == [0, 0, 600, 600, 600, 1200, 1200, 1200, 1800, 1800]
    assert ImportJob.objects.get(pk=job.pk).rows_total == 2000
    assert not job.progress_path.exists()
    # Rows written, inside the import's transaction: a file, not the job row (which only the commit
    # would show, and which SQLite's write lock, held by the import, would keep others from updating).
    with transaction.atomic():
        progress(2400, 4000)
        assert json.loads(job.progress_path.read_text()) == {"done": 2400, "total": 4000}
        progress(2600, 4000)  # too soon after
        progress(4000, 4000)  # the end is always saved
    assert json.loads(job.progress_path.read_text()) == {"done": 4000, "total": 4000}
    assert import_tasks.written_progress(job) == 4000
    assert ImportJob.objects.get(pk=job.pk).rows_processed == 1800
