"""Every hand-off of the procedure tells the people who act next or whose dossier it is — and nobody
else (another commune's officer, another province's office, the one who took the step) — in the app
and by e-mail (queued on commit, run at once here), unless they turned that kind's e-mail off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings

from ocop.accounts.models import Role, User
from ocop.certification import revocation
from ocop.core.models import EmailOptOut, Notification
from ocop.core.notifications import kinds_for
from ocop.evaluation import criteria, workflow
from ocop.evaluation.models import Level, MemberRole

SHEET = criteria.get_sheet("26-2026", "B07")
BEST = {c.code: max(c.options, key=lambda o: o.points).position for c in SHEET.criteria}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate_tasks():
    with override_settings(TASKS=IMMEDIATE):
        yield


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Take a step as a request does: its e-mails go when its transaction commits."""

    def step(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return step


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def _assessment() -> dict:
    items = {key: {"text": f"Đánh giá {key}", "meets": True} for key, _label in workflow.COMMUNE_ITEMS}
    return {**items, "conclusion": "Đề nghị tỉnh đánh giá"}


def _submitted(world, product, run):
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, product)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": product.name, "applicant": "Nguyễn Thị Hoa", "phone": "0912345678"},
        self_assessment={"summary": "Sản phẩm ổn định 3 năm"},
    )
    run(workflow.submit, producer, dossier)
    return dossier


def _forwarded(world, product, run):
    dossier = _submitted(world, product, run)
    commune = world.users["commune_hn1"]
    run(workflow.receive, commune, dossier, on=dt.date(2026, 3, 2))
    workflow.assess_commune(commune, dossier, _assessment())
    run(workflow.forward, commune, dossier, on=dt.date(2026, 3, 20))
    return dossier


def _council(office, round_, run, unit=None, prefix="hd") -> dict[str, User]:
    seats = {}
    for name, role in (
        ("chair", MemberRole.CHAIR),
        ("member_a", MemberRole.MEMBER),
        ("member_b", MemberRole.MEMBER),
        ("secretary", MemberRole.SECRETARY),
    ):
        user = User(
            username=f"{prefix}_{name}", role=Role.COUNCIL, scope_unit=unit, email=f"{prefix}_{name}@x.vn"
        )
        user.set_unusable_password()
        user.save()
        run(workflow.add_member, office, round_, user, role)
        seats[name] = user
    return seats


@pytest.fixture
def in_round(world, products, run):
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    seats = _council(office, round_, run, unit=world.places["hn"])
    dossier = _forwarded(world, products["hn1"], run)
    evaluation = run(workflow.add_to_round, office, dossier, round_)
    return round_, seats, dossier, evaluation


def _score_all(seats, evaluation, run, answers=BEST):
    for name in ("chair", "member_a", "member_b"):
        workflow.declare(seats[name], evaluation, has_conflict=False)
        run(workflow.save_sheet, seats[name], evaluation, answers, submit=True)


def test_submitted_tells_the_dossiers_commune_only(world, products, run):
    dossier = _submitted(world, products["hn1"], run)
    assert told("dossier_submitted") == {"commune_hn1"}  # not hn2's, not HCM's, not the producer itself
    notification = Notification.objects.get(kind="dossier_submitted")
    assert notification.url == dossier.get_absolute_url()
    assert products["hn1"].name in notification.title and "Hãy tiếp nhận" in notification.text
    assert [m.to for m in mail.outbox] == [["commune_hn1@example.vn"]]
    assert dossier.get_absolute_url() in mail.outbox[0].body


def test_returned_tells_the_producer_with_the_communes_comment(world, products, run):
    dossier = _submitted(world, products["hn1"], run)
    mail.outbox.clear()
    run(workflow.return_dossier, world.users["commune_hn1"], dossier, "Bổ sung phiếu kiểm nghiệm nước")
    assert told("dossier_returned") == {"producer_hn1"}
    notification = Notification.objects.get(kind="dossier_returned")
    assert notification.text == "UBND cấp xã yêu cầu bổ sung: Bổ sung phiếu kiểm nghiệm nước"
    assert notification.url == dossier.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["producer_hn1@example.vn"]]
    assert "Bổ sung phiếu kiểm nghiệm nước" in mail.outbox[0].body
    # Submitted again: the commune hears that it came back.
    workflow.update_forms(world.users["producer_hn1"], dossier, self_assessment={"summary": "Đã bổ sung"})
    run(workflow.submit, world.users["producer_hn1"], dossier)
    again = Notification.objects.filter(kind="dossier_submitted").latest("pk")
    assert again.user == world.users["commune_hn1"] and "nộp lại" in again.title


def test_email_turned_off_for_a_kind_keeps_the_in_app_notice(world, products, run):
    EmailOptOut.objects.create(user=world.users["producer_hn1"], kind="dossier_returned")
    dossier = _submitted(world, products["hn1"], run)
    mail.outbox.clear()
    run(workflow.return_dossier, world.users["commune_hn1"], dossier, "Thiếu ảnh sản phẩm")
    assert told("dossier_returned") == {"producer_hn1"}
    assert mail.outbox == []
    # Other kinds still come by e-mail.
    workflow.update_forms(world.users["producer_hn1"], dossier, self_assessment={"summary": "Đã bổ sung"})
    run(workflow.submit, world.users["producer_hn1"], dossier)
    run(workflow.receive, world.users["commune_hn1"], dossier, on=dt.date(2026, 3, 2))
    assert [m.to for m in mail.outbox][-1] == ["producer_hn1@example.vn"]


def test_received_tells_the_producer_the_communes_deadline(world, products, run):
    dossier = _submitted(world, products["hn1"], run)
    run(workflow.receive, world.users["commune_hn1"], dossier, on=dt.date(2026, 3, 2))
    assert told("dossier_received") == {"producer_hn1"}
    assert "23/03/2026" in Notification.objects.get(kind="dossier_received").text


def test_forwarded_tells_the_province_office_and_the_producer(world, products, run):
    _forwarded(world, products["hn1"], run)
    assert told("dossier_forwarded") == {"province_hn", "producer_hn1"}  # not HCM's office
    office = Notification.objects.get(kind="dossier_forwarded", user=world.users["province_hn"])
    assert "đưa hồ sơ vào đợt" in office.text and "20/03/2026" in office.text


def test_province_return_tells_the_producer_and_the_commune(world, products, run):
    dossier = _forwarded(world, products["hn1"], run)
    run(workflow.return_dossier, world.users["province_hn"], dossier, "Bổ sung giấy chứng nhận VSATTP")
    assert told("dossier_returned") == {"producer_hn1", "commune_hn1"}
    assert {n.text for n in Notification.objects.filter(kind="dossier_returned")} == {
        "Cơ quan OCOP tỉnh yêu cầu bổ sung: Bổ sung giấy chứng nhận VSATTP"
    }


def test_seat_and_scoring_opened_tell_the_council(in_round, world):
    round_, seats, dossier, evaluation = in_round
    assert told("council_seat") == {"hd_chair", "hd_member_a", "hd_member_b", "hd_secretary"}
    seat = Notification.objects.get(kind="council_seat", user=seats["secretary"])
    assert seat.url == round_.get_absolute_url() and seat.text.startswith("Vai trò: Thư ký.")
    assert "Đợt 1/2026" in seat.title
    # Scoring opened: the scoring seats, not the secretary; the producer learns the round.
    assert told("scoring_opened") == {"hd_chair", "hd_member_a", "hd_member_b"}
    assert (
        Notification.objects.get(kind="scoring_opened", user=seats["chair"]).url
        == evaluation.get_absolute_url()
    )
    assert told("dossier_in_round") == {"producer_hn1"}
    assert "council_hn" not in told("scoring_opened")  # a council account without a seat


def test_all_sheets_in_tells_the_chair_and_the_secretary_once(in_round, run):
    _round, seats, _dossier, evaluation = in_round
    workflow.declare(seats["chair"], evaluation, has_conflict=False)
    run(workflow.save_sheet, seats["chair"], evaluation, BEST, submit=True)
    workflow.declare(seats["member_a"], evaluation, has_conflict=False)
    run(workflow.save_sheet, seats["member_a"], evaluation, BEST, submit=True)
    assert told("sheets_complete") == set()
    # The last member declares a conflict: no sheet will come, the council has all it gets.
    run(workflow.declare, seats["member_b"], evaluation, has_conflict=True, note="Họ hàng chủ thể")
    assert told("sheets_complete") == {"hd_chair", "hd_secretary"}
    assert Notification.objects.filter(kind="sheets_complete").count() == 2


def test_closing_tells_the_office_and_the_result_to_producer_and_commune(in_round, run):
    _round, seats, dossier, evaluation = in_round
    _score_all(seats, evaluation, run)
    run(workflow.close, seats["chair"], evaluation)
    assert told("session_closed") == {"province_hn"}
    assert told("evaluation_result") == {"producer_hn1", "commune_hn1"}  # not hn2, not HCM
    result = Notification.objects.get(kind="evaluation_result", user__username="producer_hn1")
    assert "100,00 điểm" in result.text and "Tiềm năng 5 sao" in result.text
    assert result.url == dossier.get_absolute_url()


def test_referral_to_the_ministry_and_the_central_result(in_round, world, run):
    _round, seats, dossier, evaluation = in_round
    _score_all(seats, evaluation, run)
    run(workflow.close, seats["chair"], evaluation)
    run(workflow.propose_central, world.users["province_hn"], evaluation)
    assert told("central_proposal") == {"central", "producer_hn1"}
    central = workflow.open_round(world.users["central"], level=Level.CENTRAL, year=2026, number=1)
    seats = _council(world.users["central"], central, run, prefix="tw")
    central_evaluation = run(workflow.add_to_round, world.users["central"], dossier, central)
    Notification.objects.filter(kind__in=["session_closed", "evaluation_result"]).delete()
    _score_all(seats, central_evaluation, run)
    run(workflow.close, seats["chair"], central_evaluation)
    assert told("session_closed") == {"central"}
    assert told("evaluation_result") == {"producer_hn1", "commune_hn1", "province_hn"}
    result = Notification.objects.filter(kind="evaluation_result", user__username="province_hn").get()
    assert result.text.startswith("Đợt 1/2026 — Trung ương: 100,00 điểm")
    assert result.url == dossier.get_absolute_url()


def test_decision_and_revocation_tell_producer_and_officers(world, products, run):
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    seats = _council(office, round_, run, unit=world.places["hn"])
    dossier = _forwarded(world, products["hn1"], run)
    evaluation = run(workflow.add_to_round, office, dossier, round_)
    good = dict(BEST, **{code: 1 for code in list(BEST)[:6]})
    _score_all(seats, evaluation, run, good)
    run(workflow.close, seats["chair"], evaluation)
    evaluation.refresh_from_db()
    assert evaluation.star in (3, 4), evaluation.total
    decision = run(
        workflow.recognise,
        office,
        [evaluation],
        number="12/QĐ-UBND",
        date=dt.date(2026, 6, 20),
        authority="UBND TP Hà Nội",
    )
    certificate = decision.certificates.get()
    assert told("certificate_issued") == {"producer_hn1", "commune_hn1"}  # the office recorded it
    issued = Notification.objects.get(kind="certificate_issued", user__username="producer_hn1")
    assert issued.url == certificate.get_absolute_url() and "12/QĐ-UBND" in issued.text
    assert certificate.code in issued.text
    run(
        revocation.revoke,
        office,
        certificate,
        ground="đ",
        number="30/QĐ-UBND",
        date=dt.date(2026, 9, 1),
        authority="UBND TP Hà Nội",
        reason="Chủ thể dừng sản xuất",
    )
    assert told("certificate_revoked") == {"producer_hn1", "commune_hn1"}
    revoked = Notification.objects.get(kind="certificate_revoked", user__username="commune_hn1")
    assert "điểm đ khoản 1 Điều 8" in revoked.text and "Chủ thể dừng sản xuất" in revoked.text


def test_each_role_sets_only_its_own_kinds(world):
    producer_kinds = {kind.code for kind in kinds_for(world.users["producer_hn1"])}
    assert {"dossier_returned", "certificate_issued", "evaluation.window_open"} <= producer_kinds
    assert not {"scoring_opened", "dossier_submitted"} & producer_kinds
    assert "scoring_opened" in {kind.code for kind in kinds_for(world.users["council_hn"])}
