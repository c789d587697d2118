"""reports: notifications, queue items and extension points of this part (from apps.ready).

- the notification kind of a new consumer report (``intake.NOTICE_KIND``);
- the home page's queue item "Phản ánh mới cần xử lý" (``ocop.core.queues``);
- the "Báo cáo vi phạm / phản ánh" button of the public pages (``ocop.public.extensions``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from ocop.core import queues
from ocop.core.scoping import ADMIN, CENTRAL, CHANGE, NATIONAL_ROLES, PROVINCE
from ocop.public import extensions

QUEUE_KEY = "consumer_reports_new"


def report_button(page: str, code: str) -> str:
    """A plain link to the report form of this code: the same for every visitor, so the public
    page that shows it stays cacheable (no form, no token here)."""
    url = reverse("oversight_public:report_form")
    if code:
        url = f"{url}?{urlencode({'code': code[:64]})}"
    return render_to_string("oversight/public/report_button.html", {"url": url, "page": page})


def new_reports(user: Any, today: dt.date) -> queues.Item:
    """New reports the user handles: their province's; for the national agency, those whose
    province is unknown (routed to it)."""
    from ..filtersets.reports import NO_PROVINCE
    from ..models import ConsumerReport, ReportStatus

    waiting = ConsumerReport.objects.restrict(user, CHANGE).order_by().filter(status=ReportStatus.NEW)
    query = {"status": ReportStatus.NEW}
    if getattr(user, "role", None) in NATIONAL_ROLES:
        waiting = waiting.filter(province__isnull=True)
        query["routed"] = NO_PROVINCE
    values = waiting.aggregate(n=Count("pk"), since=Min("created"))
    return queues.Item(
        QUEUE_KEY,
        _("Phản ánh mới cần xử lý"),
        values["n"] or 0,
        f"{reverse('oversight:report_list')}?{urlencode(query)}",
        timezone.localdate(values["since"]) if values["since"] else None,
        due_kind=queues.SINCE,
        today=today,
    )


def register() -> None:
    from .. import intake

    intake.register()
    queues.providers.register(
        queues.Provider(QUEUE_KEY, frozenset({ADMIN, CENTRAL, PROVINCE}), new_reports, order=300)
    )
    extensions.page_actions.register(extensions.PageAction("consumer_report", report_button))
