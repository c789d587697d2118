from datetime import date

from ocop.documents.rules import ExpiryStatus, expiry_status

TODAY = date(2026, 3, 1)


def test_expiry_status_around_the_window():
    assert expiry_status(None, TODAY) is None
    assert expiry_status(date(2026, 2, 28), TODAY) == ExpiryStatus.EXPIRED
    assert expiry_status(TODAY, TODAY) == ExpiryStatus.EXPIRING  # still valid on its last day
    assert expiry_status(date(2026, 5, 30), TODAY) == ExpiryStatus.EXPIRING  # day 90
    assert expiry_status(date(2026, 5, 31), TODAY) == ExpiryStatus.VALID
    assert expiry_status(date(2026, 3, 31), TODAY, window_days=29) == ExpiryStatus.VALID
