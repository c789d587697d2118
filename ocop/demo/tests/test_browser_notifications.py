"""Browser journey of the return-for-completion loop: the commune officer returns the demo dossier
waiting at Lấp Vò with a comment; the producer signs in, sees the unread badge and the notification
with the commune's comment, opens it onto the dossier, and has the e-mail (run at once here, as
`ocop db_worker` runs the queue in production)."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from ocop.accounts.models import User
from ocop.core.models import Notification
from ocop.demo import data as demo
from ocop.evaluation.models import Dossier, DossierStatus

from .journeys import log_in

pytestmark = pytest.mark.browser

COMMENT = "Bổ sung phiếu kiểm nghiệm chỉ tiêu vi sinh năm 2026 và ảnh nhãn mới."


@pytest.fixture
def demo_accounts(settings, demo_accounts) -> None:
    # The live server runs the e-mail task at once (the locmem outbox of the test run).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_returned_dossier_reaches_the_producer_with_the_comment(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    dossier = Dossier.objects.get(product__name=demo.DEMO_AT_COMMUNE, status=DossierStatus.SUBMITTED)
    producer = User.objects.get(username="chuthe.lapvo")
    unread = Notification.objects.filter(user=producer, read_at__isnull=True).count()
    mail.outbox.clear()

    log_in(page, base, "xa.lapvo")
    page.goto(base + dossier.get_absolute_url())
    page.get_by_text("Trả hồ sơ – cần bổ sung").click()
    page.get_by_label("Nội dung cần bổ sung").fill(COMMENT)
    page.get_by_role("button", name="Trả hồ sơ", exact=True).click()
    expect(page.get_by_text(COMMENT).first).to_be_visible()  # the confirmation step names the comment
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#return-comment")).to_contain_text(COMMENT)

    log_in(page, base, "chuthe.lapvo")
    bell = page.locator("[data-nav=notifications]")
    expect(bell).to_have_attribute("aria-label", f"Thông báo: {unread + 1} chưa đọc")
    bell.click()
    notice = page.locator("li", has_text=f"Hồ sơ “{demo.DEMO_AT_COMMUNE}” cần bổ sung").first
    expect(notice).to_contain_text(f"UBND cấp xã yêu cầu bổ sung: {COMMENT}")
    notice.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(base + dossier.get_absolute_url())
    expect(page.locator("#return-comment")).to_contain_text(COMMENT)
    expect(page.locator("[data-nav=notifications]")).to_have_attribute(
        "aria-label", f"Thông báo: {unread} chưa đọc" if unread else "Thông báo"
    )

    (message,) = [m for m in mail.outbox if "cần bổ sung" in m.subject]
    assert message.to == [producer.email]
    assert COMMENT in message.body and dossier.get_absolute_url() in message.body

    # E-mail turned off for returned dossiers: the next return reaches the app only.
    page.goto(base + "/notifications/settings/")
    page.get_by_label("Hồ sơ bị trả lại để bổ sung").uncheck()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu cài đặt nhận thư thông báo.")).to_be_visible()
    expect(page.get_by_label("Hồ sơ bị trả lại để bổ sung")).not_to_be_checked()
