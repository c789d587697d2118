"""Who may manage which account: roles × target roles × actions, in the pages, the Django admin,
the API and `ocop user` (one rule: accounts.models.ROLE_RANK through the User scope).

Nobody edits, re-roles, deactivates, re-addresses or sets the password of an account ranked equal
to or above their own; the admin is managed only by an admin; the last active admin keeps its role
and stays active. The truth table is USER_EXPECTED["change"] of the permission matrix.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from ocop.accounts.models import ROLE_RANK, Role, User, manageable_roles
from ocop.accounts.tests.conftest import PASSWORD, World
from ocop.accounts.tests.test_command import keep_test_connection, run
from ocop.accounts.tests.test_permissions import USER_EXPECTED


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for this module's cases (conftest ``shared_world``), copied for each test."""
    return shared_world


ACTORS = ["admin", "central", "province_hn", "province_hcm", "commune_hn1", "council_hn", "producer_hn1"]
TARGETS = [
    "admin",
    "central",
    "province_hn",
    "province_hcm",
    "commune_hn1",
    "council_hn",
    "producer_hn1",
    "viewer_hn1",
]
ACTIONS = ["edit_fields", "change_role", "deactivate", "change_email", "set_password"]
MANAGERS = {"admin", "central", "province_hn", "province_hcm"}  # roles with account management

# A role each target could be given by whoever may manage it (fits the target's unit).
NEW_ROLE = {
    "admin": Role.COUNCIL,  # no unit: a member of the Ministry's council
    "central": Role.COUNCIL,
    "province_hn": Role.COUNCIL,
    "province_hcm": Role.COUNCIL,
    "commune_hn1": Role.VIEWER,
    "council_hn": Role.VIEWER,
    "producer_hn1": Role.VIEWER,
    "viewer_hn1": Role.PRODUCER,
}
NEW_PASSWORD = "Mật-khẩu-mới-2027!"


def may_change(actor: str, target: str) -> bool:
    return target in USER_EXPECTED[actor].get("change", set())


def _form_data(user: User, action: str) -> dict:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "scope_unit": user.scope_unit_id or "",
        "is_active": "on",
    }
    if action == "edit_fields":
        data["full_name"] = "Tên đã đổi"
    elif action == "change_role":
        data["role"] = NEW_ROLE[user.username]
    elif action == "deactivate":
        del data["is_active"]
    elif action == "change_email":
        data["email"] = "ke-gian@example.vn"
    elif action == "set_password":
        data["password1"] = data["password2"] = NEW_PASSWORD
    return data


def _changed(user: User, action: str) -> bool:
    user.refresh_from_db()
    return {
        "edit_fields": user.full_name == "Tên đã đổi",
        "change_role": user.role == NEW_ROLE.get(user.username),
        "deactivate": not user.is_active,
        "change_email": user.email == "ke-gian@example.vn",
        "set_password": user.check_password(NEW_PASSWORD),
    }[action]


def test_rank_is_explicit_and_nobody_hands_out_their_own_rank() -> None:
    assert [ROLE_RANK[r] for r in (Role.ADMIN, Role.CENTRAL, Role.PROVINCE, Role.COMMUNE)] == [4, 3, 2, 1]
    assert {ROLE_RANK[r] for r in (Role.COUNCIL, Role.PRODUCER, Role.VIEWER)} == {0}
    assert set(manageable_roles(User(role=Role.ADMIN))) == set(Role.values)
    assert set(manageable_roles(User(role=Role.CENTRAL))) == set(Role.values) - {Role.ADMIN, Role.CENTRAL}
    assert set(manageable_roles(User(role=Role.PROVINCE))) == {
        Role.COMMUNE,
        Role.COUNCIL,
        Role.PRODUCER,
        Role.VIEWER,
    }
    for role in (Role.COMMUNE, Role.COUNCIL, Role.PRODUCER, Role.VIEWER):
        assert manageable_roles(User(role=role)) == ()
    assert manageable_roles(User(role=Role.ADMIN, is_active=False)) == ()


@pytest.mark.matrix
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_edit_page(world: World, actor: str, target: str, action: str) -> None:
    """The app's edit page: a manager changes accounts ranked below it in its scope, nothing else;
    a password is never set from it (changed by its owner or reset by e-mail)."""
    user = world.users[target]
    url = reverse("accounts:user_edit", args=[user.pk])
    response = world.client(actor).post(url, _form_data(user, action))
    allowed = may_change(actor, target)
    last_admin = target == "admin" and action in ("change_role", "deactivate")
    if action == "set_password":
        assert not _changed(user, action)
    else:
        assert _changed(user, action) == (allowed and not last_admin)
    if not allowed:
        assert response.status_code == (404 if actor in MANAGERS else 403)
    elif last_admin:
        assert response.status_code == 200
        assert "quản trị hệ thống cuối cùng" in response.text
    else:
        assert response.status_code == 302


@pytest.mark.matrix
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", sorted(MANAGERS))
def test_django_admin(world: World, actor: str, target: str, action: str) -> None:
    """The Django admin (officers made staff reach it): the same rule, its password form included."""
    User.objects.filter(pk=world.users[actor].pk).update(is_staff=True)
    user = world.users[target]
    client = world.client(actor)
    if action == "set_password":
        url = reverse("admin:auth_user_password_change", args=[user.pk])
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    else:
        url = reverse("admin:accounts_user_change", args=[user.pk])
        form = _form_data(user, action)
        data = {**form, "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
        if actor == "admin":
            data["is_superuser"] = "on" if user.role == Role.ADMIN else ""
            data["is_staff"] = "on" if user.is_staff else ""
    client.post(url, data)
    last_admin = target == "admin" and action in ("change_role", "deactivate")
    assert _changed(user, action) == (may_change(actor, target) and not last_admin)


@pytest.mark.matrix
@pytest.mark.parametrize("method", ["put", "patch", "post", "delete"])
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("actor", ACTORS)
def test_api_offers_no_way_to_write_an_account(world: World, actor: str, target: str, method: str) -> None:
    """/api/v1/users/ only reads (scoped); no role can change an account through it."""
    user = world.users[target]
    client = world.client(actor)
    body = {
        "role": NEW_ROLE[target],
        "email": "ke-gian@example.vn",
        "is_active": False,
        "password": NEW_PASSWORD,
        "full_name": "Tên đã đổi",
    }
    response = getattr(client, method)(f"/api/v1/users/{user.pk}", body, content_type="application/json")
    assert response.status_code in (403, 404, 405)
    for action in ACTIONS:
        assert not _changed(user, action)
    seen = client.get(f"/api/v1/users/{user.pk}")
    assert seen.status_code == (200 if target in USER_EXPECTED[actor]["view"] else 404)


def _second_admin() -> User:
    other = User(username="admin2", role=Role.ADMIN, password=make_password(PASSWORD))
    other.full_clean()
    other.save()
    return other


def test_last_admin_rule_lets_an_admin_go_once_another_remains(world: World) -> None:
    admin = world.users["admin"]
    admin.role = Role.CENTRAL
    with pytest.raises(Exception, match="cuối cùng"):
        admin.full_clean()
    _second_admin()
    admin.full_clean()  # another active admin: may be demoted now
    admin.save()
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 1


def test_admin_demotes_another_admin_through_the_page(world: World) -> None:
    other = _second_admin()
    data = {**_form_data(other, "edit_fields"), "role": Role.CENTRAL}
    response = world.client("admin").post(reverse("accounts:user_edit", args=[other.pk]), data)
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Role.CENTRAL and not other.is_superuser


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "central"), "cuối cùng"),
        (("--role", "council"), "cuối cùng"),
    ],
)
@pytest.mark.usefixtures(keep_test_connection.__name__)
def test_ocop_user_keeps_the_last_admin(world: World, args: tuple[str, ...], message: str) -> None:
    code, _out, err = run("add", "admin", *args, "--password", PASSWORD)
    assert code != 0 and message in err
    assert User.objects.get(username="admin").role == Role.ADMIN
    _second_admin()
    code, _out, _err = run("add", "admin", *args, "--password", PASSWORD)
    assert code == 0
    assert User.objects.get(username="admin").role == args[1]


def test_the_reported_probe_central_cannot_take_over_the_admin(world: World) -> None:
    """Issue 9 point 4: central put its own e-mail on the admin and demoted it."""
    admin = world.users["admin"]
    data = {**_form_data(admin, "change_email"), "email": world.users["central"].email, "role": Role.CENTRAL}
    response = world.client("central").post(reverse("accounts:user_edit", args=[admin.pk]), data)
    assert response.status_code == 404
    admin.refresh_from_db()
    assert (admin.role, admin.email) == (Role.ADMIN, "admin@example.vn")


def test_province_officer_no_longer_edits_a_fellow_province_officer(world: World) -> None:
    other = User(username="province_hn_2", role=Role.PROVINCE, scope_unit=world.places["hn"])
    other.set_unusable_password()
    other.save()
    response = world.client("province_hn").post(
        reverse("accounts:user_edit", args=[other.pk]), _form_data(other, "change_email")
    )
    assert response.status_code == 404
    assert not _changed(other, "change_email")
