"""Forms that help (issue 12.6): Mẫu 02 sums, bands and checks the self-scores with the council's
engine; saving Mẫu 02 names the empty parts; Mẫu 01 offers what the producer record knows; the
agreed sheet shows the council's total and unmet minimums; several council members are seated at
once; a producer learns why a closed result is not recognised (never before closing); a
recognition decision's message links each new certificate.
"""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop.accounts.models import Role, User
from ocop.evaluation import criteria, scoring, workflow
from ocop.evaluation.forms import score_field_name
from ocop.evaluation.models import Dossier, Evaluation, MemberRole, Round
from ocop.evaluation.results import running_figures

from .test_council_pages import (  # noqa: F401  (fixtures used by name)
    ANSWERS,
    council,
    fixed_today,
    login,
    message_of,
    people,
    sheet_post,
)
from .test_workflow import BEST, SHEET

VERSION = criteria.get_version(criteria.CURRENT_VERSION)


@pytest.fixture
def seated(council):  # noqa: F811  (the fixture of test_council_pages, by name)
    """Round 1 of Hà Nội with its council seated and a dossier before it (test_council_pages)."""
    return council


# The lowest option of every criterion that knocks nothing out: a total far below 3★.
LOW = {
    c.code: min((o for o in c.options if not o.knockout), key=lambda o: o.points).position
    for c in SHEET.criteria
}


def engine_total(answers: dict[str, int]) -> str:
    return f"{scoring.round2(scoring.member_total(SHEET, answers))}".replace(".", ",")


def draft(world, product) -> Dossier:
    return workflow.create_dossier(world.users["producer_hn1"], product)


def self_url(dossier: Dossier) -> str:
    return f"{dossier.get_absolute_url()}?tab=self_assessment"


def self_post(answers: dict[str, int], **texts: str) -> dict[str, str]:
    data = {score_field_name(code): str(position) for code, position in answers.items()}
    data.update(texts)
    return data


def running_total(html: str) -> str:
    match = re.search(r"data-running-total>([^<]+)<", html)
    assert match, "no running total on the page"
    return match.group(1)


# --- Mẫu 02: the council's engine, live and after saving -------------------------------------------


answer_sets = st.fixed_dictionaries(
    {},
    optional={c.code: st.integers(1, len(c.options)) for c in SHEET.criteria},
)


@settings(max_examples=60, deadline=None)
@given(answer_sets)
def test_running_total_is_the_engines_total_for_any_ticks(answers):
    figures = running_figures(SHEET, VERSION, answers)
    try:
        total = scoring.member_total(SHEET, answers)
    except scoring.AnswerError:  # open criteria: the sum so far, no star yet
        assert not figures["complete"] and figures["star"] is None
        partial = sum((SHEET.criterion(c).option(p).points for c, p in answers.items()), start=0)
        assert figures["total"] == scoring.round2(partial)
        return
    result = scoring.evaluate(SHEET, VERSION, [answers])
    assert figures["complete"] and figures["total"] == scoring.round2(total)
    assert (figures["band"], figures["star"]) == (result.band, result.star)
    assert len(figures["unmet"]) == len([u for u in result.unmet_minimums if u.criterion in answers])


def test_self_scoring_shows_total_band_star_and_unmet_minimums_live_and_saved(world, products):
    dossier = draft(world, products["hn1"])
    producer = world.client("producer_hn1")
    page = producer.get(self_url(dossier)).content.decode()
    preview_url = reverse("evaluation:dossier_self_preview", args=[dossier.pk])
    assert "Kết quả tự đánh giá dự kiến" in page and f'hx-post="{preview_url}"' in page
    assert running_total(page) == "0,00"

    # Live (htmx): random ticks give exactly the engine's figures; nothing is saved.
    rng = random.Random(12)
    for _ in range(4):
        ticks = {c.code: rng.randint(1, len(c.options)) for c in SHEET.criteria if rng.random() < 0.7}
        fragment = producer.post(preview_url, self_post(ticks), HTTP_HX_REQUEST="true").content.decode()
        assert "<html" not in fragment
        expected = running_figures(SHEET, VERSION, ticks)["total"]
        assert running_total(fragment) == f"{expected}".replace(".", ",")
    complete = producer.post(preview_url, self_post(BEST)).content.decode()
    assert running_total(complete) == "100,00"
    assert "khung điểm 5 sao" in complete and "hạng theo phiếu này: 5 sao" in complete
    marked = next(c for c in SHEET.criteria if c.marks and c.options[0].points < c.marks[0].points)
    low = producer.post(preview_url, self_post({marked.code: 1})).content.decode()
    assert f"Tiêu chí {marked.code} chưa đạt mức tối thiểu" in low and "Tổng điểm tạm tính" in low
    dossier.refresh_from_db()
    assert dossier.self_scores == {}

    # Without JavaScript: saved, the page shows the same figures computed by the server.
    producer.post(
        reverse("evaluation:dossier_self_assessment", args=[dossier.pk]),
        self_post(BEST, summary="HTX thành lập 2015"),
    )
    saved = producer.get(self_url(dossier)).content.decode()
    assert running_total(saved) == "100,00" and "hạng theo phiếu này: 5 sao" in saved
    # And on the read-only page once submitted (the commune reads it too).
    commune_page = world.client("commune_hn1").get(self_url(dossier)).content.decode()
    assert running_total(commune_page) == engine_total(BEST)


def test_self_scoring_preview_stays_in_scope(world, products):
    dossier = draft(world, products["hn1"])
    url = reverse("evaluation:dossier_self_preview", args=[dossier.pk])
    assert world.client("province_hcm").post(url, self_post(BEST)).status_code == 404
    assert world.client("producer_hn1").get(url).status_code == 405
    assert Client().post(url, self_post(BEST)).status_code == 302  # to the login page


# --- Mẫu 02: saved only when saved, empty parts named -------------------------------------------


def test_saving_mau_02_names_the_empty_parts_and_says_saved_only_when_saved(world, products):
    dossier = draft(world, products["hn1"])
    producer = world.client("producer_hn1")
    url = reverse("evaluation:dossier_self_assessment", args=[dossier.pk])

    response = producer.post(url, self_post({"1.1": 2}), follow=True)
    text = message_of(response)
    assert "Đã lưu phần tự chấm điểm của Mẫu 02, nhưng báo cáo chưa có nội dung" in text
    for part in ("Phần I. Thông tin chung", "Phần II.", "Phần IV. Kế hoạch sản xuất, kinh doanh"):
        assert part in text
    assert "Đã lưu báo cáo tự đánh giá" not in text
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    dossier.refresh_from_db()
    assert dossier.self_scores == {"1.1": 2}  # the ticks were saved: the message says so

    response = producer.post(url, self_post({}, summary="HTX thành lập 2015"), follow=True)
    text = message_of(response)
    assert "Đã lưu báo cáo tự đánh giá (Mẫu 02). Còn để trống: Phần II." in text
    assert "Chưa có báo cáo tự đánh giá" not in response.content.decode()

    # Bad input: nothing saved, nothing said to be saved.
    response = producer.post(url, self_post({}, summary="x", score_1_1="99"))
    assert "Đã lưu" not in message_of(response)


# --- Mẫu 01: what the producer record knows ---------------------------------------------------------


def test_mau_01_offers_the_producer_record_without_overriding_what_was_saved(world, products):
    product = products["hn1"]
    producer_record = product.producer
    producer_record.representative_name = "Trần Văn Đại Diện"
    producer_record.representative_position = "Chủ nhiệm HTX"
    producer_record.phone = "0243 888 999"
    producer_record.address = "Số 1 Phố Thử, Phường Ba Đình"
    producer_record.email = "htx@example.vn"
    producer_record.save()
    dossier = draft(world, product)
    client = world.client("producer_hn1")
    page = client.get(f"{dossier.get_absolute_url()}?tab=registration").content.decode()
    for value in ("Trần Văn Đại Diện", "Chủ nhiệm HTX", "0243 888 999", "Số 1 Phố Thử", "htx@example.vn"):
        assert f'value="{value}' in page, value
    assert "được điền sẵn từ hồ sơ chủ thể" in page  # offered, not yet saved: the page says so
    assert "applicant" not in dossier.registration  # offered only, nothing written

    # Saved values stay, a field saved blank stays blank; another producer's record never shows.
    workflow.update_forms(
        world.users["producer_hn1"], dossier, registration={"applicant": "Người Khác", "email": ""}
    )
    page = client.get(f"{dossier.get_absolute_url()}?tab=registration").content.decode()
    assert 'value="Người Khác"' in page and "Trần Văn Đại Diện" not in page
    assert "htx@example.vn" not in page and 'value="0243 888 999"' in page
    assert products["hcm1"].producer.name not in page


# --- The agreed sheet: the council's total and unmet minimums ------------------------------------


def test_agreed_sheet_shows_the_council_total_and_unmet_minimums_blind_for_others(world, seated):
    round_, item, clients = seated
    for name in ("chair", "member_a", "member_b"):
        user = User.objects.get(username=f"hd_{name}")
        workflow.declare(user, item, False, "")
    workflow.save_sheet(User.objects.get(username="hd_member_a"), item, ANSWERS["member_a"], submit=True)
    workflow.save_sheet(User.objects.get(username="hd_chair"), item, ANSWERS["chair"], submit=True)
    mean = scoring.round2(
        (scoring.member_total(SHEET, ANSWERS["member_a"]) + scoring.member_total(SHEET, ANSWERS["chair"])) / 2
    )
    mean_text = f"{mean}".replace(".", ",")

    secretary = clients["secretary"]
    page = secretary.get(item.get_absolute_url()).content.decode()
    consensus = page[page.index('id="consensus-running"') :]
    assert "Tổng điểm trung bình của hội đồng (2 phiếu đã gửi)" in consensus
    assert running_total(consensus) == mean_text and "hạng theo phiếu thống nhất" in consensus

    preview = reverse("evaluation:evaluation_preview", args=[item.pk])
    marked = next(c for c in SHEET.criteria if c.marks and c.options[0].points < c.marks[0].points)
    ticks = {**BEST, marked.code: 1}
    fragment = secretary.post(
        preview, sheet_post(ticks, prefix="consensus", _form="consensus")
    ).content.decode()
    assert running_total(fragment) == mean_text  # the council's mean, whatever the agreed ticks
    assert f"Tiêu chí {marked.code} chưa đạt mức tối thiểu" in fragment

    # Member B has not sent: a crafted "consensus" preview tells them nothing of the others' totals.
    fragment = (
        clients["member_b"]
        .post(preview, sheet_post(BEST, prefix="consensus", _form="consensus"))
        .content.decode()
    )
    assert "hội đồng" not in fragment and mean_text not in fragment
    assert running_total(fragment) == "100,00"


# --- The council picker: several members at once, the picker stays open ------------------------------


def test_several_members_are_seated_at_once_and_the_picker_stays_open(world):
    office = world.client("province_hn")
    office.post(
        reverse("evaluation:round_open"),
        {"level": "province", "province": world.places["hn"].pk, "year": 2026, "number": 1, "name": ""},
    )
    round_ = Round.objects.get(province=world.places["hn"], year=2026, number=1)
    accounts = []
    for index in range(3):
        user = User(
            username=f"tv_{index}",
            full_name=f"Thành viên {index}",
            role=Role.COUNCIL,
            scope_unit=world.places["hn"],
        )
        user.set_unusable_password()
        user.save()
        accounts.append(user)
    page = office.get(round_.get_absolute_url()).content.decode()
    assert 'type="checkbox" name="member-user"' in page
    response = office.post(
        reverse("evaluation:round_member_add", args=[round_.pk]),
        {
            "member-user": [user.pk for user in accounts],
            "member-role": MemberRole.MEMBER,
            "member-department": "Sở Y tế",
        },
    )
    assert response.status_code == 302 and "add-members=1" in response["Location"]
    added = message_of(office.get(response["Location"]))
    assert all(f"Thành viên {index}" in added for index in range(3))
    assert set(round_.members.values_list("user__username", flat=True)) == {"tv_0", "tv_1", "tv_2"}
    page = office.get(response["Location"]).content.decode()
    assert re.search(
        r'<details class="border rounded p-3 mt-2" open>\s*<summary class="fw-semibold">Thêm', page
    )

    # One refused account does not keep the others out; the refusal names it.
    stranger = User.objects.create(username="tv_hcm", role=Role.COUNCIL, scope_unit=world.places["hcm"])
    response = office.post(
        reverse("evaluation:round_member_add", args=[round_.pk]),
        {"member-user": [stranger.pk], "member-role": MemberRole.MEMBER},
        follow=True,
    )
    assert "hợp lệ" in message_of(response) and not round_.members.filter(user=stranger).exists()


# --- Why "Không đạt": only once the session is closed --------------------------------------------


def _close_low(item: Evaluation) -> None:
    for name in ("chair", "member_a", "member_b"):
        user = User.objects.get(username=f"hd_{name}")
        workflow.declare(user, item, False, "")
        workflow.save_sheet(user, item, LOW, submit=True)


def test_producer_sees_why_not_recognised_only_after_closing(world, seated):
    _round, item, clients = seated
    _close_low(item)
    producer = world.client("producer_hn1")
    dossier_tab = f"{item.dossier.get_absolute_url()}?tab=evaluations"
    low_total = engine_total(LOW)

    # All sheets are in, the session is open: nothing of the result, nor of the reasons.
    for url in (dossier_tab, item.get_absolute_url()):
        html = producer.get(url).content.decode()
        assert "Vì sao không đạt" not in html and 'data-testid="failure-reasons"' not in html
        assert low_total not in html and "chưa đạt mức tối thiểu" not in html

    workflow.close(User.objects.get(username="hd_chair"), item)
    item.refresh_from_db()
    assert item.outcome == "not_recognised"
    result = scoring.evaluate(SHEET, VERSION, [LOW, LOW, LOW])
    for url in (dossier_tab, item.get_absolute_url()):
        html = producer.get(url).content.decode()
        reasons = html[html.index('data-testid="failure-reasons"') :]
        assert "Vì sao không đạt" in html
        assert f"Tổng điểm trung bình {low_total} dưới 50 điểm" in reasons
        for unmet in result.unmet_minimums[:3]:
            assert f"Tiêu chí {unmet.criterion} chưa đạt mức tối thiểu cho hạng {unmet.star} sao" in reasons
        parts = scoring.part_totals(SHEET, LOW)
        for code, points in parts.items():
            assert f"Phần {code}." in reasons
            assert f"{scoring.round2(points)}".replace(".", ",") in reasons
    # Individual members' sheets stay the council's: the producer sees the result, not the sheets.
    html = producer.get(item.get_absolute_url()).content.decode()
    assert "Phiếu chấm của tôi" not in html and "hd_member_a" not in html


# --- A decision's message links each new certificate -----------------------------------------------


def test_recognition_message_links_each_new_certificate(world, seated):
    round_, item, clients = seated
    for name in ("chair", "member_a", "member_b"):
        user = User.objects.get(username=f"hd_{name}")
        workflow.declare(user, item, False, "")
        workflow.save_sheet(user, item, ANSWERS["member_a"], submit=True)
    workflow.close(User.objects.get(username="hd_chair"), item)
    office = world.client("province_hn")
    response = office.post(
        reverse("evaluation:round_recognise", args=[round_.pk]),
        {
            "decision-evaluations": [item.pk],
            "decision-number": "77/QĐ-UBND",
            "decision-date": "2026-06-25",
            "decision-authority": "UBND thành phố Hà Nội",
            "_confirmed": "1",  # the confirmation step (ocop.core.confirm)
        },
        follow=True,
    )
    certificate = item.certificates.get()
    html = response.content.decode()
    assert "Đã ghi quyết định 77/QĐ-UBND: 1 giấy chứng nhận." in html
    assert f'<a href="{certificate.get_absolute_url()}">{certificate.code}</a>' in html
    assert office.get(certificate.get_absolute_url()).status_code == 200


def test_the_new_figures_speak_english_in_the_english_interface():
    marked = next(c for c in SHEET.criteria if c.marks and c.options[0].points < c.marks[0].points)
    with translation.override("en"):
        figures = running_figures(SHEET, VERSION, {marked.code: 1})
    assert figures["unmet"] and all(text.startswith("Criterion ") for text in figures["unmet"])
