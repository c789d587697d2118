"""Browser: a list's filters on a phone fold behind one "Bộ lọc" button, open on a wide screen, and
the filters in use are chips that remove themselves; date inputs are dd/mm/yyyy text boxes."""

import pytest
from playwright.sync_api import Page, expect

from ocop.demo import data as demo

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # An English browser: its own date picker would show mm/dd/yyyy.
    return {**browser_context_args, "locale": "en-US", "timezone_id": "Asia/Ho_Chi_Minh"}


def test_filters_fold_on_a_phone_and_chips_remove_them(live_server, demo_accounts, page: Page) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("tinh.dongthap")
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(base + "/registry/products/?status=recognised")
    search = page.get_by_label("Tìm kiếm")
    page.screenshot(path="/tmp/lang/phone.png")
    expect(search).to_be_hidden()  # folded: the first results are on the first screen
    page.locator("details.ocop-filters > summary").click()
    expect(search).to_be_visible()
    chip = page.locator(".ocop-filter-chips a")
    expect(chip).to_have_count(1)
    chip.click()
    page.wait_for_url(base + "/registry/products/")
    expect(page.locator(".ocop-filter-chips")).to_have_count(0)

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_label("Tìm kiếm")).to_be_visible()  # a wide screen shows them open
    expect(page.locator("details.ocop-filters > summary")).to_be_hidden()

    # A date input: the same text box, dd/mm/yyyy, in an English browser.
    page.goto(base + "/registry/producers/add/")
    date = page.locator("input[name=registration_date]")
    expect(date).to_have_attribute("type", "text")
    expect(date).to_have_attribute("placeholder", "dd/mm/yyyy")
