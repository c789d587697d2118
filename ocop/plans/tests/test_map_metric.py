"""The province map's "on track" metric comes from the plans: each province's share of targets on track."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.plans.apps import ON_TRACK_QUERIES
from ocop.plans.models import PlanLevel
from ocop.reports import extensions

from .conftest import TODAY, Data, make_plan, make_target

MAP_URL = "/reports/map/"


def test_the_map_shades_provinces_by_their_targets_on_track(data: Data) -> None:
    p = data.places
    hn = make_plan(province=p["hn"])
    make_target(hn, "products_5_star", 1)  # on track
    make_target(hn, "products_recognised", 12)  # behind
    html = data.world.client("central").get(MAP_URL, {"metric": "on_track"}).content.decode()
    assert 'data-metric="on_track"' in html
    assert "Thành phố Hà Nội: 50 %" in html or "Thành phố Hà Nội: 50,0 %" in html
    assert "Thành phố Hồ Chí Minh: không có số liệu" in html


def test_the_metric_stays_within_its_declared_queries(data: Data) -> None:
    metric = extensions.map_metrics.get("on_track")
    assert metric is not None and metric.queries == ON_TRACK_QUERIES
    p = data.places
    codes = ["products_recognised", "share_5_star", "new_products", "points_of_sale", "revocations"]
    for province in (p["hn"], p["hcm"]):
        plan = make_plan(province=province)
        for code in codes:
            make_target(plan, code, 5)
    make_target(make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn1"]), "share_5_star", 3)
    with CaptureQueriesContext(connection) as captured:
        shares = metric.values(TODAY, data.world.users["central"])
    assert set(shares) == {p["hn"].pk, p["hcm"].pk}
    assert len(captured) <= metric.queries
