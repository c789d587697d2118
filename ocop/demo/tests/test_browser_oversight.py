"""Browser journeys of post-recognition oversight (Art. 9), on a phone.

1. The province officer records the demo's still-planned inspection of HTX Xoài cát Hòa Lộc on a
   phone: the checklist, a photo, the producer's signature drawn on the screen, a "no longer met"
   line and a revocation proposal on ground b; a first submission lost to a flaky connection keeps
   the typed values on the phone and the retry saves once; the conclusion is confirmed, the minutes
   (PDF) name the producer, and the certificate's page shows the proposal with its 15-day deadline
   and a revocation form filled in from it.
2. A consumer reports an expired certificate from /v/<code> without an account, follows it with the
   receipt code, and the province finds the report in its triage queue and the scan signal of that
   expired certificate in its signals list.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pypdfium2
import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, Route, expect

from ocop.certification.models import Certificate
from ocop.certification.revocation import revocation_deadline
from ocop.core import clock
from ocop.demo import oversight as demo_oversight
from ocop.oversight.models import (
    Attachment,
    ConsumerReport,
    Inspection,
    InspectionStatus,
    Outcome,
    SignalRule,
)
from ocop.public import published

from .journeys import log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PLACE = "Vườn xoài và nhà sơ chế của hợp tác xã, ấp Hòa Lộc"
PERSON = "Võ Thị Mai, Giám đốc hợp tác xã"
NOTE = "Vườn mới trồng lại chưa có chứng nhận VietGAP như trong hồ sơ đánh giá."
EXPIRED_PRODUCT = "Bánh phồng nếp Lấp Vò"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # An officer's (and a consumer's) phone in Vietnam.
    return {**browser_context_args, **PHONE, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


def _png(size: tuple[int, int] = (320, 240)) -> bytes:
    image = Image.new("RGB", size, "green")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": _png()}


def _pdf_text(body: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(body))
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _watch_scripts(page: Page) -> list[str]:
    """The page's uncaught script errors (a button that does nothing on a phone starts there)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _sign(page: Page) -> None:
    """Draws a scribble across the signature pad, as a finger would."""
    canvas = page.locator("#signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"] + box["height"] / 2
    page.mouse.move(x + 20, y)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x + 20 + step * (box["width"] - 40) / 12, y + (25 if step % 2 else -25), steps=3)
    page.mouse.up()


def test_an_officer_records_an_inspection_on_a_phone_and_proposes_a_revocation(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    today = clock.today()
    title = demo_oversight.PLAN_TITLE.format(year=today.year)
    inspection = Inspection.objects.get(plan__title=title, producer__name=demo_oversight.HOA_LOC)
    assert inspection.status == InspectionStatus.PLANNED
    record_url = base + reverse("oversight:inspection_record", args=[inspection.pk])
    script_errors = _watch_scripts(page)

    # The menu of a phone is behind the toggler.
    log_in(page, base, "tinh.dongthap")
    page.get_by_role("button", name="Mở menu phân hệ").click()
    page.locator("#ocop-sidebar").get_by_role("link", name="Kiểm tra, giám sát").click()
    expect(page).to_have_url(re.compile(r"/oversight/plans/"))
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    row = page.locator("tr", has_text=demo_oversight.HOA_LOC)
    expect(row.get_by_text("Chưa kiểm tra")).to_be_visible()
    row.get_by_role("link", name=demo_oversight.HOA_LOC).click()
    page.get_by_role("link", name="Ghi biên bản").click()
    expect(page).to_have_url(record_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi biên bản kiểm tra")

    # The checklist built from the evaluated dossier: one product's first criterion no longer met.
    items = list(inspection.inspected_products.select_related("product", "certificate").order_by("pk"))
    findings = list(inspection.findings.order_by("position", "pk"))
    assert items and findings
    flagged = next(f for f in findings if f.kind == "criterion")
    revoked = next(item for item in items if item.product_id == flagged.product_id)
    assert revoked.certificate is not None

    page.get_by_label("Ngày kiểm tra").fill(f"{today:%d/%m/%Y}")
    page.get_by_label("Địa điểm kiểm tra").fill(PLACE)
    page.get_by_label("Đại diện chủ thể làm việc với đoàn").fill(PERSON)
    for finding in findings:
        line = page.locator(f"#finding-{finding.pk}")
        if finding.pk == flagged.pk:
            line.locator("label", has_text="Không còn đáp ứng").click()
            line.get_by_label("Ghi chú").fill(NOTE)
        else:
            line.locator("label", has_text="Vẫn như khi đánh giá").click()
    for item in items:
        outcome = page.locator(f"#outcome-{item.pk}")
        if item.pk == revoked.pk:
            outcome.locator("label", has_text="Đề nghị thu hồi giấy chứng nhận").click()
            outcome.get_by_label("Căn cứ thu hồi (Điều 8.1)").select_option("b")
        else:
            outcome.locator("label", has_text="Đạt, duy trì đúng tiêu chí").click()
    _sign(page)
    signature = page.locator("input[name=signature]")
    expect(signature).to_have_value(re.compile(r"^data:image/png;base64,"))

    # A flaky connection: the first submission never reaches the server; the second reaches it,
    # but the answer is lost and the same request goes again (the server must not save it twice).
    history = inspection.history.count()
    posts: list[int] = []

    def flaky(route: Route) -> None:
        if route.request.method != "POST" or len(posts) >= 2:
            route.continue_()
        elif not posts:
            posts.append(0)
            route.abort("internetdisconnected")
        else:
            first = route.fetch(max_redirects=0)
            again = route.fetch(max_redirects=0)
            posts.extend([first.status, again.status])
            route.fulfill(response=again)

    page.route(record_url, flaky)
    with page.expect_event("requestfailed"):
        page.get_by_role("button", name="Lưu nháp").click(no_wait_after=True)
    assert posts == [0]
    expect(page).to_have_url(re.compile(r"^chrome-error://"))  # the phone shows "no connection"
    inspection.refresh_from_db()
    assert inspection.inspected_on is None and inspection.history.count() == history

    # Back on the form: what was typed is still there, kept on the phone.
    page.goto(record_url)
    expect(page.locator("#draft-restored")).to_contain_text("Đã khôi phục dữ liệu đang nhập dở")
    expect(page.get_by_label("Ngày kiểm tra")).to_have_value(f"{today:%d/%m/%Y}")
    expect(page.get_by_label("Địa điểm kiểm tra")).to_have_value(PLACE)
    expect(page.get_by_label("Đại diện chủ thể làm việc với đoàn")).to_have_value(PERSON)
    expect(page.locator(f"#finding-{flagged.pk} input[value=not_met]")).to_be_checked()
    expect(page.locator(f"#finding-{flagged.pk}").get_by_label("Ghi chú")).to_have_value(NOTE)
    expect(page.locator(f"#finding-{findings[-1].pk} input[value=as_evaluated]")).to_be_checked()
    expect(page.locator(f"#outcome-{revoked.pk} input[value=revocation]")).to_be_checked()
    expect(page.locator(f"#outcome-{revoked.pk}").get_by_label("Căn cứ thu hồi (Điều 8.1)")).to_have_value(
        "b"
    )
    expect(signature).to_have_value(re.compile(r"^data:image/png;base64,"))

    # A file is never kept by the browser: the photo is chosen again. The retry arrives twice and
    # is saved once: one new version of the record, one photo.
    page.get_by_label("Ảnh, tài liệu (ảnh hoặc PDF)").set_input_files(_photo("vuon-xoai.png"))
    page.get_by_role("button", name="Lưu nháp").click()
    expect(
        page.get_by_role("status").filter(has_text="Biên bản này đã được lưu ở lần gửi trước")
    ).to_be_visible()
    assert posts == [0, 302, 302]
    page.unroute(record_url, flaky)
    expect(page.locator("#draft-restored")).to_be_hidden()
    inspection.refresh_from_db()
    assert inspection.history.count() == history + 1
    assert Attachment.objects.filter(inspection=inspection).count() == 1
    assert inspection.inspected_on == today and inspection.location == PLACE
    assert inspection.inspected_person == PERSON
    assert inspection.signature and not inspection.signature_refused
    expect(page.get_by_role("img", name="Chữ ký đã lưu")).to_be_visible()
    flagged.refresh_from_db()
    assert flagged.answer == "not_met" and flagged.note == NOTE

    # The conclusion goes through a confirmation page.
    page.get_by_role("button", name="Kết luận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết luận cuộc kiểm tra")
    expect(page.locator("#confirm-warning")).to_contain_text("đề nghị thu hồi")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("status").filter(has_text="Đã kết luận cuộc kiểm tra")).to_be_visible()
    expect(page).to_have_url(base + inspection.get_absolute_url())
    inspection.refresh_from_db()
    revoked.refresh_from_db()
    assert inspection.status == InspectionStatus.DONE and inspection.concluded_on == today
    assert revoked.outcome == Outcome.REVOCATION and revoked.ground == "b"
    assert inspection.history.count() > history + 1
    assert Attachment.objects.filter(inspection=inspection).count() == 1

    # The minutes (biên bản kiểm tra), a PDF naming the producer.
    response = page.request.get(base + reverse("oversight:inspection_minutes", args=[inspection.pk]))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert demo_oversight.HOA_LOC in _pdf_text(response.body())

    # The certificate's page: the proposal, its deadline 15 days after the conclusion, and the
    # revocation form filled in from it.
    certificate = revoked.certificate
    page.goto(base + certificate.get_absolute_url())
    proposals = page.locator("section", has=page.locator("#revocation-proposals"))
    expect(proposals).to_be_visible()
    deadline = revocation_deadline(today)
    expect(proposals).to_contain_text(
        f"Chờ quyết định thu hồi, hạn {deadline:%d/%m/%Y} (15 ngày kể từ ngày kết luận {today:%d/%m/%Y}"
    )
    expect(proposals).to_contain_text("b) ")
    page.get_by_role("link", name="Thu hồi giấy chứng nhận").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thu hồi giấy chứng nhận")
    expect(page.get_by_role("note")).to_contain_text("Điền sẵn theo đề nghị thu hồi")
    expect(page.locator("input[name=ground][value=b]")).to_be_checked()
    certificate.refresh_from_db()
    assert certificate.revoked_on is None  # nothing decided until the form is sent
    assert script_errors == []


def test_a_consumer_reports_an_expired_certificate_and_the_province_sees_it(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    certificate = (
        Certificate.objects.filter(product__name=EXPIRED_PRODUCT)
        .order_by("-issue_date")
        .select_related("product")
    ).first()
    assert certificate is not None
    assert published.verify(certificate.code).status == published.EXPIRED
    before = ConsumerReport.objects.count()
    script_errors = _watch_scripts(page)

    # A visitor without an account, on the page the QR code leads to.
    page.goto(base + f"/v/{certificate.code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("HẾT HẠN")
    page.get_by_role("link", name="Báo cáo vi phạm / phản ánh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo vi phạm / phản ánh")
    expect(page.locator(".pub-report-subject")).to_contain_text(EXPIRED_PRODUCT)
    page.get_by_label("Giấy chứng nhận hết hạn hoặc bị thu hồi nhưng vẫn quảng cáo OCOP").check()
    page.get_by_label("Bạn đã thấy gì?").fill(
        "Gói bánh phồng vẫn dán tem OCOP 3 sao, quét mã thì báo hết hiệu lực."
    )
    page.get_by_label("Mua hoặc thấy sản phẩm ở đâu?").fill("Chợ Lấp Vò, sạp số 12")
    page.get_by_label("Tỉnh/thành phố nơi mua").select_option(
        label=certificate.product.producer.province.name
    )
    page.get_by_label("Ảnh chụp (không bắt buộc)").set_input_files(_photo("banh-phong.png"))
    page.get_by_label("Điện thoại hoặc email (không bắt buộc)").fill("0912 345 678")
    # The form refuses a submission within 3 s of being shown (a rule against scripts).
    page.wait_for_timeout(3500)
    page.get_by_role("button", name="Gửi phản ánh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nhận phản ánh")
    receipt = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", receipt)
    assert ConsumerReport.objects.count() == before + 1
    report = ConsumerReport.objects.get(receipt_code=receipt)
    assert report.product_id == certificate.product_id and report.photo
    assert report.province.code == certificate.product.producer.province.code

    # Later, the status page found with the receipt code.
    page.get_by_role("link", name="Tra cứu phản ánh khác").click()
    page.get_by_label("Mã tiếp nhận").fill(receipt.lower())
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả xử lý phản ánh")
    expect(page.locator("#receipt-code")).to_have_text(receipt)
    expect(page.locator("#report-status")).to_have_text("Mới nhận")
    expect(page.locator("#report-facts")).to_contain_text(EXPIRED_PRODUCT)

    # The province's triage queue has it; its signals list has the expired code still scanned.
    log_in(page, base, "tinh.dongthap")
    page.goto(base + reverse("oversight:report_list"))
    row = page.locator("tr", has_text=receipt)
    expect(row).to_contain_text(EXPIRED_PRODUCT)
    expect(row).to_contain_text("Mới nhận")
    row.get_by_role("link", name=receipt).click()
    expect(page.get_by_text("0912 345 678")).to_be_visible()  # the officer handling it sees the contact

    page.get_by_role("link", name="Dấu hiệu từ lượt quét").click()
    expect(page).to_have_url(re.compile(r"/oversight/signals/"))
    label = SignalRule.EXPIRED_SCANNED.label
    signal = page.locator("tr", has_text=EXPIRED_PRODUCT).filter(has_text=str(label))
    expect(signal).to_have_count(1)
    expect(signal).to_contain_text(certificate.code)
    expect(signal).to_contain_text("vẫn được quét")
    assert script_errors == []
