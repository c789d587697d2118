"""Browser journey through an evaluation round: the provincial office puts a dossier before the demo
council, three members score it blind in the browser, the chair closes, the office records the
decision, and the certificate PDF's QR code scans to its verification URL."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from playwright.sync_api import Page, expect

from ocop.certification.models import Certificate
from ocop.demo import data as demo
from ocop.evaluation import workflow
from ocop.evaluation.models import Round
from ocop.evaluation.scoring import member_total
from ocop.registry.models import Product

from .journeys import log_in

pytestmark = pytest.mark.browser

PRODUCT = "Bánh phồng nếp Lấp Vò"  # its demo certificate has expired: a new first evaluation


def _forwarded_dossier() -> None:
    """The producer and commune steps (their own journey is tested elsewhere) done in Python."""
    from ocop.accounts.models import User

    product = Product.objects.get(name=PRODUCT)
    producer, commune = User.objects.get(username="chuthe.lapvo"), User.objects.get(username="xa.lapvo")
    dossier = workflow.create_dossier(producer, product)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": PRODUCT, "applicant": "Huỳnh Văn Phúc", "phone": "0277 3680 123"},
        self_assessment={"summary": "Sản xuất ổn định, bao bì mới."},
    )
    workflow.submit(producer, dossier)
    workflow.receive(commune, dossier)
    items = {key: {"text": "Đạt theo hồ sơ", "meets": True} for key, _label in workflow.COMMUNE_ITEMS}
    workflow.assess_commune(commune, dossier, {**items, "conclusion": "Đề nghị đánh giá"})
    workflow.forward(commune, dossier)


def _tick(page: Page, radio_selector: str) -> None:
    """Tick a radio by its label, as a person does (the label is the large touch target)."""
    radio_id = page.locator(radio_selector).first.get_attribute("id")
    page.locator(f"label[for='{radio_id}']").click()
    expect(page.locator(f"[id='{radio_id}']")).to_be_checked()


def _score(page: Page, answers: dict[str, int]) -> None:
    _tick(page, "input[type=radio][name$='has_conflict'][value='no']")
    page.get_by_role("button", name="Ghi khai báo").click()
    for code, position in answers.items():
        name = "c" + code.replace(".", "_")
        _tick(page, f"input[type=radio][name='{name}'][value='{position}'], "
                    f"input[type=radio][name$='-{name}'][value='{position}']")  # fmt: skip
    page.get_by_role("button", name="Gửi phiếu").click()
    # Irreversible: a confirmation step names the sheet's total first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Gửi phiếu chấm")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã gửi phiếu chấm.")).to_be_visible()


def test_province_runs_a_round_with_three_members_scoring_blind(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    _forwarded_dossier()
    round_ = Round.objects.get(province__code="82")

    # The provincial office puts the forwarded dossier before the council.
    log_in(page, base, "tinh.dongthap")
    page.goto(base + round_.get_absolute_url())
    page.get_by_text("Đưa hồ sơ vào đợt").click()
    candidate = page.locator("form", has_text=PRODUCT)
    candidate.get_by_label("Ý kiến tổ tư vấn").fill("Hồ sơ đầy đủ.")
    candidate.get_by_role("button", name="Đưa vào đợt").click()
    evaluation = round_.evaluations.get(dossier__product__name=PRODUCT)

    sheet = evaluation.get_sheet()
    answers = demo._demo_answers(sheet, 80)  # a 4★ sheet that meets every minimum
    assert 70 <= member_total(sheet, answers) < 90
    url = base + evaluation.get_absolute_url()

    # Member 1 scores; member 2, before sending, cannot see member 1's total.
    log_in(page, base, "hoidong.dongthap")
    page.goto(url)
    _score(page, answers)
    log_in(page, base, "hoidong2.dongthap")
    page.goto(url)
    others = page.locator("section", has=page.get_by_role("heading", name="Phiếu chấm của các thành viên"))
    expect(others.get_by_text("Chấm kín: bạn sẽ thấy phiếu")).to_be_visible()
    expect(others.get_by_text("tổng điểm")).to_have_count(0)  # no other member's total before sending
    _score(page, answers)
    expect(others.get_by_text("tổng điểm")).to_have_count(1)  # member 1's sheet, now visible

    # The chair scores and closes.
    log_in(page, base, "chutich.dongthap")
    page.goto(url)
    _score(page, answers)
    page.get_by_role("button", name="Kết thúc phiên chấm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết thúc phiên chấm")
    page.get_by_role("button", name="Xác nhận").click()  # no spread beyond the limit: no reason asked
    expect(page.get_by_role("status").filter(has_text="Đã kết thúc phiên chấm")).to_be_visible()
    evaluation.refresh_from_db()
    assert (evaluation.star, evaluation.outcome) == (4, "recognised")

    # The office records the recognition decision: a 4★ certificate.
    log_in(page, base, "tinh.dongthap")
    page.goto(base + round_.get_absolute_url())
    form = page.locator("#decision form")
    form.get_by_label("Số quyết định").fill("2468/QĐ-UBND")
    form.get_by_label("Ngày ban hành").fill(timezone.localdate().isoformat())
    form.get_by_label("Cơ quan ban hành").fill("UBND tỉnh Đồng Tháp")
    form.get_by_role("button", name="Ghi quyết định và cấp giấy chứng nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi quyết định công nhận")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã ghi quyết định 2468/QĐ-UBND")).to_be_visible()
    certificate = Certificate.objects.get(evaluation=evaluation)
    assert certificate.star == 4

    # Its PDF carries a QR code that scans to the verification URL.
    page.goto(base + certificate.get_absolute_url())
    expect(page.get_by_role("link", name="Tải giấy chứng nhận (PDF)")).to_be_visible()
    response = page.request.get(base + certificate.get_absolute_url() + "pdf/")  # the page's own session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf_bytes = response.body()
    image = pypdfium2.PdfDocument(io.BytesIO(pdf_bytes))[0].render(scale=3).to_pil()
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    assert decoded == [f"{base}/v/{certificate.code}"]
