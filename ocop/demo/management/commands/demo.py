"""`ocop demo`: load the demo dataset (see ocop/demo/data.py) and print the demo logins.

`ocop demo --scale national` also generates a national-size synthetic registry
(ocop/demo/scale.py) for benchmarks and trials: never on a production database.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from ocop.accounts.models import User
from ocop.demo import data as demo
from ocop.demo import scale as demo_scale


class Command(BaseCommand):
    help = _(
        "Nạp dữ liệu mẫu (người dùng mọi vai trò, lịch sử công nhận nhiều năm, kế hoạch và chỉ tiêu) để dùng "
        "thử; không dùng trên hệ thống thật."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Không làm gì nếu cơ sở dữ liệu đã có người dùng.")
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help=_("Chỉ in bảng tài khoản dùng thử, không nạp dữ liệu."),
        )

        parser.add_argument(
            "--scale",
            choices=sorted(demo_scale.SCALES),
            help=_(
                "Sinh thêm dữ liệu quy mô quốc gia (34 tỉnh, ~10.000 chủ thể, ~20.000 sản phẩm, lịch sử "
                "xếp hạng 2021–2026) để đo hiệu năng và dùng thử; tuyệt đối không dùng trên hệ thống thật."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=demo_scale.DEFAULT_SEED,
            help=_("Hạt giống ngẫu nhiên: cùng hạt giống, cùng ngày cho cùng dữ liệu."),
        )
        parser.add_argument("--producers", type=int, help=_("Số chủ thể sinh ra (mặc định theo quy mô)."))
        parser.add_argument("--products", type=int, help=_("Số sản phẩm sinh ra (mặc định theo quy mô)."))

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
                    _(
                        "Dữ liệu mẫu đã sẵn sàng: %(users)d người dùng mới (tổng %(total)d tài khoản mẫu), "
                        "%(producers)d chủ thể mới, %(products)d sản phẩm mới, "
                        "%(certificates)d giấy chứng nhận mới, %(rounds)d đợt đánh giá mới, "
                        "%(dossiers)d hồ sơ đánh giá mới."
                    )
                    % {
                        "users": ctx.created.get("users", 0),
                        "total": len(demo.DEMO_USERS),
                        "producers": ctx.created.get("producers", 0),
                        "products": ctx.created.get("products", 0),
                        "certificates": ctx.created.get("certificates", 0),
                        "rounds": ctx.created.get("rounds", 0),
                        "dossiers": ctx.created.get("dossiers", 0),
                    }
                )
            )
            if options["verbosity"] > 1:
                self.print_logins()
        if options.get("scale"):
            self.generate(options)

    def generate(self, options: dict[str, Any]) -> None:
        verbose = options["verbosity"] > 0
        if verbose:
            self.stdout.write(
                self.style.WARNING(
                    _("Dữ liệu quy mô quốc gia là dữ liệu giả, chỉ để đo hiệu năng và dùng thử.")
                )
            )
        result = demo_scale.generate(
            options["scale"],
            producers=options.get("producers"),
            products=options.get("products"),
            seed=options["seed"],
            write=self.stdout.write if verbose else lambda line: None,
        )
        if connection.vendor == "postgresql":
            # Fresh statistics after the bulk load (autovacuum would take a while): without them the
            # planner guesses a handful of matching rows and nests loops over thousands.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Đã sinh %(producers)d chủ thể, %(products)d sản phẩm, "
                        "%(certificates)d giấy chứng nhận ở %(provinces)d tỉnh trong %(seconds).1f giây."
                    )
                    % {
                        "producers": result.producers,
                        "products": result.products,
                        "certificates": result.certificates,
                        "provinces": result.provinces,
                        "seconds": result.seconds,
                    }
                )
            )

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
