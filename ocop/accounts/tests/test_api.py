"""Token endpoint, bearer and session auth, /auth/me and the scoped /users/ list."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ocop.accounts.models import ApiToken
from ocop.accounts.tests.conftest import ACCOUNTS, PASSWORD, World
from ocop.accounts.tests.test_permissions import USER_EXPECTED

pytestmark = pytest.mark.urls("ocop.accounts.tests.urls")

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/auth/me"
USERS_URL = "/api/v1/users/"


def obtain(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password, **extra}, content_type="application/json"
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_then_bearer_me(world: World, client: Client) -> None:
    response = obtain(client, "province_hn")
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get(ME_URL, **bearer(token))
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "province_hn"
    assert body["role"] == "province"
    assert body["scope_unit"]["code"] == world.places["hn"].code
    assert body["scope_unit"]["level"] == "province"


def test_only_a_hash_of_the_key_is_stored(world: World, client: Client) -> None:
    token = obtain(client, "viewer_hn").json()["token"]
    stored = ApiToken.objects.get(user=world.users["viewer_hn"])
    assert token not in {stored.key_hash, stored.name, stored.prefix}
    assert stored.key_hash != token and len(stored.key_hash) == 64
    client.get(ME_URL, **bearer(token))
    stored.refresh_from_db()
    assert stored.last_used is not None


def test_last_use_is_recorded_to_the_minute_without_a_write_per_request(world: World, client: Client) -> None:
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = obtain(client, "viewer_hn").json()["token"]
    client.get(ME_URL, **bearer(token))
    stored = ApiToken.objects.get(user=world.users["viewer_hn"])
    first = stored.last_used
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME_URL, **bearer(token)).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    stored.refresh_from_db()
    assert stored.last_used == first
    ApiToken.objects.filter(pk=stored.pk).update(last_used=first - dt.timedelta(minutes=2))
    client.get(ME_URL, **bearer(token))
    stored.refresh_from_db()
    assert stored.last_used > first - dt.timedelta(minutes=1)


@pytest.mark.parametrize("password", ["sai-mật-khẩu", ""])
def test_wrong_credentials_give_401_in_vietnamese(world: World, client: Client, password: str) -> None:
    response = obtain(client, "province_hn", password)
    assert response.status_code == 401
    assert response.json() == {"detail": "Tên đăng nhập hoặc mật khẩu không đúng."}
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token_and_loses_existing_ones(world: World, client: Client) -> None:
    token = obtain(client, "viewer_hn").json()["token"]
    world.users["viewer_hn"].is_active = False
    world.users["viewer_hn"].save()
    assert client.get(ME_URL, **bearer(token)).status_code == 401
    assert obtain(client, "viewer_hn").status_code == 401


def test_expired_and_unknown_tokens_are_refused(world: World, client: Client) -> None:
    token = obtain(client, "viewer_hn", expires_in_days=1).json()["token"]
    assert client.get(ME_URL, **bearer(token)).status_code == 200
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get(ME_URL, **bearer(token)).status_code == 401
    assert client.get(ME_URL, **bearer("not-a-token")).status_code == 401
    assert client.get(ME_URL).status_code == 401


def test_bad_bearer_is_not_rescued_by_the_session(world: World) -> None:
    client = world.client("admin")
    assert client.get(ME_URL).json()["username"] == "admin"
    assert client.get(ME_URL, **bearer("forged")).status_code == 401


def test_token_request_is_locked_out_after_five_failures(world: World, client: Client) -> None:
    statuses = [obtain(client, "commune_hn1", "sai").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = obtain(client, "commune_hn1")  # even the right password, while locked out
    assert locked.status_code == 429
    assert "khoá" in locked.json()["detail"]
    assert not ApiToken.objects.exists()
    assert obtain(client, "commune_hn2").status_code == 200  # other accounts unaffected


def test_session_auth_keeps_csrf_protection(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["viewer_hn"])
    assert client.get(ME_URL).status_code == 200  # safe method: no token needed
    refused = client.post("/api/probe/echo", content_type="application/json")
    assert refused.status_code == 403
    client.get("/accounts/login/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post("/api/probe/echo", content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200
    assert accepted.json() == {"username": "viewer_hn"}


def test_bearer_needs_no_csrf(world: World) -> None:
    token, key = ApiToken.issue(world.users["viewer_hn"])
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/probe/echo", content_type="application/json", **bearer(key))
    assert response.status_code == 200


@pytest.mark.parametrize("actor", ACCOUNTS)
def test_users_list_is_scoped(world: World, actor: str) -> None:
    _token, key = ApiToken.issue(world.users[actor])
    response = Client().get(USERS_URL, {"limit": 100}, **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(USER_EXPECTED[actor]["view"])
    assert {item["username"] for item in body["items"]} == USER_EXPECTED[actor]["view"]


def test_users_list_paginates_and_filters(world: World) -> None:
    _token, key = ApiToken.issue(world.users["province_hn"])
    client = Client()
    page = client.get(USERS_URL, {"limit": 2, "offset": 0}, **bearer(key)).json()
    assert page["count"] == 7 and len(page["items"]) == 2
    communes = client.get(USERS_URL, {"role": "commune"}, **bearer(key)).json()
    assert {item["username"] for item in communes["items"]} == {"commune_hn1", "commune_hn2"}
    in_commune = client.get(USERS_URL, {"unit": world.places["hn1"].code}, **bearer(key)).json()
    assert in_commune["count"] == 3


@pytest.mark.parametrize(
    ("actor", "target", "status"),
    [
        ("province_hn", "commune_hn1", 200),
        ("province_hn", "commune_hcm1", 404),
        ("commune_hn1", "commune_hn2", 404),
        ("viewer_hn", "viewer_hn1", 404),
        ("producer_hn1", "producer_hn1", 200),
        ("central", "province_hcm", 200),
    ],
)
def test_user_detail_hides_out_of_scope_accounts(world: World, actor: str, target: str, status: int) -> None:
    _token, key = ApiToken.issue(world.users[actor])
    response = Client().get(f"{USERS_URL}{world.users[target].pk}", **bearer(key))
    assert response.status_code == status


def test_users_api_requires_authentication(world: World, client: Client) -> None:
    response = client.get(USERS_URL)
    assert response.status_code == 401
    assert "detail" in response.json()
