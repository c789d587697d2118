"""/api/v1/notifications/: each user reads and marks only their own notifications."""

from ocop.accounts.models import ApiToken
from ocop.core.models import Notification
from ocop.registry.tests.conftest import World, world  # noqa: F401


def _headers(user) -> dict[str, str]:
    _token, key = ApiToken.issue(user)
    return {"Authorization": f"Bearer {key}"}


def test_each_user_sees_and_marks_only_their_own(world: World, client) -> None:  # noqa: F811
    mine = Notification.objects.create(
        user=world.users["producer_hn1"], subject="Giấy chứng nhận sắp hết hạn"
    )
    theirs = Notification.objects.create(user=world.users["commune_hn1"], subject="Hồ sơ mới")
    headers = _headers(world.users["producer_hn1"])
    body = client.get("/api/v1/notifications/", headers=headers).json()
    assert body["count"] == 1 and body["items"][0]["id"] == mine.pk
    assert body["items"][0]["title"] == "Giấy chứng nhận sắp hết hạn" and body["items"][0]["read_at"] is None
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read", headers=headers).status_code == 404
    admin_headers = _headers(world.users["admin"])  # even the administrator marks nobody else's
    assert client.post(f"/api/v1/notifications/{mine.pk}/read", headers=admin_headers).status_code == 404
    response = client.post(f"/api/v1/notifications/{mine.pk}/read", headers=headers)
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.get("/api/v1/notifications/?unread=true", headers=headers).json()["count"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_need_authentication(client, db) -> None:
    assert client.get("/api/v1/notifications/").status_code == 401
