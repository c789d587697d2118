"""The registry's test world (users of every role, communes, producers and products) for the reports,
and the certificate history of Hà Nội the statistics tests read (see test_statistics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from ocop.certification.models import Certificate, RevocationGround
from ocop.certification.tests.conftest import make_certificate
from ocop.conftest import shared_world_fixtures
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import Producer, Product
from ocop.registry.tests.conftest import (  # noqa: F401
    World,
    build_world,
    current_unit,
    make_producer,
    make_product,
    world,
)

D = dt.date


def issue(product: Product, star: int, day: dt.date, **fields) -> Certificate:
    if fields.get("revoked_on"):
        fields.setdefault("revocation_ground", RevocationGround.B)
    return make_certificate(product, star=star, issue_date=day, **fields)


def extend(certificate: Certificate, until: dt.date) -> None:
    """Art. 12.3's extension, as the evaluation workflow records it (a field no form edits)."""
    certificate.extended_until = until
    Certificate.objects.filter(pk=certificate.pk).update(extended_until=until)


def supersede(old: Certificate, new: Certificate) -> Certificate:
    old.superseded_by = new
    old.save()
    return new


@dataclass
class History:
    world: World
    products: dict[str, Product]
    certificates: dict[str, Certificate]
    producers: dict[str, Producer]


@pytest.fixture
def history(world: World) -> History:  # noqa: F811 - the fixture above
    return build_history(world)


def build_history(accounts: World) -> History:
    places = accounts.places
    p1 = make_producer(places["hn1"], producer_type=ProducerType.HTX)
    p2 = make_producer(places["hn2"], producer_type=ProducerType.HO_SX)
    p3 = make_producer(places["hn2"], producer_type=ProducerType.DN_SME, legal_form="llc")
    p4 = make_producer(places["hcm1"], producer_type=ProducerType.HTX)
    products = {name: make_product(p1) for name in "ABCDF"}
    products.update({name: make_product(p2) for name in "GHJKL"})
    products["E"] = make_product(p3)
    products["M"] = make_product(p4)
    c: dict[str, Certificate] = {}
    c["A1"] = issue(products["A"], 3, D(2019, 9, 10))
    c["A2"] = supersede(c["A1"], issue(products["A"], 4, D(2022, 5, 20)))
    c["B"] = issue(products["B"], 4, D(2021, 3, 1), potential_5_star=True)
    c["C"] = issue(products["C"], 5, D(2020, 1, 10), revoked_on=D(2022, 8, 1))
    c["D"] = issue(products["D"], 3, D(2021, 7, 1))
    c["F1"] = issue(products["F"], 3, D(2020, 2, 1))
    c["F2"] = supersede(c["F1"], issue(products["F"], 3, D(2023, 1, 15)))
    c["G1"] = issue(products["G"], 4, D(2019, 9, 1))
    c["G2"] = supersede(c["G1"], issue(products["G"], 3, D(2022, 11, 1)))
    c["H"] = issue(products["H"], 4, D(2021, 5, 1))
    c["J"] = issue(products["J"], 3, D(2022, 4, 1))
    c["K"] = issue(products["K"], 4, D(2021, 2, 1), revoked_on=D(2021, 6, 1))
    c["L1"] = issue(products["L"], 3, D(2019, 10, 1))
    extend(c["L1"], D(2023, 3, 1))
    c["L2"] = supersede(c["L1"], issue(products["L"], 4, D(2023, 2, 15)))
    c["M"] = issue(products["M"], 5, D(2022, 6, 1))
    Product.objects.filter(pk=products["H"].pk).update(status=ProductStatus.REMOVED)
    Product.objects.filter(pk=products["K"].pk).update(status=ProductStatus.DISCONTINUED)
    return History(accounts, products, c, {"P1": p1, "P2": p2, "P3": p3, "P4": p4})


# For the modules whose every test reads the history (test_statistics, test_statistics_pages): built
# once per module, copied for each test (as Django's setUpTestData); they define ``history`` from it.
_history_of_the_module, shared_history = shared_world_fixtures(
    lambda: build_history(build_world()), name="history"
)
