"""`ocop remind`: today's re-evaluation and expiry reminders (QĐ 26/2026/QĐ-TTg Art. 7.6.a).

Run it once a day from cron, e.g. ``15 6 * * * /srv/ocop/.venv/bin/ocop remind``. It writes each
reminder once (re-running the same day, or the next, sends nothing twice), an in-app
notification per recipient (the producer's accounts, the commune and province officers), and
queues their e-mails as background tasks: `ocop db_worker` must be running to send them.

Options: ``--date YYYY-MM-DD`` acts as if it were that day (to catch up or rehearse);
``--dry-run`` lists what is due without writing or sending anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.certification import reminders
from ocop.core import clock
from ocop.core.formatting import format_date


class Command(BaseCommand):
    help = "Gửi nhắc việc đánh giá lại và giấy chứng nhận hết hiệu lực đến hạn hôm nay (chạy hằng ngày)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Ngày xét, dạng YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không ghi và không gửi.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = clock.today()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Ngày không hợp lệ: {options['date']!r} (dạng YYYY-MM-DD).") from None
        if options["dry_run"]:
            due = reminders.due_reminders(day)
            for item in due:
                self.stdout.write(self._line(item))
            self.stdout.write(f"{format_date(day)}: {len(due)} nhắc việc đến hạn (chạy thử, chưa gửi).")
            return
        sent = reminders.run(day)
        for item, count in sent:
            if options["verbosity"] > 1:
                self.stdout.write(f"{self._line(item)} → {count} người nhận")
        notifications = sum(count for _item, count in sent)
        self.stdout.write(f"{format_date(day)}: đã gửi {len(sent)} nhắc việc, {notifications} thông báo.")

    @staticmethod
    def _line(item: reminders.Due) -> str:
        certificate = item.certificate
        return (
            f"{certificate.code} · {certificate.product.name} · {item.kind} "
            f"(hết hiệu lực sau {format_date(certificate.expiry)})"
        )
