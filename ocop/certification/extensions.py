"""Extension points of the certification app, filled in by the apps above it.

Re-evaluation filings (Art. 7.6.a)
----------------------------------
A certificate is re-evaluated through a dossier filed before it expires. Certification does not
know where those filings live (they are the evaluation app's dossiers), yet the reminders
(``ocop remind``: nothing submitted yet?) and the expiring-certificates page (the latest filing,
its status, a link) need them. The app that owns the filings registers a provider, once, from its
``AppConfig.ready()``::

    from ocop.certification import extensions
    extensions.register_filings(MyFilings())

A provider has three methods:

``filings(submitted_only: bool = False) -> QuerySet``
    The re-evaluation filings of the certificate of the *outer* query (``OuterRef("pk")`` on
    Certificate), for ``Exists(...)`` and ``Subquery(...)``. Rows have ``pk``, ``status`` and
    ``created``; withdrawn filings are left out, and with ``submitted_only`` also those not yet
    submitted (drafts).
``status_label(status: str) -> str``
    A filing status in words.
``detail_url(pk: int) -> str``
    The page of one filing.

With no provider registered there are no filings: ``filings()`` is an empty queryset (Django
compiles ``Exists`` over it to FALSE and ``Subquery`` to NULL, on every backend).

Certificate page actions
------------------------
Buttons that apps above add to a certificate's page (the public app: its verification page, QR
codes and stamp sheet). ``register_certificate_action(render)`` with
``render(request, certificate) -> str`` (HTML); they are shown in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.db.models import CharField, QuerySet, Value

__all__ = [
    "FilingsProvider",
    "NoFilings",
    "filing_status_label",
    "filing_url",
    "filings",
    "filings_provider",
    "register_certificate_action",
    "register_filings",
    "render_certificate_actions",
]


class FilingsProvider(Protocol):
    def filings(self, submitted_only: bool = False) -> QuerySet: ...

    def status_label(self, status: str) -> str: ...

    def detail_url(self, pk: int) -> str: ...


class NoFilings:
    """The default: no app files re-evaluations."""

    def filings(self, submitted_only: bool = False) -> QuerySet:
        from .models import Certificate

        # Empty, with the columns callers read (pk, created, status) so .values()/order_by() work.
        return Certificate.objects.none().annotate(status=Value("", output_field=CharField()))

    def status_label(self, status: str) -> str:
        return str(status)

    def detail_url(self, pk: int) -> str:
        return ""


_filings: FilingsProvider = NoFilings()


def register_filings(provider: FilingsProvider) -> None:
    """Make ``provider`` the source of re-evaluation filings (the last registration wins)."""
    global _filings
    _filings = provider


def filings_provider() -> FilingsProvider:
    return _filings


def filings(submitted_only: bool = False) -> QuerySet:
    """Re-evaluation filings of the outer query's certificate (see the module docstring)."""
    return _filings.filings(submitted_only=submitted_only)


def filing_status_label(status: str) -> str:
    return _filings.status_label(status)


def filing_url(pk: int) -> str:
    return _filings.detail_url(pk)


# --- certificate page actions -------------------------------------------------------------------

_actions: dict[str, Callable[[Any, Any], str]] = {}


def register_certificate_action(render: Callable[[Any, Any], str]) -> None:
    """Add ``render(request, certificate) -> HTML`` to the certificate page's actions (once per function)."""
    _actions[f"{render.__module__}.{render.__qualname__}"] = render


def render_certificate_actions(request: Any, certificate: Any) -> list[str]:
    return [render(request, certificate) for render in _actions.values()]
