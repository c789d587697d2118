"""Two account rules that hold on every path: the last active admin is never deleted, and no two
accounts share an e-mail address (a password reset to a shared address would hand one over).

Paths: the model and its querysets, the Django admin (delete page, "delete selected" action, add and
change forms), the app's pages, `ocop user add`, `ocop createsuperuser`. The API has no way to
write or delete an account at all (test_account_management.test_api_offers_no_way_to_write_an_account).
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.hashers import make_password
from django.core import checks, mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import LastAdminError, Role, User
from ocop.accounts.tests.conftest import PASSWORD, World
from ocop.accounts.tests.test_command import keep_test_connection, run

LAST_ADMIN = "quản trị hệ thống cuối cùng còn hoạt động: không thể xoá"
TAKEN = "đã thuộc về một tài khoản khác"


def _admin(username: str, *, active: bool = True) -> User:
    other = User(username=username, role=Role.ADMIN, is_active=active, password=make_password(PASSWORD))
    other.full_clean()
    other.save()
    return other


def _staff_client(world: World) -> Client:
    return world.client("admin")


# --- the last active admin cannot be deleted ---


def _delete(world: World, path: str, users: list[User]):
    """Delete ``users`` through ``path``; returns the HTTP response (None for the Python paths)."""
    client = _staff_client(world)
    if path == "model":
        for user in users:
            User.objects.get(pk=user.pk).delete()
    elif path == "queryset":
        User.objects.filter(pk__in=[u.pk for u in users]).delete()
    elif path == "admin_page":
        response = None
        for user in users:
            url = reverse("admin:accounts_user_delete", args=[user.pk])
            response = client.post(url, {"post": "yes"}, follow=True)
        return response
    elif path == "admin_action":
        data = {"action": "delete_selected", "_selected_action": [u.pk for u in users], "post": "yes"}
        return client.post(reverse("admin:accounts_user_changelist"), data, follow=True)
    elif path == "api":
        return client.delete(f"/api/v1/users/{users[0].pk}")
    return None


PATHS = ["model", "queryset", "admin_page", "admin_action", "api"]


@pytest.mark.parametrize("path", PATHS)
def test_the_last_active_admin_cannot_be_deleted(world: World, path: str) -> None:
    admin = world.users["admin"]
    _admin("admin_off", active=False)  # an inactive admin does not count
    if path in ("model", "queryset"):
        with pytest.raises(LastAdminError, match=LAST_ADMIN):
            _delete(world, path, [admin])
    else:
        response = _delete(world, path, [admin])
        if path == "api":
            assert response.status_code == 405  # no account is ever deleted through the API
        else:
            assert response.status_code == 200
            assert LAST_ADMIN in response.text
    assert User.objects.filter(pk=admin.pk, role=Role.ADMIN, is_active=True).exists()


@pytest.mark.parametrize("path", ["queryset", "admin_action"])
def test_deleting_every_active_admin_at_once_is_refused(world: World, path: str) -> None:
    admins = [world.users["admin"], _admin("admin2")]
    if path == "admin_action":
        assert LAST_ADMIN in _delete(world, path, admins).text
    else:
        with pytest.raises(LastAdminError):
            _delete(world, path, admins)
    assert User.objects.filter(role=Role.ADMIN, is_active=True).count() == 2


@pytest.mark.parametrize("path", ["model", "queryset", "admin_page", "admin_action"])
def test_an_admin_goes_once_another_remains(world: World, path: str) -> None:
    other = _admin("admin2")
    response = _delete(world, path, [other])
    if response is not None:
        assert response.status_code == 200 and LAST_ADMIN not in response.text
    assert not User.objects.filter(pk=other.pk).exists()
    assert User.objects.filter(role=Role.ADMIN, is_active=True).get() == world.users["admin"]


def test_other_accounts_are_deleted_as_before(world: World) -> None:
    response = _delete(world, "admin_action", [world.users["viewer_hn"], world.users["council_hn"]])
    assert response.status_code == 200
    assert not User.objects.filter(username__in=["viewer_hn", "council_hn"]).exists()


# --- one e-mail address, one account ---

# How the new address is written relative to the one "viewer_hn" holds (viewer_hn@example.vn).
CASES = {
    "same": "viewer_hn@example.vn",
    "other_case": "Viewer_HN@Example.VN",
    "spaces": "  VIEWER_HN@example.vn ",
    "free": "moi@example.vn",
}


def _write_account(world: World, path: str, email: str) -> tuple[bool, str]:
    """Create (or, for the edit paths, re-address) an account with ``email`` through ``path``:
    (whether it was written, what the person saw)."""
    client = world.client("admin")
    target = world.users["council_hn"]
    unit = world.places["hn1"].pk
    if path == "page_create":
        data = {"username": "moi", "email": email, "role": Role.VIEWER, "scope_unit": unit, "is_active": "on"}
        data["password1"] = data["password2"] = "Mật-khẩu-mới-2027!"
        response = client.post(reverse("accounts:user_add"), data)
        return User.objects.filter(username="moi").exists(), response.text
    if path == "page_edit":
        data = {
            "username": target.username,
            "email": email,
            "role": target.role,
            "scope_unit": target.scope_unit_id,
            "is_active": "on",
        }
        response = client.post(reverse("accounts:user_edit", args=[target.pk]), data)
        return _addressed(target, email), response.text
    if path == "admin_add":
        data = {
            "username": "moi",
            "password1": "Mật-khẩu-mới-2027!",
            "password2": "Mật-khẩu-mới-2027!",
            "usable_password": "true",
            "email": email,
            "role": Role.VIEWER,
            "scope_unit": unit,
        }
        response = client.post(reverse("admin:accounts_user_add"), data)
        return User.objects.filter(username="moi").exists(), response.text
    if path == "admin_change":
        data = {
            "username": target.username,
            "email": email,
            "role": target.role,
            "scope_unit": target.scope_unit_id,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        }
        response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), data)
        return _addressed(target, email), response.text
    if path == "ocop_user":
        code, _out, err = run("add", "moi", "--role", "central", "--password", PASSWORD, "--email", email)
        return code == 0, err
    if path == "ocop_user_update":
        code, _out, err = run("add", "central", "--role", "central", "--password", PASSWORD, "--email", email)
        return _addressed(world.users["central"], email), err
    if path == "createsuperuser":
        err = io.StringIO()
        try:
            options = {"username": "moi", "email": email, "interactive": False}
            call_command("createsuperuser", **options, stdout=io.StringIO(), stderr=err)
        except CommandError as error:
            return False, str(error)
        return User.objects.filter(username="moi").exists(), err.getvalue()
    raise AssertionError(path)


def _addressed(user: User, email: str) -> bool:
    user.refresh_from_db()
    return user.email.lower() == email.strip().lower()


WRITE_PATHS = [
    "page_create",
    "page_edit",
    "admin_add",
    "admin_change",
    "ocop_user",
    "ocop_user_update",
    "createsuperuser",
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("path", WRITE_PATHS)
@pytest.mark.usefixtures(keep_test_connection.__name__)
def test_an_address_belongs_to_one_account(world: World, path: str, case: str, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    written, seen = _write_account(world, path, CASES[case])
    if case == "free":
        assert written, seen
    else:
        assert not written
        # Django's createsuperuser takes the address as typed: with spaces it is not an address at all.
        assert (TAKEN if (path, case) != ("createsuperuser", "spaces") else "Nhập địa chỉ email") in seen
    assert User.objects.get(username="viewer_hn").email == "viewer_hn@example.vn"


@pytest.mark.parametrize("path", ["page_edit", "admin_change", "ocop_user_update"])
@pytest.mark.usefixtures(keep_test_connection.__name__)
def test_an_account_keeps_its_own_address(world: World, path: str) -> None:
    account = "central" if path == "ocop_user_update" else "council_hn"
    own = world.users[account].email.upper()  # its own address, in capitals: still its own
    written, seen = _write_account(world, path, own)
    assert written, seen


@pytest.mark.parametrize("path", ["page_create", "admin_add", "ocop_user", "createsuperuser"])
@pytest.mark.usefixtures(keep_test_connection.__name__)
def test_many_accounts_may_have_no_address(world: World, path: str, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    User.objects.filter(username="viewer_hn").update(email="")
    written, seen = _write_account(world, path, "")
    assert written, seen
    assert User.objects.filter(email="").count() == 2


def test_createsuperuser_through_the_manager_refuses_a_taken_address(world: World) -> None:
    with pytest.raises(Exception, match=TAKEN):
        User.objects.create_superuser("moi", "VIEWER_HN@example.vn", PASSWORD)
    with pytest.raises(Exception, match=TAKEN):
        User.objects.create_user("moi", "viewer_hn@example.vn", PASSWORD)
    assert not User.objects.filter(username="moi").exists()


# --- addresses shared from before the rule ---


def _share_address(world: World) -> None:
    """Two accounts holding one address, as an installation may from before (written around the rule)."""
    User.objects.filter(username="viewer_hn1").update(email="VIEWER_HN@example.vn")


def test_password_reset_sends_nothing_to_a_shared_address(world: World, client: Client) -> None:
    _share_address(world)
    response = client.post(reverse("accounts:password_reset"), {"email": "viewer_hn@example.vn"})
    assert response.status_code == 302  # the same answer as for any address: nothing revealed
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    client.post(reverse("accounts:password_reset"), {"email": "council_hn@example.vn"})
    assert [m.to for m in mail.outbox] == [["council_hn@example.vn"]]  # unshared addresses as before


def test_shared_addresses_are_reported_by_the_system_check(world: World) -> None:
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id == "accounts.W001"]
    _share_address(world)
    (warning,) = [m for m in checks.run_checks(databases=["default"]) if m.id == "accounts.W001"]
    assert "viewer_hn@example.vn" in warning.msg and warning.level == checks.WARNING
    # The account that shares it can be given its own address; the other keeps it.
    viewer = User.objects.get(username="viewer_hn1")
    viewer.email = "viewer_hn1@example.vn"
    viewer.full_clean()
    viewer.save()
    assert not [m for m in checks.run_checks(databases=["default"]) if m.id == "accounts.W001"]
