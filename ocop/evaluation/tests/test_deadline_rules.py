"""Working days of the commune's deadline (QĐ 26/2026 Art. 7.2) on Vietnam's public calendar."""

from __future__ import annotations

import datetime as dt

from ocop.evaluation import rules


def test_tet_is_not_a_working_day():
    # Tết Bính Ngọ 2026: 16–20/02 (Monday to Friday) are days off, announced with the lunar new year.
    assert {dt.date(2026, 2, d) for d in range(16, 21)} <= rules.public_holidays(2026)
    # Received Monday 09/02: 4 days that week, Tết week skipped, 10 in the next two weeks, then 09/03.
    assert rules.add_working_days(dt.date(2026, 2, 9), rules.COMMUNE_WORKING_DAYS) == dt.date(2026, 3, 9)
    assert rules.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1


def test_holidays_on_a_weekend_move_to_a_working_day():
    # Giỗ Tổ Hùng Vương 2026 falls on Sunday 26/04; the day off is Monday 27/04.
    assert dt.date(2026, 4, 27) in rules.public_holidays(2026)
    assert rules.add_working_days(dt.date(2026, 4, 24), 1) == dt.date(2026, 4, 28)


def test_configured_days_off_are_added_to_the_public_ones():
    plain = rules.add_working_days(dt.date(2026, 4, 20), 15)
    assert plain == dt.date(2026, 5, 14)  # 27/04, 30/04 and 01/05 skipped
    assert rules.add_working_days(dt.date(2026, 4, 20), 15, [dt.date(2026, 5, 4)]) == dt.date(2026, 5, 15)
    # A configured day that is already a public holiday changes nothing.
    assert rules.add_working_days(dt.date(2026, 4, 20), 15, [dt.date(2026, 4, 30)]) == plain


def test_a_deadline_spanning_new_year_reads_both_calendars():
    # 31/12/2026 received; 01/01/2027 is a public holiday, so 15 days end on 22/01/2027.
    assert rules.add_working_days(dt.date(2026, 12, 31), 15) == dt.date(2027, 1, 22)


def test_round_cut_offs_read_before_strictly_in_both_halves_of_article_5():
    # Province round 1: proposals "trước ngày 30 tháng 4", finished "trước ngày 30 tháng 6".
    first = rules.round_dates(rules.PROVINCE, 2026, 1)
    assert (first.proposals_by, first.closes_by) == (dt.date(2026, 4, 30), dt.date(2026, 6, 30))
    assert rules.round_for_proposal(rules.PROVINCE, dt.date(2026, 4, 29)) == (2026, 1)
    assert rules.round_for_proposal(rules.PROVINCE, dt.date(2026, 4, 30)) == (2026, 2)
    assert rules.round_for_proposal(rules.PROVINCE, dt.date(2026, 10, 30)) == (2027, 1)
    assert rules.missed_proposal_date(dt.date(2026, 4, 30), first.proposals_by)
    assert not rules.missed_proposal_date(dt.date(2026, 4, 29), first.proposals_by)
    # Ministry (Art. 5.2): round 2 takes proposals before 30/01 of the next year.
    assert rules.round_for_proposal(rules.CENTRAL, dt.date(2027, 1, 29)) == (2026, 2)
    assert rules.round_for_proposal(rules.CENTRAL, dt.date(2027, 1, 30)) == (2027, 1)


def test_art_12_2_completion_limits_for_dossiers_filed_before_22_05_2026():
    # "không quá 60 ngày" (first, upgrade) / "30 ngày" (re-evaluation), "kể từ ngày Quyết định này
    # có hiệu lực" (22/05/2026).
    assert rules.transition_deadline("first", dt.date(2026, 5, 21)) == dt.date(2026, 7, 21)
    assert rules.transition_deadline("upgrade", dt.date(2026, 3, 1)) == dt.date(2026, 7, 21)
    assert rules.transition_deadline("reevaluation", dt.date(2026, 5, 21)) == dt.date(2026, 6, 21)
    assert rules.transition_deadline("first", dt.date(2026, 5, 22)) is None
    assert rules.transition_deadline("first", None) is None
