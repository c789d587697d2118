"""Background tasks of the core (Django's task framework; `ocop db_worker` runs the queued ones)."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import Notification
from .notifications import email_content


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
        subject, body = email_content(notification)
        EmailMessage(subject, body, None, [address]).send(using="default")
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True
