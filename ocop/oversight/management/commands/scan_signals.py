"""`ocop scan-signals`: recompute the risk signals from the public scan counters (oversight).

Run it once a day from cron, after the night's scans are flushed, e.g.
``30 5 * * * /srv/ocop/.venv/bin/ocop scan-signals``. Re-running is harmless: signals are upserted
by key, officers' decisions (planned, dismissed with a note) are kept, and nothing is closed.
``--date YYYY-MM-DD`` computes as if it were that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.core import clock
from ocop.core.formatting import format_date
from ocop.oversight import signals


class Command(BaseCommand):
    help = "Tính lại các dấu hiệu rủi ro từ lượt quét mã (chạy hằng ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Ngày xét, dạng YYYY-MM-DD (mặc định: hôm nay).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = clock.today()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Ngày không hợp lệ: {options['date']!r} (dạng YYYY-MM-DD).") from None
        counts = signals.refresh(day)
        if not signals.regions_active():
            self.stdout.write(
                "Chưa đặt OCOP_SCAN_REGION_HEADER: dấu hiệu “quét ở vùng xa nơi sản xuất” không được tính."
            )
        self.stdout.write(
            f"{format_date(day)}: {counts['found']} dấu hiệu, {counts['created']} mới, "
            f"{counts['updated']} cập nhật, {counts['reopened']} mở lại."
        )
