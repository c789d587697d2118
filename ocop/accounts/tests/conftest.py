"""A small world of accounts in two provinces (Hà Nội 01, TP Hồ Chí Minh 79) and three communes."""

from dataclasses import dataclass, field
from functools import cache

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from ocop.accounts.models import Role, User
from ocop.conftest import shared_world_fixtures
from ocop.geo.models import Structure, Unit

PASSWORD = "Mật-khẩu-thử-2026"


@cache
def password_hash() -> str:
    # Hashing is deliberately slow; hash the shared test password once, not once per account.
    return make_password(PASSWORD)


def current_unit(code: str) -> Unit:
    return Unit.objects.get(structure=Structure.CURRENT, code=code)


def communes_of(province: Unit, count: int) -> list[Unit]:
    communes = Unit.objects.filter(structure=Structure.CURRENT, level="commune", current_province=province)
    return list(communes.order_by("code")[:count])


@dataclass
class World:
    """Places and one account per role/place; the accounts are also the objects of the User matrix."""

    places: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


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


def build_world() -> World:
    world = World()
    hn, hcm = current_unit("01"), current_unit("79")
    hn1, hn2 = communes_of(hn, 2)
    (hcm1,) = communes_of(hcm, 1)
    world.places = {"hn": hn, "hcm": hcm, "hn1": hn1, "hn2": hn2, "hcm1": hcm1}
    for name, (role, place) in ACCOUNTS.items():
        user = User(username=name, role=role, scope_unit=world.places.get(place), email=f"{name}@example.vn")
        user.password = password_hash()
        user.save()  # valid by construction (test_world_accounts_are_valid); validating cost 3 queries each
        world.users[name] = user
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


# Built once for a module that uses ``shared_world`` as its ``world`` (the permission matrices).
_world_of_the_module, shared_world = shared_world_fixtures(build_world)
