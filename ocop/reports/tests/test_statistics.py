"""reports.statistics: figures as of a day, flows of a period and per year, on hand-built
certificate histories whose answer is worked out by hand, and on random ones checked against the
certification app's own Python definitions (Certificate.status_on, Product.programme_status_on).

The history of Hà Nội (producer P1, an HTX, in hn1; P2, a household, in hn2):

    A  3★ 10/09/2019, re-evaluated 4★ 20/05/2022 (upgrade, supersedes it)
    B  4★ tiềm năng 5★ 01/03/2021 (expires 01/03/2024)
    C  5★ 10/01/2020, revoked 01/08/2022
    D  3★ 01/07/2021 — imported from the history: the product was created today
    E  created today, no certificate
    F  3★ 01/02/2020, re-evaluated 3★ 15/01/2023 (on time, same star)
    G  4★ 01/09/2019 (expires 01/09/2022), re-evaluated late 3★ 01/11/2022
    H  4★ 01/05/2021, the product later removed from the programme
    J  3★ 01/04/2022 (new that year)
    K  4★ 01/02/2021 revoked 01/06/2021, the product discontinued by its producer
    L  3★ 01/10/2019 (expires 01/10/2022), extended to 01/03/2023 (Art. 12.3), re-evaluated 4★ 15/02/2023
    and in TP HCM: M 5★ 01/06/2022.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.accounts.models import Role, User
from ocop.core import clock
from ocop.reports import dashboard, statistics
from ocop.reports.statistics import Scope, levels

from .conftest import D, History, issue, make_producer, make_product, supersede


@pytest.fixture
def history(shared_history: History) -> History:
    """One history for the module's tests (reports/tests/conftest.py); none builds rows of its own."""
    return shared_history


def hanoi(history: History) -> Scope:
    return Scope(province=history.world.places["hn"])


def categories(three=0, four=0, potential=0, five=0, revoked=0, none=0) -> dict[str, int]:
    return dict(zip(statistics.CATEGORIES, (three, four, potential, five, revoked, none), strict=True))


# --- as of a day ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Before anything: the products created today with old certificates did not exist yet.
        (D(2019, 8, 31), categories()),
        # A 3, B 4p, C 5, D 3 (history import), F 3, G 4, H none (removed), K none (discontinued,
        # though its certificate was revoked), L 3; J and E did not exist yet.
        (D(2021, 12, 31), categories(three=4, four=1, potential=1, five=1, none=2)),
        # G expired on 01/09 and was only re-evaluated on 01/11; C revoked on 01/08.
        (D(2022, 9, 30), categories(three=4, four=1, potential=1, revoked=1, none=3)),
        # A upgraded to 4, G back with 3, J new, L valid by its extension.
        (D(2022, 12, 31), categories(three=5, four=1, potential=1, revoked=1, none=2)),
        # B, D and H expired in 2024; F, L re-evaluated in 2023 (L upgraded to 4); J still valid.
        (D(2024, 12, 31), categories(three=3, four=2, revoked=1, none=4)),
    ],
)
def test_snapshot_as_of_a_day(history: History, day: dt.date, expected: dict[str, int]) -> None:
    figures = statistics.snapshot(hanoi(history), day)
    assert figures.by_category == expected
    assert figures.day == day
    assert figures.products_ocop == sum(expected[key] for key in statistics.OCOP)
    assert [row.key for row in figures.by_star] == ["3", "4", "4p", "5", "revoked", "none"]
    assert [row.label for row in figures.by_star] == [
        "3 sao",
        "4 sao",
        "4 sao tiềm năng 5 sao",
        "5 sao",
        "Bị thu hồi",
        "Chưa có sao",
    ]


def test_today_counts_products_created_today(history: History) -> None:
    figures = statistics.snapshot(hanoi(history))
    assert figures.day == clock.today()
    # By now (after 15/02/2026) every certificate of the history has expired or was revoked; E
    # (no certificate, created today) counts from today.
    assert figures.by_category == categories(revoked=1, none=10)


def test_breakdowns_add_up_and_follow_the_scope(history: History) -> None:
    day = D(2022, 12, 31)
    country = statistics.snapshot(Scope(), day)
    assert country.by_category == categories(three=5, four=1, potential=1, five=1, revoked=1, none=2)
    provinces = {row.code: row for row in country.by_province}
    assert len(provinces) == 34 and country.by_commune == []
    assert provinces["01"].counts == statistics.snapshot(hanoi(history), day).by_category
    assert provinces["79"].counts == categories(five=1)
    assert sum(row.total for row in country.by_province) == country.products_total == 11
    assert sum(row.count for row in country.by_sector) == 11
    assert sum(row.ocop for row in country.by_sector) == country.products_ocop == 8

    province = statistics.snapshot(hanoi(history), day)
    communes = {row.code: row for row in province.by_commune}
    hn1, hn2 = history.world.places["hn1"].code, history.world.places["hn2"].code
    assert communes[hn1].counts == categories(three=2, four=1, potential=1, revoked=1)  # A B C D F
    assert communes[hn2].counts == categories(three=3, none=2)  # G J L; H K
    assert sum(row.total for row in province.by_commune) == province.products_total == 10
    assert province.communes_in_scope == len(province.by_commune)
    assert province.communes_with_ocop == 2

    commune = statistics.snapshot(
        Scope(province=history.world.places["hn"], commune=history.world.places["hn2"]), day
    )
    assert commune.by_category == categories(three=3, none=2)
    assert [row.code for row in commune.by_commune] == [hn2] and [
        row.code for row in commune.by_province
    ] == ["01"]
    assert (commune.communes_with_ocop, commune.communes_in_scope) == (1, 1)


def test_producers_as_of_a_day(history: History) -> None:
    figures = statistics.snapshot(hanoi(history), D(2022, 12, 31))
    rows = {row.key: (row.count, row.ocop) for row in figures.producers_by_type if row.count}
    # P3 (DN) was created today and had no certificate: it did not exist at the end of 2022.
    assert rows == {"HTX": (1, 1), "HO_SX": (1, 1)}
    assert (figures.cooperatives_and_enterprises, figures.cooperatives_and_enterprises_share) == (1, 50.0)
    today = statistics.snapshot(hanoi(history))
    rows = {row.key: (row.count, row.ocop) for row in today.producers_by_type if row.count}
    assert rows == {"HTX": (1, 0), "HO_SX": (1, 0), "DN_SME": (1, 0)}
    assert today.cooperatives_and_enterprises_share is None  # no producer has an OCOP product


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2019, 8, 31), {}),  # every producer was created today, no certificate issued yet
        (D(2021, 12, 31), {"HTX": (1, 1), "HO_SX": (1, 1)}),
        # P4 (HTX, TP HCM) exists through M, issued 01/06/2022; P2 holds J (G lapsed on 01/09).
        (D(2022, 9, 30), {"HTX": (2, 2), "HO_SX": (1, 1)}),
        # P3 (DN, created today, no certificate) counts from today; every certificate has lapsed.
        (None, {"HTX": (2, 0), "HO_SX": (1, 0), "DN_SME": (1, 0)}),
    ],
)
def test_the_country_counts_its_producers_with_its_products(
    history: History, day: dt.date | None, expected: dict[str, tuple[int, int]]
) -> None:
    """The whole country's producers by type come from the products' statement (its producers are
    those of its products); a province's from a statement of their own. Both count the same."""
    with CaptureQueriesContext(connection) as queries:
        country = statistics.snapshot(Scope(), day)
    assert {row.key: (row.count, row.ocop) for row in country.producers_by_type if row.count} == expected
    assert country.producers_by_type == levels._producers_by_type(Scope(), day or clock.today())
    # Products, unit names, the number of communes: the producers add no statement of their own.
    assert len(queries) == 3


def test_producer_and_empty_scopes(history: History) -> None:
    producer = statistics.snapshot(Scope(producer=history.producers["P1"]), D(2022, 12, 31))
    assert producer.by_category == categories(three=2, four=1, potential=1, revoked=1)
    assert [row.code for row in producer.by_province] == ["01"] and producer.communes_in_scope is None
    nothing = statistics.snapshot(Scope(nothing=True), D(2022, 12, 31))
    assert nothing.products_total == 0 and nothing.by_province == [] and nothing.communes_in_scope == 0
    assert nothing.producers_total == 0


# --- flows ------------------------------------------------------------------------------------------


def codes(certificates) -> set[str]:
    return {c.code for c in certificates}


@pytest.mark.parametrize(
    ("year", "expected", "records"),
    [
        # B, D, H, K first recognised; K revoked.
        (
            2021,
            {"new": 4, "reevaluated": 0, "upgraded": 0, "expired": 0, "revoked": 1},
            {"new": {"B", "D", "H", "K"}},
        ),
        # J new; A (upgraded 3→4) and G (late, 4→3) re-evaluated; G's first expired before its
        # successor; A's first did not (re-evaluated in time); L's was extended into 2023; C revoked.
        (
            2022,
            {"new": 1, "reevaluated": 2, "upgraded": 1, "expired": 1, "revoked": 1},
            {
                "new": {"J"},
                "reevaluated": {"A2", "G2"},
                "upgraded": {"A2"},
                "expired": {"G1"},
                "revoked": {"C"},
            },
        ),
        # F re-evaluated on time (same star), L upgraded within its extension.
        (2023, {"new": 0, "reevaluated": 2, "upgraded": 1, "expired": 0, "revoked": 0}, {"upgraded": {"L2"}}),
        # B, D and H lapse (H's product was removed: its certificate still expires).
        (
            2024,
            {"new": 0, "reevaluated": 0, "upgraded": 0, "expired": 3, "revoked": 0},
            {"expired": {"B", "D", "H"}},
        ),
    ],
)
def test_flows_of_a_year(history: History, year: int, expected: dict, records: dict) -> None:
    flows = statistics.flows(hanoi(history), D(year, 1, 1), D(year, 12, 31))
    assert {kind: flows.count(kind) for kind in statistics.KINDS} == expected
    for kind in statistics.KINDS:
        assert flows.records(kind).count() == expected[kind], kind
    for kind, names in records.items():
        assert codes(flows.records(kind)) == codes(history.certificates[name] for name in names), kind
    assert flows.to_dict() == {"start": f"{year}-01-01", "end": f"{year}-12-31", **expected}


def test_flows_follow_the_scope(history: History) -> None:
    country = statistics.flows(Scope(), D(2022, 1, 1), D(2022, 12, 31))
    assert (country.new, country.reevaluated) == (2, 2)  # J and M
    assert codes(country.records("new")) == codes([history.certificates["J"], history.certificates["M"]])
    hcm = statistics.flows(Scope(province=history.world.places["hcm"]), D(2022, 1, 1), D(2022, 12, 31))
    assert hcm.to_dict()["new"] == 1 and hcm.reevaluated == 0
    with pytest.raises(ValueError, match="Ngày kết thúc"):
        statistics.flows(Scope(), D(2022, 12, 31), D(2022, 1, 1))


# --- year on year -----------------------------------------------------------------------------------


def test_yearly_figures_and_changes(history: History) -> None:
    rows = statistics.yearly(hanoi(history), [2022, 2021])
    assert [row.year for row in rows] == [2021, 2022]
    first, second = rows
    assert first.stock.by_star == statistics.snapshot(hanoi(history), D(2021, 12, 31)).by_category
    assert second.stock.by_star == statistics.snapshot(hanoi(history), D(2022, 12, 31)).by_category
    assert (
        second.flows.to_dict() == statistics.flows(hanoi(history), D(2022, 1, 1), D(2022, 12, 31)).to_dict()
    )
    assert second.change["stock"]["ocop"] == second.stock.ocop - first.stock.ocop == 7 - 7
    assert second.change["stock"]["5"] == -1 and second.change["stock"]["3"] == 1
    assert second.change["stock"]["revoked"] == 1 and second.change["flows"]["revoked"] == 0
    assert second.change["flows"]["new"] == 1 - 4
    # The first year's change is from the year before it, computed too.
    before = statistics.snapshot(hanoi(history), D(2020, 12, 31))
    assert first.change["stock"]["ocop"] == first.stock.ocop - before.products_ocop
    data = second.to_dict()
    assert data["date"] == "2022-12-31" and data["stock"]["by_star"]["4p"] == 1
    assert data["flows"]["upgraded"] == 1 and data["change"]["flows"]["upgraded"] == 1


def test_the_current_year_ends_today(history: History) -> None:
    (row,) = statistics.yearly(hanoi(history), [clock.today().year])
    assert row.day == clock.today() and row.flows.end == clock.today()
    with pytest.raises(ValueError, match="không hợp lệ"):
        statistics.yearly(hanoi(history), [clock.today().year + 1])


def test_figures_count_the_snapshot_and_the_years_stocks_in_one_pass(history: History) -> None:
    """figures(): the snapshot and the stocks of the years' ends come from one statement (the day
    counted once when it ends a year); every number is that of the snapshot and the years
    counted on their own, and the only other statement reading certificates is the flows'."""
    cases = [
        (Scope(), D(2022, 12, 31), 2022),
        (hanoi(history), D(2021, 12, 31), 2022),  # the day ends the year before the one asked
        (hanoi(history), clock.today(), clock.today().year),  # this year ends today
        (hanoi(history), D(2022, 6, 30), 2022),  # not a year's end
        (
            Scope(province=history.world.places["hn"], commune=history.world.places["hn1"]),
            D(2020, 3, 1),
            2021,
        ),
    ]
    for scope, day, year in cases:
        alone = [row.to_dict() for row in statistics.yearly(scope, range(year - 4, year + 1))]
        snapshot = statistics.snapshot(scope, day).to_dict()
        own = _queries(lambda s=scope, d=day: statistics.snapshot(s, d))
        with CaptureQueriesContext(connection) as queries:
            shown = dashboard.figures(scope, day, year)
        assert [row.to_dict() for row in shown.years] == alone, (day, year)
        assert shown.snapshot.to_dict() == snapshot, (day, year)
        assert len(queries) == own + 1, (day, year)  # the flows


# --- queries ----------------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_a_fixed_number_of_queries_whatever_the_rows(history: History) -> None:
    scopes = [
        Scope(),
        hanoi(history),
        Scope(province=history.world.places["hn"], commune=history.world.places["hn1"]),
    ]
    calls = {
        "snapshot": lambda scope: statistics.snapshot(scope, D(2022, 12, 31)),
        "flows": lambda scope: statistics.flows(scope, D(2022, 1, 1), D(2022, 12, 31)),
        "yearly": lambda scope: statistics.yearly(scope, range(2018, 2027)),
    }
    before = {
        (name, scope.level): _queries(lambda c=call, s=scope: c(s))
        for name, call in calls.items()
        for scope in scopes
    }
    assert before[("snapshot", "country")] == 3 and before[("snapshot", "province")] == 3
    assert before[("flows", "country")] == 1 and before[("yearly", "country")] == 2
    for index in range(12):
        producer = make_producer(history.world.places[["hn1", "hn2", "hcm1"][index % 3]])
        for star in (3, 4, 5):
            first = issue(make_product(producer), star, D(2020, 1 + index, 5))
            supersede(first, issue(first.product, 3 + (star + 1) % 3, D(2022, 1 + index, 6)))
    after = {
        (name, scope.level): _queries(lambda c=call, s=scope: c(s))
        for name, call in calls.items()
        for scope in scopes
    }
    assert after == before


# --- scope ----------------------------------------------------------------------------------------


def test_scope_of_users_and_units(history: History) -> None:
    users, places = history.world.users, history.world.places
    assert Scope.of_user(users["central"]).level == "country"
    assert Scope.of_user(users["province_hn"]) == Scope(province=places["hn"])
    assert Scope.of_user(users["commune_hn1"]) == Scope(province=places["hn"], commune=places["hn1"])
    assert Scope.of_user(users["viewer_hn1"]).level == "commune"
    assert Scope.of_user(users["council_hn"]) == Scope(province=places["hn"])
    lonely = User.objects.create(username="lonely", role=Role.VIEWER)
    assert Scope.of_user(lonely).level == "none"
    assert Scope.of_user(users["producer_hn1"]).level == "none"  # no organisation yet
    users["producer_hn1"].producer = history.producers["P1"]
    assert Scope.of_user(users["producer_hn1"]) == Scope(producer=history.producers["P1"])

    assert statistics.scope_for(users["central"], "79") == Scope(province=places["hcm"])
    assert statistics.scope_for(users["central"], "") == Scope()
    assert statistics.scope_for(users["province_hn"], places["hn1"].code) == Scope(
        province=places["hn"], commune=places["hn1"]
    )
    assert statistics.scope_for(users["province_hn"], "01") == Scope(province=places["hn"])
    with pytest.raises(PermissionDenied, match="ngoài phạm vi"):
        statistics.scope_for(users["province_hn"], "79")
    with pytest.raises(PermissionDenied):
        statistics.scope_for(users["commune_hn1"], places["hn2"].code)
    with pytest.raises(PermissionDenied):
        statistics.scope_for(users["producer_hn1"], "01")
    with pytest.raises(statistics.UnknownUnit, match="99999"):
        statistics.scope_for(users["central"], "99999")
    with pytest.raises(statistics.UnknownUnit):
        statistics.scope_for(users["central"], "001")  # a former district, not a current unit
    assert Scope().label == "Toàn quốc" and Scope().code == ""
    commune = Scope(province=places["hn"], commune=places["hn1"])
    assert commune.code == places["hn1"].code and commune.label == f"{places['hn1'].name}, Thành phố Hà Nội"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/12/2022", D(2022, 12, 31)),
        ("2022-12-31", D(2022, 12, 31)),
        (" 01/01/2020 ", D(2020, 1, 1)),
        ("", None),
    ],
)
def test_days_are_read_in_dd_mm_yyyy_or_iso(text: str, expected: dt.date | None) -> None:
    assert statistics.parse_day(text) == (expected or clock.today())


@pytest.mark.parametrize("text", ["31/02/2022", "2022/12/31", "12-31-2022", "hôm qua", "31/12/22"])
def test_bad_days_are_refused_in_vietnamese(text: str) -> None:
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        statistics.parse_day(text)


def test_future_days_and_years_are_refused() -> None:
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="chưa tới"):
        statistics.parse_day(tomorrow.strftime("%d/%m/%Y"))
    with pytest.raises(ValueError, match="không hợp lệ"):
        statistics.parse_year(str(clock.today().year + 1), 2022)
    with pytest.raises(ValueError, match="không hợp lệ"):
        statistics.parse_year("hai nghìn", 2022)
    assert statistics.parse_year("", 2022) == 2022 and statistics.parse_year("2020", 2022) == 2020
