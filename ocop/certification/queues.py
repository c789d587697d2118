"""The certification module's "Việc cần làm" (ocop.core.queues): certificates whose re-evaluation
window is open and that have no re-evaluation dossier yet (Art. 7.6.a).

The count is the expiring page's ``?state=open&dossier=no`` (ocop.certification.lifecycle_views):
valid today, inside the window of ``reminders.state_condition``, no filing but withdrawn ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ocop.core import queues
from ocop.core.scoping import COMMUNE, PRODUCER, PROVINCE, VIEW

from . import reminders
from .models import Certificate


def in_window_without_dossier(user: Any, today: dt.date) -> Any:
    """The certificates of the item, on the user's scoped queryset."""
    opens_days, _closes_days = reminders.window_days(today)
    return (
        Certificate.objects.restrict(user, VIEW)
        .order_by()
        .expiring_within(opens_days, today)  # the page's default ?days= (when the window opens)
        .filter(reminders.state_condition(reminders.WindowState.OPEN, today), reminders.followed())
        .filter(~Exists(reminders.reevaluation_dossiers()))
    )


def _reevaluation_due(user: Any, today: dt.date) -> queues.Item:
    values = in_window_without_dossier(user, today).aggregate(n=Count("pk"), expiry=Min("expiry"))
    # The nearest deadline: the day the window of the first certificate to expire closes.
    _opens_days, closes_days = reminders.window_days(today)
    due = values["expiry"] - dt.timedelta(days=closes_days) if values["expiry"] else None
    url = reverse("certification:certificate_expiring")
    state = reminders.WindowState.OPEN
    return queues.Item(
        "certificates_reevaluation",
        _("Giấy chứng nhận đến hạn nộp hồ sơ đánh giá lại"),
        values["n"] or 0,
        f"{url}?{urlencode({'state': state, 'dossier': 'no'})}",
        due,
        today=today,
    )


def register() -> None:
    """Called from CertificationConfig.ready()."""
    queues.providers.register(
        queues.Provider(
            "certificates_reevaluation", frozenset({PRODUCER, COMMUNE, PROVINCE}), _reevaluation_due, order=80
        )
    )
