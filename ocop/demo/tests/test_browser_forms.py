"""Browser journey of the forms that help (issue 12.6): a producer opens a new dossier, finds Mẫu 01
pre-filled from the producer record, ticks Mẫu 02's self-scores and watches the council's engine
sum, band and check them as they tick (htmx); after saving, the same figures come from the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ocop.accounts.models import User
from ocop.demo import data as demo
from ocop.evaluation import criteria, scoring, workflow
from ocop.registry.models import Product

from .journeys import log_in

pytestmark = pytest.mark.browser

PRODUCT = "Bánh phồng nếp Lấp Vò"  # its demo certificate has expired: a new first evaluation


def _total_text(value) -> str:
    return f"{scoring.round2(value)}".replace(".", ",")


def test_producer_sees_mau_01_prefilled_and_mau_02_running_figures(live_server, demo_accounts, page: Page):
    base = live_server.url
    product = Product.objects.select_related("producer").get(name=PRODUCT)
    dossier = workflow.create_dossier(User.objects.get(username="chuthe.lapvo"), product)
    log_in(page, base, "chuthe.lapvo")

    page.goto(f"{base}{dossier.get_absolute_url()}?tab=registration")
    if product.producer.representative_name:
        expect(page.get_by_label("Họ tên người đại diện pháp lý")).to_have_value(
            product.producer.representative_name
        )
    if product.producer.phone:
        expect(page.get_by_label("Điện thoại")).to_have_value(product.producer.phone)

    page.goto(f"{base}{dossier.get_absolute_url()}?tab=self_assessment")
    running = page.locator("#self-running")
    expect(running.locator("[data-running-total]")).to_have_text("0,00")
    sheet = dossier.get_sheet()
    answers = demo._demo_answers(sheet, 80)
    ticked: dict[str, int] = {}
    for code, position in list(answers.items())[:3]:
        page.locator(f"label[for='id_score_{code.replace('.', '_')}_{position}']").click()
        ticked[code] = position
        partial = sum((sheet.criterion(c).option(p).points for c, p in ticked.items()), start=0)
        expect(running.locator("[data-running-total]")).to_have_text(_total_text(partial))
    for code, position in list(answers.items())[3:]:
        page.locator(f"label[for='id_score_{code.replace('.', '_')}_{position}']").click()
    total = scoring.member_total(sheet, answers)
    result = scoring.evaluate(sheet, criteria.get_version(dossier.criteria_version), [answers])
    expect(running.locator("[data-running-total]")).to_have_text(_total_text(total))
    expect(running.locator("[data-running-star]")).to_contain_text(f"{result.star} sao")

    # Saved without any report text: saved, and the message names the empty parts.
    page.get_by_role("button", name="Lưu Mẫu 02").click()
    expect(page.get_by_role("alert").filter(has_text="Phần I. Thông tin chung")).to_be_visible()
    expect(page.locator("#self-running [data-running-total]")).to_have_text(_total_text(total))
