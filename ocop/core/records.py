"""Small helpers about model instances, shared by apps that validate before they write."""

from __future__ import annotations

from django.db import models


def stored_value(obj: models.Model, field: str) -> object:
    """The value of ``field`` as stored (not on the instance): a record is frozen by its stored state."""
    return type(obj)._base_manager.filter(pk=obj.pk).values_list(field, flat=True).first()


def related_or_none(obj: models.Model, name: str) -> models.Model | None:
    """A related object, saved or not (an importer validates before it writes anything)."""
    field = obj._meta.get_field(name)
    if field.is_cached(obj):
        return field.get_cached_value(obj)
    return getattr(obj, name) if getattr(obj, field.attname) is not None else None
