"""Sign-in protections: lock-out after repeated failures, password reset by e-mail."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from ocop.accounts.tests.conftest import PASSWORD, World


def login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_five_failed_logins_lock_the_account_for_this_address(world: World, client: Client) -> None:
    for _ in range(4):
        response = login(client, "province_hn", "sai-mật-khẩu")
        assert response.status_code == 200  # the form again, with an error
    locked = login(client, "province_hn", "sai-mật-khẩu")
    assert locked.status_code == 429
    assert "Tài khoản tạm thời bị khoá" in locked.text
    assert "30 phút" in locked.text
    # The right password does not help while locked out.
    again = login(client, "province_hn", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address can still sign in.
    assert login(client, "viewer_hn", PASSWORD).status_code == 302


def test_password_reset_email_is_vietnamese_and_its_link_works(world: World, client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "viewer_hn1@example.vn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["viewer_hn1@example.vn"]
    assert "Đặt lại mật khẩu" in message.subject
    assert "Tên đăng nhập của bạn: viewer_hn1" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    new_password = "Cà-phê-Buôn-Ma-Thuột-1"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert login(Client(), "viewer_hn1", new_password).status_code == 302
    # The link is single-use.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_unknown_email_reveals_nothing(world: World, client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.vn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
