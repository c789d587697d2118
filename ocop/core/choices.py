"""Choice labels built once per process and language, not once per row.

Django's ``get_FOO_display()`` flattens and normalises the field's choices on every call (and a
callable ``choices`` is called again each time); a 50-row list calls it hundreds of times. These
helpers give the same strings from a ``{value: label}`` map made once per field (or choices
class) and language.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language


@lru_cache(maxsize=1024)
def _field_labels(field: models.Field, language: str | None) -> Mapping[Any, str]:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


@lru_cache(maxsize=256)
def _enum_labels(choices: type[models.Choices], language: str | None) -> Mapping[Any, str]:
    return {member.value: str(member.label) for member in choices}


def field_labels(field: models.Field) -> Mapping[Any, str]:
    """{value: label in the active language} of a model field's choices."""
    return _field_labels(field, get_language())


def enum_labels(choices: type[models.Choices]) -> Mapping[Any, str]:
    """{value: label in the active language} of a choices class."""
    return _enum_labels(choices, get_language())


def choice_label(choices: type[models.Choices], value: Any) -> str:
    """``choices(value).label`` in the active language (the value itself when it is not a choice)."""
    return _enum_labels(choices, get_language()).get(value, value)


def display(instance: models.Model, name: str) -> Any:
    """``instance.get_<name>_display()``, from the cached labels."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    try:
        label = field_labels(field).get(make_hashable(value), value)
    except TypeError:  # an unhashable value: no label, as Django would say
        label = value
    return force_str(label, strings_only=True)
