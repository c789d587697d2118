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

Revocation proposals
--------------------
A revocation rests on a conclusion (Art. 8.1 b–d: an inspection's; Art. 10.1.b: the Ministry's
review of a province's evaluation work). The app that holds those conclusions (oversight) registers
``register_revocation_proposals(provider)`` with ``provider(user, certificate) -> list[RevocationProposal]``:
the proposals about this certificate the user may see, oldest first. The certificate page lists them
(pending with their 15-day deadline, or decided once the certificate is revoked) and the revocation
form is pre-filled from the latest one (ground, conclusion date, reason). Without a provider, none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import CharField, QuerySet, Value

__all__ = [
    "FilingsProvider",
    "NoFilings",
    "RevocationProposal",
    "filing_status_label",
    "filing_url",
    "filings",
    "filings_provider",
    "register_certificate_action",
    "register_filings",
    "register_revocation_proposals",
    "render_certificate_actions",
    "revocation_proposals",
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


# --- revocation proposals -----------------------------------------------------------------------


@dataclass(frozen=True)
class RevocationProposal:
    """A conclusion asking for a certificate's revocation (what the revocation form is pre-filled with)."""

    basis: str  # what it rests on, in words ("Biên bản kiểm tra ngày 05/11/2026 — Kế hoạch …")
    ground: str  # a RevocationGround value (b, c, d…)
    concluded_on: dt.date  # the conclusion the 15-day deadline runs from (Art. 8.4)
    deadline: dt.date
    reason: str  # the revocation's reason, as proposed
    url: str = ""  # the page of the basis ("" when the user may not open it)
    proposed_by: str = ""  # who proposes (the inspecting body)

    @property
    def ground_label(self) -> str:
        from .models import RevocationGround

        return (
            str(RevocationGround(self.ground).label)
            if self.ground in RevocationGround.values
            else self.ground
        )


_proposals: dict[str, Callable[[Any, Any], list[RevocationProposal]]] = {}


def register_revocation_proposals(provider: Callable[[Any, Any], list[RevocationProposal]]) -> None:
    """Add ``provider(user, certificate) -> [RevocationProposal]`` (once per function)."""
    _proposals[f"{provider.__module__}.{provider.__qualname__}"] = provider


def revocation_proposals(user: Any, certificate: Any) -> list[RevocationProposal]:
    """Every registered provider's proposals about ``certificate`` for ``user``, oldest conclusion first."""
    found = [proposal for provider in _proposals.values() for proposal in provider(user, certificate)]
    return sorted(found, key=lambda proposal: proposal.concluded_on)
