"""Browser journey (issue 12.5): a place's name finds its products, typed without diacritics, in the
public catalogue and in the registry."""

import pytest
from playwright.sync_api import Page, expect

from ocop.demo import data as demo

pytestmark = pytest.mark.browser


def test_a_province_name_finds_its_products(live_server, demo_accounts, page: Page) -> None:
    from ocop.registry.models import Product

    in_dong_thap = Product.objects.filter(province__code="82")
    assert in_dong_thap.exists() and Product.objects.exclude(province__code="82").exists()

    # A consumer types the province without diacritics into the public catalogue.
    page.goto(live_server.url + "/san-pham/")
    page.get_by_label("Tìm sản phẩm").fill("dong thap")
    page.get_by_label("Tìm sản phẩm").press("Enter")
    expect(page.get_by_text("Hủ tiếu Sa Đéc").first).to_be_visible()
    for name in Product.objects.exclude(province__code="82").values_list("name", flat=True):
        expect(page.get_by_text(name, exact=True)).to_have_count(0)

    # A central officer finds the same products in the registry, with the diacritics typed.
    page.goto(live_server.url + "/accounts/login/?next=/registry/products/")
    page.get_by_label("Tên đăng nhập").fill("trunguong")
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Tìm kiếm").fill("Đồng Tháp")
    page.get_by_label("Tìm kiếm").press("Enter")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(in_dong_thap.count())
    expect(page.get_by_role("link", name="Hủ tiếu Sa Đéc")).to_be_visible()
