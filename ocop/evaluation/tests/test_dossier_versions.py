"""Issue 9 point 5: the dossier page's own forms (Mẫu 01, 02, 03) carry the version of the dossier
they were read from (core.concurrency): of two people saving the same form the second is told,
nothing of theirs is saved, and saving again overwrites on purpose."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ocop.core import clock
from ocop.evaluation import workflow
from ocop.evaluation.models import Dossier

from .conftest import TODAY
from .test_dossier_pages import REGISTRATION, assessment_post, filled, submitted

pytestmark = pytest.mark.django_db

STALE = "Trong lúc bạn sửa, người khác đã lưu thay đổi cho hồ sơ này."


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def step_url(step: str, dossier: Dossier) -> str:
    return reverse(f"evaluation:dossier_{step}", args=[dossier.pk])


def version_in(html: str) -> str:
    found = re.findall(r'name="_version" value="([^"]*)"', html)
    assert len(found) == 1, found
    assert found[0]
    return found[0]


def load(client, dossier: Dossier, tab: str) -> str:
    response = client.get(dossier.get_absolute_url(), {"tab": tab})
    assert response.status_code == 200
    return version_in(response.content.decode())


def conflict_rows(html: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(
        r'<tr data-field="([^"]+)">.*?<td class="theirs">(.*?)</td><td class="yours">(.*?)</td>', html
    )
    return {name: (theirs, yours) for name, theirs, yours in rows}


def test_registration_second_save_is_stale_then_overwrites(world, products) -> None:
    dossier = filled(world, products["hn1"])
    first, second = world.client("producer_hn1"), world.client("commune_hn1")
    read = load(first, dossier, "registration")
    assert load(second, dossier, "registration") == read

    saved = first.post(step_url("registration", dossier), {**REGISTRATION, "_version": read})
    assert saved.status_code == 302
    stale = second.post(
        step_url("registration", dossier), {**REGISTRATION, "applicant": "Lê Văn Bình", "_version": read}
    )
    assert stale.status_code == 200
    html = stale.content.decode()
    assert STALE in html and 'id="version-conflict"' in html
    assert 'value="Lê Văn Bình"' in html  # everything typed is kept
    assert conflict_rows(html)["applicant"] == ("Nguyễn Thị Hoa", "Lê Văn Bình")
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Nguyễn Thị Hoa"  # nothing of theirs saved
    version = version_in(html)
    assert version != read

    again = second.post(
        step_url("registration", dossier), {**REGISTRATION, "applicant": "Lê Văn Bình", "_version": version}
    )
    assert again.status_code == 302
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Lê Văn Bình"


def test_self_assessment_second_save_is_stale_then_overwrites(world, products) -> None:
    dossier = filled(world, products["hn1"])
    first, second = world.client("producer_hn1"), world.client("producer_hn1")
    read = load(first, dossier, "self_assessment")
    assert load(second, dossier, "self_assessment") == read

    mine = {"summary": "Bản của người thứ nhất", "score_1_1": "2", "_version": read}
    assert first.post(step_url("self_assessment", dossier), mine).status_code == 302
    theirs = {"summary": "Bản của người thứ hai", "business_plan": "Mở rộng", "_version": read}
    stale = second.post(step_url("self_assessment", dossier), theirs)
    assert stale.status_code == 200
    html = stale.content.decode()
    assert STALE in html and "Bản của người thứ hai" in html and "Mở rộng" in html
    assert conflict_rows(html)["summary"] == ("Bản của người thứ nhất", "Bản của người thứ hai")
    dossier.refresh_from_db()
    assert dossier.self_assessment["summary"] == "Bản của người thứ nhất"
    assert dossier.self_scores == {"1.1": 2}
    assert "business_plan" not in dossier.self_assessment or not dossier.self_assessment["business_plan"]

    again = second.post(step_url("self_assessment", dossier), {**theirs, "_version": version_in(html)})
    assert again.status_code == 302
    dossier.refresh_from_db()
    assert dossier.self_assessment["summary"] == "Bản của người thứ hai"
    assert dossier.self_assessment["business_plan"] == "Mở rộng" and dossier.self_scores == {}


def test_commune_assessment_second_save_is_stale_then_overwrites(world, products) -> None:
    dossier = submitted(world, products["hn1"])
    workflow.receive(world.users["commune_hn1"], dossier)
    first, second = world.client("commune_hn1"), world.client("commune_hn1")
    read = load(first, dossier, "commune")
    assert load(second, dossier, "commune") == read

    saved = first.post(step_url("commune", dossier), {**assessment_post(), "_version": read})
    assert saved.status_code == 302
    theirs = {**assessment_post("no"), "conclusion": "Chưa đề nghị", "_version": read}
    stale = second.post(step_url("commune", dossier), theirs)
    assert stale.status_code == 200
    html = stale.content.decode()
    assert STALE in html and "Chưa đề nghị" in html
    assert conflict_rows(html)["conclusion"] == ("Đề nghị UBND tỉnh đánh giá, phân hạng", "Chưa đề nghị")
    dossier.refresh_from_db()
    assert dossier.commune_assessment["labour"]["meets"] is True
    assert dossier.commune_assessment["conclusion"] == "Đề nghị UBND tỉnh đánh giá, phân hạng"

    again = second.post(step_url("commune", dossier), {**theirs, "_version": version_in(html)})
    assert again.status_code == 302
    dossier.refresh_from_db()
    assert dossier.commune_assessment["labour"]["meets"] is False
    assert dossier.commune_assessment["conclusion"] == "Chưa đề nghị"


def test_without_version_the_last_writer_wins(world, products) -> None:
    dossier = filled(world, products["hn1"])
    client = world.client("producer_hn1")
    load(client, dossier, "registration")
    workflow.update_forms(world.users["producer_hn1"], dossier, registration={"applicant": "Người khác"})
    assert client.post(step_url("registration", dossier), REGISTRATION).status_code == 302
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Nguyễn Thị Hoa"


def test_stale_form_no_longer_shown_saves_nothing_and_says_so(world, products) -> None:
    dossier = filled(world, products["hn1"])
    client = world.client("producer_hn1")
    read = load(client, dossier, "registration")
    workflow.submit(world.users["producer_hn1"], dossier)
    late = {**REGISTRATION, "applicant": "Muộn", "_version": read}
    response = client.post(step_url("registration", dossier), late, follow=True)
    assert any(STALE in str(message) for message in response.context["messages"])
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Nguyễn Thị Hoa"
