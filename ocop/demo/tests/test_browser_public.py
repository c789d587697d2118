"""A consumer's journey on a phone: the site's address shows the public home (not the officers'
login), a certificate code typed there is verified, a province is browsed; an English-language
phone gets the public pages in English. Run with `pytest -m browser` (as `.ci/run` does).
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from ocop.certification.models import Certificate
from ocop.public import published

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # A consumer's phone in Vietnam.
    return {**browser_context_args, **PHONE, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def demo_world(settings) -> published.Verification:
    """The demo, and one of its certificates valid today (what a stamp on a shelf would carry)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", verbosity=0)
    for code in Certificate.objects.order_by("pk").values_list("code", flat=True):
        verification = published.verify(code)
        if verification.status == published.VALID:
            return verification
    pytest.fail("the demo has no valid certificate")


def test_a_consumer_opens_the_site_verifies_a_code_and_browses_a_province(
    live_server, demo_world: published.Verification, page: Page
) -> None:
    page.goto(live_server.url + "/")

    # The public home, not the officers' login.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu sản phẩm OCOP")
    expect(page.get_by_role("heading", name="Tìm sản phẩm")).to_be_visible()
    expect(page.get_by_role("heading", name="Theo tỉnh/thành phố")).to_be_visible()

    # Verify the code printed on a certificate, typed in lower case as people do.
    code_box = page.get_by_label("Mã giấy chứng nhận (in trên giấy chứng nhận hoặc tem OCOP)")
    code_box.fill(demo_world.code.lower())
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page).to_have_url(live_server.url + f"/v/{demo_world.code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("HỢP LỆ")
    expect(page.get_by_text(demo_world.product_name).first).to_be_visible()

    # Back home by the site's name, then browse the province of that product.
    page.get_by_role("link", name=re.compile("OCOP Việt Nam")).click()
    expect(page).to_have_url(live_server.url + "/")
    page.get_by_role("link", name=demo_world.province_name, exact=True).click()
    expect(page).to_have_url(live_server.url + f"/tinh/{demo_world.province_code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sản phẩm OCOP – {demo_world.province_name}")
    cards = page.locator(".pub-card")
    expect(cards.first).to_be_visible()
    # Products valid today come first.
    expect(cards.first.locator(".pub-badge")).to_have_text("Còn hiệu lực")


def test_an_english_phone_gets_the_public_pages_in_english_and_the_switch_sticks(
    live_server, demo_world: published.Verification, browser: Browser
) -> None:
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(180_000)
    try:
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", level=1)).to_have_text("OCOP product lookup")
        page.goto(live_server.url + f"/v/{demo_world.code}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("VALID")
        expect(page.locator("dt", has_text=re.compile(r"^Product$"))).to_be_visible()

        # The switch wins over the browser, on every public page from then on.
        page.get_by_role("button", name="Tiếng Việt").click()
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page).to_have_url(live_server.url + f"/v/{demo_world.code}")
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu sản phẩm OCOP")
    finally:
        context.close()
