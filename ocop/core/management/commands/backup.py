"""`ocop backup FILE`: the database and the uploaded files in one archive (see ocop.core.backup)."""

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ocop.core.backup import BackupError, backup


class Command(BaseCommand):
    help = _("Sao lưu CSDL và tệp tải lên vào một tệp lưu trữ (chạy được khi hệ thống đang hoạt động).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=_("Tệp lưu trữ sẽ ghi, ví dụ ocop-2026-01-31.zip"))
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=_("Bí danh CSDL (mặc định: default).")
        )

    def handle(self, *args, file: Path, database: str, **options) -> None:
        try:
            summary = backup(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Đã sao lưu %(rows)s dòng của %(tables)s bảng và %(files)s tệp (%(bytes)s byte) vào %(path)s.")
            % {
                "rows": summary.rows,
                "tables": summary.tables,
                "files": summary.files,
                "bytes": summary.bytes,
                "path": file,
            }
        )
