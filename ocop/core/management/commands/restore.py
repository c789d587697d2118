"""`ocop restore FILE`: an archive of `ocop backup` into an empty database (see ocop.core.backup)."""

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ocop.core.backup import BackupError, check, restore


class Command(BaseCommand):
    help = _("Khôi phục một bản sao lưu vào CSDL trống (SQLite hoặc PostgreSQL) và MEDIA_ROOT.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help=_("Tệp lưu trữ do `ocop backup` ghi."))
        parser.add_argument(
            "--check",
            dest="check_only",
            action="store_true",
            help=_("Chỉ đọc và kiểm tra bản sao lưu, không ghi gì."),
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help=_("Bí danh CSDL (mặc định: default).")
        )

    def handle(self, *args, file: Path, check_only: bool, database: str, **options) -> None:
        try:
            summary = check(file) if check_only else restore(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = summary.manifest
        values = {
            "rows": summary.rows,
            "tables": summary.tables,
            "files": summary.files,
            "bytes": summary.bytes,
            "version": manifest["version"],
            "created": manifest["created"],
            "database": manifest["database"],
        }
        if check_only:
            message = _(
                "Bản sao lưu nguyên vẹn: %(rows)s dòng của %(tables)s bảng, %(files)s tệp (%(bytes)s byte); "
                "phiên bản %(version)s, tạo lúc %(created)s từ CSDL %(database)s."
            )
        else:
            message = _(
                "Đã khôi phục %(rows)s dòng của %(tables)s bảng và %(files)s tệp (%(bytes)s byte) "
                "từ bản sao lưu phiên bản %(version)s, tạo lúc %(created)s."
            )
        self.stdout.write(message % values)
        if summary.stripped_nul:
            self.stderr.write(
                _("Đã bỏ ký tự NUL (PostgreSQL không lưu được) trong %(count)s giá trị.")
                % {"count": summary.stripped_nul}
            )
        if not check_only:
            self.stdout.write(_("Chạy `ocop migrate` nếu phiên bản này mới hơn phiên bản của bản sao lưu."))
