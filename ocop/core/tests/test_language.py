"""The working language is Vietnamese whatever the browser asks for; English only by choice."""

import pytest
from django.urls import reverse

from ocop.accounts.models import Role, User


@pytest.fixture
def officer(unit) -> User:
    return User.objects.create_user(
        "lang-officer", password="x-Pass-2026!", role=Role.PROVINCE, scope_unit=unit("82")
    )


def test_english_browser_still_gets_vietnamese(client, officer):
    client.force_login(officer)
    response = client.get(reverse("core:home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response.headers["Content-Language"] == "vi"
    assert '<html lang="vi"' in response.content.decode()


def test_switch_to_english_sticks(client, officer):
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("core:home"))
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_unknown_language_cookie_falls_back_to_vietnamese(client, officer, settings):
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get(reverse("core:home")).headers["Content-Language"] == "vi"
