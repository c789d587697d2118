"""Indicator values as of a day, counted by hand on the world of conftest.py, and the records
behind every number: exactly what is counted."""

from __future__ import annotations

import datetime as dt

import pytest

from ocop.plans import indicators
from ocop.plans.indicators import ComputedIndicator, Scope
from ocop.plans.models import ManualValue, Plan

from .conftest import START, TODAY, Data

pytestmark = pytest.mark.django_db

CODES = [
    "products_recognised",
    "new_products",
    "products_3_star",
    "products_4_star",
    "products_potential_5_star",
    "products_5_star",
    "share_5_star",
    "share_cooperatives_enterprises",
    "communes_with_ocop",
    "reevaluated_on_time",
    "traceable_products",
    "revocations",
    "inspections_done",
    "training_classes",
    "support_funds",
    "points_of_sale",
]


def value(code: str, scope: Scope, day: dt.date = TODAY, start: dt.date = START) -> float | None:
    return indicators.get(code).value(scope, day, start)


def names(measure: indicators.Measure) -> set[str]:
    return {str(record) for record in measure.records}


def test_the_registry_holds_the_contract() -> None:
    assert [indicator.code for indicator in indicators.all_indicators()] == CODES
    for indicator in indicators.all_indicators():
        assert indicator.kind in ("level", "flow") and indicator.direction in ("higher", "lower")
        assert str(indicator.name) and str(indicator.unit) and str(indicator.definition)
    assert indicators.get("revocations").direction == "lower"
    assert [code for code, _name in indicators.manual_choices()] == [
        "training_classes",
        "support_funds",
        "points_of_sale",
    ]
    with pytest.raises(KeyError):
        indicators.get("nope")


def test_hanoi_on_the_day(data: Data) -> None:
    hn = Scope(province_id=data.places["hn"].pk)
    expected = {
        "products_recognised": 6,
        "new_products": 1,
        "products_3_star": 3,
        "products_4_star": 1,
        "products_potential_5_star": 1,
        "products_5_star": 1,
        "share_5_star": 100 / 6,
        "share_cooperatives_enterprises": 200 / 3,
        "communes_with_ocop": 2,
        "reevaluated_on_time": 50,
        "traceable_products": 100 / 3,
        "revocations": 1,
        "inspections_done": 50,
    }
    for code, number in expected.items():
        assert value(code, hn) == pytest.approx(number), code


def test_stars_add_up_to_the_ocop_products(data: Data) -> None:
    for scope in (Scope(), Scope(province_id=data.places["hn"].pk), Scope(commune_id=data.places["hn2"].pk)):
        parts = sum(
            value(code, scope)
            for code in ("products_3_star", "products_4_star", "products_potential_5_star", "products_5_star")
        )
        assert parts == value("products_recognised", scope)


def test_the_country_and_a_commune(data: Data) -> None:
    country = Scope()
    assert value("products_recognised", country) == 7
    assert value("products_4_star", country) == 2
    assert value("communes_with_ocop", country) == 3
    hn2 = Scope(data.places["hn"].pk, data.places["hn2"].pk)
    assert value("products_recognised", hn2) == 2  # potential, five
    assert value("share_5_star", hn2) == 50
    assert value("share_cooperatives_enterprises", hn2) == 100
    assert value("communes_with_ocop", hn2) == 1
    assert value("revocations", hn2) == 1
    assert value("communes_with_ocop", Scope(commune_id=data.places["hcm1"].pk)) == 1
    assert value("revocations", Scope(province_id=data.places["hcm"].pk)) == 0
    # No OCOP product in the scope: a share is unknown, a count is 0.
    empty = Scope(province_id=data.places["hcm"].pk, commune_id=data.places["hcm1"].pk)
    assert value("products_5_star", empty) == 0
    assert value("reevaluated_on_time", empty) is None


def test_values_as_of_earlier_days(data: Data) -> None:
    hn = Scope(province_id=data.places["hn"].pk)
    # The plans' first day: the revoked one still valid, late's first certificate too, five already 5★.
    assert value("products_recognised", hn, START) == 6
    assert value("products_3_star", hn, START) == 2
    assert value("products_4_star", hn, START) == 2
    assert value("products_5_star", hn, START) == 1
    assert value("share_cooperatives_enterprises", hn, START) == 50
    # Mid-2024: expired still valid, five still 4★, four/potential/new not issued yet.
    mid_2024 = dt.date(2024, 6, 1)
    assert value("products_3_star", hn, mid_2024) == 3  # three, late's first, expired
    assert value("products_4_star", hn, mid_2024) == 1  # five's first (4★)
    assert value("products_5_star", hn, mid_2024) == 0
    # Between the renewal and the expiry of late's first certificate: one certificate counts once.
    assert value("products_3_star", hn, dt.date(2026, 1, 20)) == 2
    # Before the revocation it was an OCOP product; after, not.
    assert value("revocations", hn, dt.date(2026, 3, 31)) == 0
    # Flows count from the plan's start: a plan from 2025 sees new products of 2025 too.
    # four, removed, potential, revoked, new: recognised in the period, whatever became of them since
    assert value("new_products", hn, TODAY, dt.date(2025, 1, 1)) == 5
    assert value("new_products", hn, dt.date(2026, 2, 28)) == 0


def test_superseded_expired_revoked_and_removed_are_not_counted(data: Data) -> None:
    measure = indicators.measure("products_recognised", Scope(province_id=data.places["hn"].pk), TODAY, START)
    assert names(measure) == {
        "Trà sen",
        "Gạo nếp cái hoa vàng",
        "Rượu sen",
        "Trà shan tuyết",
        "Nem chua",
        "Chả cốm",
    }
    stars = {record.name: (record.star, record.potential) for record in measure.records}
    assert stars["Trà shan tuyết"][0] == 5  # the 4★ it had is superseded
    assert stars["Rượu sen"] == (4, True)


@pytest.mark.parametrize("code", CODES)
def test_the_records_are_exactly_what_is_counted(data: Data, code: str) -> None:
    """For every indicator: the value read back from the records listed equals the value."""
    p = data.places
    ManualValue.objects.create(
        indicator="training_classes",
        level="commune",
        province=p["hn"],
        commune=p["hn1"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        value=4,
    )
    ManualValue.objects.create(
        indicator="points_of_sale",
        level="province",
        province=p["hn"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        value=12,
    )
    indicator = indicators.get(code)
    for scope in (Scope(), Scope(province_id=p["hn"].pk), Scope(p["hn"].pk, p["hn1"].pk)):
        measure = indicator.measure(scope, TODAY, START)
        records = list(measure.records)
        if indicator.computed and measure.counted.is_share:
            hits = measure.records.filter(measure.counted.hits).count()
            expected = 100 * hits / len(records) if records else None
        elif indicator.computed:
            expected = float(len(records))
        else:
            expected = float(sum(record.value for record in records)) if records else None
        assert measure.value == pytest.approx(expected) if expected is not None else measure.value is None, (
            code,
            scope,
        )
        assert len({record.pk for record in records}) == len(records)  # no record twice


def test_grouped_values_match_one_by_one(data: Data) -> None:
    p = data.places
    for indicator in indicators.all_indicators():
        by_province = indicator.values_by_unit("province", TODAY, START)
        for province in ("hn", "hcm"):
            scope = Scope(province_id=p[province].pk)
            alone = indicator.value(scope, TODAY, START)
            assert by_province.get(p[province].pk, indicator.empty_value) == pytest.approx(alone), (
                indicator.code
            )
        by_commune = indicator.values_by_unit("commune", TODAY, START, p["hn"].pk)
        for commune in ("hn1", "hn2"):
            scope = Scope(p["hn"].pk, p[commune].pk)
            alone = indicator.value(scope, TODAY, START)
            assert by_commune.get(p[commune].pk, indicator.empty_value) == pytest.approx(alone), (
                indicator.code
            )


# --- manual indicators ---------------------------------------------------------------------------------


def entry(
    code: str, level: str, start: dt.date, end: dt.date, number: float, province=None, commune=None
) -> ManualValue:
    value_ = ManualValue(
        indicator=code,
        level=level,
        province=province,
        commune=commune,
        period_start=start,
        period_end=end,
        value=number,
    )
    value_.full_clean()
    value_.save()
    return value_


def test_manual_flows_add_up_the_periods_within_the_plan(data: Data) -> None:
    p = data.places
    hn, hn1, hn2 = p["hn"], p["hn1"], p["hn2"]
    h1, h2 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30)), (dt.date(2026, 7, 1), dt.date(2026, 12, 31))
    entry("training_classes", "commune", *h1, 3, hn, hn1)
    entry("training_classes", "commune", *h1, 2, hn, hn2)
    entry("training_classes", "commune", dt.date(2025, 7, 1), dt.date(2025, 12, 31), 9, hn, hn1)  # before
    entry("training_classes", "commune", *h2, 5, hn, hn1)  # ends after D
    scope_hn = Scope(province_id=hn.pk)
    # The province has no entry of its own: its communes' add up.
    assert value("training_classes", scope_hn) == 5
    assert value("training_classes", scope_hn, dt.date(2026, 12, 31)) == 10
    assert value("training_classes", Scope(hn.pk, hn1.pk)) == 3
    assert value("training_classes", Scope(hn.pk, hn2.pk)) == 2
    # Once the province enters its own figures, they are the province's (not added to the communes').
    entry("training_classes", "province", *h1, 7, hn)
    assert value("training_classes", scope_hn) == 7
    # The country: its provinces' (Hà Nội's own), TP HCM without any entry adds nothing.
    assert value("training_classes", Scope()) == 7
    assert value("training_classes", Scope(province_id=p["hcm"].pk)) is None
    entry("training_classes", "country", *h1, 100)
    assert value("training_classes", Scope()) == 100


def test_manual_levels_take_the_latest_entry(data: Data) -> None:
    p = data.places
    hn, hn1, hn2 = p["hn"], p["hn1"], p["hn2"]
    entry("points_of_sale", "commune", dt.date(2025, 1, 1), dt.date(2025, 12, 31), 2, hn, hn1)
    entry("points_of_sale", "commune", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 3, hn, hn1)
    entry("points_of_sale", "commune", dt.date(2026, 7, 1), dt.date(2026, 12, 31), 9, hn, hn1)  # after D
    entry("points_of_sale", "commune", dt.date(2025, 1, 1), dt.date(2025, 12, 31), 4, hn, hn2)
    hn_scope = Scope(province_id=hn.pk)
    measure = indicators.measure("points_of_sale", hn_scope, TODAY, START)
    assert measure.value == 7  # hn1's latest up to D (3) + hn2's (4, from 2025: a level carries over)
    assert sorted(float(r.value) for r in measure.records) == [3, 4]
    assert value("points_of_sale", hn_scope, dt.date(2025, 12, 31)) == 6
    assert value("points_of_sale", Scope(hn.pk, hn1.pk), dt.date(2024, 12, 31)) is None


def test_a_manual_indicator_can_become_computed_without_touching_plans(data: Data) -> None:
    """A later module registers a computed indicator with the same code: targets follow it."""
    from ocop.plans import progress
    from ocop.plans.indicators import base, computed

    from .conftest import make_plan, make_target

    plan = make_plan(province=data.places["hn"])
    make_target(plan, "points_of_sale", 10)
    original = indicators.get("points_of_sale")
    replacement = ComputedIndicator(
        code="points_of_sale",
        name=original.name,
        unit=original.unit,
        kind=base.LEVEL,
        direction=base.HIGHER,
        definition="(test) OCOP products counted as points of sale",
        record_kind=base.PRODUCT,
        build=lambda day, start: (computed.ocop_products(day), None),
    )
    indicators.register(replacement)
    try:
        rows = progress.rows_for(data.places["hn"].pk, None, TODAY)
        assert rows[0]["indicator"] == "points_of_sale" and rows[0]["current"] == 6
    finally:
        indicators.register(original)
    assert Plan.objects.get(pk=plan.pk).targets.get().indicator == "points_of_sale"
