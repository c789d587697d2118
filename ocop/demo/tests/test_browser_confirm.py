"""Browser journey: the chair closes a session flagged "cần thảo luận". The click on "Kết thúc phiên
chấm" leads to a confirmation step that names the members' spread; it refuses to close without a
written reason; the reason is stored and printed in the council's minutes."""

from __future__ import annotations

import io
import unicodedata

import pypdfium2
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from ocop.accounts.models import User
from ocop.demo import data as demo
from ocop.evaluation import scoring, workflow
from ocop.evaluation.models import Round
from ocop.registry.models import Product

from .journeys import log_in
from .test_browser_evaluation import PRODUCT, _forwarded_dossier

pytestmark = pytest.mark.browser

REASON = "Hội đồng đã thảo luận mức chênh lệch; thống nhất giữ điểm trung bình."


def _disputed_session() -> tuple[Round, object]:
    """The demo council scores one dossier far apart (about 95, 80 and 65 points), in Python: the
    scoring itself has its own journey (test_browser_evaluation)."""
    _forwarded_dossier()
    round_ = Round.objects.get(province__code="82")
    office = User.objects.get(username="tinh.dongthap")
    product = Product.objects.get(name=PRODUCT)
    evaluation = workflow.add_to_round(office, product.dossiers.get(status="forwarded"), round_)
    sheet = evaluation.get_sheet()
    targets = {"chutich.dongthap": 80, "hoidong.dongthap": 95, "hoidong2.dongthap": 65}
    for username, target in targets.items():
        user = User.objects.get(username=username)
        workflow.declare(user, evaluation, has_conflict=False)
        workflow.save_sheet(user, evaluation, demo._demo_answers(sheet, target), submit=True)
    return round_, evaluation


def test_chair_closes_a_disputed_session_with_a_reason_in_the_minutes(
    live_server, demo_accounts, page: Page
) -> None:
    base = live_server.url
    round_, evaluation = _disputed_session()
    preview = workflow.preview(evaluation)
    assert preview is not None and preview.needs_discussion
    spread = f"{scoring.round2(preview.spread)}".replace(".", ",")

    log_in(page, base, "chutich.dongthap")
    page.goto(base + evaluation.get_absolute_url())
    close = page.locator("#close")
    expect(close.get_by_text("cần thảo luận")).to_be_visible()
    close.get_by_role("button", name="Kết thúc phiên chấm").click()

    # The confirmation step: what will happen, the spread named, a reason asked for; nothing written.
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết thúc phiên chấm")
    expect(page.locator("#confirm-warning")).to_contain_text(
        f"Chênh lệch giữa các thành viên là {spread} điểm, vượt mức cho phép"
    )
    expect(page.locator("#confirm-consequences")).to_contain_text("không thể sửa")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("hãy ghi lý do kết thúc phiên chấm")
    evaluation.refresh_from_db()
    assert not evaluation.is_closed

    page.get_by_label("Lý do kết thúc phiên chấm").fill(REASON)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("status").filter(has_text="Đã kết thúc phiên chấm")).to_be_visible()
    expect(page.locator("#close-reason")).to_have_text(REASON)
    evaluation.refresh_from_db()
    assert evaluation.is_closed and evaluation.close_reason == REASON

    # The minutes print the reason beside the spread.
    response = page.request.get(base + reverse("evaluation:round_minutes", args=[round_.pk]))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(io.BytesIO(response.body()))
    text = unicodedata.normalize("NFC", "\n".join(p.get_textpage().get_text_range() for p in document))
    assert "Lý do kết thúc khi cần thảo luận" in text
    assert "thống nhất giữ điểm trung bình" in " ".join(text.split())
