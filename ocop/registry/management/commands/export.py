"""`ocop export producers|products|history FILE`: the registry (and the certificates, decisions and
revocations) as .xlsx or .csv (by extension), with the same columns the import template reads, so
the file re-imports unchanged. "history" is the certification app's export, found through the
import kinds (the registry does not import certification)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Xuất danh sách chủ thể, sản phẩm hoặc lịch sử công nhận ra tệp .xlsx hoặc .csv (nhập lại được)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=("producers", "products", "history"),
            help="producers (chủ thể), products (sản phẩm), history (giấy chứng nhận, quyết định, thu hồi)",
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
        from ocop.registry import extensions

        kind = extensions.import_kinds.get(options["kind"]) if options["kind"] == "history" else None
        if options["kind"] == "history" and (kind is None or kind.export is None):
            raise CommandError(_("Chưa cài đặt phần giấy chứng nhận: không có lịch sử công nhận để xuất."))
        model = {"producers": Producer, "products": Product}.get(options["kind"]) or kind.model
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
                if kind is not None:
                    kind.export(queryset, stream, fmt)
                else:
                    export_queryset(options["kind"], queryset, stream, fmt)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(_("Đã xuất %(path)s.") % {"path": path}))
