"""Excel/CSV round-trip pages: template download and the import wizard (upload → preview → confirm).

The import logic lives in the kinds' importers (ocop.registry.io.import_file enforces the
uploading user's scope on every row) and runs in background tasks (`import_tasks`): the upload
request only stores the file in private storage (MEDIA_ROOT/imports/<random token>, never served),
creates an `ImportJob` and queues the dry run, so it returns at once whatever the file's size; the
confirmation queues the real import the same way. The job's page (the preview URL) shows a
progress bar while a task runs — polled by htmx every 2 s, or refreshed by the browser without
JavaScript — then the preview, the errors or the result. A job is its uploader's (an
administrator may look at it): another user's job is a 404; one older than a day has expired.
"""

from __future__ import annotations

import io
import json
import secrets
import time
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.core.formatting import format_number
from ocop.core.forms import BootstrapFormMixin
from ocop.core.generic import EXPORT_CONTENT_TYPES, export_filename
from ocop.core.scoping import ADD, role_required
from ocop.core.tabular import EXTENSIONS, MAX_FILE_BYTES, ImportResult, RowError, write_error_report
from ocop.core.text import slugify_vi

from . import extensions, import_tasks
from .io.common import _CellError, _parse_choice
from .models import ImportJob, ImportPhase, import_dir

MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the reader refuses bigger files too (core.tabular)
UPLOAD_TTL_SECONDS = 24 * 60 * 60
JOB_TTL = timedelta(days=30)  # finished jobs are kept that long (who imported what, and how it went)
DONE_SESSION_KEY = "registry_import_done"
# Errors listed on the preview page; the downloadable report has all of them.
MAX_ERRORS_SHOWN = import_tasks.ERRORS_KEPT
POLL_SECONDS = 2
STALLED_AFTER = timedelta(minutes=1)


Kind = extensions.ImportKind


# The kinds are registered in extensions.import_kinds (the registry's own in RegistryConfig.ready()).


def _kind(key: str) -> Kind:
    kind = extensions.import_kinds.get(key)
    if kind is None:
        raise Http404
    return kind


def kind_required(view: Any) -> Any:
    """Login required, unknown kind → 404, then 403 unless the role may add that model."""

    def wrapper(request: HttpRequest, kind: str, *args: Any, **kwargs: Any) -> HttpResponse:
        spec = _kind(kind)
        return role_required(spec.model, ADD)(view)(request, spec, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- private storage of uploads ---


def cleanup_uploads(now: float | None = None) -> int:
    """Delete uploads older than a day (anyone's: abandoned wizards), and jobs older than JOB_TTL;
    returns how many files went."""
    now = now or time.time()
    limit = now - UPLOAD_TTL_SECONDS
    removed = 0
    for entry in import_dir().iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # another request cleaned it up first
    ImportJob.objects.filter(created__lt=timezone.now() - JOB_TTL).delete()
    return removed


def _job(request: HttpRequest, kind: Kind, token: str, *, owner: bool = False) -> ImportJob | None:
    """The job behind `token`: 404 when it is another user's (an administrator may look at any but
    act only on their own: `owner`); None when it is unknown, of another kind, or has expired."""
    job = ImportJob.objects.filter(token=token).first()
    if job is None:
        return None
    allowed = job.user_id == request.user.pk if owner else job.visible_to(request.user)
    if not allowed:
        raise Http404
    if job.kind != kind.key:
        return None
    if job.phase != ImportPhase.DONE and timezone.now() - job.created > timedelta(seconds=UPLOAD_TTL_SECONDS):
        job.remove_files()
        return None
    return job


def _store(request: HttpRequest, kind: Kind, upload: Any, filename: str) -> ImportJob:
    token = secrets.token_urlsafe(24)
    path = import_dir() / token
    with path.open("xb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    path.chmod(0o600)
    return ImportJob.objects.create(token=token, kind=kind.key, filename=filename, user=request.user)


def _expired(request: HttpRequest, kind: Kind) -> HttpResponse:
    messages.error(
        request,
        _(
            "Tệp đã tải lên không còn (quá một ngày, đã nhập xong, hoặc thuộc phiên làm việc khác). "
            "Vui lòng tải tệp lên lại."
        ),
    )
    return HttpResponseRedirect(reverse("registry:import", args=[kind.key]))


# --- forms and pages ---


def _clean_filename(name: str) -> str:
    # Only the base name, for display and for the extension (browsers may send a path).
    return PurePath(name.replace("\\", "/")).name[-200:] or "tep"


class UploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp dữ liệu"),
        help_text=gettext_lazy("Excel (.xlsx, .xls), LibreOffice (.ods) hoặc CSV UTF-8; tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
        error_messages={"required": gettext_lazy("Hãy chọn một tệp để tải lên.")},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "Tệp quá lớn (%(size)s MB). Tệp tải lên tối đa %(max)s MB; "
                    "hãy chia thành nhiều tệp nhỏ hơn."
                )
                % {
                    "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                    "max": MAX_UPLOAD_BYTES // 2**20,
                }
            )
        suffix = PurePath(_clean_filename(upload.name)).suffix.lower()
        if suffix not in EXTENSIONS:
            raise forms.ValidationError(
                _("Định dạng tệp “%(ext)s” không được hỗ trợ. Hãy dùng tệp .xlsx, .xls, .ods hoặc .csv.")
                % {"ext": suffix or upload.name}
            )
        return upload


def _wizard(request: HttpRequest, kind: Kind, context: dict[str, Any]) -> HttpResponse:
    """The wizard page, or only its step (the #import-wizard fragment) for an htmx request.

    Errors are shown with status 200, like any re-rendered form: htmx swaps only 2xx responses.
    """
    context = {"kind": kind, "max_mb": MAX_UPLOAD_BYTES // 2**20, "poll_seconds": POLL_SECONDS, **context}
    htmx = getattr(request, "htmx", False)
    fragment = bool(htmx) and not htmx.boosted
    response = render(
        request, "registry/import_step.html" if fragment else "registry/import_wizard.html", context
    )
    job = context.get("upload")
    if fragment and job is not None:
        # The address bar then shows the job's own URL (reload shows the same step again).
        url = reverse("registry:import_preview", args=[kind.key, job.token])
        if not (htmx.current_url_abs_path or "").startswith(url):
            response["HX-Push-Url"] = url
    return response


PREVIEW_PAGE_ROWS = 50


def _all_preview(job: ImportJob) -> list[dict[str, Any]]:
    """Every row of the job's preview (new and changed first): from its file, or the job when few."""
    try:
        return json.loads(job.preview_path.read_text())
    except (OSError, ValueError):
        return job.preview


class _Labels:
    """Choice codes and values of a file → the active language's labels ("potential" → "Tiềm năng")."""

    def __init__(self, kind: Kind) -> None:
        self.choices = {c.key: c.choices for c in kind.spec.columns if c.choices}
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, key: str, value: Any) -> str:
        text = "" if value is None else str(value)
        choices = self.choices.get(key)
        if not choices or not text:
            return text
        if (key, text) not in self._cache:
            try:
                code = _parse_choice(text, choices)
            except _CellError:
                code = ""
            self._cache[(key, text)] = dict(choices).get(code, text)
        return self._cache[(key, text)]


def _place_cell(row: dict[str, Any], change: list[str] | None) -> dict[str, Any]:
    place = row.get("_place") or {}
    return {
        "place": place,
        "old": change[0] if change else "",
        "changed": change is not None,
    }


def _preview_table(kind: Kind, rows: list[dict[str, Any]], page: int) -> dict[str, Any] | None:
    """One page of the preview: every column the file fills, the matched place, the changed cells
    (old → new), choice codes as labels; rows to add and to change come first (import_tasks)."""
    if not rows:
        return None
    actions = {"create": _("Thêm mới"), "update": _("Cập nhật"), "unchanged": _("Không thay đổi")}
    columns = [c for c in kind.spec.columns if any(row.get(c.key) for row in rows)]
    keys = {c.key for c in columns}
    with_place = any(row.get("_place") or "_place" in row.get("_changes", {}) for row in rows)
    pages = max(1, -(-len(rows) // PREVIEW_PAGE_ROWS))
    page = min(max(page, 1), pages)
    label = _Labels(kind)
    shown = []
    for row in rows[(page - 1) * PREVIEW_PAGE_ROWS : page * PREVIEW_PAGE_ROWS]:
        changes = row.get("_changes") or {}
        cells = []
        for column in columns:
            change = changes.get(column.key)
            cells.append(
                {
                    "text": label(column.key, row.get(column.key, "")),
                    "old": label(column.key, change[0]) if change else "",
                    "changed": change is not None,
                }
            )
        others = []
        for key, (old, new) in changes.items():
            if key in keys or key == "_place":
                continue
            try:
                name = str(kind.model._meta.get_field(key).verbose_name)
            except Exception:  # noqa: BLE001 - a column of another kind's file
                name = key
            others.append({"name": name, "old": label(key, old), "new": label(key, new)})
        shown.append(
            {
                "number": row.get("row", ""),
                "action": row.get("action", ""),
                "action_label": actions.get(row.get("action", ""), row.get("action", "")),
                "place": _place_cell(row, changes.get("_place")) if with_place else None,
                "cells": cells,
                "others": others,
            }
        )
    return {
        "headers": [str(c.header) for c in columns],
        "with_place": with_place,
        "with_others": any(row["others"] for row in shown),
        "rows": shown,
        "page": page,
        "pages": pages,
        "total": len(rows),
        "first": (page - 1) * PREVIEW_PAGE_ROWS + 1,
        "last": min(page * PREVIEW_PAGE_ROWS, len(rows)),
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
    }


def _result(job: ImportJob) -> ImportResult:
    """What the job's dry run (or its failed import) found; `errors` holds the first of them."""
    return ImportResult(
        created=job.created_count,
        updated=job.updated_count,
        unchanged=job.unchanged_count,
        errors=[RowError(*error) for error in job.errors],
        preview=job.preview,
        dry_run=job.phase != ImportPhase.DONE,
    )


def _all_errors(job: ImportJob) -> list[RowError]:
    try:
        errors = json.loads(job.errors_path.read_text())
    except (OSError, ValueError):
        errors = job.errors  # fewer than the job keeps: none in a file
    return [RowError(*error) for error in errors]


def _page_number(request: HttpRequest | None) -> int:
    try:
        return int(request.GET.get("page", 1)) if request is not None else 1
    except ValueError:
        return 1


def _preview_context(kind: Kind, job: ImportJob, request: HttpRequest | None = None) -> dict[str, Any]:
    result = _result(job)
    return {
        "step": "preview",
        "upload": job,
        "job": job,
        "result": result,
        "error_count": job.error_count,
        "errors": result.errors[:MAX_ERRORS_SHOWN],
        "errors_hidden": max(0, job.error_count - MAX_ERRORS_SHOWN),
        "preview_table": (
            None if job.error_count else _preview_table(kind, _all_preview(job), _page_number(request))
        ),
        "form": UploadForm(),
    }


def _progress(job: ImportJob) -> dict[str, Any]:
    """The progress bar of a running job: its label and how full it is (in steps of 5 %, for CSS)."""
    rows, done = job.rows_total, job.rows_processed
    if job.phase == ImportPhase.WRITING:
        done = max(done, import_tasks.written_progress(job))
    number = format_number
    if job.phase == ImportPhase.QUEUED:
        label, fraction = _("Đang chờ đến lượt xử lý…"), 0.0
    elif not rows:
        label, fraction = _("Đang đọc tệp…"), 0.0
    elif job.phase == ImportPhase.VALIDATING:
        done = min(done, rows)
        label = _("Đang kiểm tra… %(done)s / %(total)s dòng") % {"done": number(done), "total": number(rows)}
        fraction = done / rows
    elif done <= rows:  # writing: import_file checks every row again before it writes
        label = _("Đang kiểm tra lại… %(done)s / %(total)s dòng") % {
            "done": number(done),
            "total": number(rows),
        }
        fraction = done / (2 * rows)
    else:
        written = min(done - rows, rows)
        label = _("Đang ghi… %(done)s / %(total)s dòng") % {"done": number(written), "total": number(rows)}
        fraction = done / (2 * rows)
    percent = max(0, min(100, int(fraction * 100)))
    # Still queued after a while: no worker may be running (`ocop runserver` starts none).
    stalled = job.phase == ImportPhase.QUEUED and timezone.now() - job.created > STALLED_AFTER
    return {"label": label, "percent": percent, "width": percent - percent % 5, "stalled": stalled}


def _done(job: ImportJob) -> dict[str, Any]:
    return {
        "kind": job.kind,
        "token": job.token,
        "filename": job.filename,
        "created": job.created_count,
        "updated": job.updated_count,
    }


def _job_page(
    request: HttpRequest, kind: Kind, job: ImportJob, form: UploadForm | None = None
) -> HttpResponse:
    """The job's step: its progress while a task runs, then the preview, the result or why it failed."""
    if job.running:
        return _wizard(
            request,
            kind,
            {
                "step": "running",
                "marker": "done" if job.phase == ImportPhase.WRITING else "preview",
                "upload": job,
                "job": job,
                "progress": _progress(job),
            },
        )
    if job.phase == ImportPhase.DONE:
        return _wizard(request, kind, {"step": "done", "done": _done(job)})
    if job.phase == ImportPhase.FAILED and not job.error_count:
        # The file itself could not be read (or the import broke): say why, and offer a new upload.
        if form is not None:  # the upload's own response: the message goes under the file field
            form.add_error("file", job.message)
            return _wizard(request, kind, {"step": "upload", "form": form})
        return _wizard(request, kind, {"step": "upload", "form": UploadForm(), "failure": job.message})
    return _wizard(request, kind, _preview_context(kind, job, request))


def _enqueue(job: ImportJob, task: Any) -> ImportJob:
    result = task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=result.id)
    job.refresh_from_db()  # an immediate backend (tests) has run the task already
    return job


@require_http_methods(["GET", "POST"])
@kind_required
def import_upload(request: HttpRequest, kind: Kind) -> HttpResponse:
    """Step 1 (GET: the form) and 2 (POST: store the file, queue the dry run, show its progress)."""
    if request.method == "GET":
        return _wizard(request, kind, {"step": "upload", "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _wizard(request, kind, {"step": "upload", "form": form})
    cleanup_uploads()
    job = _store(request, kind, form.cleaned_data["file"], _clean_filename(form.cleaned_data["file"].name))
    job = _enqueue(job, import_tasks.validate_import)
    return _job_page(request, kind, job, form)


@require_GET
@kind_required
def import_preview(request: HttpRequest, kind: Kind, token: str) -> HttpResponse:
    """The job's page: progress while it runs (polled), then the preview, the errors or the result."""
    job = _job(request, kind, token)
    if job is None:
        return _expired(request, kind)
    if job.phase == ImportPhase.DONE and job.user_id == request.user.pk:
        request.session[DONE_SESSION_KEY] = _done(job)
    return _job_page(request, kind, job)


@require_POST
@kind_required
def import_confirm(request: HttpRequest, kind: Kind, token: str) -> HttpResponse:
    """Step 3: queue the real import (one transaction; data may have changed since the preview, so
    import_file validates again and any error writes nothing)."""
    job = _job(request, kind, token, owner=True)
    if job is None or job.phase == ImportPhase.DONE:
        return _expired(request, kind)
    page = HttpResponseRedirect(reverse("registry:import_preview", args=[kind.key, token]))
    if job.phase != ImportPhase.PREVIEWED or job.error_count:
        # Still running (a double click), or a file with errors (a forged POST): nothing to write.
        return page if job.running else _job_page(request, kind, job)
    claimed = ImportJob.objects.filter(pk=job.pk, phase=ImportPhase.PREVIEWED).update(
        phase=ImportPhase.WRITING, rows_processed=0, task_id="", finished=None
    )
    if not claimed:
        return page  # another confirmation got there first
    job = _enqueue(job, import_tasks.write_import)
    if job.phase == ImportPhase.DONE:
        request.session[DONE_SESSION_KEY] = _done(job)
        return HttpResponseRedirect(reverse("registry:import_done", args=[kind.key]))
    if job.phase == ImportPhase.FAILED:
        return _job_page(request, kind, job)
    return page


@require_GET
@kind_required
def import_done(request: HttpRequest, kind: Kind) -> HttpResponse:
    done = request.session.get(DONE_SESSION_KEY)
    if not done or done.get("kind") != kind.key:
        return HttpResponseRedirect(reverse("registry:import", args=[kind.key]))
    return _wizard(request, kind, {"step": "done", "done": done})


@require_GET
@kind_required
def import_errors(request: HttpRequest, kind: Kind, token: str) -> HttpResponse:
    """The preview's errors as an .xlsx report (row, column, value, message)."""
    job = _job(request, kind, token)
    if job is None:
        return _expired(request, kind)
    stream = io.BytesIO()
    write_error_report(_all_errors(job), stream)
    stream.seek(0)
    name = export_filename(_("Lỗi nhập %(kind)s") % {"kind": kind.label}, "xlsx")
    return _attachment(stream, name, "xlsx")


@require_GET
@kind_required
def import_template(request: HttpRequest, kind: Kind) -> HttpResponse:
    """The empty .xlsx template (headers, drop-down lists, an example row, instructions)."""
    stream = io.BytesIO()
    kind.template(stream)
    stream.seek(0)
    name = slugify_vi(_("Mẫu nhập %(kind)s") % {"kind": kind.label}) + ".xlsx"
    return _attachment(stream, name, "xlsx")


def _attachment(stream: io.BytesIO, filename: str, fmt: str) -> FileResponse:
    response = FileResponse(
        stream, as_attachment=True, filename=filename, content_type=EXPORT_CONTENT_TYPES[fmt]
    )
    response["Cache-Control"] = "private, no-store"
    return response
