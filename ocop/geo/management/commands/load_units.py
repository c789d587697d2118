"""`ocop load-units`: load or refresh Vietnam's administrative units from the vietnam-provinces package."""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from ocop.geo.loading import load_units
from ocop.geo.models import Unit


class Command(BaseCommand):
    help = _("Nạp hoặc cập nhật đơn vị hành chính (hiện hành và trước 01/07/2025) cùng quan hệ kế thừa.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Không làm gì nếu đã có đơn vị hành chính.")
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("Cơ sở dữ liệu đích."))

    def handle(self, *args, if_empty: bool = False, database: str = DEFAULT_DB_ALIAS, **options) -> None:
        if if_empty and Unit.objects.using(database).exists():
            if options["verbosity"] > 0:
                self.stdout.write(_("Đã có đơn vị hành chính: bỏ qua."))
            return
        started = time.monotonic()
        result = load_units(using=database)
        if options["verbosity"] == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đơn vị hành chính: %(created)d tạo mới, %(updated)d cập nhật, %(unchanged)d không đổi. "
                    "Quan hệ kế thừa: %(s_created)d tạo mới, %(s_updated)d cập nhật, %(s_deleted)d xoá. "
                    "(%(seconds).1f giây)"
                )
                % {
                    "created": result.units_created,
                    "updated": result.units_updated,
                    "unchanged": result.units_unchanged,
                    "s_created": result.successions_created,
                    "s_updated": result.successions_updated,
                    "s_deleted": result.successions_deleted,
                    "seconds": time.monotonic() - started,
                }
            )
        )
        if options["verbosity"] > 1:
            notes = [
                (_("Dòng chuyển đổi bỏ qua (mã xã cũ không có trong danh mục cũ)"), result.skipped),
                (_("Dòng chuyển đổi ghi sai tỉnh cũ (đã lấy tỉnh theo danh mục cũ)"), result.corrected),
                (_("Xã cũ không có trong bảng chuyển đổi (chỉ quy về tỉnh hiện hành)"), result.orphans),
            ]
            for label, codes in notes:
                if codes:
                    self.stdout.write(f"- {label}: {len(codes)} ({', '.join(codes)})")
