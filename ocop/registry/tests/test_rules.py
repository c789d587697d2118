"""Certificate date rules (QĐ 26/2026 Art. 4.3, 7.6.a)."""

import datetime as dt

from ocop.registry.rules import certificate_expiry, certificate_status_on, reevaluation_window


def test_issue_examples():
    # 4★ issued 10/01/2023: expired by 23/11/2026.
    assert certificate_status_on(dt.date(2023, 1, 10), dt.date(2026, 11, 23)) == "expired"
    # Issued 10/01/2025: valid until 10/01/2028 inclusive.
    assert certificate_expiry(dt.date(2025, 1, 10)) == dt.date(2028, 1, 10)
    assert certificate_status_on(dt.date(2025, 1, 10), dt.date(2028, 1, 10)) == "valid"
    assert certificate_status_on(dt.date(2025, 1, 10), dt.date(2028, 1, 11)) == "expired"
    assert reevaluation_window(dt.date(2028, 1, 10)) == (dt.date(2027, 7, 14), dt.date(2027, 9, 12))
