"""Permission matrix rows for Producer and Product (style of ocop/accounts/tests/test_permissions.py).

One object at each test commune (hn1, hn2 in Hà Nội; hcm1 in TP Hồ Chí Minh); every account is
checked for view/add/change/delete through restrict() and can(), which must agree, and through
get_restricted_object_or_404().
"""

import pytest
from django.http import Http404

from ocop.core.scoping import ACTIONS, can, get_restricted_object_or_404, restrict
from ocop.registry.models import Producer, Product

from .conftest import ACCOUNTS, World, make_producer, make_product


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for this module's cases (conftest ``shared_world``), copied for each test."""
    return shared_world


COMMUNES = ("hn1", "hn2", "hcm1")
HN = {"hn1", "hn2"}
EVERYTHING = ("view", "add", "change", "delete")


def each(names: set[str], *actions: str) -> dict[str, set[str]]:
    return {action: set(names) for action in actions}


EXPECTED: dict[str, dict[str, set[str]]] = {
    "admin": each(set(COMMUNES), *EVERYTHING),
    "central": each(set(COMMUNES), "view", "add", "change"),
    "province_hn": each(HN, *EVERYTHING),
    "province_hcm": each({"hcm1"}, *EVERYTHING),
    "commune_hn1": each({"hn1"}, "view", "add", "change"),
    "commune_hn2": each({"hn2"}, "view", "add", "change"),
    "commune_hcm1": each({"hcm1"}, "view", "add", "change"),
    "council_hn": each(HN, "view"),
    # The producer account acts for the hn1 producer (User.producer); it sees and edits only that.
    "producer_hn1": each({"hn1"}, "view", "change"),
    "viewer_hn": each(HN, "view"),
    "viewer_hn1": each({"hn1"}, "view"),
}


def build(world: World, model: type) -> dict[str, object]:
    producers = {place: make_producer(world.places[place]) for place in COMMUNES}
    producer_user = world.users["producer_hn1"]
    if hasattr(producer_user, "producer_id"):
        producer_user.producer = producers["hn1"]
        producer_user.save()
    if model is Producer:
        return producers
    return {place: make_product(producer) for place, producer in producers.items()}


MATRIX = [
    pytest.param(model, actor, action, id=f"{model.__name__}-{actor}-{action}")
    for model in (Producer, Product)
    for actor in ACCOUNTS
    for action in sorted(ACTIONS)
]


@pytest.mark.parametrize(("model", "actor", "action"), MATRIX)
def test_matrix(world: World, model: type, actor: str, action: str) -> None:
    objects = build(world, model)
    user = world.users[actor]
    expected = EXPECTED[actor].get(action, set())
    if actor == "producer_hn1" and not hasattr(user, "producer_id"):
        expected = set()  # before User.producer exists, a producer account sees nothing
    queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objects.values()])
    by_pk = {obj.pk: name for name, obj in objects.items()}
    assert {by_pk[obj.pk] for obj in restrict(queryset, user, action)} == expected
    assert {name for name, obj in objects.items() if can(user, action, obj)} == expected
    for name, obj in objects.items():
        if name in expected:
            assert get_restricted_object_or_404(queryset, user, action, pk=obj.pk) == obj
        else:
            with pytest.raises(Http404):
                get_restricted_object_or_404(queryset, user, action, pk=obj.pk)


def test_product_follows_its_own_place_not_its_producer(world: World) -> None:
    """A product made in hn2 by an hn1 producer is the hn2 officer's, not the hn1 officer's."""
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, unit=world.places["hn2"])
    assert can(world.users["commune_hn2"], "change", product)
    assert not can(world.users["commune_hn1"], "view", product)
    assert can(world.users["province_hn"], "delete", product)
