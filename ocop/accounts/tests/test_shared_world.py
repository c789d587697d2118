"""A world shared by a module's tests (conftest ``shared_world``) is the same for every test: what one
test writes to the database is rolled back, and what it changes in its objects stays in its copy."""

import pytest

from ocop.accounts.models import User
from ocop.accounts.tests.conftest import World


@pytest.fixture
def world(shared_world: World) -> World:
    return shared_world


def test_a_test_changes_its_world(world: World) -> None:
    user = world.users["central"]
    user.full_name = "Tên đã đổi"
    user.save()
    world.places["hn"].name = "Tên khác"
    world.users.pop("admin")
    assert User.objects.get(pk=user.pk).full_name == "Tên đã đổi"


def test_the_next_test_finds_the_world_as_built(world: World) -> None:
    assert world.users["central"].full_name == ""
    assert User.objects.get(username="central").full_name == ""
    assert world.places["hn"].name == "Thành phố Hà Nội" and "admin" in world.users
