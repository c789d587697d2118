"""signals: notifications, queue items and extension points of this part (from apps.ready).

Queue item "Dấu hiệu rủi ro mới" for province officers: the open signals of their province (one
aggregate query), linking to the list filtered to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ocop.core import queues
from ocop.core.scoping import PROVINCE, VIEW


def _new_signals(user: Any, today: dt.date) -> queues.Item:
    from ..models import ScanSignal, SignalStatus

    values = (
        ScanSignal.objects.restrict(user, VIEW)
        .filter(status=SignalStatus.OPEN)
        .order_by()
        .aggregate(n=Count("pk"), since=Min("first_day"))
    )
    return queues.Item(
        "oversight_signals_open",
        _("Dấu hiệu rủi ro mới"),
        values["n"] or 0,
        f"{reverse('oversight:signal_list')}?{urlencode({'status': SignalStatus.OPEN})}",
        values["since"],
        due_kind=queues.SINCE,
        today=today,
    )


def register() -> None:
    queues.providers.register(
        queues.Provider("oversight_signals_open", frozenset({PROVINCE}), _new_signals, order=95)
    )
