"""`ocop remind`: re-evaluation and expiry reminders, sent once, as notifications and queued e-mails;
the user's notifications page (own notifications only) and the top-bar badge."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from ocop.certification import models as certification
from ocop.certification import reminders
from ocop.certification.models import CertificateReminder, ReminderKind
from ocop.core import clock
from ocop.core.models import Notification

from .conftest import make_certificate
from .test_lifecycle_pages import TODAY, expiring_in

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def certificates(products, stub_filings) -> dict[str, certification.Certificate]:
    hn1, hn2, hcm1 = products["hn1"], products["hn2"], products["hcm1"]
    submitted = make_certificate(hn2, star=3, issue_date=expiring_in(125))
    stub_filings.file(submitted, "submitted")  # its re-evaluation dossier (see evaluation's tests)
    return {
        "opens": make_certificate(hn1, star=4, issue_date=expiring_in(180)),  # window opens today
        "closing": make_certificate(hcm1, star=3, issue_date=expiring_in(130)),  # 130 days, nothing filed
        "expired": make_certificate(hn2, star=4, issue_date=expiring_in(-1)),  # expired today
        "submitted": submitted,  # in the window, dossier submitted: no 130-day reminder
        "later": make_certificate(hn1, star=3, issue_date=expiring_in(200)),  # not yet
        "old": make_certificate(hn2, star=3, issue_date=expiring_in(-90)),  # expired long ago: no catch-up
    }


def remind(*args: str, django_capture_on_commit_callbacks) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remind", *args, stdout=out)
    return out.getvalue()


def test_due_reminders_on_the_legal_days(certificates) -> None:
    due = {(item.certificate.pk, item.kind) for item in reminders.due_reminders(TODAY)}
    assert due == {
        (certificates["opens"].pk, ReminderKind.WINDOW_OPEN),
        (certificates["closing"].pk, ReminderKind.WINDOW_CLOSING),
        (certificates["expired"].pk, ReminderKind.EXPIRED),
    }
    # A missed day catches up: 125 days before expiry the 130-day reminder is still due, once.
    later = {(i.certificate.pk, i.kind) for i in reminders.due_reminders(TODAY + dt.timedelta(days=75))}
    assert (certificates["later"].pk, ReminderKind.WINDOW_CLOSING) in later


def test_remind_sends_each_reminder_once(world, certificates, django_capture_on_commit_callbacks) -> None:
    output = remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert "đã gửi 3 nhắc việc" in output
    sent = {(r.certificate_id, r.kind): r for r in CertificateReminder.objects.all()}
    assert set(sent) == {
        (certificates["opens"].pk, ReminderKind.WINDOW_OPEN),
        (certificates["closing"].pk, ReminderKind.WINDOW_CLOSING),
        (certificates["expired"].pk, ReminderKind.EXPIRED),
    }
    # hn1: its producer's account, the commune hn1 and province hn officers.
    opens = sent[(certificates["opens"].pk, ReminderKind.WINDOW_OPEN)]
    assert opens.recipients == 3 and opens.due_on == TODAY
    recipients = {
        n.user.username
        for n in Notification.objects.filter(kind="evaluation.window_open").select_related("user")
    }
    assert recipients == {"producer_hn1", "commune_hn1", "province_hn"}
    closing = {n.user.username for n in Notification.objects.filter(kind="evaluation.window_closing")}
    assert closing == {"commune_hcm1", "province_hcm"}
    expired = {n.user.username for n in Notification.objects.filter(kind="evaluation.expired")}
    assert expired == {"commune_hn2", "province_hn"}
    total = Notification.objects.count()
    assert total == 7 and len(mail.outbox) == 7
    assert all(n.emailed_at is not None for n in Notification.objects.all())

    # Running again (the same day, or the next) sends nothing twice.
    output = remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert "đã gửi 0 nhắc việc" in output
    remind("--date", "2026-12-02", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert Notification.objects.count() == total and len(mail.outbox) == 7
    assert CertificateReminder.objects.count() == 3


def test_reminder_content_and_email(world, certificates, django_capture_on_commit_callbacks) -> None:
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    certificate = certificates["opens"]
    notification = Notification.objects.get(kind="evaluation.window_open", user=world.users["producer_hn1"])
    assert certificate.product.name in notification.title
    assert notification.title.startswith("Đến thời hạn nộp hồ sơ đánh giá lại")
    opens, closes = reminders.window(certificate.expiry, TODAY)
    assert f"{opens:%d/%m/%Y}" in notification.text and f"{closes:%d/%m/%Y}" in notification.text
    assert certificate.code in notification.text and "không sớm hơn 180 ngày" in notification.text
    assert notification.url == certificate.get_absolute_url()
    message = next(m for m in mail.outbox if m.to == ["producer_hn1@example.vn"])
    assert message.subject == f"[OCOP] {notification.title}"
    assert notification.text in message.body and certificate.get_absolute_url() in message.body
    closing = Notification.objects.filter(kind="evaluation.window_closing").first()
    assert "chưa nộp hồ sơ" in closing.text and "còn 10 ngày" in closing.text
    expired = Notification.objects.filter(kind="evaluation.expired").first()
    assert "đã hết hiệu lực từ ngày 01/12/2026" in expired.text


def test_inactive_users_and_users_without_email(
    world, certificates, django_capture_on_commit_callbacks
) -> None:
    world.users["commune_hn1"].is_active = False
    world.users["commune_hn1"].save()
    world.users["province_hn"].email = ""
    world.users["province_hn"].save()
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    users = {n.user.username for n in Notification.objects.filter(kind="evaluation.window_open")}
    assert users == {"producer_hn1", "province_hn"}
    assert not any(m.to == ["province_hn@example.vn"] for m in mail.outbox)
    assert (
        Notification.objects.get(kind="evaluation.window_open", user=world.users["province_hn"]).emailed_at
        is None
    )


def test_dry_run_writes_and_sends_nothing(world, certificates, django_capture_on_commit_callbacks) -> None:
    output = remind("--dry-run", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert certificates["opens"].code in output and "3 nhắc việc đến hạn" in output
    assert not CertificateReminder.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_bad_date_is_an_error(db) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "--date", "01/12/2026")


# --- the notifications page ----------------------------------------------------------------------


NOTIFICATIONS = reverse("core:notifications")


def test_notifications_are_visible_only_to_their_user(
    world, certificates, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    producer = world.client("producer_hn1")
    with django_assert_max_num_queries(8):
        page = producer.get(NOTIFICATIONS).content.decode()
    assert certificates["opens"].product.name in page
    assert (
        certificates["closing"].product.name not in page and certificates["expired"].product.name not in page
    )
    assert "Thông báo: 1 chưa đọc" in page  # the top-bar badge
    # Not even the national agency or the admin lists other people's notifications.
    for name in ("central", "admin", "commune_hn2"):
        assert (
            certificates["opens"].product.name not in world.client(name).get(NOTIFICATIONS).content.decode()
        )
    other = Notification.objects.get(kind="evaluation.window_closing", user=world.users["province_hcm"])
    read = reverse("core:notification_read", args=[other.pk])
    assert world.client("province_hn").post(read).status_code == 404
    assert world.client("admin").post(read).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_open_and_read_all(world, certificates, django_capture_on_commit_callbacks) -> None:
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    client = world.client("province_hn")
    mine = list(Notification.objects.filter(user=world.users["province_hn"]).order_by("pk"))
    assert len(mine) == 2
    url = reverse("core:notification_read", args=[mine[0].pk])
    assert client.get(url).status_code == 405  # state changes are POST only
    fragment = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "đã đọc" in fragment and "Đánh dấu đã đọc" not in fragment
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    page = client.get(NOTIFICATIONS, {"unread": "1"}).content.decode()
    assert mine[1].title in page and mine[0].title not in page
    assert "Thông báo: 1 chưa đọc" in page
    opened = client.post(reverse("core:notification_read", args=[mine[1].pk]), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == mine[1].url
    commune = world.client("commune_hn2")
    assert commune.post(reverse("core:notifications_read_all")).status_code == 302
    assert not Notification.objects.filter(user=world.users["commune_hn2"], read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.users["province_hcm"], read_at__isnull=True).exists()
    assert "Thông báo: " not in commune.get(NOTIFICATIONS).content.decode()  # no badge any more


def test_notifications_page_needs_login(client) -> None:
    response = client.get(NOTIFICATIONS)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_reminders_and_notifications_in_the_admin(
    world, certificates, django_capture_on_commit_callbacks
) -> None:
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    client = world.client("admin")
    page = client.get(reverse("admin:certification_certificatereminder_changelist")).content.decode()
    assert certificates["opens"].code in page
    page = client.get(reverse("admin:core_notification_changelist")).content.decode()
    assert "province_hcm" in page and "Đến thời hạn nộp hồ sơ đánh giá lại" in page
    reminder = CertificateReminder.objects.first()
    history = client.get(reverse("admin:certification_certificatereminder_history", args=[reminder.pk]))
    assert history.status_code == 200


def test_email_links_use_the_public_address(world, certificates, django_capture_on_commit_callbacks) -> None:
    with override_settings(OCOP_PUBLIC_URL="https://ocop.example.gov.vn/"):
        remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    link = "https://ocop.example.gov.vn" + certificates["opens"].get_absolute_url()
    assert any(link in message.body for message in mail.outbox)


def test_reminders_follow_the_window_data(
    world, products, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The window is data per rulebook (data/procedures.yaml): a new rulebook's days move the reminders."""
    from ocop.certification import rules

    held = rules.procedures()
    newer = rules.Procedure("QD26/2026", dt.date(2026, 5, 22), 150, 100, 180, "thử")
    monkeypatch.setattr(rules, "procedures", lambda: (newer, *held[1:]))
    hn1, hcm1 = products["hn1"], products["hcm1"]
    opens = make_certificate(hn1, star=4, issue_date=expiring_in(150))  # opens today under 150/100
    closing = make_certificate(hcm1, star=3, issue_date=expiring_in(110))  # 10 days before it closes
    old_opening = make_certificate(hn1, star=3, issue_date=expiring_in(180))  # QĐ 26's 180: not yet
    due = {(item.certificate.pk, item.kind) for item in reminders.due_reminders(TODAY)}
    assert due == {(opens.pk, ReminderKind.WINDOW_OPEN), (closing.pk, ReminderKind.WINDOW_CLOSING)}
    assert old_opening.pk not in {pk for pk, _kind in due}
    remind(django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    text = Notification.objects.filter(kind="evaluation.window_open").first().text
    assert "không sớm hơn 150 ngày và không muộn hơn 100 ngày" in text
    assert f"{opens.expiry - dt.timedelta(days=100):%d/%m/%Y}" in text
    # The expiring page and its state filter read the same days.
    page = world.client("province_hn").get(reverse("certification:certificate_expiring")).content.decode()
    assert "không sớm hơn 150 ngày" in page
    # A rulebook that sets no window we hold: no window reminders, the expiry one still goes out.
    bare = rules.Procedure("QD26/2026", dt.date(2026, 5, 22), None, None, None, "thử")
    monkeypatch.setattr(rules, "procedures", lambda: (bare, *held[1:]))
    expired = make_certificate(hn1, star=4, issue_date=expiring_in(-1))
    make_certificate(hcm1, star=4, issue_date=expiring_in(149))
    kinds = {(item.certificate.pk, item.kind) for item in reminders.due_reminders(TODAY)}
    assert kinds == {(expired.pk, ReminderKind.EXPIRED)}
