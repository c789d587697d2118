"""The plans' test world, built by hand so every figure can be counted on paper.

Accounts of every role in Hà Nội (hn, communes hn1 and hn2) and TP HCM (hcm, commune hcm1), from
the registry's `world`. "Today" is 23/11/2026; plans run 2026–2030 (start 01/01/2026).

Hà Nội on 23/11/2026 (D), products by producer:

    htx_hn1 (HTX, hn1):  three (3★ 01/03/2024, GTIN), four (4★ 10/01/2025, QR scanned 01/05/2026),
                         removed (3★ 01/02/2025 but removed from the programme), none (no certificate)
    dn_hn2  (DN, hn2):   potential (4★ tiềm năng 5★ 01/06/2025, scanned on the web only),
                         five (4★ 05/01/2023 expiring 05/01/2026, superseded by 5★ 20/12/2025;
                         QR scanned only after D)
    ho_hn1  (hộ, hn1):   late (3★ 01/02/2023 expiring 01/02/2026, renewed late 01/04/2026),
                         new (first certificate 3★ 01/03/2026)
    tht_hn2 (THT, hn2):  revoked (4★ 01/03/2025, revoked 01/04/2026),
                         expired (3★ 01/05/2022, expired 01/05/2025)

    → OCOP: three, four, potential, five, late, new = 6 (3★ 3, 4★ 1, tiềm năng 1, 5★ 1);
      5★ share 1/6; producers with OCOP 3, HTX/DN 2 (66,67 %); communes 2; new 1;
      re-evaluated on time 1/2 (five's 4★ yes, late's 3★ no); traceable 2/6 (three, four);
      revocations 1; inspections 1 done of 2 (one cancelled).
    On 01/01/2026 (the plans' start): three, four, potential, five (5★), late, revoked = 6
      (3★ 2, 4★ 2, tiềm năng 1, 5★ 1); producers with OCOP 4, HTX/DN 2 (50 %).

TP HCM: ho_hcm1 (hộ, hcm1): hcm_four (4★ 01/08/2024).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from ocop.certification.tests.conftest import make_certificate
from ocop.conftest import shared_world_fixtures
from ocop.core import clock
from ocop.oversight.models import Inspection, InspectionPlan, InspectionStatus
from ocop.plans.models import Plan, PlanLevel, Target
from ocop.public.models import ScanCount, ScanKind, ScanSource
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import Product
from ocop.registry.tests.conftest import World, build_world, make_producer, make_product

TODAY = dt.date(2026, 11, 23)
START = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@dataclass
class Data:
    world: World
    producers: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    inspections: dict = field(default_factory=dict)

    @property
    def places(self) -> dict:
        return self.world.places


def make_plan(level: str = PlanLevel.PROVINCE, province=None, commune=None, **fields) -> Plan:
    values = {
        "level": level,
        "province": province,
        "commune": commune,
        "title": "Kế hoạch OCOP 2026–2030",
        "start_year": 2026,
        "end_year": 2030,
    }
    values.update(fields)
    plan = Plan(**values)
    plan.full_clean()
    plan.save()
    return plan


def make_target(
    plan: Plan, indicator: str, value: float, deadline: dt.date | None = None, **fields
) -> Target:
    target = Target(plan=plan, indicator=indicator, value=value, deadline=deadline or plan.ends_on, **fields)
    target.full_clean()
    target.save()
    return target


def _scan(product: Product, day: dt.date, source: str) -> None:
    ScanCount.objects.create(
        day=day, kind=ScanKind.PRODUCT, object_id=product.pk, source=source, count=3, product=product
    )


def build_data(world: World) -> Data:
    p = world.places
    d = Data(world)
    d.producers = {
        "htx_hn1": make_producer(p["hn1"], name="Hợp tác xã Đồng Xanh", producer_type=ProducerType.HTX),
        "dn_hn2": make_producer(p["hn2"], name="Công ty Sao Mai", producer_type=ProducerType.DN_SME),
        "ho_hn1": make_producer(p["hn1"], name="Hộ Nguyễn Văn A", producer_type=ProducerType.HO_SX),
        "tht_hn2": make_producer(p["hn2"], name="Tổ hợp tác Ven Sông", producer_type=ProducerType.THT),
        "ho_hcm1": make_producer(p["hcm1"], name="Cơ sở Bến Nghé", producer_type=ProducerType.HO_SX),
    }
    pr = d.producers
    d.products = {
        "three": make_product(pr["htx_hn1"], name="Trà sen", gtin="8930000000019"),
        "four": make_product(pr["htx_hn1"], name="Gạo nếp cái hoa vàng"),
        "removed": make_product(pr["htx_hn1"], name="Mứt sen"),
        "none": make_product(pr["htx_hn1"], name="Bánh chưa OCOP"),
        "potential": make_product(pr["dn_hn2"], name="Rượu sen"),
        "five": make_product(pr["dn_hn2"], name="Trà shan tuyết"),
        "late": make_product(pr["ho_hn1"], name="Nem chua"),
        "new": make_product(pr["ho_hn1"], name="Chả cốm"),
        "revoked": make_product(pr["tht_hn2"], name="Miến dong"),
        "expired": make_product(pr["tht_hn2"], name="Bún khô"),
        "hcm_four": make_product(pr["ho_hcm1"], name="Trà Bến Nghé"),
    }
    pd = d.products
    c = {
        "three": make_certificate(pd["three"], star=3, issue_date=dt.date(2024, 3, 1)),
        "four": make_certificate(pd["four"], star=4, issue_date=dt.date(2025, 1, 10)),
        "removed": make_certificate(pd["removed"], star=3, issue_date=dt.date(2025, 2, 1)),
        "potential": make_certificate(
            pd["potential"], star=4, potential_5_star=True, issue_date=dt.date(2025, 6, 1)
        ),
        "five_old": make_certificate(pd["five"], star=4, issue_date=dt.date(2023, 1, 5)),
        "five": make_certificate(pd["five"], star=5, issue_date=dt.date(2025, 12, 20)),
        "late_old": make_certificate(pd["late"], star=3, issue_date=dt.date(2023, 2, 1)),
        "late": make_certificate(pd["late"], star=3, issue_date=dt.date(2026, 4, 1)),
        "new": make_certificate(pd["new"], star=3, issue_date=dt.date(2026, 3, 1)),
        "revoked": make_certificate(
            pd["revoked"],
            star=4,
            issue_date=dt.date(2025, 3, 1),
            revoked_on=dt.date(2026, 4, 1),
            revocation_ground="b",
        ),
        "expired": make_certificate(pd["expired"], star=3, issue_date=dt.date(2022, 5, 1)),
        "hcm_four": make_certificate(pd["hcm_four"], star=4, issue_date=dt.date(2024, 8, 1)),
    }
    c["five_old"].superseded_by = c["five"]
    c["five_old"].save()
    d.certificates = c
    Product.objects.filter(pk=pd["removed"].pk).update(status=ProductStatus.REMOVED.value)
    _scan(pd["four"], dt.date(2026, 5, 1), ScanSource.QR)
    _scan(pd["potential"], dt.date(2026, 5, 1), ScanSource.WEB)
    _scan(pd["five"], dt.date(2026, 12, 1), ScanSource.QR)
    inspection_plan = InspectionPlan.objects.create(
        level="province",
        province=p["hn"],
        year=2026,
        title="Kiểm tra định kỳ 2026",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    d.inspections = {
        "done": Inspection.objects.create(
            plan=inspection_plan,
            producer=pr["htx_hn1"],
            status=InspectionStatus.DONE,
            inspected_on=dt.date(2026, 10, 15),
        ),
        "planned": Inspection.objects.create(plan=inspection_plan, producer=pr["dn_hn2"]),
        "cancelled": Inspection.objects.create(
            plan=inspection_plan, producer=pr["ho_hn1"], status=InspectionStatus.CANCELLED
        ),
    }
    return d


# Built once per module, copied for each test (as Django's setUpTestData).
_data_of_the_module, shared_data = shared_world_fixtures(
    lambda: build_data(build_world()), name="data", today=TODAY
)


@pytest.fixture
def data(shared_data: Data) -> Data:
    return shared_data


@pytest.fixture
def world(request: pytest.FixtureRequest, db) -> World:
    """The data's accounts when the test has ``data`` (set up first: it is module-scoped), else new ones."""
    if "data" in request.fixturenames:
        return request.getfixturevalue("data").world
    return build_world()
