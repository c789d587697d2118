"""`ImportJob`: one spreadsheet upload of the import wizard, checked and written by background tasks.

The web request only stores the file (private storage, ``MEDIA_ROOT/imports/<token>``, never
served) and queues the dry run (`ocop.registry.import_tasks`); the wizard's pages then follow
the job's phase: queued → validating → previewed (the preview, or the row errors), then on
confirmation writing → done, or failed (`message` says why, in Vietnamese). A job belongs to the
user who uploaded it; only they (or an administrator) see it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportPhase(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    VALIDATING = "validating", _("Đang kiểm tra")
    PREVIEWED = "previewed", _("Đã kiểm tra")
    WRITING = "writing", _("Đang ghi")
    DONE = "done", _("Hoàn tất")
    FAILED = "failed", _("Không thành công")


RUNNING_PHASES = frozenset({ImportPhase.QUEUED, ImportPhase.VALIDATING, ImportPhase.WRITING})


def import_dir() -> Path:
    """Private storage of the uploads (and their error lists) between the wizard's steps."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class ImportJob(models.Model):
    """An uploaded file on its way through the import wizard (see the module docstring)."""

    # Random, in the wizard's URLs, and the name of the stored file.
    token = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(_("loại dữ liệu"), max_length=40)  # a key of extensions.import_kinds
    filename = models.CharField(_("tên tệp"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("người tải lên"),
    )
    phase = models.CharField(_("giai đoạn"), max_length=12, choices=ImportPhase, default=ImportPhase.QUEUED)
    rows_total = models.PositiveIntegerField(_("số dòng"), default=0)
    # Rows checked (validating), or checked again then written (writing: up to 2 × rows_total).
    rows_processed = models.PositiveIntegerField(_("số dòng đã xử lý"), default=0)
    created_count = models.PositiveIntegerField(_("thêm mới"), default=0)
    updated_count = models.PositiveIntegerField(_("cập nhật"), default=0)
    unchanged_count = models.PositiveIntegerField(_("không thay đổi"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    # The first errors as [row, column, value, message] (the page shows them; all of them are in
    # the report file next to the upload) and the first rows of the preview.
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    message = models.TextField(_("thông báo"), blank=True)  # why the job failed (Vietnamese)
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)
    created = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    finished = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("lượt nhập tệp")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename} ({self.get_phase_display()})"

    @property
    def path(self) -> Path:
        """The uploaded file."""
        return import_dir() / self.token

    @property
    def errors_path(self) -> Path:
        """All the row errors (JSON), when there are more than the job keeps."""
        return import_dir() / f"{self.token}.errors.json"

    @property
    def preview_path(self) -> Path:
        """Every row of the preview (JSON), when there are more than the job keeps."""
        return import_dir() / f"{self.token}.preview.json"

    @property
    def progress_path(self) -> Path:
        """Progress of the writing phase (see import_tasks.Progress)."""
        return import_dir() / f"{self.token}.progress"

    @property
    def running(self) -> bool:
        return self.phase in RUNNING_PHASES

    def visible_to(self, user) -> bool:
        return user.pk == self.user_id or getattr(user, "role", "") == "admin" or user.is_superuser

    def remove_files(self) -> None:
        for path in (self.path, self.errors_path, self.preview_path, self.progress_path):
            path.unlink(missing_ok=True)
