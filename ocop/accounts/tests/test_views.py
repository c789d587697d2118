"""Account management pages: every list, form and edit page goes through the same scoping."""

import pytest
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.accounts.tests.conftest import ACCOUNTS, PASSWORD, World
from ocop.accounts.tests.test_permissions import USER_EXPECTED


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for this module's cases (conftest ``shared_world``), copied for each test."""
    return shared_world


def listed(response) -> set[str]:
    return {user.username for user in response.context["filter"].qs}


@pytest.mark.parametrize("actor", ACCOUNTS)
def test_user_list_shows_exactly_the_accounts_in_scope(world: World, actor: str) -> None:
    response = world.client(actor).get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert listed(response) == USER_EXPECTED[actor]["view"]
    for name in set(ACCOUNTS) - USER_EXPECTED[actor]["view"]:
        assert f">{name}<" not in response.text


@pytest.mark.parametrize("actor", ACCOUNTS)
@pytest.mark.parametrize("target", ["province_hn", "commune_hn1", "viewer_hn1", "commune_hcm1", "central"])
def test_edit_page_only_for_accounts_the_actor_may_change(world: World, actor: str, target: str) -> None:
    url = reverse("accounts:user_edit", args=[world.users[target].pk])
    response = world.client(actor).get(url)
    may_change = USER_EXPECTED[actor].get("change", set())
    if target in may_change:
        assert response.status_code == 200
    elif may_change:
        assert response.status_code == 404  # out of scope: its existence stays hidden
    else:
        assert response.status_code == 403  # this role never edits accounts


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_list_filters_by_role_unit_and_text(world: World) -> None:
    client = world.client("province_hn")
    url = reverse("accounts:user_list")
    assert listed(client.get(url, {"role": Role.COMMUNE})) == {"commune_hn1", "commune_hn2"}
    assert listed(client.get(url, {"unit": world.places["hn1"].code})) == {
        "commune_hn1",
        "producer_hn1",
        "viewer_hn1",
    }
    assert listed(client.get(url, {"unit": world.places["hn"].code, "role": Role.VIEWER})) == {
        "viewer_hn",
        "viewer_hn1",
    }
    assert listed(client.get(url, {"q": "VIEWER"})) == {"viewer_hn", "viewer_hn1"}
    # Filtering by another province's code cannot reveal anything outside the scope.
    assert listed(client.get(url, {"unit": world.places["hcm"].code})) == set()


def _new_user_data(world: World, **overrides) -> dict:
    data = {
        "username": "new_officer",
        "full_name": "Nguyễn Thị Lan",
        "email": "lan@example.vn",
        "role": Role.COMMUNE,
        "scope_unit": world.places["hn2"].pk,
        "is_active": "on",
        "password1": "Lúa-nước-2026!",
        "password2": "Lúa-nước-2026!",
    }
    return {**data, **overrides}


def test_province_officer_creates_an_account_in_its_province(world: World) -> None:
    client = world.client("province_hn")
    response = client.post(reverse("accounts:user_add"), _new_user_data(world))
    assert response.status_code == 302
    user = User.objects.get(username="new_officer")
    assert (user.role, user.scope_unit, user.full_name) == (
        Role.COMMUNE,
        world.places["hn2"],
        "Nguyễn Thị Lan",
    )
    assert user.check_password("Lúa-nước-2026!")
    assert not user.is_superuser


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scope_unit": "hcm1"}, "scope_unit"),  # another province's commune
        ({"role": Role.CENTRAL, "scope_unit": ""}, "role"),  # more than it holds
        ({"role": Role.ADMIN, "scope_unit": ""}, "role"),
        ({"role": Role.PROVINCE, "scope_unit": ""}, "role"),  # its own rank: never handed out
        ({"role": Role.COUNCIL}, "scope_unit"),  # council role on a commune
        ({"password2": "khác-hẳn-2026!"}, "password2"),
    ],
)
def test_province_officer_cannot_create_outside_its_scope(world: World, overrides: dict, field: str) -> None:
    if overrides.get("scope_unit") in world.places:
        overrides = {**overrides, "scope_unit": world.places[overrides["scope_unit"]].pk}
    response = world.client("province_hn").post(
        reverse("accounts:user_add"), _new_user_data(world, **overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="new_officer").exists()


@pytest.mark.parametrize("actor", ["commune_hn1", "council_hn", "producer_hn1", "viewer_hn"])
def test_roles_without_account_management_cannot_create(world: World, actor: str) -> None:
    client = world.client(actor)
    assert client.get(reverse("accounts:user_add")).status_code == 403
    assert client.post(reverse("accounts:user_add"), _new_user_data(world)).status_code == 403
    assert not User.objects.filter(username="new_officer").exists()


def test_edit_saves_changes_and_records_history(world: World) -> None:
    target = world.users["viewer_hn1"]
    data = {
        "username": target.username,
        "full_name": "Trần Văn Bình",
        "email": target.email,
        "role": Role.VIEWER,
        "scope_unit": world.places["hn2"].pk,
        "_reason": "Chuyển công tác",
    }
    response = world.client("province_hn").post(reverse("accounts:user_edit", args=[target.pk]), data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.scope_unit, target.is_active) == (
        "Trần Văn Bình",
        world.places["hn2"],
        False,
    )
    latest = target.history.first()
    assert latest.history_user == world.users["province_hn"]
    assert latest.history_change_reason == "Chuyển công tác"
    assert not hasattr(latest, "password")  # secrets stay out of the history


def test_province_officer_cannot_move_an_account_to_another_province(world: World) -> None:
    target = world.users["viewer_hn1"]
    data = {"username": target.username, "role": Role.VIEWER, "scope_unit": world.places["hcm1"].pk}
    response = world.client("province_hn").post(reverse("accounts:user_edit", args=[target.pk]), data)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.scope_unit == world.places["hn1"]


def test_post_to_an_out_of_scope_account_is_404_and_changes_nothing(world: World) -> None:
    target = world.users["commune_hcm1"]
    data = {"username": "hijacked", "role": Role.COMMUNE, "scope_unit": world.places["hn1"].pk}
    response = world.client("province_hn").post(reverse("accounts:user_edit", args=[target.pk]), data)
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.username == "commune_hcm1"


def test_login_and_logout(world: World, client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "viewer_hn", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("accounts:user_list")).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 405  # a link cannot sign anyone out
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:user_list")).status_code == 302


def test_login_page_is_vietnamese(client, db) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert "Quên mật khẩu?" in response.text


def test_password_change(world: World) -> None:
    client = world.client("viewer_hn")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Trà-Thái-Nguyên-9",
            "new_password2": "Trà-Thái-Nguyên-9",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    world.users["viewer_hn"].refresh_from_db()
    assert world.users["viewer_hn"].check_password("Trà-Thái-Nguyên-9")


def test_stale_account_form_saves_nothing_and_shows_both_values(world: World) -> None:
    """Accounts have no `updated` column: their version is a digest of the fields (core.concurrency)."""
    target = world.users["viewer_hn1"]
    url = reverse("accounts:user_edit", args=[target.pk])
    first, second = world.client("province_hn"), world.client("admin")
    read = second.get(url).context["version"]
    data = {"username": target.username, "email": target.email, "role": Role.VIEWER}
    data["scope_unit"] = world.places["hn1"].pk
    assert first.post(url, {**data, "full_name": "Nguyễn Văn An", "_version": read}).status_code == 302

    stale = second.post(url, {**data, "full_name": "Lê Thị Bích", "_version": read})
    assert stale.status_code == 200 and "người khác đã lưu thay đổi" in stale.text
    assert [(r["theirs"], r["yours"]) for r in stale.context["conflicts"]] == [
        ("Nguyễn Văn An", "Lê Thị Bích")
    ]
    target.refresh_from_db()
    assert target.full_name == "Nguyễn Văn An"
    # Signing in does not change the version: an officer's form stays valid while its owner logs in.
    version = stale.context["version"]
    world.client("viewer_hn1")
    target.last_login = target.date_joined
    target.save(update_fields=["last_login"])
    assert second.post(url, {**data, "full_name": "Lê Thị Bích", "_version": version}).status_code == 302
