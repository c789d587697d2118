"""plans: the home page's "Việc cần làm" item of this part (from apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ocop.core import queues
from ocop.core.scoping import ADMIN, CENTRAL, PROVINCE, VIEW

QUEUE_KEY = "oversight_planned_inspections"


def _planned_inspections(user: Any, today: dt.date) -> queues.Item:
    """Inspections not yet done in the active plans the user may act on; due = nearest plan end."""
    from ..models import Inspection, InspectionStatus, PlanStatus

    waiting = (
        Inspection.objects.restrict(user, VIEW)
        .order_by()
        .filter(status=InspectionStatus.PLANNED, plan__status=PlanStatus.ACTIVE)
    )
    values = waiting.aggregate(n=Count("pk"), due=Min("plan__ends_on"))
    url = reverse("oversight:inspection_list")
    return queues.Item(
        QUEUE_KEY,
        _("Cuộc kiểm tra chưa thực hiện"),
        values["n"] or 0,
        f"{url}?{urlencode({'status': InspectionStatus.PLANNED, 'plan_status': PlanStatus.ACTIVE})}",
        values["due"],
        due_kind=queues.DUE,
        today=today,
    )


def register() -> None:
    queues.providers.register(
        queues.Provider(QUEUE_KEY, frozenset({ADMIN, CENTRAL, PROVINCE}), _planned_inspections, order=70)
    )
