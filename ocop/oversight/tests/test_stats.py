"""Oversight figures (ocop.oversight.stats.figures) on a known dataset, scoped, in fixed queries.

The dataset (today is 23/11/2026, the period is 2026):

    Hà Nội plan 2026: 50 producers (30 in hn1, 20 in hn2), two products each; 41 inspected in 2026
        (25 in hn1, 16 in hn2), one more producer's inspection cancelled (not planned);
        outcomes of the 82 products: 5 warnings (2 corrected, 3 open of which 2 past the deadline),
        3 revocation proposals (b, b, d: their certificates revoked in 2026), 2 removals, 72 compliant;
        findings: 41 criteria as evaluated, 3 changed, 3 no longer met, 2 mark items not met.
    Hà Nội: one more certificate revoked in 2026 on ground a (no inspection), one revoked in 2025;
        an inspection done in 2025 under a 2025 plan (not in the period).
    TP HCM plan 2026: 3 producers, 1 inspected (compliant), one certificate revoked on ground c.
    Consumer reports in 2026: 2 in Hà Nội (1 closed), 1 in TP HCM; one in 2025.
    Scan signals: 1 open in hn1, 1 dismissed in hn1, 1 open in hcm1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied

from ocop.certification.tests.conftest import make_certificate
from ocop.conftest import shared_world_fixtures
from ocop.core import clock
from ocop.geo.models import Unit
from ocop.oversight import stats
from ocop.oversight.models import (
    Answer,
    ConsumerReport,
    Finding,
    FindingKind,
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Outcome,
    PlanKind,
    PlanLevel,
    PlanStatus,
    ReportKind,
    ReportStatus,
    ScanSignal,
    SignalRule,
    SignalStatus,
)
from ocop.registry.models import Producer, Product
from ocop.registry.tests.conftest import World, build_world, make_producer, make_product

TODAY = dt.date(2026, 11, 23)
YEAR = 2026


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def make_plan(province: Unit | None, year: int = YEAR, **fields) -> InspectionPlan:
    values = {
        "level": PlanLevel.PROVINCE if province is not None else PlanLevel.CENTRAL,
        "kind": PlanKind.PERIODIC,
        "province": province,
        "year": year,
        "title": f"Kế hoạch kiểm tra {year}",
        "starts_on": dt.date(year, 1, 1),
        "ends_on": dt.date(year, 12, 31),
        "status": PlanStatus.ACTIVE,
    }
    values.update(fields)
    return InspectionPlan.objects.create(**values)


def make_inspection(
    plan: InspectionPlan,
    producer: Producer,
    products: list[Product],
    *,
    inspected_on: dt.date | None = None,
    outcomes: dict[int, dict] | None = None,
    status: str | None = None,
) -> Inspection:
    """An inspection of ``producer`` with its products; done when ``inspected_on`` is given."""
    done = inspected_on is not None
    inspection = Inspection.objects.create(
        plan=plan,
        producer=producer,
        status=status or (InspectionStatus.DONE if done else InspectionStatus.PLANNED),
        inspected_on=inspected_on,
        concluded_on=inspected_on,
    )
    worst = Outcome.COMPLIANT
    for index, product in enumerate(products):
        fields = dict((outcomes or {}).get(index, {}))
        if done:
            fields.setdefault("outcome", Outcome.COMPLIANT)
            order = [Outcome.COMPLIANT, Outcome.WARNING, Outcome.REVOCATION, Outcome.REMOVAL]
            worst = max(worst, fields["outcome"], key=order.index)
        InspectedProduct.objects.create(inspection=inspection, product=product, **fields)
    if done:
        inspection.conclusion = worst
        inspection.save(update_fields=["conclusion"])
    return inspection


def finding(inspection: Inspection, product: Product, code: str, answer: str, kind=FindingKind.CRITERION):
    return Finding.objects.create(
        inspection=inspection, product=product, kind=kind, code=code, label=code, answer=answer
    )


def report(province: Unit, day: dt.date, status: str = ReportStatus.NEW, product=None) -> ConsumerReport:
    item = ConsumerReport.objects.create(
        kind=ReportKind.QUALITY, description="Thử", province=province, status=status, product=product
    )
    ConsumerReport.objects.filter(pk=item.pk).update(
        created=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    )
    return item


def signal(product: Product, status: str = SignalStatus.OPEN, rule=SignalRule.SURGE) -> ScanSignal:
    return ScanSignal.objects.create(
        rule=rule, product=product, first_day=TODAY, last_day=TODAY, scans=40, status=status
    )


@dataclass
class Data:
    world: World
    hn_plan: InspectionPlan
    producers: list[Producer] = field(default_factory=list)
    inspections: dict[int, Inspection] = field(default_factory=dict)
    products: dict[int, list[Product]] = field(default_factory=dict)


def build_data(world: World) -> Data:  # noqa: F811
    places = world.places
    plan = make_plan(places["hn"])
    result = Data(world, plan)
    day = dt.date(YEAR, 5, 1)
    # Outcomes of the second product of the inspected producers, by their index.
    special = {
        0: {"outcome": Outcome.WARNING, "corrective_actions": "Sửa nhãn", "deadline": dt.date(YEAR, 6, 1)},
        1: {"outcome": Outcome.WARNING, "corrective_actions": "Sửa nhãn", "deadline": dt.date(YEAR, 7, 1)},
        2: {"outcome": Outcome.WARNING, "corrective_actions": "Sửa nhãn", "deadline": dt.date(YEAR, 12, 31)},
        3: {
            "outcome": Outcome.WARNING,
            "corrective_actions": "Sửa nhãn",
            "deadline": dt.date(YEAR, 6, 1),
            "resolved_on": dt.date(YEAR, 5, 20),
        },
        30: {
            "outcome": Outcome.WARNING,
            "corrective_actions": "Sửa nhãn",
            "deadline": dt.date(YEAR, 6, 1),
            "resolved_on": dt.date(YEAR, 5, 25),
        },
        4: {"outcome": Outcome.REVOCATION, "ground": "b"},
        5: {"outcome": Outcome.REVOCATION, "ground": "b"},
        31: {"outcome": Outcome.REVOCATION, "ground": "d"},
        6: {"outcome": Outcome.REMOVAL},
        32: {"outcome": Outcome.REMOVAL},
    }
    for index in range(50):
        place = places["hn1"] if index < 30 else places["hn2"]
        producer = make_producer(place)
        products = [make_product(producer), make_product(producer)]
        result.producers.append(producer)
        result.products[index] = products
        inspected = index < 25 or 30 <= index < 46
        outcomes = {}
        if inspected and index in special:
            outcomes = {1: dict(special[index])}
            if special[index]["outcome"] == Outcome.REVOCATION:
                certificate = make_certificate(products[1], issue_date=dt.date(2024, 3, 1))
                certificate.revoked_on = dt.date(YEAR, 6, 15)
                certificate.revocation_ground = special[index]["ground"]
                certificate.save()
                outcomes[1]["certificate"] = certificate
        result.inspections[index] = make_inspection(
            plan, producer, products, inspected_on=day if inspected else None, outcomes=outcomes
        )
    # Findings: one "as evaluated" criterion per inspected producer, plus changes and breaches.
    for index, inspection in result.inspections.items():
        if inspection.status != InspectionStatus.DONE:
            continue
        first, second = result.products[index]
        finding(inspection, first, "1.1", Answer.AS_EVALUATED)
        if index in (0, 1, 2):
            finding(inspection, second, "2.1", Answer.CHANGED)
        if index in (4, 5, 31):
            finding(inspection, second, "2.2", Answer.NOT_MET)
        if index in (0, 31):
            finding(inspection, second, "M1", Answer.NOT_MET, kind=FindingKind.MARK)
        finding(inspection, first, "3.1", Answer.UNCHECKED)  # not counted: nobody checked it
    # A producer planned then cancelled: not planned any more.
    cancelled = make_producer(places["hn1"])
    make_inspection(plan, cancelled, [make_product(cancelled)], status=InspectionStatus.CANCELLED)
    # Hà Nội revocations without an inspection: one in 2026 (a), one in 2025 (outside the period).
    for revoked_on, ground in ((dt.date(YEAR, 3, 3), "a"), (dt.date(2025, 8, 8), "b")):
        product = make_product(make_producer(places["hn2"]))
        make_certificate(
            product, issue_date=dt.date(2024, 1, 5), revoked_on=revoked_on, revocation_ground=ground
        )
    # Last year's plan and inspection: outside the period.
    old = make_plan(places["hn"], year=2025)
    old_producer = make_producer(places["hn1"])
    make_inspection(old, old_producer, [make_product(old_producer)], inspected_on=dt.date(2025, 9, 9))
    # TP HCM: 3 producers planned, 1 inspected; one revocation on ground c.
    hcm_plan = make_plan(places["hcm"])
    for index in range(3):
        producer = make_producer(places["hcm1"])
        product = make_product(producer)
        make_inspection(hcm_plan, producer, [product], inspected_on=day if index == 0 else None)
    hcm_product = make_product(make_producer(places["hcm1"]))
    make_certificate(
        hcm_product, issue_date=dt.date(2024, 2, 2), revoked_on=dt.date(YEAR, 2, 2), revocation_ground="c"
    )
    # Consumer reports and scan signals.
    report(places["hn"], dt.date(YEAR, 4, 4), product=result.products[0][0])
    report(places["hn"], dt.date(YEAR, 4, 5), status=ReportStatus.CLOSED, product=result.products[35][0])
    report(places["hcm"], dt.date(YEAR, 4, 6))
    report(places["hn"], dt.date(2025, 4, 4))
    signal(result.products[0][0])
    signal(result.products[1][0], status=SignalStatus.DISMISSED)
    signal(hcm_product)
    world.users["producer_hn1"].producer = result.producers[0]
    world.users["producer_hn1"].save()
    return result


# Built once per module (about 2 s: 160 products, 50 inspections), copied for each test.
_data_of_the_module, shared_data = shared_world_fixtures(
    lambda: build_data(build_world()), name="data", today=TODAY
)


@pytest.fixture
def data(shared_data: Data) -> Data:
    return shared_data


@pytest.fixture
def world(data: Data) -> World:  # noqa: F811
    return data.world


def test_province_figures_read_41_of_50(data: Data) -> None:
    result = stats.figures(data.world.users["province_hn"])
    assert result["area"] == "province"
    assert result["unit"]["code"] == "01"
    assert (result["start"], result["end"]) == (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert result["producers"] == {"planned": 50, "inspected": 41}
    assert result["products"] == {"planned": 100, "inspected": 82}
    assert result["inspections"] == {"planned": 50, "done": 41}
    assert result["conclusions"] == {
        "compliant": 72,
        "warning": 5,
        "revocation": 3,
        "reevaluation": 0,
        "removal": 2,
    }
    assert result["warnings"] == {"issued": 5, "open": 3, "closed": 2, "overdue": 2}
    assert result["removed"] == 2
    assert result["findings"] == {
        "criterion": {"as_evaluated": 41, "changed": 3, "not_met": 3},
        "mark": {"as_evaluated": 0, "changed": 0, "not_met": 2},
    }
    # Every revocation of the period (a without an inspection), three proposed by an inspection.
    assert result["revocations"]["total"] == 4
    assert result["revocations"]["from_inspection"] == 3
    assert result["revocations"]["by_ground"] == {"a": 1, "b": 2, "c": 0, "d": 1, "đ": 0, "e": 0}
    assert result["reports"] == {"received": 2, "new": 1, "in_progress": 0, "closed": 1}
    assert result["signals"] == {"open": 1}
    assert result["by_province"] is None


def test_national_figures_and_the_province_breakdown(data: Data) -> None:
    result = stats.figures(data.world.users["central"])
    assert result["area"] == "national" and result["unit"] is None
    assert result["producers"] == {"planned": 53, "inspected": 42}
    assert result["revocations"]["total"] == 5
    assert result["revocations"]["by_ground"]["c"] == 1
    assert result["reports"]["received"] == 3
    assert result["signals"]["open"] == 2
    rows = {row["province"]["code"]: row for row in result["by_province"]}
    assert len(rows) == Unit.objects.filter(structure="current", level="province").count()
    assert rows["01"]["producers"] == {"planned": 50, "inspected": 41}
    assert rows["01"]["products"]["inspected"] == 82
    assert rows["01"]["removed"] == 2
    assert rows["01"]["revocations"] == {"total": 4, "from_inspection": 3}
    assert rows["79"]["producers"] == {"planned": 3, "inspected": 1}
    assert rows["79"]["revocations"]["total"] == 1
    assert rows["48"]["producers"] == {"planned": 0, "inspected": 0}


def test_central_user_narrows_to_a_province_or_commune(data: Data) -> None:
    central = data.world.users["central"]
    hn1 = data.world.places["hn1"]
    result = stats.figures(central, unit=data.world.places["hcm"])
    assert result["producers"] == {"planned": 3, "inspected": 1} and result["by_province"] is None
    result = stats.figures(central, unit=hn1.pk)
    assert result["unit"]["level"] == "commune"
    assert result["producers"] == {"planned": 30, "inspected": 25}
    assert result["warnings"]["open"] == 3


def test_period_narrows_everything(data: Data) -> None:
    user = data.world.users["province_hn"]
    result = stats.figures(user, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    assert result["producers"] == {"planned": 1, "inspected": 1}
    assert result["revocations"]["by_ground"]["b"] == 1 and result["revocations"]["total"] == 1
    assert result["reports"]["received"] == 1
    # A month of the year: the 2026 plan overlaps it; nothing was inspected in it.
    result = stats.figures(user, start=dt.date(YEAR, 9, 1), end=dt.date(YEAR, 9, 30))
    assert result["producers"] == {"planned": 50, "inspected": 0}
    assert result["conclusions"]["compliant"] == 0
    with pytest.raises(ValueError):
        stats.figures(user, start=dt.date(YEAR, 9, 30), end=dt.date(YEAR, 9, 1))


def test_commune_officer_sees_their_commune(data: Data) -> None:
    result = stats.figures(data.world.users["commune_hn2"])
    assert result["area"] == "commune"
    assert result["producers"] == {"planned": 20, "inspected": 16}
    assert result["revocations"]["total"] == 2  # d (inspection) and a
    assert result["reports"]["received"] == 0  # reports are the province's work
    assert result["signals"]["open"] == 0


def test_scope_refuses_units_outside(data: Data) -> None:
    with pytest.raises(PermissionDenied):
        stats.figures(data.world.users["province_hn"], unit=data.world.places["hcm"])
    with pytest.raises(PermissionDenied):
        stats.figures(data.world.users["commune_hn1"], unit=data.world.places["hn2"])
    with pytest.raises(PermissionDenied):
        stats.figures(data.world.users["province_hn"], unit=999_999_999)
    # A province officer may look at one of its communes.
    result = stats.figures(data.world.users["province_hn"], unit=data.world.places["hn1"])
    assert result["producers"] == {"planned": 30, "inspected": 25}


@pytest.mark.parametrize("username", ["producer_hn1", "council_hn"])
def test_producers_and_councils_get_nothing(data: Data, username: str) -> None:
    result = stats.figures(data.world.users[username])
    assert result["area"] == "none"
    assert result["producers"] == {"planned": 0, "inspected": 0}
    assert result["revocations"]["total"] == 0 and result["signals"]["open"] == 0


def test_viewer_reads_their_province(data: Data) -> None:
    result = stats.figures(data.world.users["viewer_hn"])
    assert result["producers"] == {"planned": 50, "inspected": 41}


def test_query_count_is_fixed(data: Data, django_assert_max_num_queries) -> None:
    from ocop.accounts.models import User

    central = User.objects.get(username="central")
    with django_assert_max_num_queries(7):
        stats.figures(central)
    province = User.objects.select_related("scope_unit__current_province").get(username="province_hn")
    with django_assert_max_num_queries(6):
        stats.figures(province)
    # More of everything: the same number of queries.
    for index in range(5):
        producer = make_producer(data.world.places["hn2"])
        make_inspection(
            data.hn_plan, producer, [make_product(producer)], inspected_on=dt.date(YEAR, 8, index + 1)
        )
    with django_assert_max_num_queries(6):
        result = stats.figures(province)
    assert result["producers"] == {"planned": 55, "inspected": 46}
