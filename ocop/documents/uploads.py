"""Upload checks, storage and download of evidence files (shared by the pages and the API).

Checks, in order: not empty; not over OCOP_MAX_UPLOAD_MB (default 20); content sniffed from the
bytes (ocop.documents.filetypes: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT, ODS); extension matching
that content. Nothing is written before every check has passed, and a file written for a row that
then fails to save is removed again, so a refused upload leaves no orphan on disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import filetypes
from .models import EvidenceDocument

DEFAULT_MAX_UPLOAD_MB = 20


def max_upload_mb() -> int:
    return int(getattr(settings, "OCOP_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    kind: filetypes.Kind
    original_name: str
    size: int
    sha256: str


def _allowed_list() -> str:
    return ", ".join(kind.label for kind in filetypes.KINDS)


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload with what we know of it, or ValidationError with a Vietnamese message."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("Tệp rỗng (0 byte); hãy chọn lại tệp."), code="empty")
    limit = max_upload_mb()
    if size > limit * 1024 * 1024:
        raise ValidationError(
            _("Tệp quá lớn (%(size)s MB); tối đa %(limit)s MB.")
            % {"size": f"{size / 1048576:.1f}".replace(".", ","), "limit": limit},
            code="too_large",
        )
    detection = filetypes.detect(upload)
    kind = detection.kind
    if kind is None:
        messages = {
            filetypes.EXECUTABLE: _("Tệp là chương trình thực thi, không được phép tải lên."),
            filetypes.MACRO: _(
                "Tệp văn phòng có macro hoặc định dạng cũ (.doc, .xls) không được nhận; "
                "hãy lưu lại dưới dạng PDF, DOCX hoặc XLSX."
            ),
            filetypes.CORRUPT: _("Tệp bị hỏng hoặc không đọc được."),
        }
        message = messages.get(detection.problem) or _(
            "Nội dung tệp không thuộc loại được nhận (%(allowed)s)."
        ) % {"allowed": _allowed_list()}
        raise ValidationError(message, code=detection.problem or "unknown")
    ext = filetypes.extension(upload.name or "")
    if ext and ext not in kind.extensions:
        raise ValidationError(
            _("Phần mở rộng “%(ext)s” không khớp với nội dung tệp (%(kind)s); hãy kiểm tra lại tệp.")
            % {"ext": ext, "kind": kind.label},
            code="extension_mismatch",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        upload=upload,
        kind=kind,
        original_name=filetypes.clean_filename(upload.name or "", kind),
        size=size,
        sha256=digest.hexdigest(),
    )


def save_document(document: EvidenceDocument, checked: CheckedUpload | None) -> EvidenceDocument:
    """Save the row (and the new file, if any) together: a failed save leaves no file behind.

    A replaced file is deleted once the change is committed.
    """
    storage = document.file.storage
    previous = document.file.name if document.pk and checked else ""
    written = ""
    try:
        with transaction.atomic():
            if checked is not None:
                document.original_name = checked.original_name
                document.size = checked.size
                document.sha256 = checked.sha256
                document.content_type = checked.kind.content_type
                document.file.save(checked.original_name, checked.upload, save=False)
                written = document.file.name
            document.save()
    except BaseException:
        if written:
            storage.delete(written)
        raise
    if previous and previous != document.file.name:
        transaction.on_commit(lambda: storage.delete(previous))
    return document


# Downloads are never rendered as part of our site: no scripts, no plugins, no framing. PDFs
# drop the `sandbox` flag because Chromium refuses to start its PDF viewer in a sandboxed
# document (and strips the policy for the viewer anyway); nosniff keeps the declared type.
_CSP_SANDBOXED = "; ".join(
    ["default-src 'none'", "img-src 'self'", "style-src 'unsafe-inline'", "frame-ancestors 'none'", "sandbox"]
)
_CSP_PDF = "; ".join(
    [
        "default-src 'none'",
        "img-src 'self' data:",
        "style-src 'unsafe-inline'",
        "object-src 'self'",
        "frame-ancestors 'none'",
    ]
)


def file_response(document: EvidenceDocument) -> FileResponse:
    """The stored file with safe headers; the caller has already checked can(user, "view", document)."""
    kind = document.kind
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    inline = kind is not None and kind.inline
    content_type = kind.content_type if kind else "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=document.original_name or filetypes.clean_filename("", kind),
        content_type=content_type,
    )
    headers: dict[str, Any] = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": _CSP_PDF if kind is filetypes.PDF else _CSP_SANDBOXED,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
    }
    for name, value in headers.items():
        response[name] = value
    return response
