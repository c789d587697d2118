"""Việc cần làm: the work waiting for a user, gathered from the apps that own it.

Core cannot import the apps above it, so each app offers its queue items here from its
``AppConfig.ready()`` (the evaluation app its dossiers, rounds and sessions, certification its
certificates in their re-evaluation window, the registry its change requests) and the home page
only collects them::

    from ocop.core import queues
    queues.providers.register(queues.Provider("dossiers_returned", frozenset({PRODUCER}), build))

A provider's ``build(user, today)`` answers with one `Item`: how many records wait (counted on the
user's scoped queryset, ``restrict(user, "view")``, so nothing out of scope is counted), the nearest
deadline or the oldest waiting date, and the URL of the list filtered to exactly those records.
Each build is one aggregate query whatever the data size (the home page's query count is tested).
With a stamp (``collect(user, stamp=datacache.stamp())``) an item is cached until an audited record
changes (``ocop.core.datacache``); a provider that counts anything else registers with
``cached=False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import clock, datacache

DUE = "due"  # Item.due is the nearest deadline
SINCE = "since"  # Item.due is the oldest record's waiting date (work without a legal deadline)


@dataclass(frozen=True)
class Item:
    """One line of the queue: a kind of work, its count and where to do it."""

    key: str
    label: str
    count: int
    url: str
    due: dt.date | None = None
    due_kind: str = DUE  # DUE or SINCE: what `due` means
    today: dt.date | None = None

    @property
    def overdue(self) -> bool:
        """A deadline already past (a waiting date is never "overdue" by itself)."""
        if self.due_kind != DUE or self.due is None or self.today is None:
            return False
        return self.due < self.today


@dataclass(frozen=True)
class Provider:
    """A kind of work for some roles; ``build(user, today)`` counts it for one user in one query."""

    key: str
    roles: frozenset[str]
    build: Callable[[Any, dt.date], Item]
    order: int = 100
    cached: bool = True  # build() counts audited records only (ocop.core.datacache)


class _Providers:
    def __init__(self) -> None:
        self._items: dict[str, Provider] = {}

    def register(self, provider: Provider) -> None:
        self._items[provider.key] = provider

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def all(self) -> list[Provider]:
        return sorted(self._items.values(), key=lambda provider: (provider.order, provider.key))

    def for_role(self, role: str | None) -> list[Provider]:
        return [provider for provider in self.all() if role in provider.roles]


providers = _Providers()


def collect(user: Any, today: dt.date | None = None, stamp: datacache.Stamp | None = None) -> list[Item]:
    """The queue of ``user``: one item per provider of the user's role, in the providers' order.

    Inactive and anonymous users have none; a role without providers (the read-only viewer) neither.
    With a ``stamp`` (`datacache.stamp()`), items counted under it come from the cache.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    day = today or clock.today()
    items = []
    for provider in providers.for_role(getattr(user, "role", None)):
        if provider.cached:
            key = ("queue", provider.key, user.pk, day)
            items.append(datacache.get_or_build(stamp, key, lambda p=provider: p.build(user, day)))
        else:
            items.append(provider.build(user, day))
    return items


__all__ = ["DUE", "SINCE", "Item", "Provider", "collect", "providers"]
