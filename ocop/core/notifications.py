"""Sending notifications: an in-app row per recipient, and an e-mail queued as a background task.

    notify(users, kind="...", subject=gettext_noop("… %(name)s"), message=gettext_noop("…"),
           params={"name": ...}, url=obj.get_absolute_url())

Subject and message are Vietnamese msgids (mark them with gettext_noop so makemessages finds
them); they are translated when shown. The e-mail goes through Django's task framework
(`send_notification_email`, run by `ocop db_worker`) once the transaction commits, in the
platform's language (settings.LANGUAGE_CODE), to recipients who have an e-mail address.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from .models import Notification
from .tasks import send_notification_email


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    subject: str,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct user; their e-mails are queued when the transaction commits."""
    created = []
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        notification = Notification(
            user=user, kind=kind, subject=subject, message=message, params=dict(params or {}), url=url
        )
        notification.save()
        created.append(notification)
        if email and user.email:
            transaction.on_commit(lambda pk=notification.pk: queue_email(pk))
    return created


def queue_email(notification_id: int) -> None:
    send_notification_email.enqueue(notification_id)


def unread(user: Any) -> QuerySet[Notification]:
    """The user's own unread notifications (never anyone else's, whatever the role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True)
