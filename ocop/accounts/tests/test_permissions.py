"""The permission matrix: roles × actions × objects, through restrict() and can() (which must agree).

To put a new model under test, add one `Case` row: how to build its objects at the test places
(see conftest.World) and which of them each account may view/add/change/delete.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import Http404

from ocop.accounts.models import Role, User
from ocop.accounts.tests.conftest import ACCOUNTS, World
from ocop.core import scoping
from ocop.core.scoping import ACTIONS, ScopePaths, can, get_restricted_object_or_404, restrict, role_can
from ocop.geo.models import Unit


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for this module's cases (conftest ``shared_world``), copied for each test."""
    return shared_world


PLACES = {"hn", "hn1", "hn2", "hcm", "hcm1"}
HN = {"hn", "hn1", "hn2"}
ALL_ACCOUNTS = set(ACCOUNTS)
HN_ACCOUNTS = {
    "province_hn",
    "commune_hn1",
    "commune_hn2",
    "council_hn",
    "producer_hn1",
    "viewer_hn",
    "viewer_hn1",
}
HN1_ACCOUNTS = {"commune_hn1", "producer_hn1", "viewer_hn1"}
HCM_ACCOUNTS = {"province_hcm", "commune_hcm1"}


def each(names: set[str], *actions: str) -> dict[str, set[str]]:
    return {action: names for action in actions}


EVERYTHING = ("view", "add", "change", "delete")

# A registry object located at each place (province-level object "hn", commune objects "hn1"...).
LOCATED_EXPECTED: dict[str, dict[str, set[str]]] = {
    "admin": each(PLACES, *EVERYTHING),
    "central": each(PLACES, "view", "add", "change"),
    "province_hn": each(HN, *EVERYTHING),
    "province_hcm": each({"hcm", "hcm1"}, *EVERYTHING),
    "commune_hn1": each({"hn1"}, "view", "add", "change"),
    "commune_hn2": each({"hn2"}, "view", "add", "change"),
    "commune_hcm1": each({"hcm1"}, "view", "add", "change"),
    "council_hn": each(HN, "view"),
    "producer_hn1": {},  # no organisation yet (User.organisation_id() is None): nothing
    "viewer_hn": each(HN, "view"),
    "viewer_hn1": each({"hn1"}, "view"),
}

# Accounts as objects: province officers manage their province's accounts ranked below them,
# central officers every account below them, commune officers read their commune's, everyone else
# only sees themselves (accounts.models.ROLE_RANK; the admin is managed only by an admin).
USER_EXPECTED: dict[str, dict[str, set[str]]] = {
    "admin": each(ALL_ACCOUNTS, *EVERYTHING),
    "central": {"view": ALL_ACCOUNTS, **each(ALL_ACCOUNTS - {"admin", "central"}, "add", "change")},
    "province_hn": {"view": HN_ACCOUNTS, **each(HN_ACCOUNTS - {"province_hn"}, "add", "change", "delete")},
    "province_hcm": {
        "view": HCM_ACCOUNTS,
        **each(HCM_ACCOUNTS - {"province_hcm"}, "add", "change", "delete"),
    },
    "commune_hn1": each(HN1_ACCOUNTS, "view"),
    "commune_hn2": each({"commune_hn2"}, "view"),
    "commune_hcm1": each({"commune_hcm1"}, "view"),
    "council_hn": each({"council_hn"}, "view"),
    "producer_hn1": each({"producer_hn1"}, "view"),
    "viewer_hn": each({"viewer_hn"}, "view"),
    "viewer_hn1": each({"viewer_hn1"}, "view"),
}


@dataclass(frozen=True)
class Case:
    model: type[models.Model]
    objects: Callable[[World], dict[str, models.Model]]
    expected: dict[str, dict[str, set[str]]]
    # Only for stand-ins: a scope given to the model for the duration of the test.
    scope: ScopePaths | None = None


CASES = {
    # Stand-in for Located registry models until they exist: a unit "located" at itself.
    "located": Case(
        Unit,
        lambda w: dict(w.places),
        LOCATED_EXPECTED,
        ScopePaths(province="current_province", commune="pk"),
    ),
    "user": Case(User, lambda w: dict(w.users), USER_EXPECTED),
}

MATRIX = [
    pytest.param(case, actor, action, id=f"{case}-{actor}-{action}")
    for case in CASES
    for actor in ACCOUNTS
    for action in sorted(ACTIONS)
]


@pytest.mark.parametrize(("case_name", "actor", "action"), MATRIX)
def test_matrix(
    world: World, monkeypatch: pytest.MonkeyPatch, case_name: str, actor: str, action: str
) -> None:
    case = CASES[case_name]
    if case.scope is not None:
        monkeypatch.setattr(case.model, "scope", case.scope, raising=False)
    objects = case.objects(world)
    user = world.users[actor]
    expected = case.expected[actor].get(action, set())

    queryset = case.model._default_manager.filter(pk__in=[obj.pk for obj in objects.values()])
    by_pk = {obj.pk: name for name, obj in objects.items()}
    assert {by_pk[obj.pk] for obj in restrict(queryset, user, action)} == expected
    assert {name for name, obj in objects.items() if can(user, action, obj)} == expected
    for name, obj in objects.items():
        if name in expected:
            assert get_restricted_object_or_404(queryset, user, action, pk=obj.pk) == obj
        else:
            with pytest.raises(Http404):
                get_restricted_object_or_404(queryset, user, action, pk=obj.pk)


def test_policy_covers_every_role() -> None:
    assert set(scoping.POLICY) == set(Role.values)
    assert {role.value for role in Role} >= scoping.NATIONAL_ROLES


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_anonymous_and_inactive_users_get_nothing(world: World, action: str) -> None:
    admin = world.users["admin"]
    assert not restrict(User.objects.all(), AnonymousUser(), action).exists()
    assert not can(AnonymousUser(), action, admin)
    admin.is_active = False
    admin.save()
    assert not restrict(User.objects.all(), admin, action).exists()
    assert not can(admin, action, admin)
    assert not role_can(admin, action, User)


def test_producer_sees_only_its_own_organisation(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Once registry.Producer exists, organisation_id() returns user.producer_id; simulate that here.
    own = world.places["hn1"]
    monkeypatch.setattr(
        Unit, "scope", ScopePaths(province="current_province", commune="pk", owner="pk"), raising=False
    )
    monkeypatch.setattr(User, "organisation_id", lambda self: own.pk)
    producer = world.users["producer_hn1"]
    units = Unit.objects.filter(pk__in=[u.pk for u in world.places.values()])
    assert list(restrict(units, producer, "view")) == [own]
    assert list(restrict(units, producer, "change")) == [own]
    assert not restrict(units, producer, "delete").exists()
    assert not restrict(units, producer, "add").exists()
    assert not can(producer, "view", world.places["hn2"])


def test_scoped_role_without_unit_sees_nothing(world: World) -> None:
    # Invalid data (bypassing clean()) must fail closed, not open.
    broken = User.objects.create_user("broken", role=Role.PROVINCE)
    assert list(restrict(User.objects.all(), broken, "view")) == [broken]  # only itself
    assert not restrict(User.objects.exclude(pk=broken.pk), broken, "view").exists()


def test_model_without_scope_cannot_be_restricted(world: World) -> None:
    from django.contrib.auth.models import Group

    with pytest.raises(Exception, match="ScopePaths"):
        restrict(Group.objects.all(), world.users["admin"], "view")


def test_manager_method_and_function_agree(world: World) -> None:
    user = world.users["province_hn"]
    assert set(User.objects.restrict(user, "change")) == set(restrict(User.objects.all(), user, "change"))


def test_unknown_action_is_an_error(world: World) -> None:
    with pytest.raises(ValueError):
        restrict(User.objects.all(), world.users["admin"], "approve")
