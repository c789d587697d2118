"""The accounts list runs the same queries whatever the number of rows."""

from __future__ import annotations

from ocop.accounts.models import Role, User
from ocop.registry.tests.test_list_queries import assert_constant


def test_user_list_query_count_does_not_grow_with_rows(world) -> None:
    places = [world.places["hn"], world.places["hn1"], None]
    made = {"n": 0}

    def grow(n: int) -> None:
        for _ in range(n):
            made["n"] += 1
            place = places[made["n"] % 3]
            User.objects.create_user(
                f"nguoi{made['n']}",
                role=Role.VIEWER if place is not None else Role.CENTRAL,
                scope_unit=place,
            )

    assert_constant(world.client("admin"), "/accounts/users/", grow)
