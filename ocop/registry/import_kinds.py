"""The kinds of `ocop import`: the registry's own (producers, products) and those of higher apps.

The command lives in the registry, which must not import the apps above it; an app whose data
`ocop import` also reads (the certification history) registers its importer from its
AppConfig.ready():

    from ocop.registry import import_kinds

    import_kinds.register("history", "ocop.evaluation.io.import_file")

An importer is `import_file(file, filename, user, *, dry_run=False, progress=None) -> ImportResult`
(core.tabular), given as a callable or as a dotted path imported on first use (startup stays
light). One whose signature has a `kind` parameter serves several kinds and is called with the
kind first, as `ocop.registry.io.import_file("producers", file, …)`. `ocop import` offers the kinds
in the order they were registered: the registry's first, then the apps in INSTALLED_APPS order.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ocop.core.tabular import ImportResult

Importer = Callable[..., ImportResult]

_KINDS: dict[str, Importer | str] = {}


def register(kind: str, importer: Importer | str) -> None:
    """Offer `kind` to `ocop import`; registering the same importer again is harmless."""
    if _KINDS.get(kind, importer) != importer:
        raise ImproperlyConfigured(
            f"ocop import: the kind {kind!r} is already registered ({_KINDS[kind]!r})."
        )
    _KINDS[kind] = importer


def kinds() -> tuple[str, ...]:
    return tuple(_KINDS)


def importer(kind: str) -> Importer:
    """The importer of `kind`, to call as import_file(file, filename, user, dry_run=…, progress=…)."""
    target = _KINDS[kind]
    function = import_string(target) if isinstance(target, str) else target
    if "kind" in inspect.signature(function).parameters:
        return functools.partial(function, kind)
    return function


register("producers", "ocop.registry.io.import_file")
register("products", "ocop.registry.io.import_file")
