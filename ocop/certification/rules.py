"""Certificate date rules of QĐ 26/2026/QĐ-TTg (plain Python, no Django).

- Validity: 36 months from the date of issue (Art. 4.3).
- Re-evaluation dossier: no earlier than 180 and no later than 120 days before expiry (Art. 7.6.a).

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
from typing import Literal

__all__ = [
    "VALIDITY_MONTHS",
    "CertificateStatus",
    "add_months",
    "certificate_expiry",
    "certificate_status_on",
    "reevaluation_window",
]

VALIDITY_MONTHS = 36
REEVALUATION_OPENS_DAYS = 180  # earliest submission, days before expiry
REEVALUATION_CLOSES_DAYS = 120  # latest submission, days before expiry

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
    issue_date: dt.date, today: dt.date, revoked_on: dt.date | None = None
) -> CertificateStatus:
    """Status of a certificate on ``today``; a revocation in force wins over expiry."""
    if today < issue_date:
        raise ValueError(
            f"Ngày xét ({today:%d/%m/%Y}) trước ngày cấp giấy chứng nhận ({issue_date:%d/%m/%Y})."
        )
    if revoked_on is not None and revoked_on <= today:
        return "revoked"
    return "valid" if today <= certificate_expiry(issue_date) else "expired"


def reevaluation_window(expiry: dt.date) -> tuple[dt.date, dt.date]:
    """(opens, closes), both inclusive: 180 and 120 days before ``expiry``."""
    return (
        expiry - dt.timedelta(days=REEVALUATION_OPENS_DAYS),
        expiry - dt.timedelta(days=REEVALUATION_CLOSES_DAYS),
    )
