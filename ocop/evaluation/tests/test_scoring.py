"""The scoring engine on a small hand-made sheet: totals, bands, minimums, knock-outs, stop rules.

The sheet is made here (not loaded from the law's data) so that every rule of the engine has a
case whose answer can be worked out by hand; the real sheets are tested in test_criteria_data.py.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.evaluation.criteria import Band, CriteriaError, Version, parse_sheet
from ocop.evaluation.scoring import (
    AnswerError,
    Council,
    Settings,
    evaluate,
    member_total,
    part_totals,
    round2,
)

VERSION = Version(
    id="test",
    legal_basis="QD26/2026",
    name="test",
    effective_from=dt.date(2026, 5, 22),
    parts={"A": 40, "B": 25, "C": 35},
    bands=tuple(Band(star, Fraction(low)) for star, low in ((5, 90), (4, 70), (3, 50), (2, 30), (1, 0))),
    has_sheets=True,
)


def _options(*specs):
    out = []
    for spec in specs:
        points, *rest = spec if isinstance(spec, tuple) else (spec,)
        option = {"text": f"{points} điểm", "points": points}
        for extra in rest:
            option.update(extra)
        out.append(option)
    return out


SHEET_DATA = {
    "version": "test",
    "sheet": "B99",
    "title": "Phiếu thử",
    "knockouts": [
        {"id": "K1", "criterion": None, "effect": "exclude", "text": "Giả mạo hồ sơ"},
        {"id": "K2", "criterion": "3.1", "effect": "stop", "text": "Có tạp chất: không đánh giá tiếp"},
    ],
    "parts": [
        {
            "code": "A",
            "name": "Phần A",
            "max": 40,
            "sections": [
                {
                    "code": "1",
                    "name": "Mục 1",
                    "max": 40,
                    "criteria": [
                        {
                            "code": "1.1",
                            "name": "Ghi nhãn",
                            "max": 20,
                            "options": _options(0, 10, (20, {"min_star": 4})),
                        },
                        {"code": "1.2", "name": "Bao bì", "max": 20, "options": _options(0, 10, 20)},
                    ],
                }
            ],
        },
        {
            "code": "B",
            "name": "Phần B",
            "max": 25,
            "sections": [
                {
                    "code": "2",
                    "name": "Mục 2",
                    "max": 25,
                    "criteria": [
                        {
                            "code": "2.1",
                            "name": "Câu chuyện",
                            "max": 15,
                            "options": _options(0, (5, {"min_star": 3}), (15, {"min_star": 5})),
                        },
                        {
                            "code": "2.2",
                            "name": "Cấu trúc câu chuyện",
                            "max": 10,
                            "applies_if": {"criterion": "2.1", "min_points": 5},
                            "options": _options(0, 10),
                        },
                    ],
                }
            ],
        },
        {
            "code": "C",
            "name": "Phần C",
            "max": 35,
            "sections": [
                {
                    "code": "3",
                    "name": "Mục 3",
                    "max": 35,
                    "criteria": [
                        {
                            "code": "3.1",
                            "name": "Cảm quan",
                            "max": 25,
                            "options": _options((0, {"knockout": "K2"}), 15, 25),
                        },
                        {"code": "3.2", "name": "Thị trường", "max": 10, "options": _options(0, 5, 10)},
                    ],
                }
            ],
        },
    ],
}
SHEET = parse_sheet(SHEET_DATA, VERSION.parts)
BEST = {"1.1": 3, "1.2": 3, "2.1": 3, "2.2": 2, "3.1": 3, "3.2": 3}


def test_all_best_options_give_100_and_five_stars():
    result = evaluate(SHEET, VERSION, [BEST, BEST, BEST])
    assert result.total == 100
    assert (result.band, result.star) == (5, 5)
    assert result.unmet_minimums == ()
    # At province level 90+ goes to the central council: only the Ministry recognises it.
    assert result.potential_five_star and not result.recognised
    assert result.outcome == "potential_five_star"
    central = evaluate(SHEET, VERSION, [BEST], level="central")
    assert central.outcome == "recognised" and central.recognised and not central.potential_five_star


def test_ninety_plus_missing_a_five_star_mark_is_referred_not_four_stars():
    """Art. 7.3.e: "tiềm năng đạt 5 sao (đạt từ 90 trở lên)" — the total decides the referral."""
    answers = {**BEST, "2.1": 2}  # 2.1 meets 3★ only (its 5★ mark missed): 100 - 10 = 90
    result = evaluate(SHEET, VERSION, [answers] * 3)
    assert (result.total, result.band, result.star) == (90, 5, 4)
    assert [(u.criterion, u.star) for u in result.unmet_minimums] == [("2.1", 5)]
    assert result.potential_five_star and result.outcome == "potential_five_star"
    assert not result.recognised  # the province does not recognise 4★ on its own
    assert result.as_dict()["recognised"] is False
    # The central council: 5★ minimums missed, so it returns 4★ for the province to recognise.
    central = evaluate(SHEET, VERSION, [answers] * 3, level="central")
    assert (central.star, central.outcome, central.recognised) == (4, "recognised", True)
    # The older reading, kept as a per-installation option: minimums first, the province gives 4★.
    older = evaluate(SHEET, VERSION, [answers] * 3, settings=Settings(referral="minimums"))
    assert (older.star, older.outcome, older.recognised, older.potential_five_star) == (
        4,
        "recognised",
        True,
        False,
    )
    assert evaluate(SHEET, VERSION, [BEST], settings=Settings(referral="minimums")).potential_five_star


def test_a_knocked_out_ninety_is_not_referred():
    result = evaluate(SHEET, VERSION, [BEST], knockouts=["K1"])
    assert result.total == 100 and result.knocked_out and not result.potential_five_star
    assert result.outcome == "knocked_out"


def test_unknown_referral_setting_is_refused():
    with pytest.raises(ValueError):
        Settings(referral="both")


def test_totals_89_90_90_are_band_four_not_five():
    # 89 = best minus 1.2 down 10 (…) — build three sheets summing to 89, 90, 90 exactly.
    sheet = parse_sheet(
        {
            **SHEET_DATA,
            "parts": [
                {**SHEET_DATA["parts"][0]},
                SHEET_DATA["parts"][1],
                {
                    **SHEET_DATA["parts"][2],
                    "sections": [
                        {
                            "code": "3",
                            "name": "Mục 3",
                            "max": 35,
                            "criteria": [
                                {
                                    "code": "3.1",
                                    "name": "Cảm quan",
                                    "max": 25,
                                    "options": _options(0, 15, 25),
                                },
                                {
                                    "code": "3.2",
                                    "name": "Thị trường",
                                    "max": 10,
                                    "options": _options(0, 9, 10),
                                },
                            ],
                        }
                    ],
                },
            ],
        }
    )
    low = {**BEST, "1.2": 2, "3.2": 2}  # 100 - 10 - 1 = 89
    ninety = {**BEST, "1.2": 2}  # 90
    result = evaluate(sheet, VERSION, [low, ninety, ninety])
    assert [float(t) for t in result.members] == [89.0, 90.0, 90.0]
    assert result.total == Fraction(269, 3)  # 89.666…, exact
    assert float(round2(result.total)) == 89.67
    assert (result.band, result.star) == (4, 4)


def test_a_missed_four_star_minimum_caps_at_three_and_is_listed():
    answers = {**BEST, "1.1": 2, "2.1": 2}  # 1.1 below its 4★ mark; 2.1 meets 3★ only: 100-10-10 = 80
    result = evaluate(SHEET, VERSION, [answers] * 3)
    assert result.total == 80 and result.band == 4
    assert result.star == 3 and result.recognised
    assert [(u.criterion, u.star) for u in result.unmet_minimums] == [("1.1", 4)]
    assert result.unmet_minimums[0].message() == "Tiêu chí 1.1 chưa đạt mức tối thiểu cho hạng 4 sao"


def test_a_missed_three_star_minimum_means_no_recognition():
    answers = {**BEST, "2.1": 1, "2.2": None}  # no story: 2.1 = 0 and 2.2 does not apply
    answers = {k: v for k, v in answers.items() if v is not None}
    result = evaluate(SHEET, VERSION, [answers])
    assert result.total == 75 and result.band == 4
    assert result.star == 2 and not result.recognised
    assert [(u.criterion, u.star) for u in result.unmet_minimums] == [("2.1", 3)]


def test_conditional_criterion_scores_zero_when_it_does_not_apply():
    no_story = {"1.1": 3, "1.2": 3, "2.1": 1, "2.2": 2, "3.1": 3, "3.2": 3}
    # 2.2 was answered, but with no story it does not apply: it adds nothing.
    assert member_total(SHEET, no_story) == 75
    with pytest.raises(AnswerError, match="2.2"):
        member_total(SHEET, {**BEST, "2.2": None} | {})  # story exists: 2.2 is required


def test_minimums_use_the_agreed_sheet_when_the_secretary_records_one():
    weak = {**BEST, "1.1": 2}  # misses the 4★ mark of 1.1
    members = [weak, weak, BEST]
    assert [(u.criterion, u.star) for u in evaluate(SHEET, VERSION, members).unmet_minimums] == [("1.1", 4)]
    assert evaluate(SHEET, VERSION, members).star == 3  # 93.33 is band 5, capped by the majority
    agreed = evaluate(SHEET, VERSION, members, consensus=BEST)
    assert (agreed.band, agreed.star, agreed.unmet_minimums) == (5, 5, ())


def test_majority_tie_goes_to_the_lower_option():
    weak = {**BEST, "1.1": 2}
    result = evaluate(SHEET, VERSION, [weak, BEST])  # one each: the lower option is judged
    assert result.judged["1.1"] == 2
    assert ("1.1", 4) in [(u.criterion, u.star) for u in result.unmet_minimums]


def test_a_declared_knockout_means_not_ranked():
    result = evaluate(SHEET, VERSION, [BEST], knockouts=["K1"])
    assert result.knocked_out and result.star is None and not result.recognised
    assert result.outcome == "knocked_out"
    assert result.as_dict()["knockouts"] == ["K1"]


def test_a_stop_rule_ends_scoring_and_knocks_out():
    stopped = {"1.1": 3, "1.2": 3, "2.1": 3, "2.2": 2, "3.1": 1}  # 3.1 option 1 stops: 3.2 not needed
    result = evaluate(SHEET, VERSION, [stopped])
    assert result.knocked_out and result.knockouts == ("K2",)
    assert result.total == 65


def test_unknown_criterion_missing_answer_and_bad_position_are_named():
    with pytest.raises(AnswerError, match="9.9"):
        evaluate(SHEET, VERSION, [{**BEST, "9.9": 1}])
    incomplete = dict(BEST)
    del incomplete["3.2"]
    with pytest.raises(AnswerError, match="Thành viên 2: thiếu câu trả lời cho tiêu chí 3.2"):
        evaluate(SHEET, VERSION, [BEST, incomplete])
    with pytest.raises(AnswerError, match="Tiêu chí 1.2: lựa chọn 4 không có"):
        evaluate(SHEET, VERSION, [{**BEST, "1.2": 4}])
    with pytest.raises(AnswerError, match="K9"):
        evaluate(SHEET, VERSION, [BEST], knockouts=["K9"])


def test_spread_and_quorum_follow_the_province_settings():
    low = {**BEST, "1.2": 1}  # 80
    result = evaluate(SHEET, VERSION, [low, BEST], council=Council(size=4))
    assert result.spread == 20 and result.needs_discussion
    assert result.quorum_met is False  # 2 of 4 < three quarters
    relaxed = evaluate(
        SHEET,
        VERSION,
        [low, BEST],
        settings=Settings(spread_limit=Fraction(25), quorum=Fraction(1, 2)),
        council=Council(size=4),
    )
    assert not relaxed.needs_discussion and relaxed.quorum_met
    assert (
        evaluate(SHEET, VERSION, [BEST] * 3, council=Council(size=4, chair_present=False)).quorum_met is False
    )


def test_broken_sheets_are_refused():
    bad = {**SHEET_DATA, "parts": SHEET_DATA["parts"][:2]}
    with pytest.raises(CriteriaError, match="A, B, C"):
        parse_sheet(bad)
    wrong_max = {
        **SHEET_DATA,
        "parts": [
            {
                **SHEET_DATA["parts"][0],
                "sections": [
                    {
                        **SHEET_DATA["parts"][0]["sections"][0],
                        "criteria": [
                            {"code": "1.1", "name": "x", "max": 21, "options": _options(0, 10, 20)},
                            SHEET_DATA["parts"][0]["sections"][0]["criteria"][1],
                        ],
                    }
                ],
            },
            *SHEET_DATA["parts"][1:],
        ],
    }
    with pytest.raises(CriteriaError, match="1.1"):
        parse_sheet(wrong_max)


def test_engine_modules_import_no_django():
    code = (
        "import sys; import ocop.evaluation.scoring, ocop.evaluation.criteria; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- properties -------------------------------------------------------------------------------


def _reference_band(total: Fraction) -> int:
    return 5 if total >= 90 else 4 if total >= 70 else 3 if total >= 50 else 2 if total >= 30 else 1


answer_sheets = st.fixed_dictionaries(
    {
        "1.1": st.integers(1, 3),
        "1.2": st.integers(1, 3),
        "2.1": st.integers(1, 3),
        "2.2": st.integers(1, 2),
        "3.1": st.integers(2, 3),
        "3.2": st.integers(1, 3),
    }
)


def _points(answers):
    story = answers["2.1"] >= 2
    return sum(
        SHEET.criterion(code).option(position).points
        for code, position in answers.items()
        if code != "2.2" or story
    )


@given(st.lists(answer_sheets, min_size=1, max_size=9))
def test_total_is_the_exact_mean_and_band_is_half_open(members):
    result = evaluate(SHEET, VERSION, members)
    totals = [_points(m) for m in members]
    assert list(result.members) == totals
    assert result.total == Fraction(sum(totals), len(totals))
    assert result.band == _reference_band(result.total)
    assert result.spread == max(totals) - min(totals)
    assert 0 <= result.total <= 100


@given(st.lists(answer_sheets, min_size=1, max_size=7), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_member_order(members, random):
    shuffled = list(members)
    random.shuffle(shuffled)
    a, b = evaluate(SHEET, VERSION, members), evaluate(SHEET, VERSION, shuffled)
    assert (a.total, a.band, a.star, a.unmet_minimums) == (b.total, b.band, b.star, b.unmet_minimums)


@given(answer_sheets)
def test_star_is_the_highest_star_within_band_whose_cumulative_minimums_hold(answers):
    result = evaluate(SHEET, VERSION, [answers])

    def holds(star):
        return all(
            SHEET.criterion(c.code).option(answers[c.code]).points >= mark.points
            for c in SHEET.criteria
            for mark in c.marks
            if mark.min_star <= star
        )

    expected = max([s for s in range(1, result.band + 1) if s < 3 or holds(s)])
    assert result.star == expected
    assert result.star <= result.band
    # Art. 7.3.e: at province level a band-5 total goes to the Ministry, whatever its minimums.
    assert result.potential_five_star == (result.band == 5)
    assert result.recognised == (expected >= 3 and result.band < 5)


@given(st.fixed_dictionaries({}, optional={code: st.integers(1, 3) for code in BEST}))
def test_part_totals_add_up_to_the_member_total(answers):
    """The per-part figures a producer is shown are the engine's total split, never another sum."""
    answers = {code: min(p, len(SHEET.criterion(code).options)) for code, p in answers.items()}
    try:
        total = member_total(SHEET, answers)
    except AnswerError:
        with pytest.raises(AnswerError):
            part_totals(SHEET, answers)
        return
    parts = part_totals(SHEET, answers)
    assert set(parts) == {"A", "B", "C"} and sum(parts.values()) == total
    for code, points in parts.items():
        assert 0 <= points <= SHEET.parts[[p.code for p in SHEET.parts].index(code)].max
