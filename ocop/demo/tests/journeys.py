"""Steps the browser journeys share."""

from playwright.sync_api import Page, expect

from ocop.demo import data as demo


def log_in(page: Page, base: str, username: str) -> None:
    """Signs in as a demo account (signing out whoever was in) and waits for the home page."""
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan")
