"""ocop.plans.progress: the rows periodic reports freeze, the share of targets on track per
province (the map), baselines, and the bounded number of queries."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ocop.plans import progress
from ocop.plans.models import PlanLevel

from .conftest import TODAY, Data, make_plan, make_target

pytestmark = pytest.mark.django_db

FIELDS = {
    "plan_id",
    "plan",
    "indicator",
    "name",
    "unit",
    "target",
    "deadline",
    "baseline",
    "current",
    "share",
    "expected",
    "on_track",
}


def test_rows_for_a_unit_and_day(data: Data) -> None:
    p = data.places
    current = make_plan(province=p["hn"], title="2026–2030")
    make_target(current, "products_recognised", 12)
    make_target(current, "revocations", 2, baseline=0)
    old = make_plan(province=p["hn"], title="2021–2025", start_year=2021, end_year=2025)
    make_target(old, "products_recognised", 5)
    make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn1"], title="Xã")
    make_target(make_plan(province=p["hcm"], title="HCM"), "products_recognised", 1)

    rows = progress.rows_for(p["hn"].pk, None, TODAY)
    assert json.loads(json.dumps(rows)) == rows  # JSON-able as they are
    assert [(row["plan"], row["indicator"]) for row in rows] == [
        ("2026–2030", "products_recognised"),
        ("2026–2030", "revocations"),
    ]
    assert all(set(row) == FIELDS for row in rows)
    recognised, revocations = rows
    assert recognised["current"] == 6.0 and recognised["baseline"] == 6.0 and recognised["target"] == 12.0
    assert recognised["deadline"] == "2030-12-31" and recognised["on_track"] is False
    assert recognised["expected"] == pytest.approx(6 + 6 * 326 / 1825, abs=0.01)
    assert recognised["share"] == 50.0
    # A cap of 2 revocations by 2030 allows 0.36 by now: one already is over the line.
    assert revocations["current"] == 1.0 and revocations["on_track"] is False
    # The 2021–2025 plan on a day of 2024 (its targets as of then).
    rows = progress.rows_for(p["hn"].pk, None, dt.date(2024, 6, 1))
    assert [row["plan"] for row in rows] == ["2021–2025"]
    assert rows[0]["current"] == 4.0  # three, five (4★ then), late, expired
    # A commune's plan without targets has no rows; the country has no plan.
    assert progress.rows_for(p["hn"].pk, p["hn1"].pk, TODAY) == []
    assert progress.rows_for(None, None, TODAY) == []


def test_a_lower_is_better_target_is_judged_against_its_line(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    make_target(plan, "revocations", 10)
    (row,) = progress.rows_for(data.places["hn"].pk, None, TODAY)
    # One revocation by 23/11/2026; the cap of 10 by 2030 allows 1.79 by now.
    assert row["expected"] == pytest.approx(10 * 326 / 1825, abs=0.01)
    assert row["on_track"] is True and row["share"] == 100.0


def test_windowed_rates_expect_their_target_all_along(data: Data) -> None:
    plan = make_plan(province=data.places["hn"])
    make_target(plan, "reevaluated_on_time", 80)
    make_target(plan, "inspections_done", 40, baseline=20)
    rows = {row["indicator"]: row for row in progress.rows_for(data.places["hn"].pk, None, TODAY)}
    assert rows["reevaluated_on_time"]["baseline"] is None
    assert rows["reevaluated_on_time"]["expected"] == 80 and rows["reevaluated_on_time"]["on_track"] is False
    assert rows["inspections_done"]["baseline"] == 20 and rows["inspections_done"]["on_track"] is True


def test_on_track_share_by_province(data: Data) -> None:
    p = data.places
    hn = make_plan(province=p["hn"])
    make_target(hn, "products_5_star", 1)  # 1 of 1: on track
    make_target(hn, "products_recognised", 12)  # behind
    make_target(hn, "training_classes", 5)  # no data: not judged
    hcm = make_plan(province=p["hcm"])
    make_target(hcm, "products_4_star", 1)  # 1 (hcm_four): on track
    make_plan(province=p["hcm"], start_year=2021, end_year=2025)  # not active
    commune = make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn2"])
    make_target(commune, "products_recognised", 100)  # a commune's plan does not count for the province
    shares = progress.on_track_share_by_province(TODAY)
    assert shares == {p["hn"].pk: 50.0, p["hcm"].pk: 100.0}
    # The same flags as each plan's own page.
    flags = [row["on_track"] for row in progress.rows_for(p["hn"].pk, None, TODAY)]
    assert flags == [True, False, None]  # products_5_star, products_recognised, training_classes


def test_queries_are_bounded_by_targets_not_records(data: Data, django_assert_max_num_queries) -> None:
    p = data.places
    plan = make_plan(province=p["hn"])
    codes = ["products_recognised", "share_5_star", "new_products", "points_of_sale", "revocations"]
    for code in codes:
        make_target(plan, code, 5)
    make_target(plan, "products_recognised", 8, dt.date(2028, 12, 31))  # the same value, computed once
    with django_assert_max_num_queries(2 + 2 * len(codes)):
        rows = progress.rows_for(p["hn"].pk, None, TODAY)
    assert len(rows) == 6
    for index in range(20):
        make_target(make_plan(province=p["hcm"], title=f"HCM {index}"), "share_5_star", 3)
    with django_assert_max_num_queries(2 + 2 * 7):  # plans, targets, two per indicator
        progress.on_track_share_by_province(TODAY)
