"""Browser journey through the registry: a commune officer registers a producer and its product;
an officer of another commune cannot open them."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ocop.registry.models import ChangeRequest, Product

from .journeys import log_in

pytestmark = pytest.mark.browser


def _choose_commune(page: Page, name: str) -> None:
    select = page.locator("select[name=unit]")
    value = select.locator("option", has_text=name).first.get_attribute("value")
    select.select_option(value)


def test_commune_officer_registers_a_producer_and_a_product(live_server, demo_accounts, page: Page) -> None:
    base = live_server.url
    log_in(page, base, "xa.lapvo")

    page.goto(base + "/registry/producers/")
    page.get_by_role("link", name="Thêm chủ thể").click()
    page.get_by_label("Tên chủ thể").fill("Hợp tác xã Sen Đá Lấp Vò")
    page.get_by_label("Loại hình chủ thể").select_option(label="Hợp tác xã")
    _choose_commune(page, "Lấp Vò")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hợp tác xã Sen Đá Lấp Vò")

    page.goto(base + "/registry/products/")
    page.get_by_role("link", name="Thêm sản phẩm").click()
    page.get_by_label("Tên sản phẩm").fill("Mứt sen Lấp Vò")
    page.locator("select[name=producer]").select_option(label="Hợp tác xã Sen Đá Lấp Vò")
    page.locator("select[name=classification_set]").select_option("B07")
    _choose_commune(page, "Lấp Vò")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mứt sen Lấp Vò")
    product = Product.objects.get(name="Mứt sen Lấp Vò")
    assert re.fullmatch(r"82-30169-\d+-\d{4}", product.code)
    expect(page.get_by_text(product.code).first).to_be_visible()

    # Diacritics-free search finds it.
    page.goto(base + "/registry/products/?q=mut+sen+lap+vo")
    expect(page.get_by_role("link", name="Mứt sen Lấp Vò")).to_be_visible()

    # An officer of another commune (Lạc Dương, Lâm Đồng) cannot open it.
    page.context.clear_cookies()
    log_in(page, base, "xa.lacduong")
    response = page.goto(base + product.get_absolute_url())
    assert response is not None and response.status == 404


def test_a_producers_rename_waits_for_the_commune_officer(live_server, demo_accounts, page: Page) -> None:
    """The demo's pending request (packaging) is withdrawn, a rename asked for, approved by xa.lapvo."""
    base = live_server.url
    log_in(page, base, "chuthe.lapvo")
    pending = ChangeRequest.objects.get(status="pending")
    product = pending.product
    certified = product.name
    page.goto(base + pending.get_absolute_url())
    page.get_by_role("button", name="Rút đề nghị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rút đề nghị thay đổi")  # asks first
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã rút đề nghị.")).to_be_visible()

    page.goto(base + product.get_absolute_url())
    page.locator(f"a[href='{reverse('registry:change_request_add', args=[product.pk])}']").click()
    page.get_by_label("Tên sản phẩm").fill(certified + " thượng hạng")
    page.get_by_label("Lý do đề nghị").fill("Đăng ký nhãn hiệu mới")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text("Đã gửi đề nghị thay đổi")).to_be_visible()
    page.goto(base + product.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(certified)  # not renamed yet

    page.context.clear_cookies()
    log_in(page, base, "xa.lapvo")
    page.goto(base + "/registry/change-requests/?status=pending")
    page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    page.get_by_label("Ý kiến của cán bộ").fill("Đã đối chiếu giấy chứng nhận nhãn hiệu")
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Duyệt đề nghị thay đổi")
    expect(page.locator("main dl")).to_contain_text("thượng hạng")  # the change, named before it is made
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã duyệt đề nghị")).to_be_visible()
    product.refresh_from_db()
    assert product.name == certified + " thượng hạng"
    # The certificate still carries the recognised name.
    assert product.certificates.filter(certified_product_name=certified).exists()
