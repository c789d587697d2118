"""Background tasks of the import wizard: the dry run of an upload, and the real import once confirmed.

The web request only stores the file and queues `validate_import` (so no import ever meets the web
worker's timeout); `ocop db_worker` — started by `ocop serve`, or a separate service — runs it.
Both tasks run the kind's `import_file` (ocop.registry.extensions.import_kinds) with the uploader's
scope and record the outcome on the `ImportJob`. Writing is one transaction, as import_file does it:
a file with a wrong row, or an error while writing, writes nothing, and the job says why.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop.core.tabular import ImportResult, TabularError

from . import extensions
from .models import ImportJob, ImportPhase

logger = logging.getLogger(__name__)

# Progress is saved every PROGRESS_ROWS rows or PROGRESS_SECONDS, whichever comes first: a 30,000-row
# file costs ~60 small writes, and the page (polling every 2 s) never looks more than a second behind.
PROGRESS_ROWS = 500
PROGRESS_SECONDS = 1.0
# Errors kept on the job (shown on the page); beyond, all of them go to a file for the report.
ERRORS_KEPT = 500
PREVIEW_ROWS = 20


class Progress:
    """`progress(done, total)` for import_file: saves how far the job got, outside the import's transaction.

    import_file reports `done` out of `total` = 2 × rows: the first half while it checks the rows,
    before it opens its transaction, the second half while it writes them, inside it. While rows
    are checked no transaction is open, and the job row is simply updated (autocommit: the pages
    see it at once, on SQLite WAL as on PostgreSQL). While rows are *written* the import's
    transaction is open: an UPDATE of the job on that connection would stay invisible until the
    commit (and roll back with it), and on another connection it would wait for SQLite's single
    write lock, held by the import until the end. So the second half goes to a small file next
    to the upload (replaced atomically), which the pages read while the job is writing; the web
    servers and the worker share MEDIA_ROOT already, since the worker reads the upload from there.
    """

    def __init__(
        self, job: ImportJob, every_rows: int = PROGRESS_ROWS, every_seconds: float = PROGRESS_SECONDS
    ):
        self.job_id = job.pk
        self.path = job.progress_path
        self.every_rows, self.every_seconds = every_rows, every_seconds
        self.saved_done, self.saved_at = 0, time.monotonic()
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        now = time.monotonic()
        if (
            done < total
            and done - self.saved_done < self.every_rows
            and now - self.saved_at < self.every_seconds
        ):
            return
        self.saved_done, self.saved_at = done, now
        if done > total // 2:  # writing, inside the import's transaction
            temporary = self.path.with_name(self.path.name + ".tmp")
            temporary.write_text(json.dumps({"done": done, "total": total}))
            os.replace(temporary, self.path)
        else:
            ImportJob.objects.filter(pk=self.job_id).update(rows_processed=done, rows_total=total // 2)

    @property
    def rows(self) -> int:
        return self.total // 2


def written_progress(job: ImportJob) -> int:
    """Rows processed by a writing job according to its progress file (0 when there is none)."""
    try:
        return int(json.loads(job.progress_path.read_text())["done"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def _cell(value: Any) -> Any:
    # The changes and the matched place (_Importer.preview) are dicts and lists of text already.
    return value if value is None or isinstance(value, int | str | dict | list) else str(value)


_ORDER = {"create": 0, "update": 1, "unchanged": 2}


def _save_list(path: Any, items: list, kept: int) -> None:
    """All of `items` in a file next to the upload when the job keeps fewer (else no file)."""
    if len(items) > kept:
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(items, ensure_ascii=False))
        os.replace(temporary, path)
    else:
        path.unlink(missing_ok=True)


def _record(job: ImportJob, result: ImportResult, rows: int, **fields: Any) -> None:
    """The result (counts, first errors, first preview rows) on the job; all errors and all rows of
    the preview in files when many."""
    errors = [[e.row, e.column, e.value, e.message] for e in result.errors]
    _save_list(job.errors_path, errors, ERRORS_KEPT)
    # New and changed rows first (a kind may list them in the file's order): the page shows them first.
    rows_shown = sorted(result.preview, key=lambda row: _ORDER.get(row.get("action", ""), 3))
    preview = [{k: _cell(v) for k, v in row.items()} for row in rows_shown]
    _save_list(job.preview_path, preview, PREVIEW_ROWS)
    ImportJob.objects.filter(pk=job.pk).update(
        rows_total=rows,
        rows_processed=2 * rows,
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        error_count=len(errors),
        errors=errors[:ERRORS_KEPT],
        preview=preview[:PREVIEW_ROWS],
        **fields,
    )


def _fail(job: ImportJob, message: str) -> None:
    job.remove_files()
    ImportJob.objects.filter(pk=job.pk).update(
        phase=ImportPhase.FAILED, message=message, finished=timezone.now()
    )


def _run(job_id: int, *, dry_run: bool) -> str:
    # The worker (or a test's immediate backend) runs in the platform's language: messages are Vietnamese.
    expected = ImportPhase.QUEUED if dry_run else ImportPhase.WRITING
    job = ImportJob.objects.select_related("user").filter(pk=job_id, phase=expected).first()
    if job is None:
        return "skipped"  # deleted meanwhile, or already run (a retried task)
    kind = extensions.import_kinds.get(job.kind)
    if dry_run:
        ImportJob.objects.filter(pk=job.pk).update(phase=ImportPhase.VALIDATING)
    progress = Progress(job)
    try:
        if kind is None:
            raise TabularError(_("Loại dữ liệu “%(kind)s” không còn được hỗ trợ.") % {"kind": job.kind})
        try:
            handle = job.path.open("rb")
        except FileNotFoundError:
            raise TabularError(
                _("Tệp đã tải lên không còn (quá một ngày hoặc đã bị xoá). Vui lòng tải tệp lên lại.")
            ) from None
        with handle:
            result = kind.run(handle, job.filename, job.user, dry_run=dry_run, progress=progress)
    except TabularError as error:
        _fail(job, str(error))
        return "failed"
    except Exception:
        logger.exception("Import job %s (%s, %s) failed", job.pk, job.kind, job.filename)
        _fail(
            job,
            _(
                "Có lỗi hệ thống khi xử lý tệp; chưa có dòng nào được ghi. Vui lòng thử lại sau, "
                "hoặc báo quản trị viên nếu lỗi lặp lại."
            ),
        )
        raise
    finally:
        job.progress_path.unlink(missing_ok=True)
    now = timezone.now()
    if dry_run:
        _record(job, result, progress.rows, phase=ImportPhase.PREVIEWED, finished=now)
        return "previewed"
    if not result.ok:
        _record(
            job,
            result,
            progress.rows,
            phase=ImportPhase.FAILED,
            finished=now,
            message=_(
                "Dữ liệu đã thay đổi từ lúc xem trước và tệp có lỗi; chưa có dòng nào được ghi. "
                "Hãy xem lại các lỗi."
            ),
        )
        return "failed"
    _record(job, result, progress.rows, phase=ImportPhase.DONE, finished=now)
    job.remove_files()  # imported: the upload is not needed any more
    return "done"


@task()
def validate_import(job_id: int) -> str:
    """The dry run of an uploaded file: every row checked, nothing written; the job gets the preview."""
    with translation.override(settings.LANGUAGE_CODE):
        return _run(job_id, dry_run=True)


@task()
def write_import(job_id: int) -> str:
    """The confirmed import: rows checked again (data may have changed), then all written or none."""
    with translation.override(settings.LANGUAGE_CODE):
        return _run(job_id, dry_run=False)
