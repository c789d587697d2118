"""The day statuses are computed for when none is given: ``clock.today()``.

One definition for every app (certificate status, product status, public pages, reminders).
Callers write ``clock.today()`` (not ``from … import today``) so that tests can fix "today" with
``monkeypatch.setattr(clock, "today", lambda: DAY)``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """The real local date (settings.TIME_ZONE)."""
    return timezone.localdate()
