"""Browser journeys of plans, targets, periodic reports and the province map (issue 14).

1. Hải Phòng's office enters its 2026–2030 plan with a target of 3 % 5★ and 70 % cooperatives and
   enterprises, sees each target's current value and whether it is on track, and opens the
   products behind a number.
2. The same office makes its six-month report, writes its assessment, files it after a
   confirmation, and downloads it as XLSX and PDF; Hà Nội's filed report from the demo is listed.
3. The central office opens the map of the 34 provinces and goes from a province to its products.
"""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from ocop.core import clock
from ocop.plans.models import PeriodicReport, Plan, ReportStatus

from .journeys import log_in

pytestmark = pytest.mark.browser

TITLE = "Kế hoạch thực hiện Chương trình OCOP thành phố Hải Phòng giai đoạn 2026–2030"


def test_a_province_enters_its_plan_and_follows_its_targets(live_server, demo_accounts, page: Page) -> None:
    base = live_server.url
    log_in(page, base, "tinh.haiphong")
    page.locator("#ocop-sidebar").get_by_role("link", name="Kế hoạch & chỉ tiêu").click()
    expect(page).to_have_url(re.compile(r"/plans/"))
    page.get_by_role("link", name="Lập kế hoạch").click()
    expect(page.get_by_label("Địa bàn")).to_have_value(re.compile(r"^\d+$"))  # the office's own city
    page.get_by_label("Tên kế hoạch / đề án").fill(TITLE)
    page.get_by_label("Từ năm").fill("2026")
    page.get_by_label("Đến năm").fill("2030")
    page.get_by_label("Số văn bản").fill("12/KH-UBND")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    plan = Plan.objects.get(title=TITLE)
    assert plan.province is not None and plan.province.code == "31"

    page.get_by_role("link", name="Thêm chỉ tiêu").first.click()
    page.locator("#id_indicator").select_option("share_5_star")
    page.get_by_label("Giá trị mục tiêu").fill("3")
    page.get_by_label("Thời hạn").fill("31/12/2030")
    page.get_by_role("button", name="Lưu và thêm chỉ tiêu khác").click()
    page.locator("#id_indicator").select_option("share_cooperatives_enterprises")
    page.get_by_label("Giá trị mục tiêu").fill("70")
    page.get_by_label("Thời hạn").fill("31/12/2030")
    page.get_by_role("button", name="Lưu", exact=True).click()

    # Each target: its current value, the share achieved, the expected value and a verdict.
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    five = page.locator("tr[data-target=share_5_star]")
    coops = page.locator("tr[data-target=share_cooperatives_enterprises]")
    expect(five).to_contain_text("Tỷ lệ sản phẩm 5 sao")
    expect(coops).to_contain_text("HTX")
    for row in (five, coops):
        expect(row.locator("[data-value=current]")).to_have_text(re.compile(r"\d+(,\d+)? %"))
        expect(row.locator("[data-value=share]")).to_have_text(re.compile(r"\d+(,\d+)? %"))
        expect(row.locator("td").nth(6)).to_have_text(re.compile(r"\S"))
    assert plan.targets.count() == 2

    # The products behind the 5★ share: Hải Phòng's OCOP products, the ones counted marked.
    five.get_by_role("link", name="xem danh sách").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tỷ lệ sản phẩm 5 sao")
    expect(page.locator("table tbody tr").first).to_be_visible()
    expect(page.locator("table")).to_contain_text("Hải Phòng")


def test_a_province_files_its_six_month_report_and_downloads_it(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    year = clock.today().year
    log_in(page, base, "tinh.haiphong")
    page.locator("#ocop-sidebar").get_by_role("link", name="Báo cáo định kỳ").click()
    page.get_by_role("link", name="Lập báo cáo").click()
    page.get_by_label("Loại báo cáo").select_option("semiannual")
    page.get_by_label("Năm").select_option(str(year))
    page.get_by_label("Nội dung đánh giá").fill("Sáu tháng đầu năm, thành phố đánh giá lại sản phẩm đến hạn.")
    page.get_by_role("button", name="Lập báo cáo").click()
    report = PeriodicReport.objects.get(province__code="31", year=year, kind="semiannual")
    expect(page).to_have_url(re.compile(rf"/plans/reports/{report.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("6 tháng")

    page.get_by_role("button", name="Nộp báo cáo").click()
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã nộp").first).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.FILED and report.filed_by.username == "tinh.haiphong"
    expect(page.get_by_role("button", name="Nộp báo cáo")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải XLSX").click()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(download.value.path().read_bytes()))
    text = str([workbook.get_sheet_by_index(i).to_python() for i in range(len(workbook.sheet_names))])
    assert "Hải Phòng" in text
    pdf = page.request.get(base + f"/plans/reports/{report.pk}/pdf/")
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The list: this report and, read-only for Hải Phòng, nothing of Hà Nội's.
    page.get_by_role("link", name="Báo cáo định kỳ").first.click()
    expect(page.locator("main")).to_contain_text("Hải Phòng")
    expect(page.locator("main")).not_to_contain_text("Thành phố Hà Nội")


def test_the_central_office_reads_the_map_of_34_provinces(live_server, demo_accounts, page: Page) -> None:
    base = live_server.url
    log_in(page, base, "trunguong")
    page.goto(base + "/reports/map/")
    areas = page.locator("svg a.ocop-map-area")
    expect(areas).to_have_count(34)
    expect(page.locator("[data-province='01'] title")).to_contain_text("Hà Nội")
    page.locator("a[data-metric=on_track]").click()
    expect(page).to_have_url(re.compile(r"metric=on_track"))
    page.locator("svg a[data-province='01']").click()
    expect(page).to_have_url(re.compile(r"/registry/products/\?province=01"))
    expect(page.locator("main")).to_contain_text("Hà Nội")
