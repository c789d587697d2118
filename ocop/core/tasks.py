"""Background tasks of the core (Django's task framework; `ocop db_worker` runs the queued ones).

The e-mail of a notification is composed here too: `ocop.core.notifications` queues the task and
imports this module, never the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import EmailOptOut, Notification


def absolute_url(path: str) -> str:
    """A link for an e-mail: OCOP_PUBLIC_URL + path (just the path when the address is not configured)."""
    base = str(getattr(settings, "OCOP_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}{path}" if path and base else path


def email_content(notification: Notification) -> tuple[str, str]:
    """(subject, body) of the notification's e-mail, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"[OCOP] {notification.title}"
        lines = [notification.text] if notification.text else []
        if notification.url:
            lines.append(_("Xem chi tiết: %(url)s") % {"url": absolute_url(notification.url)})
        lines.append(_("Thư gửi tự động từ Nền tảng quản lý Chương trình OCOP; xin đừng trả lời thư này."))
        return " ".join(subject.split()), "\n\n".join(lines).rstrip() + "\n"


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification to its recipient, once; False when there is nothing (more) to send."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None:
            return False  # deleted meanwhile, or a retried task whose mail already went
        address = notification.user.email
        if not address or not notification.user.is_active:
            return False
        if EmailOptOut.objects.filter(user_id=notification.user_id, kind=notification.kind).exists():
            return False  # turned off after it was queued
        subject, body = email_content(notification)
        EmailMessage(subject, body, None, [address]).send(using="default")
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
