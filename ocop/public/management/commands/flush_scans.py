"""`ocop flush-scans`: write the buffered scan counts to the database (ScanCount).

Run it from cron every minute (or five), e.g. ``* * * * * /srv/ocop/.venv/bin/ocop flush-scans``,
when the servers share a Redis cache (``REDIS_URL``). Without Redis each web process keeps its own
counters in memory and flushes them itself (every minute, after a response, and when it exits), so
this command finds nothing to write. ``--all`` also takes the current minute (normally left for
late writers).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ocop.public import scans


class Command(BaseCommand):
    help = "Ghi số lượt quét đang đệm vào cơ sở dữ liệu (chạy mỗi phút khi dùng Redis)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Ghi cả phút hiện tại.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not scans.shared():
            self.stderr.write(
                "Bộ nhớ đệm không dùng chung (chưa đặt REDIS_URL): mỗi tiến trình web tự ghi lượt quét "
                "của mình; lệnh này không có gì để ghi."
            )
        rows = scans.flush(include_current=options["all"])
        self.stdout.write(f"Đã ghi {rows} dòng lượt quét.")
