"""Expiry of evidence documents (pure Python): a paper is valid through its expiry date."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

# How far ahead the pages warn (days); the expiring list lets the user choose another window.
EXPIRING_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3650


class ExpiryStatus(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"


def expiry_status(
    expiry_date: date | None, today: date, window_days: int = EXPIRING_WINDOW_DAYS
) -> ExpiryStatus | None:
    """None without an expiry date; EXPIRED after it; EXPIRING within `window_days` of it (inclusive)."""
    if expiry_date is None:
        return None
    if expiry_date < today:
        return ExpiryStatus.EXPIRED
    if expiry_date <= today + timedelta(days=window_days):
        return ExpiryStatus.EXPIRING
    return ExpiryStatus.VALID


def window_end(today: date, days: int) -> date:
    """The last expiry date inside an N-day window starting today."""
    return today + timedelta(days=days)
