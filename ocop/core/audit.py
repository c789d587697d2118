"""One audit mechanism for every model: django-simple-history records who, when, what and why,
grouped by the request that made the change.

Use `history = AuditedHistory()` on a model. The reason comes from the request (form field
`_reason` or header `X-Audit-Reason`, see core.middleware) or from `obj._change_reason`.
"""

import functools
import uuid

from django.db import models
from django.dispatch import receiver
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


class AuditFields(models.Model):
    """Extra columns on every historical table."""

    request_id = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        abstract = True


class AuditHistoryManager(HistoryManager):
    """simple-history builds a new manager class (``from_queryset``) at every ``obj.history``, and
    every save reads it to write its history row: about a third of the cost of that row. The class
    depends only on the queryset class, so it is built once."""

    @classmethod
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        return _manager_class(cls, queryset_class, class_name)


@functools.cache
def _manager_class(cls: type, queryset_class: type, class_name: str | None) -> type:
    return super(AuditHistoryManager, cls).from_queryset(queryset_class, class_name)


class _AuditedRecords(HistoricalRecords):
    def post_save(self, instance, created, using=None, **kwargs) -> None:
        # A save of fields the history leaves out only (a login's last_login) changes nothing the
        # history keeps: a row would be an empty change in the trail.
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def AuditedHistory(**kwargs) -> HistoricalRecords:  # noqa: N802 - reads like a field class
    kwargs.setdefault("bases", [AuditFields])
    kwargs.setdefault("history_manager", AuditHistoryManager)
    kwargs.setdefault("cascade_delete_history", False)
    return _AuditedRecords(**kwargs)


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
