"""Excel/CSV round-trip pages: template download and the import wizard (upload → preview → confirm).

The import logic lives in ocop.registry.io (import_file enforces the uploading user's scope on
every row); these views only carry the file between the steps. An uploaded file is kept in
private storage (MEDIA_ROOT/imports/<random token>, never served) and the token is remembered in
the uploader's session, so the user uploads once, previews, and confirms without sending it
again. Another user's token, or one older than a day, is refused with a clear message.
"""

from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.core.forms import BootstrapFormMixin
from ocop.core.generic import EXPORT_CONTENT_TYPES, export_filename
from ocop.core.scoping import ADD, role_required
from ocop.core.tabular import EXTENSIONS, MAX_FILE_BYTES, ImportResult, TabularError, write_error_report
from ocop.core.text import slugify_vi

from . import extensions

MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the reader refuses bigger files too (core.tabular)
UPLOAD_TTL_SECONDS = 24 * 60 * 60
SESSION_KEY = "registry_imports"
DONE_SESSION_KEY = "registry_import_done"
# Errors listed on the preview page; the downloadable report has all of them.
MAX_ERRORS_SHOWN = 500
MAX_PREVIEW_ROWS = 20


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


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def cleanup_uploads(now: float | None = None) -> int:
    """Delete uploads older than a day (anyone's: abandoned wizards); returns how many went."""
    limit = (now or time.time()) - UPLOAD_TTL_SECONDS
    removed = 0
    for entry in import_dir().iterdir():
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                entry.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # another request cleaned it up first
    return removed


def _uploads(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.get(SESSION_KEY, {})


def _forget(request: HttpRequest, token: str) -> None:
    uploads = _uploads(request)
    if uploads.pop(token, None) is not None:
        request.session[SESSION_KEY] = uploads
    (import_dir() / token).unlink(missing_ok=True)


@dataclass
class Upload:
    token: str
    kind: str
    filename: str
    path: Path


def _stored_upload(request: HttpRequest, kind: Kind, token: str) -> Upload | None:
    """The upload behind `token` if it is this user's, of this kind, and less than a day old."""
    entry = _uploads(request).get(token)
    if not entry or entry.get("kind") != kind.key or entry.get("user") != request.user.pk:
        return None
    path = import_dir() / token
    if time.time() - entry.get("at", 0) > UPLOAD_TTL_SECONDS or not path.is_file():
        _forget(request, token)
        return None
    return Upload(token, kind.key, entry["filename"], path)


def _store(request: HttpRequest, kind: Kind, upload: Any, filename: str) -> Upload:
    token = secrets.token_urlsafe(24)
    path = import_dir() / token
    with path.open("xb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    path.chmod(0o600)
    uploads = _uploads(request)
    uploads[token] = {"kind": kind.key, "filename": filename, "user": request.user.pk, "at": time.time()}
    request.session[SESSION_KEY] = uploads
    return Upload(token, kind.key, filename, path)


def _run(kind: Kind, upload: Upload, user: Any, *, dry_run: bool) -> ImportResult:
    with upload.path.open("rb") as handle:
        return kind.run(handle, upload.filename, user, dry_run=dry_run)


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
    context = {"kind": kind, "max_mb": MAX_UPLOAD_BYTES // 2**20, **context}
    htmx = getattr(request, "htmx", False)
    fragment = bool(htmx) and not htmx.boosted
    response = render(
        request, "registry/import_step.html" if fragment else "registry/import_wizard.html", context
    )
    upload = context.get("upload")
    if fragment and upload is not None:
        # The address bar then shows the preview's own URL (reload re-runs the dry run).
        response["HX-Push-Url"] = reverse("registry:import_preview", args=[kind.key, upload.token])
    return response


def _preview_table(kind: Kind, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first rows under the template's headers; only columns the file fills are shown."""
    if not rows:
        return None
    actions = {"create": _("Thêm mới"), "update": _("Cập nhật")}
    columns = [c for c in kind.spec.columns if any(row.get(c.key) for row in rows)]
    return {
        "headers": [_("Dòng"), _("Thao tác")] + [str(c.header) for c in columns],
        "rows": [
            [row.get("row", ""), actions.get(row.get("action", ""), row.get("action", ""))]
            + [row.get(c.key, "") for c in columns]
            for row in rows
        ],
    }


def _preview_context(kind: Kind, upload: Upload, result: ImportResult) -> dict[str, Any]:
    return {
        "step": "preview",
        "upload": upload,
        "result": result,
        "errors": result.errors[:MAX_ERRORS_SHOWN],
        "errors_hidden": max(0, len(result.errors) - MAX_ERRORS_SHOWN),
        "preview_table": _preview_table(kind, result.preview[:MAX_PREVIEW_ROWS]),
        "form": UploadForm(),
    }


@require_http_methods(["GET", "POST"])
@kind_required
def import_upload(request: HttpRequest, kind: Kind) -> HttpResponse:
    """Step 1 (GET: the form) and 2 (POST: store the file, dry run, show the preview)."""
    if request.method == "GET":
        return _wizard(request, kind, {"step": "upload", "form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _wizard(request, kind, {"step": "upload", "form": form})
    cleanup_uploads()
    upload = _store(request, kind, form.cleaned_data["file"], _clean_filename(form.cleaned_data["file"].name))
    try:
        result = _run(kind, upload, request.user, dry_run=True)
    except TabularError as error:
        _forget(request, upload.token)
        form.add_error("file", str(error))
        return _wizard(request, kind, {"step": "upload", "form": form})
    return _wizard(request, kind, _preview_context(kind, upload, result))


@require_GET
@kind_required
def import_preview(request: HttpRequest, kind: Kind, token: str) -> HttpResponse:
    """The preview again (reload, or back from another page): a fresh dry run of the stored file."""
    upload = _stored_upload(request, kind, token)
    if upload is None:
        return _expired(request, kind)
    try:
        result = _run(kind, upload, request.user, dry_run=True)
    except TabularError as error:
        _forget(request, token)
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("registry:import", args=[kind.key]))
    return _wizard(request, kind, _preview_context(kind, upload, result))


@require_POST
@kind_required
def import_confirm(request: HttpRequest, kind: Kind, token: str) -> HttpResponse:
    """Step 3: the real import, in one transaction; data may have changed since the preview, so
    import_file validates again and any error rolls everything back."""
    upload = _stored_upload(request, kind, token)
    if upload is None:
        return _expired(request, kind)
    try:
        with transaction.atomic():
            result = _run(kind, upload, request.user, dry_run=False)
            if not result.ok:
                transaction.set_rollback(True)
    except TabularError as error:
        _forget(request, token)
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("registry:import", args=[kind.key]))
    if not result.ok:
        messages.error(
            request,
            _(
                "Dữ liệu đã thay đổi từ lúc xem trước và tệp có lỗi; chưa có dòng nào được ghi. "
                "Hãy xem lại các lỗi."
            ),
        )
        return _wizard(request, kind, _preview_context(kind, upload, result))
    _forget(request, token)
    request.session[DONE_SESSION_KEY] = {
        "kind": kind.key,
        "filename": upload.filename,
        "created": result.created,
        "updated": result.updated,
    }
    return HttpResponseRedirect(reverse("registry:import_done", args=[kind.key]))


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
    upload = _stored_upload(request, kind, token)
    if upload is None:
        return _expired(request, kind)
    try:
        result = _run(kind, upload, request.user, dry_run=True)
    except TabularError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("registry:import", args=[kind.key]))
    stream = io.BytesIO()
    write_error_report(result.errors, stream)
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
