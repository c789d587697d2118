"""Audit history: who changed what, when and why, grouped by the request that made the change."""

import pytest
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.core.history import history_entries


@pytest.fixture
def officer(unit) -> User:
    return User.objects.create_user(
        "audit-officer", password="x-Pass-2026!", role=Role.PROVINCE, scope_unit=unit("82")
    )


@pytest.fixture
def commune_user(unit) -> User:
    commune = unit("82").children.order_by("code").first()
    return User.objects.create_user(
        "audit-commune", password="x-Pass-2026!", role=Role.COMMUNE, scope_unit=commune
    )


def _edit(client, user: User, reason: str, full_name: str):
    return client.post(
        reverse("accounts:user_edit", args=[user.pk]),
        {
            "username": user.username,
            "full_name": full_name,
            "email": "",
            "role": user.role,
            "scope_unit": user.scope_unit_id,
            "is_active": "on",
            "_reason": reason,
        },
    )


def test_ui_change_records_who_what_why_and_request(client, officer, commune_user):
    client.force_login(officer)
    response = _edit(client, commune_user, "Cán bộ đổi họ tên theo quyết định 12/QĐ", "Nguyễn Thị Hoa")
    assert response.status_code == 302, response.content.decode()[:2000]

    latest = commune_user.history.order_by("-history_id").first()
    assert latest.history_user == officer
    assert latest.history_change_reason == "Cán bộ đổi họ tên theo quyết định 12/QĐ"
    assert len(latest.request_id) == 32

    entry = history_entries(commune_user)[0]
    assert entry.reason == "Cán bộ đổi họ tên theo quyết định 12/QĐ"
    assert [(c.old, c.new) for c in entry.changes] == [("", "Nguyễn Thị Hoa")]


def test_each_request_gets_its_own_group(client, officer, commune_user):
    client.force_login(officer)
    _edit(client, commune_user, "lần 1", "Tên A")
    _edit(client, commune_user, "lần 2", "Tên B")
    first, second = commune_user.history.order_by("-history_id")[:2]
    assert first.request_id and second.request_id
    assert first.request_id != second.request_id


def test_change_outside_a_request_is_attributed_to_the_system(commune_user):
    commune_user.full_name = "Lê Văn Tám"
    commune_user._change_reason = "ocop user add"
    commune_user.save()
    latest = commune_user.history.order_by("-history_id").first()
    assert latest.history_user is None
    assert latest.request_id == ""
    assert history_entries(commune_user)[0].user == "Hệ thống"


def test_passwords_never_enter_the_history(commune_user):
    commune_user.set_password("Another-Pass-2026!")
    commune_user.save()
    fields = {f.name for f in commune_user.history.model._meta.fields}
    assert "password" not in fields
