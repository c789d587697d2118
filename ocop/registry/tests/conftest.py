"""Registry test world: accounts of every role in Hà Nội (01) and TP Hồ Chí Minh (79), and helpers
to make producers and products at those places (same layout as ocop/accounts/tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from ocop.accounts.models import Role, User
from ocop.conftest import shared_world_fixtures
from ocop.geo.models import Level, Structure, Unit
from ocop.registry.classification import ProducerType
from ocop.registry.models import Producer, Product

# name → (role, place); place None = whole country.
ACCOUNTS = {
    "admin": (Role.ADMIN, None),
    "central": (Role.CENTRAL, None),
    "province_hn": (Role.PROVINCE, "hn"),
    "province_hcm": (Role.PROVINCE, "hcm"),
    "commune_hn1": (Role.COMMUNE, "hn1"),
    "commune_hn2": (Role.COMMUNE, "hn2"),
    "commune_hcm1": (Role.COMMUNE, "hcm1"),
    "council_hn": (Role.COUNCIL, "hn"),
    "producer_hn1": (Role.PRODUCER, "hn1"),
    "viewer_hn": (Role.VIEWER, "hn"),
    "viewer_hn1": (Role.VIEWER, "hn1"),
}


def current_unit(code: str) -> Unit:
    return Unit.objects.select_related("current_province").get(structure=Structure.CURRENT, code=code)


def communes_of(province: Unit, count: int) -> list[Unit]:
    communes = Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, current_province=province
    ).select_related("current_province")
    return list(communes.order_by("code")[:count])


_counter = {"n": 0}


def make_producer(unit: Unit, **fields: Any) -> Producer:
    _counter["n"] += 1
    values = {"name": f"Hợp tác xã thử {_counter['n']}", "producer_type": ProducerType.HTX, "unit": unit}
    values.update(fields)
    producer = Producer(**values)
    producer.full_clean()
    producer.save()
    return producer


def make_product(producer: Producer, unit: Unit | None = None, **fields: Any) -> Product:
    _counter["n"] += 1
    values = {
        "name": f"Sản phẩm thử {_counter['n']}",
        "producer": producer,
        "unit": unit or producer.unit,
        "classification_set": "B07",
    }
    values.update(fields)
    product = Product(**values)
    product.full_clean()
    product.save()
    return product


@dataclass
class World:
    places: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


def build_world() -> World:
    world = World()
    hn, hcm = current_unit("01"), current_unit("79")
    hn1, hn2 = communes_of(hn, 2)
    (hcm1,) = communes_of(hcm, 1)
    world.places = {"hn": hn, "hcm": hcm, "hn1": hn1, "hn2": hn2, "hcm1": hcm1}
    for name, (role, place) in ACCOUNTS.items():
        user = User(username=name, role=role, scope_unit=world.places.get(place), email=f"{name}@example.vn")
        # No password: hashing one is slow and the clients log in with force_login (or tokens).
        user.set_unusable_password()
        user.save()  # valid by construction (test_world_accounts_are_valid); validating cost 3 queries each
        world.users[name] = user
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


# Built once for a module that uses ``shared_world`` as its ``world`` (the permission matrices).
_world_of_the_module, shared_world = shared_world_fixtures(build_world)


@pytest.fixture
def producer_factory(db) -> Callable[..., Producer]:
    return make_producer


@pytest.fixture
def product_factory(db) -> Callable[..., Product]:
    return make_product
