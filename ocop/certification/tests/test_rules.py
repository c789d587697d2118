"""Certificate date rules (QĐ 26/2026 Art. 4.3, 7.6.a) in ocop.certification.rules."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.certification.rules import (
    add_months,
    certificate_expiry,
    certificate_status_on,
    reevaluation_window,
)

D = dt.date
issue_dates = st.dates(min_value=D(2018, 1, 1), max_value=D(2060, 12, 31))


def test_issue_examples():
    # 4★ issued 10/01/2023: expired on 23/11/2026 (it ran out on 10/01/2026).
    assert certificate_expiry(D(2023, 1, 10)) == D(2026, 1, 10)
    assert certificate_status_on(D(2023, 1, 10), D(2026, 11, 23)) == "expired"
    # Issued 10/01/2025: valid until 10/01/2028, that day included.
    assert certificate_expiry(D(2025, 1, 10)) == D(2028, 1, 10)
    assert certificate_status_on(D(2025, 1, 10), D(2026, 11, 23)) == "valid"
    assert certificate_status_on(D(2025, 1, 10), D(2028, 1, 10)) == "valid"
    assert certificate_status_on(D(2025, 1, 10), D(2028, 1, 11)) == "expired"


def test_lam_dong_record():
    # A real 3★ decision [ocop-rules.md S3]: issued 16/06/2025, expiry recorded as 2028-06-16.
    assert certificate_expiry(D(2025, 6, 16)) == D(2028, 6, 16)


def test_leap_day_and_month_ends():
    assert certificate_expiry(D(2024, 2, 29)) == D(2027, 2, 28)
    assert certificate_expiry(D(2025, 2, 28)) == D(2028, 2, 28)  # not 29/02/2028
    assert certificate_expiry(D(2023, 12, 31)) == D(2026, 12, 31)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)


def test_revocation():
    issued = D(2025, 1, 10)
    assert certificate_status_on(issued, D(2026, 3, 1), revoked_on=D(2026, 3, 1)) == "revoked"
    assert certificate_status_on(issued, D(2026, 2, 28), revoked_on=D(2026, 3, 1)) == "valid"
    # A revoked certificate stays revoked after its expiry date.
    assert certificate_status_on(issued, D(2029, 1, 1), revoked_on=D(2026, 3, 1)) == "revoked"


def test_status_before_issue_is_an_error():
    with pytest.raises(ValueError, match="trước ngày cấp"):
        certificate_status_on(D(2025, 1, 10), D(2025, 1, 9))


def test_reevaluation_window_example():
    assert reevaluation_window(D(2028, 1, 10)) == (D(2027, 7, 14), D(2027, 9, 12))


@given(issued=issue_dates)
def test_expiry_is_36_months_same_day_or_month_end(issued):
    expiry = certificate_expiry(issued)
    assert (expiry.year - issued.year) * 12 + expiry.month - issued.month == 36
    if expiry.day != issued.day:
        assert (issued.month, issued.day) == (2, 29) and expiry.day == 28
    assert 1094 <= (expiry - issued).days <= 1097


@given(issued=issue_dates, offset=st.integers(0, 1200), revoked=st.none() | st.integers(0, 1500))
def test_status_is_consistent(issued, offset, revoked):
    today = issued + dt.timedelta(days=offset)
    revoked_on = None if revoked is None else issued + dt.timedelta(days=revoked)
    status = certificate_status_on(issued, today, revoked_on)
    if revoked_on is not None and revoked_on <= today:
        assert status == "revoked"
    elif today <= certificate_expiry(issued):
        assert status == "valid"
    else:
        assert status == "expired"


@given(issued=issue_dates)
def test_status_changes_exactly_after_expiry(issued):
    expiry = certificate_expiry(issued)
    assert certificate_status_on(issued, issued) == "valid"
    assert certificate_status_on(issued, expiry) == "valid"
    assert certificate_status_on(issued, expiry + dt.timedelta(days=1)) == "expired"


@given(expiry=issue_dates)
def test_reevaluation_window_properties(expiry):
    opens, closes = reevaluation_window(expiry)
    assert (expiry - opens).days == 180
    assert (expiry - closes).days == 120
    assert opens < closes < expiry
