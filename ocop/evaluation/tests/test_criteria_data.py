"""The 26 sheets of Phụ lục II as committed data: the structure the law prints, sheet by sheet."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.evaluation import criteria
from ocop.evaluation.scoring import evaluate, member_total
from ocop.registry.classification import LegalBasis

CODES = [f"B{n:02d}" for n in range(1, 27)]

# Section maxima in printed order, per ocop-rules.md §5.2 (parts A | B | C).
_FOOD_FRESH = [18, 10, 12, 13, 12, 12, 3, 5, 5, 5, 2, 3]
_FOOD = [18, 10, 12, 13, 12, 15, 5, 5, 5, 2, 3]
SECTION_MAXIMA = {
    "B01": _FOOD_FRESH,
    "B03": _FOOD_FRESH,
    "B04": _FOOD_FRESH,
    **{code: _FOOD for code in ("B02", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B13")},
    "B05": [16, 12, 12, 13, 12, 15, 5, 5, 5, 2, 3],
    **{code: [17, 11, 12, 13, 12, 15, 5, 5, 5, 5] for code in ("B14", "B15", "B16", "B17")},
    "B18": [18, 10, 12, 13, 12, 5, 4, 5, 3, 3, 5, 3, 2, 5],
    "B19": [17, 11, 12, 13, 12, 5, 3, 5, 4, 5, 3, 5, 2, 3],
    "B20": [17, 11, 12, 13, 12, 5, 3, 5, 4, 3, 5, 5, 2, 3],
    "B21": [19, 9, 12, 13, 12, 21, 4, 5, 5],
    "B22": [18, 10, 12, 13, 12, 24, 3, 3, 5],
    "B23": [19, 9, 12, 13, 12, 14, 8, 4, 4, 5],
    "B24": [19, 9, 12, 13, 12, 17, 9, 4, 5],
    "B25": [19, 9, 12, 13, 12, 15, 10, 5, 5],
    "B26": [14, 12, 14, 17, 8, 3, 3, 3, 2, 3, 2, 3, 4, 4, 3, 3, 2],
}


def test_all_26_sheets_are_there():
    assert criteria.sheet_codes("26-2026") == tuple(CODES)


@pytest.mark.parametrize("code", CODES)
def test_sheet_has_the_printed_structure(code):
    sheet = criteria.get_sheet("26-2026", code)
    assert sheet.total == 100
    assert [(p.code, p.max) for p in sheet.parts] == [("A", 40), ("B", 25), ("C", 35)]
    assert [int(s.max) for p in sheet.parts for s in p.sections] == SECTION_MAXIMA[code]
    for part in sheet.parts:
        assert sum(s.max for s in part.sections) == part.max
        for section in part.sections:
            assert sum(c.max for c in section.criteria) == section.max
    for criterion in sheet.criteria:
        assert criterion.max == max(o.points for o in criterion.options), criterion.code
        assert [o.position for o in criterion.options] == list(range(1, len(criterion.options) + 1))
        assert all(o.text and "□" not in o.text and "***" not in o.text for o in criterion.options)
    ids = [k.id for k in sheet.knockouts]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("code", CODES)
def test_best_options_score_100_and_five_stars(code):
    sheet = criteria.get_sheet("26-2026", code)
    version = criteria.get_version("26-2026")
    best = {c.code: max(c.options, key=lambda o: o.points).position for c in sheet.criteria}
    result = evaluate(sheet, version, [best, best, best], level="central")
    assert (result.total, result.band, result.star, result.knocked_out) == (100, 5, 5, False)


@pytest.mark.parametrize("code", [c for c in CODES if c != "B26"])
def test_product_sheets_carry_the_dossier_knockouts_and_star_marks(code):
    sheet = criteria.get_sheet("26-2026", code)
    assert any(k.criterion is None for k in sheet.knockouts), "Hồ sơ bị loại khi"
    stars = {o.min_star for c in sheet.criteria for o in c.options if o.min_star}
    assert stars == {3, 4, 5}


def test_b01_matches_the_law_line_by_line_where_it_matters():
    sheet = criteria.get_sheet("26-2026", "B01")
    assert sheet.title == "Rau, củ, quả, hạt tươi"
    origin = sheet.criterion("1.1")
    assert origin.name == "Nguồn gốc sản phẩm"
    assert [o.points for o in origin.options] == [1, 2, 3]
    assert origin.note and "100% sản phẩm được trồng trên địa bàn cấp tỉnh" in origin.note
    assert [(o.points, o.min_star) for o in sheet.criterion("1.5").options] == [
        (0, None),
        (1, None),
        (2, 4),
        (3, 5),
    ]
    label = sheet.criterion("2.3").options
    assert label[-1].min_star == 4 and "truy xuất nguồn gốc điện tử" in label[-1].text
    assert [(o.points, o.min_star) for o in sheet.criterion("4.1").options][-1] == (5, 5)
    story = sheet.criterion("5.2")
    assert story.applies_if is not None and story.applies_if.criterion == "5.1"
    assert "Giả mạo hồ sơ" in " ".join(k.text for k in sheet.knockouts if k.criterion is None)


def test_b01_minimum_for_four_stars_on_label_caps_a_four_star_band():
    """A 4★-band total that misses the e-traceability option of 2.3 → 3★ with that minimum listed."""
    sheet = criteria.get_sheet("26-2026", "B01")
    version = criteria.get_version("26-2026")
    best = {c.code: max(c.options, key=lambda o: o.points).position for c in sheet.criteria}
    answers = dict(best, **{"2.3": 1})  # the plain lawful label: the 3★ option, not the 4★ one
    for criterion in sheet.criteria:  # lose points where no minimum is marked until below 90
        if member_total(sheet, answers) < 88:
            break
        if not criterion.marks and criterion.applies_if is None:
            answers[criterion.code] = min(criterion.options, key=lambda o: o.points).position
    result = evaluate(sheet, version, [answers] * 3)
    assert result.band == 4, float(result.total)
    assert result.star == 3
    assert ("2.3", 4) in [(u.criterion, u.star) for u in result.unmet_minimums]


def test_versions_record_every_framework_with_its_weights_and_bands():
    versions = {v.id: v for v in criteria.versions()}
    assert versions["26-2026"].has_sheets
    by_basis = {v.legal_basis: v for v in versions.values()}
    assert set(by_basis) == {basis.value for basis in LegalBasis}
    for basis in LegalBasis:
        version = by_basis[basis.value]
        assert version.effective_from == basis.effective_from
        assert tuple(version.parts[p] for p in "ABC") == basis.weights
        assert [(b.star, b.min) for b in version.bands] == [(5, 90), (4, 70), (3, 50), (2, 30), (1, 0)]
    assert versions["26-2026"].effective_from == dt.date(2026, 5, 22)
    assert criteria.sheet_codes(by_basis["QD148"].id) == ()


def test_unknown_version_and_sheet_are_named():
    with pytest.raises(criteria.CriteriaError, match="“99-2099”"):
        criteria.get_version("99-2099")
    with pytest.raises(criteria.CriteriaError, match="“B27”"):
        criteria.get_sheet("26-2026", "B27")


@pytest.mark.parametrize(
    ("code", "ground"),
    [
        ("B17", "Không có giấy phép sản xuất theo quy định"),
        # Phụ lục II mục 18 prints the ground without "không có"; read like B17's licence.
        (
            "B18",
            "Không có hồ sơ đăng ký bản đăng ký công bố chất lượng sản phẩm, ghi nhãn sản phẩm, "
            "quảng cáo sản phẩm",
        ),
    ],
)
def test_k3_is_a_missing_document_on_b17_and_b18(code, ground):
    (k3,) = [k for k in criteria.get_sheet("26-2026", code).knockouts if k.id == "K3"]
    assert k3.text == ground and k3.criterion is None and k3.effect == "exclude"
