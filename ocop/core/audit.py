"""One audit mechanism for every model: django-simple-history records who, when, what and why,
grouped by the request that made the change.

Use `history = AuditedHistory()` on a model. The reason comes from the request (form field
`_reason` or header `X-Audit-Reason`, see core.middleware) or from `obj._change_reason`.
"""

import uuid

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class AuditFields(models.Model):
    """Extra columns on every historical table."""

    request_id = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        abstract = True


def AuditedHistory(**kwargs) -> HistoricalRecords:  # noqa: N802 - reads like a field class
    kwargs.setdefault("bases", [AuditFields])
    kwargs.setdefault("cascade_delete_history", False)
    return HistoricalRecords(**kwargs)


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


@receiver(pre_create_historical_record)
def _attach_request(sender, instance, history_instance, **kwargs) -> None:
    request = current_request()
    if request is None:
        return
    if not getattr(request, "audit_request_id", None):
        request.audit_request_id = uuid.uuid4().hex
    history_instance.request_id = request.audit_request_id
    reason = getattr(request, "audit_reason", "")
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason
