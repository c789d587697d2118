"""Who may sit on a council: candidates × round kinds, through the workflow (the one rule,
workflow.add_member / eligible_members), the form's candidate list and the API (422 in Vietnamese).

Seats go only to active accounts with the council role: of the round's province for a provincial
round, with the whole country for a central one; never to officers or producers, nor to an account
tied to the producer or the commune of a product the council scores (issue 9, point 4).
"""

from __future__ import annotations

import json

import pytest

from ocop.accounts.models import ApiToken, Role, User
from ocop.evaluation import forms, models, workflow
from ocop.evaluation.models import DossierStatus, Level, MemberRole
from ocop.evaluation.workflow import StepError

from .test_workflow import _forwarded

# candidate → (role, place, extra); place None = whole country. "tied_*" get their tie in `setup`.
CANDIDATES = {
    "council_hn": (Role.COUNCIL, "hn", {}),
    "council_hcm": (Role.COUNCIL, "hcm", {}),
    "council_national": (Role.COUNCIL, None, {}),
    "council_hn_inactive": (Role.COUNCIL, "hn", {"is_active": False}),
    "council_national_inactive": (Role.COUNCIL, None, {"is_active": False}),
    "tied_producer_hn": (Role.COUNCIL, "hn", {}),  # acts for the scored product's producer
    "tied_producer_national": (Role.COUNCIL, None, {}),
    "tied_commune": (Role.COUNCIL, "hn1", {}),  # invalid data (a commune unit), kept out all the same
    "admin": (Role.ADMIN, None, {}),
    "central": (Role.CENTRAL, None, {}),
    "province_hn": (Role.PROVINCE, "hn", {}),
    "commune_hn1": (Role.COMMUNE, "hn1", {}),
    "producer_hn1": (Role.PRODUCER, "hn1", {}),
    "viewer_hn": (Role.VIEWER, "hn", {}),
}
# Who may take a seat, per round kind; everyone else is refused.
ELIGIBLE = {Level.PROVINCE: {"council_hn"}, Level.CENTRAL: {"council_national"}}
MESSAGES = {
    "council_hcm": "tỉnh của đợt",
    "council_national": "tỉnh của đợt",
    "council_hn_inactive": "khoá",
    "council_national_inactive": "khoá",
    "tied_producer_hn": "xung đột lợi ích",
    "tied_producer_national": "xung đột lợi ích",
    "tied_commune": "tỉnh của đợt",
}
OFFICE = {Level.PROVINCE: "province_hn", Level.CENTRAL: "central"}


def _refusal(candidate: str, level: str) -> str:
    if CANDIDATES[candidate][0] != Role.COUNCIL:
        return "Thành viên hội đồng"
    if level == Level.PROVINCE and candidate.endswith("national"):
        return "tỉnh của đợt"
    if level == Level.CENTRAL and candidate in (
        "council_hn",
        "council_hcm",
        "tied_producer_hn",
        "tied_commune",
    ):
        return "phạm vi toàn quốc"
    return MESSAGES[candidate]


@pytest.fixture
def setup(world, products):
    """A provincial round (Hà Nội) and a central round, each scoring products["hn1"]."""
    accounts = dict(world.users)
    for name, (role, place, extra) in CANDIDATES.items():
        if name in accounts:
            continue
        user = User(username=name, role=role, scope_unit=world.places.get(place), **extra)
        user.set_unusable_password()
        user.save()  # no full_clean: "tied_commune" is invalid data on purpose
        accounts[name] = user
    producer = products["hn1"].producer
    for name in ("tied_producer_hn", "tied_producer_national"):
        User.objects.filter(pk=accounts[name].pk).update(producer=producer)
        accounts[name].refresh_from_db()
    office, central = world.users["province_hn"], world.users["central"]
    province_round = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    dossier = _forwarded(world, products["hn1"])
    workflow.add_to_round(office, dossier, province_round)
    # The same dossier proposed to the Ministry (as after a ≥ 90 result) and before its council.
    central_round = workflow.open_round(central, level=Level.CENTRAL, year=2026, number=1)
    models.Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.CENTRAL)
    dossier.refresh_from_db()
    workflow.add_to_round(central, dossier, central_round)
    return accounts, {Level.PROVINCE: province_round, Level.CENTRAL: central_round}


LEVELS = [Level.PROVINCE, Level.CENTRAL]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("candidate", CANDIDATES)
def test_workflow(world, setup, candidate: str, level: str) -> None:
    accounts, rounds = setup
    office, round_ = world.users[OFFICE[level]], rounds[level]
    if candidate in ELIGIBLE[level]:
        member = workflow.add_member(office, round_, accounts[candidate], MemberRole.MEMBER)
        assert member.user == accounts[candidate]
    else:
        with pytest.raises(StepError, match=_refusal(candidate, level)):
            workflow.add_member(office, round_, accounts[candidate], MemberRole.MEMBER)
        assert not round_.members.filter(user=accounts[candidate]).exists()
    assert workflow.seat_refusal(round_, accounts[candidate]) is None or candidate not in ELIGIBLE[level]


@pytest.mark.parametrize("level", LEVELS)
def test_form_lists_exactly_the_eligible(world, setup, level: str) -> None:
    accounts, rounds = setup
    office, round_ = world.users[OFFICE[level]], rounds[level]
    listed = {user.username for user in forms.member_candidates(office, round_)}
    assert listed == ELIGIBLE[level]
    for candidate in CANDIDATES:
        form = forms.MemberAddForm(
            {"user": accounts[candidate].pk, "role": MemberRole.MEMBER},
            actor=office,
            round_=round_,
        )
        assert form.is_valid() == (candidate in ELIGIBLE[level]), candidate
    # Once seated, a candidate leaves the list.
    (seated,) = ELIGIBLE[level]
    workflow.add_member(office, round_, accounts[seated], MemberRole.CHAIR)
    assert not forms.member_candidates(office, round_).exists()


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("candidate", CANDIDATES)
def test_api(world, setup, client, candidate: str, level: str) -> None:
    accounts, rounds = setup
    office, round_ = world.users[OFFICE[level]], rounds[level]
    _token, key = ApiToken.issue(office)
    response = client.post(
        f"/api/v1/rounds/{round_.pk}/members",
        json.dumps({"user": accounts[candidate].pk, "role": MemberRole.MEMBER}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    seated = round_.members.filter(user=accounts[candidate]).exists()
    if candidate in ELIGIBLE[level]:
        assert response.status_code == 201 and seated
        return
    assert not seated
    assert response.status_code == 422
    visible = User.objects.restrict(office, "view").filter(pk=accounts[candidate].pk).exists()
    # An account outside the office's scope stays hidden: "not found", never why it may not sit.
    expected = _refusal(candidate, level) if visible else "không tìm thấy tài khoản"
    assert expected in response.json()["detail"]


def test_the_reported_probe_a_producer_seated_reads_no_sheet(world, setup) -> None:
    """Issue 9 point 4: a province seated a producer, which then read every member's sheet. Seating
    is refused now, and a seat given before the rule (or kept after a change of role) gives nothing."""
    accounts, rounds = setup
    round_ = rounds[Level.PROVINCE]
    with pytest.raises(StepError):
        workflow.add_member(
            world.users["province_hn"], round_, accounts["producer_hn1"], MemberRole.SECRETARY
        )
    models.CouncilMember.objects.create(
        round=round_, user=accounts["producer_hn1"], role=MemberRole.SECRETARY
    )
    evaluation = round_.evaluations.get()
    assert workflow.seat(accounts["producer_hn1"], evaluation) is None
    assert workflow.visible_sheets(accounts["producer_hn1"], evaluation) == []


def test_a_dossier_tied_to_a_seated_member_is_refused(world, products) -> None:
    """The conflict rule both ways: a member seated first keeps their product's dossier out."""
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    member = User(username="hd_tied", role=Role.COUNCIL, scope_unit=world.places["hn"])
    member.producer = products["hn1"].producer
    member.set_unusable_password()
    member.save()
    workflow.add_member(office, round_, member, MemberRole.MEMBER)
    with pytest.raises(StepError, match="xung đột lợi ích"):
        workflow.add_to_round(office, _forwarded(world, products["hn1"]), round_)
    assert not round_.evaluations.exists()
