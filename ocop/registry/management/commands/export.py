"""`ocop export producers|products FILE`: the registry as .xlsx or .csv (by extension), with the same
columns the import template reads, so the file re-imports unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Xuất danh sách chủ thể hoặc sản phẩm ra tệp .xlsx hoặc .csv (nhập lại được)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=("producers", "products"), help="producers (chủ thể), products (sản phẩm)"
        )
        parser.add_argument("file", help="Tệp kết quả: .xlsx hoặc .csv.")
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="Chỉ xuất những gì người dùng này được xem (mặc định: toàn bộ).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from ocop.registry.io import export_queryset
        from ocop.registry.models import Producer, Product

        path = Path(options["file"])
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(_("Tệp xuất phải có đuôi .xlsx hoặc .csv."))
        model = Producer if options["kind"] == "producers" else Product
        queryset = model.objects.all()
        if options["username"]:
            from ocop.accounts.models import User

            try:
                user = User.objects.select_related("scope_unit").get(username=options["username"])
            except User.DoesNotExist:
                raise CommandError(
                    _("Người dùng “%(name)s” không tồn tại.") % {"name": options["username"]}
                ) from None
            queryset = queryset.restrict(user, "view")
        # Written to a temporary name first: an interrupted export never leaves half a file behind.
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as stream:
                export_queryset(options["kind"], queryset, stream, fmt)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(_("Đã xuất %(path)s.") % {"path": path}))
