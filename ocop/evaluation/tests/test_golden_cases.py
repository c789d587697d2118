"""Golden cases: results worked out by hand from the legal text, run through the pure engine.

Every expected number below was read from QĐ 26/2026/QĐ-TTg itself (Art. 3.3 for the bands, Art.
7.3.e for the referral of 90+, Phụ lục II for the sheets), not from the YAML: the tables B17_POINTS
and B17_MARKS are the printed options of Phụ lục II mục 17 (points in printed order; "***"…"*****"
as the 1-based position of the marked option), typed from the law. The first test checks that the
committed data says the same; the others take answers chosen by the points a member ticks and
compare the engine's result with the figures computed by hand in the comments.

Sheets used: B17 (Đồ uống không cồn khác, mục 17), B16 (Nước khoáng thiên nhiên, nước uống, mục 16),
B18 (Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền, mục 18) and B21 (Thủ công mỹ nghệ, mục 21).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from ocop.evaluation import criteria
from ocop.evaluation.scoring import CENTRAL, REFER_MINIMUMS, AnswerError, Settings, evaluate

VERSION = criteria.get_version("26-2026")
B17 = criteria.get_sheet("26-2026", "B17")

# Phụ lục II mục 17, "Các tiêu chí | Thang điểm": the points of each option as printed.
B17_POINTS = {
    "1.1": (1, 2, 4),  # Nguồn nguyên liệu
    "1.2": (1, 2, 3),  # Gia tăng giá trị
    "1.3": (1, 2, 3),  # Năng lực sản xuất
    "1.4": (0, 1, 2, 3),  # Liên kết chuỗi
    "1.5": (1, 2, 3),  # Bảo vệ môi trường
    "1.6": (0, 1),  # Công nghệ bền vững
    "2.1": (0, 1, 2, 4),  # Nguồn gốc ý tưởng
    "2.2": (0, 1, 2, 3),  # Đóng gói, bao bì
    "2.3": (1, 2, 3),  # Phong cách, ghi nhãn
    "2.4": (0, 1),  # Nhãn song ngữ: printed without options, worth 1 (no / yes)
    "3.1": (1, 2, 3),  # Loại hình tổ chức
    "3.2": (0, 1),  # Đại diện pháp luật là nữ, DTTS, người khuyết tật
    "3.3": (1, 2, 3),  # Lao động địa phương
    "3.4": (1, 2),  # Tăng trưởng
    "3.5": (1, 2, 3),  # Sở hữu trí tuệ
    "4.1": (1, 2, 3, 5),  # Khu vực phân phối chính
    "4.2": (0, 1, 2, 3),  # Tổ chức phân phối
    "4.3": (0, 1, 2, 3, 5),  # Quảng bá
    "5.1": (0, 1, 2, 3, 5),  # Câu chuyện sản phẩm
    "5.2": (0, 1, 2),  # Cấu trúc câu chuyện: "Chỉ áp dụng khi có câu chuyện sản phẩm"
    "5.3": (0, 1, 3, 5),  # Trí tuệ/bản sắc địa phương
    "6.1": (0, 1, 3),  # Tạp chất lạ
    "6.2": (0, 2, 4),  # Màu sắc
    "6.3": (0, 1, 2, 3, 5),  # Mùi
    "6.4": (0, 1, 2, 3),  # Vị
    "7": (0, 1, 3, 5),  # Tính độc đáo
    "8": (2, 4, 5),  # Công bố chất lượng
    "9": (1, 3, 5),  # Đảm bảo chất lượng
    "10": (1, 3, 5),  # Cơ hội thị trường toàn cầu
}
# The stars printed after an option: {criterion: {star: 1-based position of the marked option}}.
B17_MARKS = {
    "1.1": {3: 1},
    "1.4": {4: 3, 5: 4},
    "1.5": {4: 1},
    "2.1": {4: 4},
    "2.2": {3: 3},
    "2.3": {3: 1, 4: 3},
    "3.4": {4: 2},
    "3.5": {3: 1, 4: 2},
    "4.1": {3: 2, 4: 3, 5: 4},
    "5.1": {4: 5},
    "5.3": {3: 2},
    "6.2": {4: 2},
    "6.3": {4: 4},
    "7": {4: 3, 5: 4},
    "8": {3: 1},
    "9": {3: 1, 4: 2},
}
TOP = {code: max(points) for code, points in B17_POINTS.items()}  # 100 points (Art. 3.1)


def b17(base: dict[str, int], **changes: int) -> dict[str, int]:
    """Answers (option positions) for a member who ticks the options worth these points.

    Keyword names are criteria with "_" for "." (``c6_2=0`` is criterion 6.2 at 0 points); a value of
    None leaves the criterion unanswered."""
    chosen = dict(base)
    for name, points in changes.items():
        code = name[1:].replace("_", ".")
        if points is None:
            chosen.pop(code, None)
        else:
            chosen[code] = points
    return {code: B17_POINTS[code].index(points) + 1 for code, points in chosen.items()}


def points_of(base: dict[str, int], **changes: int) -> dict[str, int]:
    """The same change as ``b17``, kept as points (to build the next member from it)."""
    chosen = dict(base)
    for name, points in changes.items():
        code = name[1:].replace("_", ".")
        if points is None:
            chosen.pop(code, None)
        else:
            chosen[code] = points
    return chosen


# Members whose totals are worked out by hand; every 5★ minimum of B17 stays met down to P70.
# 100 − 10.1 (5→1: 4) − 4.3 (5→3: 2) − 3.2, 1.6, 2.4 (1→0: 3) − 6.4 (3→2: 1) = 90.
P90 = points_of(TOP, c10=1, c4_3=3, c3_2=0, c1_6=0, c2_4=0, c6_4=2)
P91 = points_of(P90, c6_4=3)  # 6.4 back to 3: 91
P89 = points_of(P90, c1_2=2)  # 1.2 3→2: 89
# 90 − 1.2, 1.3, 3.1, 3.3 (3→1: 8) − 4.2 (3→0: 3) − 4.3 (3→0: 3) − 6.1 (3→0: 3) − 8 (5→2: 3) = 70.
P70 = points_of(P90, c1_2=1, c1_3=1, c3_1=1, c3_3=1, c4_2=0, c4_3=0, c6_1=0, c8=2)
P71 = points_of(P70, c4_3=1)  # 71
P69 = points_of(P70, c5_2=1)  # 5.2 2→1: 69
# 70 − 1.1 (4→1: 3) − 1.4 (3→0: 3) − 1.5 (3→1: 2) − 2.1 (4→0: 4) − 2.3 (3→1: 2) − 3.5 (3→1: 2)
#    − 4.1 (5→2: 3) − 2.2 (3→2: 1) = 50; every option kept is at or above its "***".
P50 = points_of(P70, c1_1=1, c1_4=0, c1_5=1, c2_1=0, c2_3=1, c3_5=1, c4_1=2, c2_2=2)
P49 = points_of(P50, c3_4=1)  # 3.4 2→1: 49
# 50 − 6.2 (4→0: 4) − 6.3 (5→0: 5) − 7 (5→0: 5) − 9 (5→3: 2) − 5.3 (5→1: 4) = 30.
P30 = points_of(P50, c6_2=0, c6_3=0, c7=0, c9=3, c5_3=1)
P29 = points_of(P30, c6_4=1)  # 6.4 2→1: 29


def members(*sheets: dict[str, int]) -> list[dict[str, int]]:
    return [b17(sheet) for sheet in sheets]


def test_the_committed_b17_prints_what_the_law_prints():
    """Phụ lục II mục 17: every criterion, its options' points and its star marks."""
    assert [c.code for c in B17.criteria] == list(B17_POINTS)
    for criterion in B17.criteria:
        assert tuple(o.points for o in criterion.options) == B17_POINTS[criterion.code], criterion.code
        marks = {o.min_star: o.position for o in criterion.options if o.min_star}
        assert marks == B17_MARKS.get(criterion.code, {}), criterion.code
    assert sum(TOP.values()) == 100


@pytest.mark.parametrize(
    ("sheets", "total", "band", "star"),
    [
        # Art. 3.3: 5★ "từ 90 đến 100", 4★ "từ 70 đến dưới 90", 3★ "từ 50 đến dưới 70",
        # 2★ "từ 30 đến dưới 50", 1★ "dưới 30"; the council total is the members' mean.
        ((P91, P90, P89), Fraction(90), 5, 5),  # (91 + 90 + 89) / 3 = 90: 5★ band
        ((P90, P90, P89), Fraction(269, 3), 4, 4),  # 89.67: below 90, 4★
        ((P71, P70, P69), Fraction(70), 4, 4),  # exactly 70: 4★
        ((P70, P70, P69), Fraction(209, 3), 3, 3),  # 69.67: 3★
        ((P50, P50, P50), Fraction(50), 3, 3),  # exactly 50, every "***" met: 3★
        ((P50, P50, P49), Fraction(149, 3), 2, 2),  # 49.67: 2★, not recognised (Art. 4.1.a)
        ((P30, P30, P30), Fraction(30), 2, 2),  # exactly 30: 2★
        ((P30, P30, P29), Fraction(89, 3), 1, 1),  # 29.67: 1★
    ],
)
def test_b17_band_boundaries_on_council_means(sheets, total, band, star):
    """B17, all criteria; the boundaries of each band of Art. 3.3 reached by a mean of three members."""
    result = evaluate(B17, VERSION, members(*sheets), level=CENTRAL)
    assert (result.total, result.band, result.star) == (total, band, star)
    assert result.recognised is (star >= 3)
    assert not result.unmet_minimums


def test_b17_a_three_star_minimum_leaves_a_three_star_band_unrecognised():
    """B17 criterion 2.2 "Đóng gói sáng tạo, bao bì đẹp***" (2 points): a member ticking the plain
    package (1 point) on P70 totals 68, band 3, but 3★ needs that option: 2★, no recognition."""
    result = evaluate(B17, VERSION, members(points_of(P70, c2_2=1)) * 3)
    assert (result.total, result.band, result.star) == (68, 3, 2)
    assert [(u.criterion, u.star) for u in result.unmet_minimums] == [("2.2", 3)]
    assert not result.recognised


def test_b17_a_four_star_minimum_caps_a_four_star_band_at_three():
    """B17 criterion 6.2 "Màu sắc phù hợp với đặc tính sản phẩm****" (2 points): 0 on colour from P90
    gives 86, band 4, star 3 (recognised 3★ by the province)."""
    result = evaluate(B17, VERSION, members(points_of(P90, c6_2=0)) * 3)
    assert (result.total, result.band, result.star) == (86, 4, 3)
    assert [(u.criterion, u.star) for u in result.unmet_minimums] == [("6.2", 4)]
    assert result.recognised and not result.referred


def test_b17_minimums_are_cumulative_a_four_star_miss_blocks_five_stars():
    """B17 criterion 3.4 "… 02 năm liên tiếp tăng trưởng dương …****" (2 points): 1 point there on
    an otherwise perfect sheet is 99 — a 5★ band, every "*****" met, yet 4★ (and so 5★) fails: 3★.
    Still ≥ 90 at province level, so the Ministry decides (Art. 7.3.e)."""
    result = evaluate(B17, VERSION, members(points_of(TOP, c3_4=1)) * 3)
    assert (result.total, result.band, result.star) == (99, 5, 3)
    assert result.referred and not result.recognised


def test_b17_five_star_minimum_missed_at_90_plus_goes_to_the_ministry_not_recognised():
    """Art. 7.3.e: the province refers every total "đạt từ 90 trở lên" to the Ministry. B17 criterion
    7 "Rất độc đáo và có tính đặc trưng*****" (5 points) at 3 points: 98, band 5, 5★ minimum unmet
    → referred, not recognised by the province (its star on the sheet is 4)."""
    sheets = members(points_of(TOP, c7=3)) * 3
    province = evaluate(B17, VERSION, sheets)
    assert (province.total, province.band, province.star) == (98, 5, 4)
    assert [(u.criterion, u.star) for u in province.unmet_minimums] == [("7", 5)]
    assert province.referred and not province.recognised
    assert province.outcome == "potential_five_star"
    # The central council's own result on the same sheets: 4★ (returned for the province to recognise).
    central = evaluate(B17, VERSION, sheets, level=CENTRAL)
    assert (central.star, central.referred, central.recognised) == (4, False, True)
    # The older reading kept as an option: the province recognises 4★ itself.
    older = evaluate(B17, VERSION, sheets, settings=Settings(referral=REFER_MINIMUMS))
    assert (older.star, older.referred, older.recognised) == (4, False, True)


def test_b17_a_perfect_sheet_is_five_stars_only_at_the_ministry():
    """100 points, every minimum met: the province refers it (Art. 7.3.e); the Ministry gives 5★."""
    province = evaluate(B17, VERSION, members(TOP) * 3)
    assert (province.total, province.star, province.referred, province.recognised) == (100, 5, True, False)
    central = evaluate(B17, VERSION, members(TOP) * 3, level=CENTRAL)
    assert (central.star, central.recognised) == (5, True)


def test_b17_knock_out_excludes_whatever_the_score():
    """B17 "Hồ sơ bị loại khi: … không có giấy phép sản xuất theo quy định" (K3): loại, no star, not
    referred even at 100."""
    result = evaluate(B17, VERSION, members(TOP) * 3, knockouts=["K3"])
    assert result.knocked_out and result.star is None and result.knockouts == ("K3",)
    assert not result.referred and result.outcome == "knocked_out"


def test_b17_unsafe_contaminants_stop_scoring_after_6_1():
    """B17 criterion 6.1, Ghi chú: "Nếu có tạp chất lạ có nguy cơ gây mất an toàn thực phẩm … sẽ không
    đánh giá các bước tiếp theo" (K5, stop). Answers end at 6.1: A 40 + B 25 + 6.1 (0) = 65, and the
    product is not evaluated further, so it gets no star at all (not ranked), whatever its total."""
    sheet = {code: points for code, points in TOP.items() if B17.position(code) <= B17.position("6.1")}
    result = evaluate(B17, VERSION, members(points_of(sheet, c6_1=0)) * 3, knockouts=["K5"])
    assert (result.total, result.band, result.star) == (65, 3, None)
    assert result.knockouts == ("K5",) and not result.recognised and not result.referred


def test_b17_story_structure_5_2_counts_only_with_a_story():
    """B17 criterion 5.2 "Chỉ áp dụng khi có câu chuyện sản phẩm": with 5.1 at "Không có câu chuyện"
    (0) 5.2 needs no answer and scores nothing: 100 − 5 (5.1) − 2 (5.2) = 93."""
    without = evaluate(B17, VERSION, members(points_of(TOP, c5_1=0, c5_2=None)) * 3, level=CENTRAL)
    assert without.total == 93
    # An answer given anyway changes nothing.
    answered = evaluate(B17, VERSION, members(points_of(TOP, c5_1=0)) * 3, level=CENTRAL)
    assert answered.total == 93
    # 5.1's "****" is the story in the e-traceability content: 93 is a 5★ band but 3★.
    assert (without.band, without.star) == (5, 3)
    # With a story (5.1 at 1 point) 5.2 must be answered.
    with pytest.raises(AnswerError, match="5.2"):
        evaluate(B17, VERSION, members(points_of(TOP, c5_1=1, c5_2=None)))


def test_b16_a_zero_on_a_sensory_indicator_stops_scoring():
    """B16 (mục 16), 6. CHỈ TIÊU CẢM QUAN, Ghi chú: "Nếu được 0 điểm tại một trong các chỉ tiêu trên,
    sẽ không đánh giá các bước tiếp theo". Printed options: 6.1 (0, 3), 6.2 "Có màu" 0 / "Trong suốt,
    không màu" 3, 6.3 (0, 2, 4), 6.4 (0, 1, 3, 5). Parts A and B at their maxima (40 + 25, Art. 3.1),
    6.1 = 3, 6.2 = 0: the steps after the zero are not evaluated (6.3 onward need no answer and
    count nothing): 68, and the product is not ranked, even at 90+ (no referral)."""
    sheet = criteria.get_sheet("26-2026", "B16")
    assert [tuple(o.points for o in sheet.criterion(c).options) for c in ("6.1", "6.2", "6.3", "6.4")] == [
        (0, 3),
        (0, 3),
        (0, 2, 4),
        (0, 1, 3, 5),
    ]
    answers = {
        c.code: max(c.options, key=lambda o: o.points).position
        for c in sheet.criteria
        if c.part in ("A", "B")
    }
    answers.update({"6.1": 2, "6.2": 1})
    result = evaluate(sheet, VERSION, [answers] * 3)
    assert (result.total, result.star, result.knockouts) == (68, None, ("K4",))
    # Answers given after the zero change nothing.
    later = dict(answers, **{"6.3": 3, "6.4": 4, "7": 4, "8": 3, "9": 3, "10": 3})
    assert evaluate(sheet, VERSION, [later] * 3).total == 68
    assert not result.recognised and not result.referred


@pytest.mark.parametrize(
    ("knockout", "words"),
    [
        # B18, "Hồ sơ bị loại khi": the registration dossier (quality declaration, label, advertising).
        ("K3", "hồ sơ đăng ký bản đăng ký công bố chất lượng sản phẩm"),
        # B18 criterion 1.1: "Bị loại nếu sử dụng toàn bộ nguyên liệu nhập khẩu hoặc không rõ nguồn gốc".
        ("K5", "toàn bộ nguyên liệu nhập khẩu"),
    ],
)
def test_b18_knock_outs(knockout, words):
    sheet = criteria.get_sheet("26-2026", "B18")
    assert words in sheet.knockout(knockout).text
    best = {c.code: max(c.options, key=lambda o: o.points).position for c in sheet.criteria}
    result = evaluate(sheet, VERSION, [best] * 3, knockouts=[knockout])
    assert result.total == 100 and result.star is None and result.outcome == "knocked_out"


def test_b21_intellectual_property_knock_out_and_a_five_star_minimum_on_quality():
    """B21 (Thủ công mỹ nghệ, mục 21), Phần C: 6.1 "Mức độ tinh xảo" printed 0 / 1 / 3 / 5*****, 6.2
    "Thiết kế độc đáo" 1 / 3 / 5***** with Ghi chú "Nếu sản phẩm vi phạm sở hữu trí tuệ, sẽ bị loại bỏ"
    (K3, declared on 6.2)."""
    sheet = criteria.get_sheet("26-2026", "B21")
    assert [o.points for o in sheet.criterion("6.1").options] == [0, 1, 3, 5]
    assert [o.points for o in sheet.criterion("6.2").options] == [1, 3, 5]
    assert (
        sheet.criterion("6.1").options[-1].min_star == 5 and sheet.criterion("6.2").options[-1].min_star == 5
    )
    best = {c.code: max(c.options, key=lambda o: o.points).position for c in sheet.criteria}
    # An IP violation excludes even a perfect sheet.
    excluded = evaluate(sheet, VERSION, [best] * 3, knockouts=["K3"])
    assert excluded.star is None and excluded.knockouts == ("K3",) and not excluded.referred
    # 6.1 at "Khéo léo/nhã nhặn …" (3 of 5): 98, band 5, the 5★ minimum missed: referred, not recognised
    # by the province (Art. 7.3.e); on the sheet itself 4★.
    result = evaluate(sheet, VERSION, [dict(best, **{"6.1": 3})] * 3)
    assert (result.total, result.band, result.star) == (98, 5, 4)
    assert result.referred and not result.recognised
