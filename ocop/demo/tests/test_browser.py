"""Browser journeys through the real UI (Playwright + Chromium against pytest-django's live_server).

Selectors are the accessible ones a user relies on: labels, roles and visible names.
Run with `pytest -m browser` (as `.ci/run` does); the default run deselects them.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from ocop.demo import data as demo

pytestmark = pytest.mark.browser


def test_province_officer_logs_in_switches_language_and_logs_out(
    live_server, demo_accounts, page: Page
) -> None:
    page.goto(live_server.url + "/")

    # Not logged in: the site's address is the public home; its footer leads officers to the login.
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu sản phẩm OCOP")
    page.get_by_role("link", name="Dành cho cán bộ: đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_label("Tên đăng nhập").fill("tinh.dongthap")
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The home page, in Vietnamese, for the Đồng Tháp provincial officer.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan")
    expect(page.get_by_role("heading", name="Xin chào, Lê Minh Châu!")).to_be_visible()
    expect(page.get_by_test_id("user-role")).to_have_text("Cơ quan OCOP cấp tỉnh")
    expect(page.get_by_test_id("user-scope")).to_contain_text("Đồng Tháp")

    # Switch to English with the language switcher: same page, English text.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.get_by_role("heading", name="Hello, Lê Minh Châu!")).to_be_visible()
    expect(page.get_by_role("button", name="Tiếng Việt", exact=True)).to_be_visible()

    # Log out from the account menu: back to the login form, still in English.
    page.get_by_role("button", name=re.compile("Lê Minh Châu")).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto(live_server.url + "/")  # signed out: the public home again, in the chosen language
    expect(page.get_by_role("heading", level=1)).to_have_text("OCOP product lookup")
