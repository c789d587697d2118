"""The registry's "Việc cần làm" (ocop.core.queues): change requests waiting for an officer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ocop.core import queues
from ocop.core.scoping import ADMIN, CENTRAL, COMMUNE, PROVINCE, VIEW

from .models import ChangeRequest, ChangeRequestStatus


def _change_requests(user: Any, today: dt.date) -> queues.Item:
    pending = ChangeRequest.objects.restrict(user, VIEW).order_by().filter(status=ChangeRequestStatus.PENDING)
    values = pending.aggregate(n=Count("pk"), since=Min("requested_at"))
    url = reverse("registry:change_request_list")
    return queues.Item(
        "change_requests",
        _("Đề nghị thay đổi thông tin sản phẩm chờ duyệt"),
        values["n"] or 0,
        f"{url}?{urlencode({'status': ChangeRequestStatus.PENDING})}",
        timezone.localdate(values["since"]) if values["since"] else None,
        due_kind=queues.SINCE,
        today=today,
    )


def register() -> None:
    """Called from RegistryConfig.ready(); the officers who decide (ChangeRequest.scope)."""
    queues.providers.register(
        queues.Provider(
            "change_requests", frozenset({ADMIN, CENTRAL, PROVINCE, COMMUNE}), _change_requests, order=90
        )
    )
