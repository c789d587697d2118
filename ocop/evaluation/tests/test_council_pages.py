"""The provincial office's rounds and councils and the council's blind scoring, through the pages.

Every step is posted as a browser would (forms, the htmx preview); the workflow takes it. The
matrix: the office of another province gets 404 on every page and POST, a council account that is
not on this council cannot score, roles that may never act get 403.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

import pytest
from django.test import Client
from django.urls import reverse

from ocop.accounts.models import Role, User
from ocop.core import clock
from ocop.evaluation import minutes, scoring, workflow
from ocop.evaluation.forms import field_name
from ocop.evaluation.models import Dossier, DossierStatus, Evaluation, Level, MemberRole, Round

from .test_workflow import BEST, SHEET, _forwarded

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 20)  # ten days before round 1 must finish (30/6)
SEATS = (
    ("chair", MemberRole.CHAIR, "Sở Nông nghiệp và Môi trường"),
    ("member_a", MemberRole.MEMBER, "Sở Công Thương"),
    ("member_b", MemberRole.MEMBER, "Sở Y tế"),
    ("secretary", MemberRole.SECRETARY, "Chi cục Phát triển nông thôn"),
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def answers_near(target: int) -> dict[str, int]:
    """Answers totalling about `target` that still meet every 4★ minimum (lowest options first)."""
    answers = dict(BEST)
    for criterion in SHEET.criteria:
        if scoring.member_total(SHEET, answers) <= target:
            break
        if criterion.applies_if or any(o.knockout for o in criterion.options):
            continue
        needed = max((o.points for o in criterion.marks if o.min_star <= 4), default=0)
        lowest = min((o for o in criterion.options if o.points >= needed), key=lambda o: o.points)
        answers[criterion.code] = lowest.position
    return answers


ANSWERS = {"chair": answers_near(80), "member_a": answers_near(78), "member_b": answers_near(66)}


def total_text(answers: dict[str, int]) -> str:
    return f"{scoring.round2(scoring.member_total(SHEET, answers))}".replace(".", ",")


def sheet_post(answers: dict[str, int], prefix: str = "sheet", **extra: str) -> dict[str, str]:
    data = {f"{prefix}-{field_name(code)}": str(position) for code, position in answers.items()}
    data.update(extra)
    return data


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def message_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def people(world) -> dict[str, User]:
    users = {}
    for name, _role, _department in SEATS:
        user = User(
            username=f"hd_{name}", full_name=f"Ông {name}", role=Role.COUNCIL, scope_unit=world.places["hn"]
        )
        user.set_unusable_password()
        user.save()
        users[name] = user
    return users


@pytest.fixture
def council(world, people, products):
    """Through the pages: the office opens round 1, seats the council and puts a dossier before it."""
    office = world.client("province_hn")
    dossier = _forwarded(world, products["hn1"])
    response = office.post(
        reverse("evaluation:round_open"),
        {"level": "province", "province": world.places["hn"].pk, "year": 2026, "number": 1, "name": ""},
    )
    round_ = Round.objects.get(province=world.places["hn"], year=2026, number=1)
    assert response.status_code == 302 and response["Location"] == round_.get_absolute_url()
    for name, role, department in SEATS:
        response = office.post(
            reverse("evaluation:round_member_add", args=[round_.pk]),
            {"member-user": people[name].pk, "member-role": role, "member-department": department},
        )
        assert response.status_code == 302
    assert round_.members.count() == 4
    page = office.get(round_.get_absolute_url()).content.decode()
    assert "Đưa hồ sơ vào đợt" in page and dossier.product.name in page
    office.post(
        reverse("evaluation:round_dossier_add", args=[round_.pk]),
        {"dossier": dossier.pk, "advisory_review": "Tổ tư vấn: hồ sơ đầy đủ, đã khảo sát thực tế"},
    )
    item = Evaluation.objects.get(dossier=dossier, round=round_)
    return round_, item, {name: login(user) for name, user in people.items()}


def test_office_opens_a_round_with_its_province_preselected_and_dates(world, council):
    round_, item, _clients = council
    office = world.client("province_hn")
    form = office.get(reverse("evaluation:round_open")).content.decode()
    assert f'<option value="{world.places["hn"].pk}" selected>' in form
    assert 'value="central"' not in form  # only the Ministry opens central rounds
    page = office.get(round_.get_absolute_url()).content.decode()
    assert "30/04/2026" in page and "30/06/2026" in page
    assert "Còn 10 ngày đến hạn hoàn thành đợt." in page
    for name in ("Ông chair", "Ông member_a", "Ông secretary", "Sở Y tế"):
        assert name in page
    assert "Tổ tư vấn: hồ sơ đầy đủ" in item.dossier.advisory_review
    assert item.dossier.status == DossierStatus.IN_ROUND
    assert "0/3 phiếu đã gửi" in page
    # The member list offers only accounts of the round's province that are not seated yet.
    stranger = User.objects.create(
        username="hd_hcm", role=Role.COUNCIL, scope_unit=world.places["hcm"], password="!"
    )
    response = office.post(
        reverse("evaluation:round_member_add", args=[round_.pk]),
        {"member-user": stranger.pk, "member-role": MemberRole.MEMBER},
        follow=True,
    )
    assert "hợp lệ" in message_of(response)  # not a valid choice: outside the round's province
    assert not round_.members.filter(user=stranger).exists()


def test_central_office_opens_a_central_round(world):
    central = world.client("central")
    assert 'value="central"' in central.get(reverse("evaluation:round_open")).content.decode()
    response = central.post(
        reverse("evaluation:round_open"), {"level": "central", "year": 2026, "number": 1, "name": ""}
    )
    created = Round.objects.get(level=Level.CENTRAL)
    assert response.status_code == 302 and created.province is None
    assert (created.proposals_by, created.closes_by) == (dt.date(2026, 7, 30), dt.date(2026, 9, 30))
    # The province cannot: the level is not offered, and posting it anyway is refused.
    response = world.client("province_hn").post(
        reverse("evaluation:round_open"), {"level": "central", "year": 2026, "number": 2}
    )
    assert response.status_code == 200 and not Round.objects.filter(number=2).exists()


def test_blind_scoring_consensus_closing_and_recognition(world, council):
    round_, item, clients = council
    url = item.get_absolute_url()
    chair, member_a, member_b = clients["chair"], clients["member_a"], clients["member_b"]

    # First the conflict declaration; the sheet only after it.
    page = member_a.get(url).content.decode()
    assert "Khai báo xung đột lợi ích" in page and "Gửi phiếu" not in page
    for name in ("chair", "member_a", "member_b"):
        response = clients[name].post(
            reverse("evaluation:evaluation_declare", args=[item.pk]), {"declare-has_conflict": "no"}
        )
        assert response.status_code == 302
    page = member_a.get(url).content.decode()
    assert "<fieldset" in page and "<legend" in page and "Gửi phiếu" in page and "Lưu nháp" in page
    assert "tối thiểu cho 4 sao" in page  # the ★ minimum marks on the options

    # A draft, then the sheet is sent.
    sheet_url = reverse("evaluation:evaluation_sheet", args=[item.pk])
    member_a.post(sheet_url, sheet_post({"1.1": 3}, save="1"))
    assert item.sheets.get().answers == {"1.1": 3} and not item.sheets.get().is_submitted
    sent_total = total_text(ANSWERS["member_a"])
    # "Gửi phiếu" first names the sheet's total and asks; nothing is sent before "Xác nhận".
    response = member_a.post(sheet_url, sheet_post(ANSWERS["member_a"], send="1"))
    confirm = response.content.decode()
    assert response.status_code == 200 and "Gửi phiếu chấm" in confirm and sent_total in confirm
    assert 'name="_confirmed" value="1"' in confirm and "không sửa được nữa" in confirm
    assert not item.sheets.get().is_submitted
    # Its "Lưu nháp, chưa gửi" keeps the ticks as a draft instead.
    assert 'name="save" value="1"' in confirm
    member_a.post(sheet_url, {**confirmed_fields(confirm), "save": "1"})
    draft = item.sheets.get()
    assert draft.answers == ANSWERS["member_a"] and not draft.is_submitted
    response = member_a.post(sheet_url, sheet_post(ANSWERS["member_a"], send="1", _confirmed="1"))
    assert response.status_code == 302
    page_a = member_a.get(url).content.decode()
    assert "Phiếu đã gửi là phiếu cuối cùng" in page_a and "disabled" in page_a and "Lưu nháp" not in page_a
    assert sent_total in page_a  # their own total, of course

    # Blind: member B has not sent, so A's total is nowhere on B's page (nor on the round page).
    page_b = member_b.get(url).content.decode()
    assert sent_total not in page_b and "Chấm kín" in page_b
    assert sent_total not in member_b.get(round_.get_absolute_url()).content.decode()
    history = member_b.get(url, {"tab": "history"}).content.decode()
    assert "Lịch sử phiên chấm được giữ kín" in history and sent_total not in history

    # The live preview: running total and an unmet minimum, nothing saved.
    preview_url = reverse("evaluation:evaluation_preview", args=[item.pk])
    fragment = member_b.post(
        preview_url, sheet_post({"1.1": 3, "1.5": 1}, _form="sheet"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Tổng điểm tạm tính" in fragment and "3,00" in fragment
    assert "Tiêu chí 1.5 chưa đạt mức tối thiểu cho hạng 4 sao" in fragment
    assert "<html" not in fragment and not item.sheets.filter(member__user__username="hd_member_b").exists()
    complete = member_b.post(preview_url, sheet_post(BEST, _form="sheet")).content.decode()
    assert "100,00" in complete and "hạng theo phiếu này: 5 sao" in complete

    member_b.post(sheet_url, sheet_post(ANSWERS["member_b"], send="1", _confirmed="1"))
    page_b = member_b.get(url).content.decode()
    assert sent_total in page_b  # sent: now B sees the others' sheets

    # A sent sheet cannot change.
    response = member_a.post(sheet_url, sheet_post(BEST, send="1", _confirmed="1"))
    assert "Phiếu chấm đã gửi: không thể sửa." in message_of(response)
    assert item.sheets.get(member__user__username="hd_member_a").answers == ANSWERS["member_a"]

    # The chair sees no preview before sending; then the result to come, with the spread flag.
    page_chair = chair.get(url).content.decode()
    assert "Hãy gửi phiếu của bạn" in page_chair and sent_total not in page_chair
    chair.post(sheet_url, sheet_post(ANSWERS["chair"], send="1", _confirmed="1"))

    # The secretary records the agreed sheet, prefilled from the majority.
    secretary = clients["secretary"]
    page_s = secretary.get(url).content.decode()
    assert "Phiếu thống nhất của hội đồng" in page_s and "Điều kiện loại phát hiện" in page_s
    judged = workflow.preview(item).judged
    code = "1.2"
    assert f'id="id_consensus-{field_name(code)}_{judged[code]}" value="{judged[code]}" checked' in page_s
    response = secretary.post(
        reverse("evaluation:evaluation_consensus", args=[item.pk]),
        sheet_post(dict(judged), prefix="consensus"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.consensus == dict(judged) and item.knockouts == []

    page_chair = chair.get(url).content.decode()
    assert "Kết quả dự kiến nếu kết thúc bây giờ" in page_chair
    assert "cần thảo luận" in page_chair and "4 sao" in page_chair
    # Only the chair closes.
    response = member_a.post(reverse("evaluation:evaluation_close", args=[item.pk]))
    assert "Chỉ chủ tịch hội đồng kết thúc phiên chấm." in message_of(response)
    # The chair's click first shows the result to be frozen and the spread beyond the limit; the
    # session is "cần thảo luận", so it closes only with a written reason (kept for the minutes).
    close_url = reverse("evaluation:evaluation_close", args=[item.pk])
    spread = workflow.preview(item).spread
    spread_text = f"{scoring.round2(spread)}".replace(".", ",")
    response = chair.post(close_url)
    confirm = response.content.decode()
    assert response.status_code == 200 and f"Chênh lệch giữa các thành viên là {spread_text} điểm" in confirm
    assert "vượt mức cho phép 10,00 điểm" in confirm and 'name="close-reason"' in confirm
    response = chair.post(close_url, {"_confirmed": "1", "close-reason": "  "})
    assert response.status_code == 200 and "hãy ghi lý do kết thúc phiên chấm" in response.content.decode()
    item.refresh_from_db()
    assert not item.is_closed
    reason = "Hội đồng đã thảo luận tiêu chí 1.5; thống nhất giữ kết quả theo đa số."
    response = chair.post(close_url, {"_confirmed": "1", "close-reason": reason})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_closed and item.star == 4 and item.outcome == "recognised"
    assert item.close_reason == reason and item.history.latest().history_change_reason == reason
    assert reason in chair.get(url).content.decode()

    # After closing: the result and every sheet, for members and the office alike.
    for client in (member_a, world.client("province_hn")):
        page = client.get(url).content.decode()
        assert "Kết quả phiên chấm" in page
        for name in ("chair", "member_a", "member_b"):
            assert total_text(ANSWERS[name]) in page
    # Closed means closed: every step is refused with a message.
    for step, data in (
        ("evaluation_sheet", sheet_post(BEST, send="1")),
        ("evaluation_consensus", sheet_post(BEST, prefix="consensus")),
        ("evaluation_close", {}),
        ("evaluation_close", {"_confirmed": "1", "close-reason": "lần nữa"}),
    ):
        client = secretary if step == "evaluation_consensus" else chair
        response = client.post(reverse(f"evaluation:{step}", args=[item.pk]), data)
        assert "Phiên chấm đã kết thúc" in message_of(response), step

    # The office puts the result into a recognition decision: a certificate for the product.
    office = world.client("province_hn")
    page = office.get(round_.get_absolute_url()).content.decode()
    assert "Trình quyết định công nhận" in page and "— <strong>4 sao</strong>" in page
    decision = {
        "decision-evaluations": [item.pk],
        "decision-number": "1234/QĐ-UBND",
        "decision-date": "2026-06-25",
        "decision-authority": "UBND thành phố Hà Nội",
        "decision-signer": "Phó Chủ tịch",
    }
    response = office.post(reverse("evaluation:round_recognise", args=[round_.pk]), decision)
    confirm = response.content.decode()
    assert response.status_code == 200 and "Ghi quyết định công nhận" in confirm and "25/06/2026" in confirm
    assert "cấp 1 giấy chứng nhận" in confirm and not item.certificates.exists()
    # "Xác nhận" posts what the confirmation page carries: the decision's fields and the confirmation.
    carried = confirmed_fields(confirm)
    assert carried["decision-evaluations"] == [str(item.pk)] and carried["_confirmed"] == ["1"]
    response = office.post(reverse("evaluation:round_recognise", args=[round_.pk]), carried, follow=True)
    assert "1234/QĐ-UBND" in message_of(response)
    certificate = item.certificates.get()
    assert certificate.star == 4 and certificate.issue_date == dt.date(2026, 6, 25)
    assert Dossier.objects.get(pk=item.dossier_id).status == DossierStatus.RECOGNISED
    # Twice is refused: the dossier has been decided.
    response = office.post(
        reverse("evaluation:round_recognise", args=[round_.pk]),
        {
            "decision-evaluations": [item.pk],
            "decision-number": "1235/QĐ-UBND",
            "decision-date": "2026-06-25",
            "decision-authority": "UBND thành phố Hà Nội",
            "_confirmed": "1",
        },
        follow=True,
    )
    assert item.certificates.count() == 1 and message_of(response)

    # The minutes: the council, the result, every member's sheet and the agreed one.
    response = office.get(reverse("evaluation:round_minutes", args=[round_.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF") and len(content) > 5000
    text = pdf_text(content)
    if text is not None:
        assert "BIÊN BẢN HỌP HỘI ĐỒNG" in text and "Ông member_b" in text
        assert item.dossier.product.name in text and "Phiếu thống nhất" in text and "4 sao" in text
        assert "Lý do kết thúc khi cần thảo luận" in text and "tiêu chí 1.5" in text
    # The chair's reason is in the minutes, as written.
    office_user = world.users["province_hn"]
    assert minutes.minutes_context(round_, office_user)["dossiers"][0]["result"]["close_reason"] == reason


def confirmed_fields(page: str) -> dict[str, list[str]]:
    """The hidden fields of a confirmation page's form (core/confirm.html), as the browser posts them."""
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(name, []).append(html.unescape(value))
    return fields


def pdf_text(content: bytes) -> str | None:
    """The PDF's text (pypdfium2), or None where it is not installed."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    document = pdfium.PdfDocument(content)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    # Extracted text may come decomposed (base letter + combining mark) and broken at line ends.
    return unicodedata.normalize("NFC", text)


def test_potential_five_star_goes_to_the_ministry(world, council):
    round_, item, clients = council
    for name in ("chair", "member_a", "member_b"):
        workflow.declare(User.objects.get(username=f"hd_{name}"), item, has_conflict=False)
        workflow.save_sheet(User.objects.get(username=f"hd_{name}"), item, BEST, submit=True)
    close_url = reverse("evaluation:evaluation_close", args=[item.pk])
    confirm = clients["chair"].post(close_url).content.decode()
    assert "Kết thúc phiên chấm" in confirm and 'name="close-reason"' not in confirm  # no spread: no reason
    clients["chair"].post(close_url, {"_confirmed": "1"})
    item.refresh_from_db()
    assert item.outcome == "potential_five_star" and item.close_reason == ""  # no spread: no reason asked
    office = world.client("province_hn")
    page = office.get(round_.get_absolute_url()).content.decode()
    assert "Đề nghị trung ương" in page and "Trình quyết định công nhận" not in page
    propose_url = reverse("evaluation:evaluation_propose_central", args=[item.pk])
    confirm = office.post(propose_url).content.decode()
    assert "Đề nghị trung ương" in confirm and "100,00 / 100" in confirm
    assert Dossier.objects.get(pk=item.dossier_id).status == DossierStatus.SCORED  # nothing yet
    office.post(propose_url, {"_confirmed": "1"})
    assert Dossier.objects.get(pk=item.dossier_id).status == DossierStatus.CENTRAL
    # The Ministry's round then offers it.
    central = workflow.open_round(world.users["central"], level=Level.CENTRAL, year=2026, number=1)
    page = world.client("central").get(central.get_absolute_url()).content.decode()
    assert item.dossier.product.name in page and "Đưa vào đợt" in page


def test_other_province_gets_404_on_every_page_and_post(world, council):
    round_, item, _clients = council
    other = world.client("province_hcm")
    for name in ("round_detail", "round_minutes"):
        assert other.get(reverse(f"evaluation:{name}", args=[round_.pk])).status_code == 404
    assert other.get(item.get_absolute_url()).status_code == 404
    for name in ("round_member_add", "round_dossier_add", "round_recognise"):
        assert other.post(reverse(f"evaluation:{name}", args=[round_.pk]), {}).status_code == 404
    for name in (
        "evaluation_declare",
        "evaluation_sheet",
        "evaluation_preview",
        "evaluation_consensus",
        "evaluation_close",
        "evaluation_propose_central",
    ):
        assert other.post(reverse(f"evaluation:{name}", args=[item.pk]), {}).status_code == 404, name
    assert round_.members.count() == 4 and item.declarations.count() == 0
    assert round_.pk not in [r.pk for r in other.get(reverse("evaluation:round_list")).context["table"].data]


def test_roles_that_never_act_get_403_and_gets_only_what_is_allowed(world, council):
    round_, item, _clients = council
    viewer = world.client("viewer_hn")
    assert viewer.get(round_.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("evaluation:round_minutes", args=[round_.pk])).status_code == 403
    assert viewer.get(reverse("evaluation:round_open")).status_code == 403
    assert viewer.post(reverse("evaluation:round_member_add", args=[round_.pk]), {}).status_code == 403
    assert viewer.post(reverse("evaluation:evaluation_sheet", args=[item.pk]), {}).status_code == 403
    commune = world.client("commune_hn1")
    assert commune.post(reverse("evaluation:evaluation_close", args=[item.pk])).status_code == 403
    assert commune.post(reverse("evaluation:round_dossier_add", args=[round_.pk])).status_code == 403
    # GETs of state-changing endpoints are refused.
    office = world.client("province_hn")
    assert office.get(reverse("evaluation:evaluation_close", args=[item.pk])).status_code == 405
    assert Client().get(round_.get_absolute_url()).status_code == 302  # to the login page


def test_a_council_account_not_on_this_council_cannot_score(world, council):
    _round, item, _clients = council
    outsider = world.client("council_hn")  # a council account of Hà Nội, not seated on this round
    page = outsider.get(item.get_absolute_url())
    assert page.status_code == 200 and "Gửi phiếu" not in page.content.decode()
    response = outsider.post(
        reverse("evaluation:evaluation_declare", args=[item.pk]), {"declare-has_conflict": "no"}
    )
    assert "Bạn không phải thành viên chấm điểm của hội đồng này." in message_of(response)
    response = outsider.post(
        reverse("evaluation:evaluation_sheet", args=[item.pk]), sheet_post(BEST, send="1")
    )
    assert "Bạn không phải thành viên chấm điểm" in message_of(response)
    assert outsider.post(reverse("evaluation:evaluation_preview", args=[item.pk]), {}).status_code == 403
    assert not item.sheets.exists() and not item.declarations.exists()
    # The secretary records but does not score.
    secretary = User.objects.get(username="hd_secretary")
    response = login(secretary).post(
        reverse("evaluation:evaluation_declare", args=[item.pk]), {"declare-has_conflict": "no"}
    )
    assert "thành viên chấm điểm" in message_of(response)


def test_a_declared_conflict_keeps_the_member_from_the_sheet(world, council):
    _round, item, clients = council
    response = clients["member_a"].post(
        reverse("evaluation:evaluation_declare", args=[item.pk]), {"declare-has_conflict": "yes"}
    )
    assert "Hãy ghi rõ mối quan hệ có xung đột lợi ích." in message_of(response)
    clients["member_a"].post(
        reverse("evaluation:evaluation_declare", args=[item.pk]),
        {"declare-has_conflict": "yes", "declare-note": "Anh ruột giám đốc HTX"},
    )
    page = clients["member_a"].get(item.get_absolute_url()).content.decode()
    assert "Anh ruột giám đốc HTX" in page and "Gửi phiếu" not in page


def test_round_list_filters_and_query_count(world, django_assert_max_num_queries):
    office = world.users["province_hn"]
    for year in (2024, 2025, 2026):
        for number in (1, 2):
            workflow.open_round(
                office, level=Level.PROVINCE, year=year, number=number, province=world.places["hn"]
            )
    workflow.open_round(
        world.users["province_hcm"], level=Level.PROVINCE, year=2026, number=1, province=world.places["hcm"]
    )
    client = world.client("province_hn")
    url = reverse("evaluation:round_list")
    client.get(url)  # warm the session and content types
    # Constant whatever the number of rounds (session, user, unit, counts, filter choices, rows).
    with django_assert_max_num_queries(10):
        response = client.get(url)
    rounds = list(response.context["table"].data)
    assert len(rounds) == 6 and {r.province_id for r in rounds} == {world.places["hn"].pk}
    assert "Mở đợt đánh giá" in response.content.decode()
    response = client.get(url, {"year": 2025})
    assert {r.year for r in response.context["table"].data} == {2025}
    national = world.client("central").get(url, {"province": "79"})
    assert [r.province_id for r in national.context["table"].data] == [world.places["hcm"].pk]
    # The htmx request gets only the results.
    fragment = client.get(url, {"status": "open"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "Đợt 1/2026" in fragment


def test_an_extra_round_from_the_form_needs_its_dates(world):
    office = world.client("province_hn")
    data = {"level": "province", "province": world.places["hn"].pk, "year": 2026, "number": 3}
    response = office.post(reverse("evaluation:round_open"), data)
    assert response.status_code == 200  # the form again, nothing created
    assert "Đợt bổ sung cần ngày này" in response.content.decode()
    assert not Round.objects.filter(number=3).exists()
    data |= {"proposals_by": "2026-08-15", "closes_by": "2026-09-30"}
    assert office.post(reverse("evaluation:round_open"), data).status_code == 302
    assert Round.objects.get(number=3).closes_by.isoformat() == "2026-09-30"
