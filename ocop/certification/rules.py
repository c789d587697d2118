"""Certificate date rules of QĐ 26/2026/QĐ-TTg (plain Python, no Django).

- Validity: 36 months from the date of issue (Art. 4.3).
- Re-evaluation dossier: no earlier than 180 and no later than 120 days before expiry (Art. 7.6.a).
  The window is data, per rulebook (``data/procedures.yaml``, ``procedure_on``): a filing is judged
  by the rulebook in force on the day it is filed (``reevaluation_filing``). Outside the window a
  re-evaluation is refused; after it closes and until expiry the product may still be filed as a
  new first-time dossier. Art. 12.3 (transitional) covers certificates whose window had already
  closed when the rulebook took effect: they may still file a re-evaluation until their expiry.
- Extension (Art. 12.3): a certificate whose re-evaluation dossier was filed stays valid after its
  expiry until the day before the result, for at most 180 days (``extension_end``). Read with
  Art. 7.6.a: the text names the holders that could not meet the window; a holder that did is
  treated alike (a result that comes after expiry must not leave an in-time filer without a
  certificate). The extension is stored on the certificate (``Certificate.extended_until``) by
  the evaluation workflow, so that the status stays one SQL/Python definition over its own row.

Date arithmetic (ocop-rules.md open question 13): the decision says "36 tháng kể từ ngày ban
hành" without saying how to count. We follow the Bộ luật Dân sự 2015 rules on time limits
(Art. 147–148): the day of issue is not counted, and a period in months ends at the end of the
corresponding day of the last month, or on the last day of that month when it has no such day.
So the expiry date is the same calendar day 36 months later (29/02 → 28/02), and the
certificate is still valid on that day; it is expired from the next day on. The Lâm Đồng
recognition data [S3] also writes expiry as the same calendar date + 3 years. We do not apply
Art. 148's extension of a deadline that falls on a weekend or holiday: validity is not a time
limit for doing something, and the certificate prints a fixed date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

__all__ = [
    "VALIDITY_MONTHS",
    "CertificateStatus",
    "add_months",
    "certificate_expiry",
    "certificate_status_on",
    "Filing",
    "Procedure",
    "extension_end",
    "procedure_on",
    "procedures",
    "reevaluation_filing",
    "reevaluation_window",
    "window_procedure",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "procedures.yaml"

VALIDITY_MONTHS = 36

CertificateStatus = Literal["valid", "expired", "revoked"]


def add_months(day: dt.date, months: int) -> dt.date:
    """Same calendar day ``months`` later, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def certificate_expiry(issue_date: dt.date) -> dt.date:
    """Last day of validity: the issue date + 36 months (same calendar day; 29/02 → 28/02)."""
    return add_months(issue_date, VALIDITY_MONTHS)


def certificate_status_on(
    issue_date: dt.date,
    today: dt.date,
    revoked_on: dt.date | None = None,
    extended_until: dt.date | None = None,
) -> CertificateStatus:
    """Status of a certificate on ``today``; a revocation in force wins over expiry, and the
    extension of Art. 12.3 (``extended_until``) keeps it valid past its printed expiry."""
    if today < issue_date:
        raise ValueError(
            f"Ngày xét ({today:%d/%m/%Y}) trước ngày cấp giấy chứng nhận ({issue_date:%d/%m/%Y})."
        )
    if revoked_on is not None and revoked_on <= today:
        return "revoked"
    if today <= certificate_expiry(issue_date):
        return "valid"
    return "valid" if extended_until is not None and today <= extended_until else "expired"


@dataclass(frozen=True, slots=True)
class Procedure:
    """The certificate dates of one rulebook (an entry of data/procedures.yaml)."""

    legal_basis: str
    effective_from: dt.date
    opens_days: int | None  # re-evaluation window, days before expiry (None: no window held)
    closes_days: int | None
    extension_days: int | None  # Art. 12.3 (None: no extension)
    source: str = ""

    def window(self, expiry: dt.date) -> tuple[dt.date, dt.date] | None:
        """(opens, closes), both inclusive, or None when this rulebook sets no window we hold."""
        if self.opens_days is None or self.closes_days is None:
            return None
        return expiry - dt.timedelta(days=self.opens_days), expiry - dt.timedelta(days=self.closes_days)


def _procedure(entry: dict) -> Procedure:
    window = entry.get("reevaluation_window")
    if window is not None and not 0 <= window["closes_days"] <= window["opens_days"]:
        raise ValueError(f"procedures.yaml {entry['legal_basis']}: closes_days must not exceed opens_days")
    return Procedure(
        legal_basis=str(entry["legal_basis"]),
        effective_from=entry["effective_from"],
        opens_days=int(window["opens_days"]) if window else None,
        closes_days=int(window["closes_days"]) if window else None,
        extension_days=int(entry["extension_days"]) if entry.get("extension_days") is not None else None,
        source=str(entry.get("source", "")),
    )


@cache
def procedures() -> tuple[Procedure, ...]:
    """Every rulebook's certificate dates, newest first (loaded once from data/procedures.yaml)."""
    with DATA_FILE.open(encoding="utf-8") as stream:
        entries = yaml.safe_load(stream)
    return tuple(sorted((_procedure(e) for e in entries), key=lambda p: p.effective_from, reverse=True))


def procedure_on(day: dt.date) -> Procedure:
    """The rulebook in force on ``day`` (the oldest held for a day before all of them)."""
    held = procedures()
    return next((p for p in held if p.effective_from <= day), held[-1])


def window_procedure(day: dt.date | None = None) -> Procedure:
    """The rulebook whose re-evaluation window applies on ``day``: the one in force then if it holds
    a window, else (and without ``day``) the newest that does (QĐ 26/2026: 180 and 120 days)."""
    if day is not None and (procedure := procedure_on(day)).opens_days is not None:
        return procedure
    return next(p for p in procedures() if p.opens_days is not None)


def reevaluation_window(expiry: dt.date, day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(opens, closes), both inclusive, under ``window_procedure(day)``."""
    window = window_procedure(day).window(expiry)
    assert window is not None
    return window


FilingVerdict = Literal["open", "early", "late", "expired", "transitional", "unchecked"]


@dataclass(frozen=True, slots=True)
class Filing:
    """Whether a re-evaluation dossier may be filed on a day, and why (``reevaluation_filing``)."""

    verdict: FilingVerdict
    opens: dt.date | None
    closes: dt.date | None
    procedure: Procedure

    @property
    def allowed(self) -> bool:
        return self.verdict in ("open", "transitional", "unchecked")

    @property
    def may_file_first_time(self) -> bool:
        """Too late to re-evaluate, but the certificate is still valid: file a first-time dossier."""
        return self.verdict == "late"


def reevaluation_filing(expiry: dt.date, day: dt.date) -> Filing:
    """May a re-evaluation dossier of a certificate expiring on ``expiry`` be filed on ``day``?

    - "open": inside the window of the rulebook in force on ``day`` (Art. 7.6.a);
    - "early" / "late": before it opens / after it closes (late: still valid, so a first-time
      dossier may be filed instead);
    - "expired": after the expiry (the certificate is gone: only a first-time dossier);
    - "transitional": the window had closed before that rulebook took effect, and the certificate
      is still valid (Art. 12.3);
    - "unchecked": the rulebook in force sets no window we hold.
    """
    procedure = procedure_on(day)
    window = procedure.window(expiry)
    if window is None:
        return Filing("expired" if day > expiry else "unchecked", None, None, procedure)
    opens, closes = window
    if day > expiry:
        verdict: FilingVerdict = "expired"
    elif day < opens:
        verdict = "early"
    elif day <= closes:
        verdict = "open"
    elif closes < procedure.effective_from:
        verdict = "transitional"
    else:
        verdict = "late"
    return Filing(verdict, opens, closes, procedure)


def extension_end(expiry: dt.date, filed_on: dt.date, result_on: dt.date | None = None) -> dt.date | None:
    """Last day of validity under Art. 12.3 for a re-evaluation filed on ``filed_on`` (None: no
    extension: filed after expiry, or the rulebook in force then grants none).

    The certificate stays valid until the result (the day before ``result_on``: the result governs
    from its own day), for at most ``extension_days`` after ``expiry``; never before ``expiry``."""
    days = procedure_on(filed_on).extension_days
    if days is None or filed_on > expiry:
        return None
    end = expiry + dt.timedelta(days=days)
    if result_on is not None:
        end = min(end, result_on - dt.timedelta(days=1))
    return end if end > expiry else None
