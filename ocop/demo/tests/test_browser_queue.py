"""Browser journey: a council member finds the sheet to send on the home page's "Việc cần làm",
follows it to the list of exactly those dossiers, and sees only the menu a council member uses.

Run with `pytest -m browser` (as `.ci/run` does); the default run deselects them.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from ocop.demo import data as demo

pytestmark = pytest.mark.browser


def test_council_member_follows_the_queue_to_the_sheet(live_server, demo_accounts, page: Page) -> None:
    page.goto(live_server.url + "/accounts/login/?next=/")
    page.get_by_label("Tên đăng nhập").fill("hoidong.dongthap")
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(live_server.url + "/")

    queue = page.get_by_test_id("queue")
    expect(queue.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    sheets = queue.locator('[data-queue="sheets_to_send"]')
    expect(sheets.locator("[data-queue-count]")).to_have_text("1")
    expect(sheets).to_contain_text("hạn gần nhất")

    # The menu of a council member: its councils and the dossiers it scores, no administration.
    menu = page.get_by_role("navigation", name="Phân hệ")
    expect(menu.get_by_role("link", name="Hội đồng của tôi")).to_be_visible()
    expect(menu.get_by_role("link", name="Người dùng")).to_have_count(0)
    expect(menu.get_by_role("link", name="Đơn vị hành chính")).to_have_count(0)
    expect(page.get_by_text("sắp có")).to_have_count(0)

    sheets.get_by_role("link", name="Phiếu chấm cần gửi").click()
    expect(page).to_have_url(re.compile(r"/evaluation/dossiers/\?todo=sheets$"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(demo.DEMO_SCORING)
