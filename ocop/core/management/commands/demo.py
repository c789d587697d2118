"""`ocop demo`: load the demo dataset (see ocop/core/demo.py) and print the demo logins."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ocop.accounts.models import User
from ocop.core import demo


class Command(BaseCommand):
    help = _("Nạp dữ liệu mẫu (người dùng mọi vai trò ở ba tỉnh) để dùng thử; không dùng trên hệ thống thật.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Không làm gì nếu cơ sở dữ liệu đã có người dùng.")
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help=_("Chỉ in bảng tài khoản dùng thử, không nạp dữ liệu."),
        )

    def handle(self, *args: Any, if_empty: bool = False, print_logins: bool = False, **options: Any) -> None:
        if print_logins:
            self.print_logins()
            return
        if if_empty and User.objects.exists():
            if options["verbosity"] > 0:
                self.stdout.write(_("Cơ sở dữ liệu đã có người dùng: bỏ qua dữ liệu mẫu."))
            return
        ctx = demo.load_demo(write=self.stdout.write)
        if options["verbosity"] > 0:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Dữ liệu mẫu đã sẵn sàng: %(users)d người dùng mới (tổng %(total)d tài khoản mẫu).")
                    % {"users": ctx.created.get("users", 0), "total": len(demo.DEMO_USERS)}
                )
            )
            if options["verbosity"] > 1:
                self.print_logins()

    def print_logins(self) -> None:
        headers = (_("Tên đăng nhập"), _("Mật khẩu"), _("Vai trò"), _("Phạm vi"), _("Họ và tên"))
        rows = demo.demo_logins()
        if not rows:
            self.stdout.write(_("Cơ sở dữ liệu này không có tài khoản dùng thử (xem `ocop demo`)."))
            return
        widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write(_("Tài khoản dùng thử (chỉ dành cho máy thử nghiệm):"))
        self.stdout.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
        self.stdout.write(line)
        for row in rows:
            self.stdout.write("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
