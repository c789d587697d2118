"""The evaluation procedure end to end through ocop.evaluation.workflow (the one place steps happen)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ocop.accounts.models import Role, User
from ocop.certification import revocation
from ocop.evaluation import criteria, models, workflow
from ocop.evaluation.models import DossierStatus, Level, MemberRole
from ocop.evaluation.workflow import StepError

from .conftest import make_certificate

SHEET = criteria.get_sheet("26-2026", "B07")
BEST = {c.code: max(c.options, key=lambda o: o.points).position for c in SHEET.criteria}
MEMBERS = ("chair", "member_a", "member_b")


def _assessment(meets: bool = True) -> dict:
    items = {key: {"text": f"Đánh giá {key}", "meets": meets} for key, _label in workflow.COMMUNE_ITEMS}
    return {**items, "conclusion": "Đề nghị tỉnh đánh giá"}


def _forwarded(world, product) -> models.Dossier:
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, product)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": product.name, "applicant": "Nguyễn Thị Hoa", "phone": "0912345678"},
        self_assessment={"summary": "Sản phẩm ổn định 3 năm"},
    )
    workflow.submit(producer, dossier)
    commune = world.users["commune_hn1"]
    workflow.receive(commune, dossier, on=dt.date(2026, 3, 2))
    workflow.assess_commune(commune, dossier, _assessment())
    workflow.forward(commune, dossier, on=dt.date(2026, 3, 20))
    return dossier


def _council(world, round_) -> dict[str, User]:
    office = world.users["province_hn"]
    seats = {}
    for name, role in (
        ("chair", MemberRole.CHAIR),
        ("member_a", MemberRole.MEMBER),
        ("member_b", MemberRole.MEMBER),
        ("secretary", MemberRole.SECRETARY),
    ):
        user = User(username=f"hd_{name}", role=Role.COUNCIL, scope_unit=world.places["hn"])
        user.set_unusable_password()
        user.save()
        workflow.add_member(office, round_, user, role, department="Sở Công Thương")
        seats[name] = user
    return seats


@pytest.fixture
def round_setup(world, products):
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    seats = _council(world, round_)
    dossier = _forwarded(world, products["hn1"])
    evaluation = workflow.add_to_round(office, dossier, round_, advisory_review="Hồ sơ đầy đủ")
    return round_, seats, dossier, evaluation


def test_round_dates_follow_article_5(world):
    round_ = workflow.open_round(
        world.users["province_hn"], level=Level.PROVINCE, year=2026, number=2, province=world.places["hn"]
    )
    assert (round_.proposals_by, round_.closes_by) == (dt.date(2026, 10, 30), dt.date(2026, 12, 30))
    with pytest.raises(StepError):
        workflow.open_round(
            world.users["province_hcm"],
            level=Level.PROVINCE,
            year=2026,
            number=1,
            province=world.places["hn"],
        )


def test_commune_deadline_is_15_working_days_and_only_the_dossiers_commune_acts(world, products):
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, products["hn1"])
    with pytest.raises(StepError, match="Mẫu 01"):
        workflow.submit(producer, dossier)
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": "x", "applicant": "y", "phone": "0912"},
        self_assessment={"a": "b"},
    )
    workflow.submit(producer, dossier)
    with pytest.raises(PermissionDenied):
        workflow.receive(world.users["commune_hn2"], dossier)
    workflow.receive(world.users["commune_hn1"], dossier, on=dt.date(2026, 3, 2))  # a Monday
    assert dossier.commune_deadline == dt.date(2026, 3, 23)  # three weeks of working days
    with pytest.raises(StepError, match="Mẫu 03"):
        workflow.forward(world.users["commune_hn1"], dossier)


def test_returned_dossier_goes_back_to_the_producer_with_comments(world, products):
    dossier = _forwarded(world, products["hn1"])
    with pytest.raises(StepError, match="bổ sung"):
        workflow.return_dossier(world.users["province_hn"], dossier, "  ")
    workflow.return_dossier(world.users["province_hn"], dossier, "Bổ sung phiếu kiểm nghiệm")
    assert dossier.status == DossierStatus.RETURNED and dossier.return_comment == "Bổ sung phiếu kiểm nghiệm"
    workflow.update_forms(world.users["producer_hn1"], dossier, self_assessment={"summary": "Đã bổ sung"})
    workflow.submit(world.users["producer_hn1"], dossier)
    assert dossier.status == DossierStatus.SUBMITTED


def test_blind_scoring_close_and_certificate(world, round_setup):
    round_, seats, dossier, evaluation = round_setup
    for name in MEMBERS:
        workflow.declare(seats[name], evaluation, has_conflict=False)
    workflow.save_sheet(seats["chair"], evaluation, BEST, submit=True)
    workflow.save_sheet(seats["member_a"], evaluation, BEST)  # a draft
    # member_a has not sent: sees only their own sheet, not the chair's.
    assert [s.member.user for s in workflow.visible_sheets(seats["member_a"], evaluation)] == [
        seats["member_a"]
    ]
    assert len(workflow.visible_sheets(seats["chair"], evaluation)) == 2  # sent: sees the others
    with pytest.raises(StepError, match="chưa gửi"):
        workflow.close(seats["chair"], evaluation)
    workflow.save_sheet(seats["member_a"], evaluation, BEST, submit=True)
    lower = dict(BEST, **{"1.2": 1})
    workflow.save_sheet(seats["member_b"], evaluation, lower, submit=True)
    with pytest.raises(StepError, match="đã gửi"):
        workflow.save_sheet(seats["member_b"], evaluation, BEST, submit=True)
    with pytest.raises(StepError, match="chủ tịch"):
        workflow.close(seats["member_a"], evaluation)
    workflow.close(seats["chair"], evaluation)
    evaluation.refresh_from_db()
    assert evaluation.is_closed and evaluation.star == 5 and evaluation.outcome == "potential_five_star"
    assert evaluation.result["members"][0] == 100.0
    # Closed means frozen, whoever writes.
    evaluation.knockouts = ["K1"]
    with pytest.raises(ValidationError):
        evaluation.save()
    sheet = evaluation.sheets.first()
    sheet.answers = {}
    with pytest.raises(ValidationError):
        sheet.save()
    # ≥ 90 at the province: no provincial certificate, the dossier goes to the Ministry.
    with pytest.raises(StepError):
        workflow.recognise(
            world.users["province_hn"],
            [evaluation],
            number="1/QĐ-UBND",
            date=dt.date(2026, 6, 20),
            authority="UBND TP Hà Nội",
        )
    workflow.propose_central(world.users["province_hn"], evaluation)
    central = workflow.open_round(world.users["central"], level=Level.CENTRAL, year=2026, number=1)
    central_seats = {}
    for name, role in (
        ("chair", MemberRole.CHAIR),
        ("member", MemberRole.MEMBER),
        ("member2", MemberRole.MEMBER),
    ):
        user = User(username=f"tw_{name}", role=Role.COUNCIL)  # the Ministry's council: no unit
        user.set_unusable_password()
        user.save()
        workflow.add_member(world.users["central"], central, user, role)
        central_seats[name] = user
    central_evaluation = workflow.add_to_round(world.users["central"], dossier, central)
    for user in central_seats.values():
        workflow.declare(user, central_evaluation, has_conflict=False)
        workflow.save_sheet(user, central_evaluation, BEST, submit=True)
    workflow.close(central_seats["chair"], central_evaluation)
    decision = workflow.recognise(
        world.users["central"],
        [central_evaluation],
        number="99/QĐ-BNNMT",
        date=dt.date(2026, 9, 20),
        authority="Bộ Nông nghiệp và Môi trường",
        signer="Bộ trưởng",
    )
    certificate = decision.certificates.get()
    assert certificate.star == 5 and certificate.expiry == dt.date(2029, 9, 20)
    assert certificate.evaluation == central_evaluation
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECOGNISED


def test_declared_conflict_keeps_a_member_from_scoring(world, round_setup):
    _round, seats, _dossier, evaluation = round_setup
    with pytest.raises(StepError, match="khai báo"):
        workflow.save_sheet(seats["member_a"], evaluation, BEST)
    with pytest.raises(StepError, match="mối quan hệ"):
        workflow.declare(seats["member_a"], evaluation, has_conflict=True)
    workflow.declare(seats["member_a"], evaluation, has_conflict=True, note="Em ruột giám đốc HTX")
    with pytest.raises(StepError, match="xung đột"):
        workflow.save_sheet(seats["member_a"], evaluation, BEST)
    with pytest.raises(StepError, match="thành viên chấm điểm"):
        workflow.declare(seats["secretary"], evaluation, has_conflict=False)


def test_province_recognises_a_four_star_result_and_supersedes_nothing_on_first(world, round_setup):
    _round, seats, dossier, evaluation = round_setup
    four = dict(BEST)
    for criterion in SHEET.criteria:  # lose points without touching minimums, to about 80
        if sum(SHEET.criterion(c).option(p).points for c, p in four.items()) <= 80:
            break
        if not criterion.marks and criterion.applies_if is None:
            four[criterion.code] = min(criterion.options, key=lambda o: o.points).position
    for name in MEMBERS:
        workflow.declare(seats[name], evaluation, has_conflict=False)
        workflow.save_sheet(seats[name], evaluation, four, submit=True)
    workflow.record_consensus(seats["secretary"], evaluation, four)
    workflow.close(seats["chair"], evaluation)
    evaluation.refresh_from_db()
    assert evaluation.star == 4 and evaluation.outcome == "recognised"
    with pytest.raises(StepError):
        workflow.recognise(
            world.users["province_hcm"], [evaluation], number="1", date=dt.date(2026, 6, 20), authority="x"
        )
    decision = workflow.recognise(
        world.users["province_hn"],
        [evaluation],
        number="1234/QĐ-UBND",
        date=dt.date(2026, 6, 20),
        authority="UBND TP Hà Nội",
    )
    certificate = decision.certificates.get()
    assert (certificate.star, certificate.issue_date, certificate.expiry) == (
        4,
        dt.date(2026, 6, 20),
        dt.date(2029, 6, 20),
    )
    assert certificate.history.count() == 1 and evaluation.history.filter(status="closed").exists()
    # Revocation with a legal ground, by the province that recognised it.
    with pytest.raises(StepError, match="căn cứ"):
        revocation.revoke(
            world.users["province_hn"],
            certificate,
            ground="z",
            number="2/QĐ",
            date=dt.date(2026, 11, 1),
            authority="x",
        )
    revocation.revoke(
        world.users["province_hn"],
        certificate,
        ground="đ",
        number="2000/QĐ-UBND",
        date=dt.date(2026, 11, 1),
        authority="UBND TP Hà Nội",
        reason="Dừng sản xuất",
    )
    certificate.refresh_from_db()
    assert certificate.status_on(dt.date(2026, 11, 2)) == "revoked"
    assert certificate.history.first().history_change_reason == "Dừng sản xuất"


def test_upgrade_dossier_supersedes_the_old_certificate(world, products):
    old = make_certificate(products["hn1"], star=3, issue_date=dt.date(2025, 1, 10))
    dossier = workflow.create_dossier(
        world.users["producer_hn1"], products["hn1"], kind=models.DossierKind.UPGRADE
    )
    assert dossier.previous_certificate == old
    with pytest.raises(StepError, match="đang xử lý"):
        workflow.create_dossier(world.users["producer_hn1"], products["hn1"])


def test_other_province_cannot_touch_the_dossier(world, products):
    dossier = _forwarded(world, products["hn1"])
    round_hcm = workflow.open_round(
        world.users["province_hcm"], level=Level.PROVINCE, year=2026, number=1, province=world.places["hcm"]
    )
    with pytest.raises(StepError, match="tỉnh"):
        workflow.add_to_round(world.users["province_hcm"], dossier, round_hcm)
    with pytest.raises(PermissionDenied):
        workflow.return_dossier(world.users["province_hcm"], dossier, "x")


def test_public_holidays_and_configured_days_off_lengthen_the_commune_deadline(world, products, settings):
    settings.OCOP_HOLIDAYS = [dt.date(2026, 5, 4)]  # an extra day off (a Monday) on top of the public ones
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, products["hn1"])
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": "x", "applicant": "y", "phone": "0912"},
        self_assessment={"a": "b"},
    )
    workflow.submit(producer, dossier)
    workflow.receive(world.users["commune_hn1"], dossier, on=dt.date(2026, 4, 20))  # a Monday
    # 15 working days from 21/04 skipping 27/04 (Giỗ Tổ, moved from Sunday), 30/04 and 01/05 (public
    # holidays from the library) and 04/05 (configured): 15/05 instead of 11/05.
    assert dossier.commune_deadline == dt.date(2026, 5, 15)


def test_extra_rounds_need_their_own_dates(world):
    office, hn = world.users["province_hn"], world.places["hn"]
    with pytest.raises(StepError, match="Đợt bổ sung"):
        workflow.open_round(office, level=Level.PROVINCE, year=2026, number=3, province=hn)
    extra = workflow.open_round(
        office,
        level=Level.PROVINCE,
        year=2026,
        number=3,
        province=hn,
        proposals_by=dt.date(2026, 8, 15),
        closes_by=dt.date(2026, 9, 30),
    )
    assert (extra.proposals_by, extra.closes_by) == (dt.date(2026, 8, 15), dt.date(2026, 9, 30))
    with pytest.raises(ValidationError):  # a round cannot close before it stops taking proposals
        workflow.open_round(
            office, level=Level.PROVINCE, year=2026, number=4, province=hn,
            proposals_by=dt.date(2026, 9, 1), closes_by=dt.date(2026, 8, 1),
        )  # fmt: skip
