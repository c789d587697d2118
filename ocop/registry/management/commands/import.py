"""`ocop import producers|products|history FILE`: import a spreadsheet (.xlsx, .xls, .ods, .csv).

All or nothing: any invalid row imports nothing; the errors are printed and written next to the
file (FILE.loi.xlsx, or --errors PATH) and the command exits with status 1. Without --as the
import runs as the system (national scope); with --as USERNAME, under that user's scope.

The kinds come from ocop.registry.extensions.import_kinds: producers and products are the registry's,
history is registered by the app that owns the certificates (from its AppConfig.ready()).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ocop.core.tabular import ImportResult, TabularError, write_error_report
from ocop.registry import extensions


class Progress:
    """Progress on stderr: a redrawn bar on a terminal, a line every 10 % otherwise (logs, CI)."""

    def __init__(self, stream: Any, label: str) -> None:
        self.stream = stream
        self.label = label
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.last_step = -1
        self.last_draw = 0.0
        self.start = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        total = max(total, 1)
        fraction = min(done / total, 1.0)
        if self.tty:
            now = time.monotonic()
            if fraction < 1.0 and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = int(fraction * 30)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%}")
            if fraction >= 1.0:
                self.stream.write("\n")
            self.stream.flush()
            return
        step = int(fraction * 10)
        if step > self.last_step:
            self.last_step = step
            self.stream.write(f"{self.label}: {fraction:.0%}\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Nhập danh sách chủ thể, sản phẩm hoặc lịch sử chứng nhận từ tệp .xlsx, .xls, .ods hoặc .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=extensions.import_kinds.keys(),
            help="producers (chủ thể), products (sản phẩm), history",
        )
        parser.add_argument("file", help="Tệp cần nhập (.xlsx, .xls, .ods, .csv).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì vào cơ sở dữ liệu."
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="Nhập với phạm vi quyền của người dùng này (mặc định: hệ thống, phạm vi toàn quốc).",
        )
        parser.add_argument(
            "--errors", metavar="PATH", help="Nơi ghi bảng lỗi .xlsx (mặc định: FILE.loi.xlsx cạnh tệp)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không tìm thấy tệp %(path)s.") % {"path": path})
        user = None
        if options["username"]:
            from ocop.accounts.models import User

            try:
                user = User.objects.select_related("scope_unit").get(username=options["username"])
            except User.DoesNotExist:
                raise CommandError(
                    _("Người dùng “%(name)s” không tồn tại.") % {"name": options["username"]}
                ) from None
        import_file = extensions.import_kinds.get(options["kind"]).run
        progress = Progress(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr, path.name)
        started = time.monotonic()
        try:
            with path.open("rb") as handle:
                result = import_file(handle, path.name, user, dry_run=options["dry_run"], progress=progress)
        except TabularError as error:
            raise CommandError(str(error)) from None
        self.report(result, path, options, time.monotonic() - started)

    def report(self, result: ImportResult, path: Path, options: dict[str, Any], elapsed: float) -> None:
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            target = Path(options["errors"]) if options["errors"] else path.with_name(path.name + ".loi.xlsx")
            with target.open("wb") as stream:
                write_error_report(result.errors, stream)
            self.stderr.write(
                _("%(count)s lỗi; không có dòng nào được nhập. Bảng lỗi: %(path)s")
                % {"count": len(result.errors), "path": target}
            )
            sys.exit(1)
        counts = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "seconds": f"{elapsed:.1f}",
        }
        if options["dry_run"]:
            message = _(
                "Kiểm tra xong, không có lỗi: sẽ thêm %(created)s, cập nhật %(updated)s, "
                "%(unchanged)s dòng không đổi (%(seconds)s giây)."
            )
        else:
            message = _(
                "Đã nhập: thêm %(created)s, cập nhật %(updated)s, %(unchanged)s dòng không đổi "
                "(%(seconds)s giây)."
            )
        self.stdout.write(self.style.SUCCESS(message % counts))
