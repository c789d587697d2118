"""The dossier pages (Art. 6–7): producers fill Mẫu 01/02 and submit, communes receive, assess
(Mẫu 03) and forward; everyone else reads within their scope. Every step goes
through ocop.evaluation.workflow."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from ocop.core import clock
from ocop.documents.models import EvidenceType
from ocop.documents.tests.conftest import make_document
from ocop.evaluation import workflow
from ocop.evaluation.models import Dossier, DossierEvidence, DossierKind, DossierStatus, Level

from .conftest import TODAY, make_producer, make_product

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "unit_name": "HTX Gạo Hà Nội",
    "applicant": "Nguyễn Thị Hoa",
    "position": "Giám đốc",
    "address": "Thôn Đông, xã thử",
    "phone": "0912 345 678",
    "email": "hoa@example.vn",
    "product_name": "Gạo thơm",
    "product_group": "Gạo",
    "samples": "5",
}
STEPS = ("registration", "self_assessment", "evidence", "submit", "receive", "commune", "forward", "return")


CONFIRMED = {"_confirmed": "1"}  # the confirmation step's field (ocop.core.confirm)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def step_url(step: str, dossier: Dossier) -> str:
    return reverse(f"evaluation:dossier_{step}", args=[dossier.pk])


def assessment_post(meets: str = "yes") -> dict[str, str]:
    data = {f"{key}_text": f"Nhận xét {key}" for key, _label in workflow.COMMUNE_ITEMS}
    data.update({f"{key}_meets": meets for key, _label in workflow.COMMUNE_ITEMS})
    data["conclusion"] = "Đề nghị UBND tỉnh đánh giá, phân hạng"
    return data


def filled(world, product, actor: str = "producer_hn1") -> Dossier:
    """A draft with Mẫu 01 and Mẫu 02 filled, through the workflow (by the producer or the commune)."""
    producer = world.users[actor]
    dossier = workflow.create_dossier(producer, product)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": product.name, "applicant": "Nguyễn Thị Hoa", "phone": "0912345678"},
        self_assessment={"summary": "Sản phẩm ổn định 3 năm"},
    )
    return dossier


def submitted(world, product, actor: str = "producer_hn1") -> Dossier:
    dossier = filled(world, product, actor)
    workflow.submit(world.users[actor], dossier)
    return dossier


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_producer_creates_fills_and_submits(world, products) -> None:
    client = world.client("producer_hn1")
    product = products["hn1"]
    tab = client.get(product.get_absolute_url(), {"tab": "dossiers"}).content.decode()
    add_url = f"{reverse('evaluation:dossier_add')}?product={product.pk}"
    assert "Lập hồ sơ đánh giá" in tab and add_url in tab

    page = client.get(add_url)
    assert page.status_code == 200
    assert re.search(r'<option value="B07"[^>]*selected', page.content.decode())  # the product's bộ sản phẩm
    assert "B26" in page.content.decode()
    response = client.post(add_url, {"kind": DossierKind.FIRST, "sheet": "B07"})
    dossier = Dossier.objects.get(product=product)
    assert response.status_code == 302 and response.url == f"{dossier.get_absolute_url()}?tab=registration"
    assert dossier.status == DossierStatus.DRAFT and dossier.sheet == "B07"

    form01 = client.get(response.url).content.decode()
    assert 'name="applicant"' in form01 and "Lưu Mẫu 01" in form01
    assert client.post(step_url("registration", dossier), REGISTRATION).status_code == 302
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Nguyễn Thị Hoa" and dossier.registration["samples"] == 5

    # Evidence already on file is reused, not uploaded again.
    document = make_document(
        product.producer,
        doc_type=EvidenceType.FOOD_SAFETY,
        title="Giấy ATTP",
        number="12/ATTP",
        expiry_date=dt.date(2027, 5, 1),
    )
    form02 = client.get(dossier.get_absolute_url(), {"tab": "self_assessment", "criterion": "1.2"})
    html = form02.content.decode()
    assert 'name="score_1_1"' in html and "Chưa tự chấm" in html and "Giấy ATTP" in html
    assert re.search(r'<option value="1.2" selected', html)  # the criterion link preselects it
    response = client.post(step_url("evidence", dossier), {"document": document.pk, "criterion": "1.2"})
    assert response.status_code == 302
    assert DossierEvidence.objects.filter(dossier=dossier, document=document, criterion="1.2").exists()
    response = client.post(
        step_url("self_assessment", dossier),
        {"summary": "HTX thành lập 2015", "business_results": "Doanh thu tăng", "score_1_1": "2"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.self_assessment["summary"] == "HTX thành lập 2015" and dossier.self_scores == {"1.1": 2}
    html = client.get(dossier.get_absolute_url(), {"tab": "self_assessment"}).content.decode()
    assert "12/ATTP" in html and "01/05/2027" in html  # type, number, expiry of the attached paper

    info = client.get(dossier.get_absolute_url()).content.decode()
    assert "Nộp hồ sơ" in info and "Chưa nộp được" not in info
    # Irreversible: the click names what happens and asks; nothing is written before "Xác nhận".
    response = client.post(step_url("submit", dossier))
    confirm = response.content.decode()
    assert response.status_code == 200 and "Chưa thực hiện" in confirm and "Xác nhận" in confirm
    assert "Hồ sơ được nộp cho UBND cấp xã" in confirm and 'name="_confirmed" value="1"' in confirm
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT
    response = client.post(step_url("submit", dossier), CONFIRMED, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.submitted_on == TODAY
    assert "Đã nộp hồ sơ cho UBND cấp xã." in messages_of(response)
    assert "23/11/2026" in response.content.decode()  # the submission date, dd/mm/yyyy
    read_only = client.get(dossier.get_absolute_url(), {"tab": "registration"}).content.decode()
    assert "Lưu Mẫu 01" not in read_only and "Nguyễn Thị Hoa" in read_only


def test_commune_receives_assesses_and_forwards(world, products) -> None:
    dossier = submitted(world, products["hn1"])
    client = world.client("commune_hn1")
    info = client.get(dossier.get_absolute_url()).content.decode()
    assert "Tiếp nhận" in info and "Nộp hồ sơ" not in info
    confirm = client.post(step_url("receive", dossier)).content.decode()
    assert "Tiếp nhận hồ sơ" in confirm and "hạn xử lý 15 ngày làm việc" in confirm
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    response = client.post(step_url("receive", dossier), CONFIRMED, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMMUNE_REVIEW and dossier.received_on == TODAY
    # 15 working days; 24/11 (Ngày Văn hóa Việt Nam, a public holiday from 2026) is skipped.
    assert dossier.commune_deadline == dt.date(2026, 12, 15)
    assert "Hạn xử lý của xã: 15/12/2026." in " ".join(messages_of(response))

    page = client.get(dossier.get_absolute_url()).content.decode()
    assert "Chưa đề nghị lên tỉnh được" in page  # Mẫu 03 not done yet: the list says why
    form03 = client.get(dossier.get_absolute_url(), {"tab": "commune"}).content.decode()
    assert "Lưu Mẫu 03" in form03 and "Sử dụng lao động địa phương" in form03
    assert client.post(step_url("commune", dossier), assessment_post()).status_code == 302
    dossier.refresh_from_db()
    assert dossier.commune_assessment["labour"] == {"text": "Nhận xét labour", "meets": True}
    confirm = client.post(step_url("forward", dossier)).content.decode()
    assert "Đề nghị lên tỉnh" in confirm and "được gửi lên UBND cấp tỉnh" in confirm
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.COMMUNE_REVIEW
    response = client.post(step_url("forward", dossier), CONFIRMED, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FORWARDED and dossier.forwarded_on == TODAY
    assert "Đã đề nghị UBND cấp tỉnh đánh giá, phân hạng sản phẩm." in messages_of(response)
    read_only = client.get(dossier.get_absolute_url(), {"tab": "commune"}).content.decode()
    assert "Lưu Mẫu 03" not in read_only and "Nhận xét labour" in read_only


def test_another_communes_officer_gets_404_everywhere(world, products) -> None:
    dossier = submitted(world, products["hn1"])
    client = world.client("commune_hn2")
    assert client.get(dossier.get_absolute_url()).status_code == 404
    for step in STEPS:
        assert client.post(step_url(step, dossier), {"comment": "x"}).status_code == 404, step
    assert client.get(f"{reverse('evaluation:dossier_add')}?product={products['hn1'].pk}").status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    listed = client.get(reverse("evaluation:dossier_list")).content.decode()
    assert products["hn1"].name not in listed


@pytest.mark.parametrize("reader", ["council_hn", "viewer_hn"])
def test_council_and_viewer_read_but_cannot_act(world, products, reader) -> None:
    dossier = submitted(world, products["hn1"])
    client = world.client(reader)
    for tab in ("info", "registration", "self_assessment", "commune", "evaluations", "history"):
        page = client.get(dossier.get_absolute_url(), {"tab": tab})
        assert page.status_code == 200, tab
        html = page.content.decode()
        for button in ("Tiếp nhận", "Nộp hồ sơ", "Lưu Mẫu 01", "Lưu Mẫu 02", "Lưu Mẫu 03", "Trả hồ sơ"):
            assert button not in html, (tab, button)
    assert (
        "Nguyễn Thị Hoa" in client.get(dossier.get_absolute_url(), {"tab": "registration"}).content.decode()
    )
    for step in STEPS:
        assert client.post(step_url(step, dossier), {"comment": "x"}).status_code == 403, step
    assert client.get(f"{reverse('evaluation:dossier_add')}?product={products['hn1'].pk}").status_code == 403
    tab = client.get(products["hn1"].get_absolute_url(), {"tab": "dossiers"}).content.decode()
    assert dossier.get_absolute_url() in tab and "Lập hồ sơ đánh giá" not in tab
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert products["hn1"].name in client.get(reverse("evaluation:dossier_list")).content.decode()


def test_returned_dossier_shows_the_comment_and_can_be_resubmitted(world, products) -> None:
    dossier = submitted(world, products["hn1"])
    commune = world.client("commune_hn1")
    refused = commune.post(step_url("return", dossier), {"comment": "   "})
    assert refused.status_code == 200 and "Hãy ghi rõ nội dung cần bổ sung." in refused.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    comment = {"comment": "Bổ sung phiếu kiểm nghiệm 2026"}
    confirm = commune.post(step_url("return", dossier), comment).content.decode()
    assert "Trả hồ sơ – cần bổ sung" in confirm and "Bổ sung phiếu kiểm nghiệm 2026" in confirm
    assert 'name="comment" value="Bổ sung phiếu kiểm nghiệm 2026"' in confirm  # carried to "Xác nhận"
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    commune.post(step_url("return", dossier), {**comment, **CONFIRMED})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED

    producer = world.client("producer_hn1")
    for tab in ("info", "registration"):
        html = producer.get(dossier.get_absolute_url(), {"tab": tab}).content.decode()
        assert "Hồ sơ cần bổ sung" in html and "Bổ sung phiếu kiểm nghiệm 2026" in html
    assert (
        "Lưu Mẫu 02" in producer.get(dossier.get_absolute_url(), {"tab": "self_assessment"}).content.decode()
    )
    producer.post(step_url("self_assessment", dossier), {"summary": "Đã bổ sung phiếu kiểm nghiệm"})
    response = producer.post(step_url("submit", dossier), CONFIRMED, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and "Hồ sơ cần bổ sung" not in response.content.decode()


def test_a_refused_step_is_a_vietnamese_message_not_a_500(world, products) -> None:
    dossier = filled(world, products["hn1"])
    commune = world.client("commune_hn1")
    response = commune.post(step_url("receive", dossier), follow=True)
    assert response.status_code == 200 and "Chỉ tiếp nhận hồ sơ đã nộp." in messages_of(response)
    response = commune.post(step_url("forward", dossier), follow=True)
    assert "Chỉ đề nghị lên tỉnh hồ sơ xã đang xem xét." in messages_of(response)
    response = commune.post(step_url("commune", dossier), assessment_post(), follow=True)
    assert "Hãy tiếp nhận hồ sơ trước khi đánh giá." in messages_of(response)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and dossier.commune_assessment == {}

    workflow.submit(world.users["producer_hn1"], dossier)
    producer = world.client("producer_hn1")
    late = producer.post(step_url("registration", dossier), REGISTRATION, follow=True)
    assert late.status_code == 200 and "Hồ sơ đã nộp: không thể sửa" in " ".join(messages_of(late))
    dossier.refresh_from_db()
    assert dossier.registration["applicant"] == "Nguyễn Thị Hoa" and "email" not in dossier.registration
    again = producer.post(step_url("submit", dossier), follow=True)
    assert "Hồ sơ đã được nộp." in messages_of(again)
    # A second dossier while one is open: the form says so.
    add_url = f"{reverse('evaluation:dossier_add')}?product={products['hn1'].pk}"
    response = producer.post(add_url, {"kind": DossierKind.FIRST, "sheet": "B07"})
    assert response.status_code == 200 and "Sản phẩm đã có một hồ sơ đang xử lý." in response.content.decode()
    # Nâng hạng without a certificate: the model's rule, shown on the form.
    other = make_product(products["hn1"].producer)
    response = producer.post(
        f"{reverse('evaluation:dossier_add')}?product={other.pk}",
        {"kind": DossierKind.UPGRADE, "sheet": "B07"},
    )
    assert response.status_code == 200 and "cần giấy chứng nhận đang có" in response.content.decode()
    assert Dossier.objects.filter(product=other).count() == 0


def test_bad_input_gives_clear_messages_and_changes_nothing(world, products) -> None:
    producer = world.client("producer_hn1")
    dossier = workflow.create_dossier(world.users["producer_hn1"], products["hn1"])
    info = producer.get(dossier.get_absolute_url()).content.decode()
    assert "Chưa nộp được hồ sơ" in info and "Người đại diện đăng ký" in info
    assert re.search(r"<button[^>]*disabled[^>]*>\s*<i[^>]*></i> Nộp hồ sơ", info)
    response = producer.post(step_url("submit", dossier), follow=True)
    text = " ".join(messages_of(response))
    assert "Phiếu đăng ký (Mẫu 01) thiếu: Người đại diện đăng ký." in text
    assert "Chưa có báo cáo tự đánh giá (Mẫu 02): Phần I. Thông tin chung" in text
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and dossier.submitted_on is None

    bad = {**REGISTRATION, "email": "không-phải-email", "phone": "gọi tôi", "samples": "năm"}
    response = producer.post(step_url("registration", dossier), bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Địa chỉ email không hợp lệ." in html and "Số điện thoại chỉ gồm chữ số" in html
    assert "Hãy nhập một số nguyên." in html and 'value="Nguyễn Thị Hoa"' in html  # the input is kept
    dossier.refresh_from_db()
    assert dossier.registration == {"product_name": products["hn1"].name}

    response = producer.post(step_url("self_assessment", dossier), {"summary": "x", "score_1_1": "99"})
    assert response.status_code == 200 and "score_1_1" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.self_assessment == {} and dossier.self_scores == {}

    response = producer.post(step_url("evidence", dossier), {"document": "999999"})
    assert response.status_code == 200 and "không có trong hồ sơ minh chứng" in response.content.decode()
    assert not DossierEvidence.objects.filter(dossier=dossier).exists()
    # Another producer's paper is not a choice either.
    stranger = make_document(make_producer(world.places["hn1"]))
    response = producer.post(step_url("evidence", dossier), {"document": stranger.pk})
    assert response.status_code == 200 and not DossierEvidence.objects.filter(dossier=dossier).exists()
    assert producer.get(step_url("submit", dossier)).status_code == 405  # steps are POST only


def test_province_office_may_return_a_forwarded_dossier(world, products) -> None:
    dossier = submitted(world, products["hn1"])
    commune = world.users["commune_hn1"]
    workflow.receive(commune, dossier)
    workflow.assess_commune(
        commune, dossier, {k: {"text": "x", "meets": True} for k, _l in workflow.COMMUNE_ITEMS}
    )
    workflow.forward(commune, dossier)
    assert "Trả hồ sơ" not in world.client("commune_hn1").get(dossier.get_absolute_url()).content.decode()
    office = world.client("province_hn")
    assert "Trả hồ sơ – cần bổ sung" in office.get(dossier.get_absolute_url()).content.decode()
    office.post(step_url("return", dossier), {"comment": "Tổ tư vấn: bổ sung hợp đồng liên kết", **CONFIRMED})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert world.client("province_hcm").get(dossier.get_absolute_url()).status_code == 404


def test_evaluations_tab_lists_the_council_sessions(world, products) -> None:
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    dossier = submitted(world, products["hn1"])
    commune = world.users["commune_hn1"]
    workflow.receive(commune, dossier)
    workflow.assess_commune(
        commune, dossier, {k: {"text": "x", "meets": True} for k, _l in workflow.COMMUNE_ITEMS}
    )
    workflow.forward(commune, dossier)
    item = workflow.add_to_round(office, dossier, round_)
    html = (
        world.client("producer_hn1").get(dossier.get_absolute_url(), {"tab": "evaluations"}).content.decode()
    )
    assert str(round_) in html and "Chưa có kết quả" in html
    assert reverse("evaluation:evaluation_detail", args=[item.pk]) in html


def test_list_filters_overdue_and_query_count(world, products, django_assert_max_num_queries) -> None:
    late = submitted(world, products["hn1"])
    workflow.receive(world.users["commune_hn1"], late, on=dt.date(2026, 10, 1))  # deadline 22/10/2026
    on_time = submitted(world, products["hn2"], "commune_hn2")
    workflow.receive(world.users["commune_hn2"], on_time)
    draft = workflow.create_dossier(world.users["province_hcm"], products["hcm1"])
    client = world.client("central")
    url = reverse("evaluation:dossier_list")

    def names(params: dict) -> set[str]:
        html = client.get(url, params).content.decode()
        return {
            key
            for key, d in {"late": late, "on_time": on_time, "draft": draft}.items()
            if d.product.name in html
        }

    page = client.get(url).content.decode()
    assert names({}) == {"late", "on_time", "draft"}
    assert "22/10/2026" in page and "quá hạn" in page and "text-danger" in page
    assert names({"overdue": "true"}) == {"late"}
    detail = client.get(late.get_absolute_url()).content.decode()
    assert "Đã quá hạn xử lý của UBND cấp xã." in detail and "22/10/2026" in detail
    assert "quá hạn" not in client.get(on_time.get_absolute_url()).content.decode()
    assert names({"overdue": "false"}) == {"on_time", "draft"}
    assert names({"status": DossierStatus.DRAFT}) == {"draft"}
    assert names({"status": DossierStatus.COMMUNE_REVIEW, "province": "01"}) == {"late", "on_time"}
    assert names({"kind": DossierKind.UPGRADE}) == set()
    late.product.name = "Chè Tân Cương"  # not "Sản phẩm thử N": a number term also matches codes
    late.product.save()
    assert names({"q": "CHE TAN CƯƠNG"}) == {"late"}  # folded search
    assert names({"q": "Hồ Chí Minh"}) == {"draft"}  # the place's name
    fragment = client.get(url, {"status": "draft"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and draft.product.name in fragment
    commune = world.client("commune_hn1").get(url).content.decode()
    assert late.product.name in commune and on_time.product.name not in commune

    for _index in range(12):
        product = make_product(make_producer(world.places["hn1"]))
        workflow.create_dossier(world.users["commune_hn1"], product)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_nav_entry_points_to_the_dossier_list_and_is_active_there(world, products) -> None:
    dossier = filled(world, products["hn1"])
    client = world.client("province_hn")
    for path in (reverse("evaluation:dossier_list"), dossier.get_absolute_url()):
        html = client.get(path).content.decode()
        link = re.search(r'<a class="nav-link[^"]*"[^>]*data-nav="assessment"[^>]*>', html).group(0)
        assert f'href="{reverse("evaluation:dossier_list")}"' in link and "active" in link, path
        assert 'aria-current="page"' in link
    html = client.get(reverse("certification:certificate_list")).content.decode()
    link = re.search(r'<a class="nav-link[^"]*"[^>]*data-nav="assessment"[^>]*>', html).group(0)
    assert "active" not in link


def test_the_previous_certificate_list_says_what_each_one_is(world, products) -> None:
    """The blank choice says what the workflow will take; an expired certificate is labelled so."""
    from ocop.certification.tests.conftest import make_certificate

    expired = make_certificate(products["hn1"], star=3, issue_date=dt.date(2021, 1, 5))
    page = world.client("commune_hn1").get(
        f"{reverse('evaluation:dossier_add')}?product={products['hn1'].pk}"
    )
    html = page.content.decode()
    assert "Giấy chứng nhận còn hiệu lực —" not in html
    assert "Tự chọn: giấy còn hiệu lực, nếu không có thì giấy gần nhất" in html
    assert f"{expired.code} · 3★ · 05/01/2021 · Hết hiệu lực" in html
