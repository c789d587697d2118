"""/notifications/settings/: each user turns e-mail off (and on again) per kind of notification, for
themselves only; notify() and the e-mail task honour it; the in-app notice always comes."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from ocop.core.models import EmailOptOut, Notification
from ocop.core.notifications import notify, officers, phrase, producer_accounts
from ocop.core.tasks import send_notification_email
from ocop.registry.tests.conftest import World, world  # noqa: F401

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
URL = reverse("core:notification_settings")


def test_settings_page_lists_the_roles_kinds_in_vietnamese(world: World) -> None:  # noqa: F811
    page = world.client("producer_hn1").get(URL).content.decode()
    assert "Hồ sơ bị trả lại để bổ sung" in page and "Quyết định công nhận, cấp giấy chứng nhận" in page
    assert "Hồ sơ chờ hội đồng chấm điểm" not in page  # a council kind
    assert "producer_hn1@example.vn" in page
    assert URL in world.client("producer_hn1").get(reverse("core:notifications")).content.decode()


def test_unticking_a_kind_turns_its_email_off_for_that_user_only(world: World) -> None:  # noqa: F811
    client = world.client("commune_hn1")
    response = client.post(URL, {"email": ["dossier_submitted", "scoring_opened"]})
    assert response.status_code == 302
    muted = set(EmailOptOut.objects.filter(user=world.users["commune_hn1"]).values_list("kind", flat=True))
    assert "dossier_returned" in muted and "change_request" in muted and "dossier_submitted" not in muted
    assert "scoring_opened" not in muted  # not a commune officer's kind: ignored, never stored
    assert not EmailOptOut.objects.exclude(user=world.users["commune_hn1"]).exists()
    page = client.get(URL).content.decode()
    assert re.search(r'value="dossier_submitted" id="email-\d+" checked', page)
    assert not re.search(r'value="dossier_returned" id="email-\d+" checked', page)
    # Ticked again: on again.
    client.post(URL, {"email": ["dossier_submitted", "dossier_returned", "change_request"]})
    assert not EmailOptOut.objects.filter(user=world.users["commune_hn1"], kind="change_request").exists()


def test_settings_need_a_signed_in_user(client, db) -> None:
    assert client.get(URL).status_code == 302
    assert client.post(URL, {"email": []}).status_code == 302
    assert not EmailOptOut.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_notify_honours_the_opt_out_and_a_late_one(
    world: World,  # noqa: F811
    django_capture_on_commit_callbacks,
) -> None:
    EmailOptOut.objects.create(user=world.users["commune_hn1"], kind="dossier_submitted")
    users = [world.users["commune_hn1"], world.users["commune_hn2"]]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users,
            kind="dossier_submitted",
            subject="Hồ sơ OCOP mới: “%(product)s”",
            params={"product": "Gạo"},
        )
    assert Notification.objects.filter(kind="dossier_submitted").count() == 2
    assert [m.to for m in mail.outbox] == [["commune_hn2@example.vn"]]
    # Turned off after the e-mail was queued: the task does not send it.
    late = Notification.objects.create(user=world.users["commune_hn2"], kind="change_request", subject="x")
    EmailOptOut.objects.create(user=world.users["commune_hn2"], kind="change_request")
    assert send_notification_email.call(late.pk) is False


def test_recipients_by_role_and_unit(world: World) -> None:  # noqa: F811
    hn1 = world.places["hn1"]
    assert {u.username for u in officers(commune_id=hn1.pk)} == {"commune_hn1"}
    assert {u.username for u in officers(province_id=world.places["hn"].pk, central=True)} == {
        "province_hn",
        "central",
    }
    assert not officers().exists() and not producer_accounts(None).exists()
    world.users["commune_hn1"].is_active = False
    world.users["commune_hn1"].save()
    assert not officers(commune_id=hn1.pk).exists()


@pytest.mark.parametrize(("language", "expected"), [("vi", "Vai trò: Thư ký"), ("en", "Role: Secretary")])
def test_a_phrase_parameter_is_translated_when_shown(world: World, language: str, expected: str) -> None:  # noqa: F811
    from django.utils import translation

    (notice,) = notify(
        [world.users["council_hn"]],
        kind="council_seat",
        subject="Bạn được phân công vào hội đồng: %(round)s",
        message="Vai trò: %(role)s. Các hồ sơ của đợt hiện trên trang đợt đánh giá.",
        params={"round": "Đợt 1", "role": phrase("Thư ký")},
        email=False,
    )
    with translation.override(language):
        assert notice.text.startswith(expected)
