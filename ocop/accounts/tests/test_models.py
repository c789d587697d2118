"""User.clean(): each role's scope unit has the right level and is current; scope helpers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.geo.models import Structure, Unit

# role → (allowed levels); None stands for "no unit" (the whole country).
RULES = {
    Role.ADMIN: {None},
    Role.CENTRAL: {None},
    Role.PROVINCE: {"province"},
    Role.COMMUNE: {"commune"},
    Role.COUNCIL: {"province", None},  # None: a member of the Ministry's council (central rounds)
    Role.PRODUCER: {"province", "commune"},
    Role.VIEWER: {"province", "commune"},
}


@pytest.mark.parametrize("role", list(RULES))
@pytest.mark.parametrize("place", [None, "province", "commune", "former"])
def test_role_unit_rules(db, role: str, place: str | None) -> None:
    units = {
        None: None,
        "province": Unit.objects.get(structure=Structure.CURRENT, code="01"),
        "commune": Unit.objects.get(structure=Structure.CURRENT, code="00004"),
        "former": Unit.objects.get(structure=Structure.FORMER, code="01"),
    }
    user = User(username="u", role=role, scope_unit=units[place])
    if place in RULES[role]:
        user.clean()
    else:
        with pytest.raises(ValidationError) as error:
            user.clean()
        assert "scope_unit" in error.value.message_dict


def test_scope_helpers(db) -> None:
    commune = Unit.objects.get(structure=Structure.CURRENT, code="00004")
    officer = User(username="c", role=Role.COMMUNE, scope_unit=commune)
    assert officer.scope_province.code == "01"
    assert officer.scope_commune == commune
    assert officer.scope_label == str(commune)
    national = User(username="n", role=Role.CENTRAL)
    assert national.scope_province is None and national.scope_commune is None
    assert national.is_national
    assert national.organisation_id() is None


def test_createsuperuser_makes_an_admin(db) -> None:
    user = User.objects.create_superuser("root", "root@example.vn", "Mật-khẩu-dài-2026")
    assert user.role == Role.ADMIN and user.scope_unit is None


def test_history_leaves_out_password_and_last_login(db) -> None:
    user = User.objects.create_user("h", password="Mật-khẩu-dài-2026", role=Role.CENTRAL)
    fields = {field.name for field in user.history.model._meta.get_fields()}
    assert "role" in fields and "scope_unit" in fields
    assert "password" not in fields and "last_login" not in fields


def test_a_login_records_its_time_without_an_empty_history_row(db, client) -> None:
    user = User.objects.create_user("h", password="Mật-khẩu-dài-2026", role=Role.CENTRAL)
    rows = user.history.count()
    response = client.post(reverse("accounts:login"), {"username": "h", "password": "Mật-khẩu-dài-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == rows  # nothing the history keeps has changed (core.audit)
    assert client.get(reverse("core:home")).status_code == 200  # signed in


def test_world_accounts_are_valid(world) -> None:
    """The test world saves its accounts without validating them (3 queries an account, in most
    tests): they must pass the validation an officer's form applies."""
    assert len(world.users) == 11
    for user in world.users.values():
        user.full_clean()
