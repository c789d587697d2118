"""Audit history: who changed what, when and why, grouped by the request that made the change."""

import json
from urllib.parse import quote

import pytest
from django.urls import reverse

from ocop.accounts.models import ApiToken, Role, User
from ocop.core.history import history_entries
from ocop.core.middleware import header_text
from ocop.registry.models import Producer


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


def test_a_save_of_fields_the_history_leaves_out_writes_no_row(commune_user):
    """A login saves last_login alone: nothing the history keeps has changed, so no empty row. A
    save that also changes a kept field is recorded as always."""
    rows = commune_user.history.count()
    commune_user.last_login = commune_user.date_joined
    commune_user.save(update_fields=["last_login"])
    assert commune_user.history.count() == rows
    commune_user.full_name = "Nguyễn Văn Xã"
    commune_user.save(update_fields=["last_login", "full_name"])
    assert commune_user.history.count() == rows + 1
    commune_user.save()  # a save without update_fields is recorded as before
    assert commune_user.history.count() == rows + 2


# --- X-Audit-Reason through the API -------------------------------------------------------------

REASON = "Sửa số điện thoại theo đơn đề nghị ngày 12/11"


def _patch_producer_via_api(client, officer: User, unit, reason_in_environ: str):
    """PATCH a producer with a bearer token; the header value is put in the WSGI environ as is."""
    producer = Producer(name="HTX Lý do", producer_type="HTX", unit=unit("82").children.order_by("code")[0])
    producer.full_clean()
    producer.save()
    _token, key = ApiToken.issue(officer)
    response = client.patch(
        f"/api/v1/producers/{producer.pk}",
        json.dumps({"phone": "0277 3851 234"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_X_AUDIT_REASON=reason_in_environ,
    )
    assert response.status_code == 200, response.content
    return producer.history.order_by("-history_id").first()


def test_api_reason_sent_as_raw_utf8_bytes_is_stored_as_text(client, officer, unit):
    # A client (curl -H, requests with bytes) sends UTF-8 bytes; a WSGI server hands them to
    # Django as a Latin-1 string (PEP 3333): exactly this environ value.
    wsgi_value = REASON.encode("utf-8").decode("latin-1")
    assert wsgi_value != REASON
    latest = _patch_producer_via_api(client, officer, unit, wsgi_value)
    assert latest.history_change_reason == REASON
    assert latest.history_user == officer


def test_api_reason_sent_percent_encoded_is_decoded(client, officer, unit):
    latest = _patch_producer_via_api(client, officer, unit, quote(REASON))
    assert latest.history_change_reason == REASON


@pytest.mark.parametrize(
    ("environ_value", "text"),
    [
        ("Nhập qua API", "Nhập qua API"),  # a test client puts text in the environ directly
        ("Nh\u00e1\u00ba\u00adp qua API", "Nhập qua API"),  # UTF-8 bytes seen as Latin-1
        ("S%E1%BB%ADa%20s%E1%BB%91", "Sửa số"),
        ("Sửa%20số", "Sửa số"),
        ("giảm 50% phí", "giảm 50% phí"),  # a lone % is text
        ("caf\u00e9", "café"),  # a real Latin-1 byte (not valid UTF-8) stays as it came
        ("", ""),
    ],
)
def test_header_text(environ_value: str, text: str):
    assert header_text(environ_value) == text


def test_multipart_api_post_is_a_clear_error_not_a_crash(officer, client):
    """A multipart body sent to a JSON endpoint must reach django-ninja unread (no 500)."""
    _token, key = ApiToken.issue(officer)
    response = client.post(
        "/api/v1/producers/", {"name": "HTX thử"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code in (400, 415, 422), response.content
    assert "detail" in response.json()
