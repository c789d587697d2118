"""The evaluation workflow through /api/v1/: rounds, dossiers, blind scoring, decisions, revocation.

Every step goes through ocop.evaluation.workflow; the API only scopes (404 outside, 403 for a role
that may never act) and turns refused steps into 422 `{"detail"}` in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ocop.accounts.models import ApiToken, Role, User
from ocop.evaluation import criteria, models, workflow
from ocop.evaluation.models import DossierStatus, Level, MemberRole

from .test_workflow import _assessment, _council, _forwarded

SHEET = criteria.get_sheet("26-2026", "B07")
BEST = {c.code: max(c.options, key=lambda o: o.points).position for c in SHEET.criteria}
MEMBERS = ("chair", "member_a", "member_b")
ROUNDS, DOSSIERS, EVALUATIONS, DECISIONS = (
    "/api/v1/rounds/",
    "/api/v1/dossiers/",
    "/api/v1/evaluations/",
    "/api/v1/decisions/",
)


def _four_star() -> dict[str, int]:
    """Answers worth about 80 points that keep every minimum (as in test_workflow)."""
    four = dict(BEST)
    for criterion in SHEET.criteria:
        if sum(SHEET.criterion(c).option(p).points for c, p in four.items()) <= 80:
            break
        if not criterion.marks and criterion.applies_if is None:
            four[criterion.code] = min(criterion.options, key=lambda o: o.points).position
    return four


class Api:
    """A bearer-token client for one account."""

    def __init__(self, client, user: User) -> None:
        self.client = client
        _token, key = ApiToken.issue(user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url: str, **params):
        return self.client.get(url, params, **self.headers)

    def send(self, method: str, url: str, body: dict | None = None):
        call = getattr(self.client, method)
        return call(url, json.dumps(body or {}), content_type="application/json", **self.headers)

    def post(self, url: str, body: dict | None = None):
        return self.send("post", url, body)

    def put(self, url: str, body: dict | None = None):
        return self.send("put", url, body)

    def patch(self, url: str, body: dict | None = None):
        return self.send("patch", url, body)


@pytest.fixture
def api(world, client):
    return lambda who: Api(client, who if isinstance(who, User) else world.users[who])


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _refused(response, status: int, words: str = "") -> str:
    assert response.status_code == status, response.content.decode()
    detail = response.json()["detail"]
    assert isinstance(detail, str) and words in detail, detail
    return detail


def _council_users(world) -> dict[str, User]:
    users = {}
    for name in ("chair", "member_a", "member_b", "secretary"):
        user = User(username=f"api_{name}", role=Role.COUNCIL, scope_unit=world.places["hn"], full_name=name)
        user.set_unusable_password()
        user.save()
        users[name] = user
    return users


# --- a full round ---------------------------------------------------------------------------------


def test_full_round_through_the_api(world, products, api):
    producer, commune, office = api("producer_hn1"), api("commune_hn1"), api("province_hn")
    product = products["hn1"]

    dossier = _ok(producer.post(DOSSIERS, {"product": product.pk}), 201)
    assert (dossier["status"], dossier["sheet"], dossier["kind"]) == ("draft", "B07", "first")
    url = f"{DOSSIERS}{dossier['id']}"
    dossier = _ok(
        producer.patch(
            url,
            {
                "registration": {
                    "product_name": product.name,
                    "applicant": "Nguyễn Thị Hoa",
                    "phone": "0912",
                },
                "self_assessment": {"summary": "Sản phẩm ổn định 3 năm"},
                "self_scores": {"1.1": 1},
            },
        )
    )
    assert dossier["self_scores"] == {"1.1": 1} and dossier["registration"]["applicant"] == "Nguyễn Thị Hoa"
    assert _ok(producer.post(f"{url}/submit"))["status"] == "submitted"
    received = _ok(commune.post(f"{url}/receive", {"on": "2026-03-02"}))
    assert received["status"] == "commune_review" and received["commune_deadline"] == "2026-03-23"
    assessed = _ok(commune.put(f"{url}/commune-assessment", _assessment()))
    assert assessed["commune_assessment"]["origin"] == {"text": "Đánh giá origin", "meets": True}
    assert _ok(commune.post(f"{url}/forward"))["status"] == "forwarded"

    round_ = _ok(office.post(ROUNDS, {"year": 2026, "number": 1}), 201)
    assert round_["province"]["code"] == "01" and round_["proposals_by"] == "2026-04-30"
    seats = _council_users(world)
    roles = {"chair": "chair", "member_a": "member", "member_b": "member", "secretary": "secretary"}
    for name, user in seats.items():
        body = {"user": user.pk, "role": roles[name], "department": "Sở Công Thương"}
        round_ = _ok(office.post(f"{ROUNDS}{round_['id']}/members", body), 201)
    assert {(m["user_id"], m["role"]) for m in round_["members"]} == {(seats[n].pk, roles[n]) for n in seats}
    assert _ok(office.get(f"{ROUNDS}{round_['id']}"))["members"][0]["department"] == "Sở Công Thương"
    evaluation = _ok(office.post(f"{ROUNDS}{round_['id']}/dossiers", {"dossier": dossier["id"]}), 201)
    assert evaluation["status"] == "scoring" and evaluation["result"] is None
    assert evaluation["progress"]["members"] == 3
    url = f"{EVALUATIONS}{evaluation['id']}"
    assert _ok(producer.get(DOSSIERS + str(dossier["id"])))["evaluations"][0]["id"] == evaluation["id"]

    members = {name: api(seats[name]) for name in (*MEMBERS, "secretary")}
    for name in MEMBERS:
        declared = _ok(members[name].post(f"{url}/declaration", {"has_conflict": False}), 201)
        assert declared["member"]["user_id"] == seats[name].pk
    four = _four_star()
    # Blind: member_a's draft and the chair's draft; neither sees the other's.
    _ok(members["member_a"].put(f"{url}/sheet", {"answers": four}))
    chair_draft = _ok(members["chair"].put(f"{url}/sheet", {"answers": four}))
    assert chair_draft["submitted"] is False and chair_draft["total"] is None
    own = _ok(members["member_a"].get(f"{url}/sheets"))
    assert own["count"] == 1 and own["items"][0]["member"]["user_id"] == seats["member_a"].pk
    assert _ok(members["member_b"].get(f"{url}/sheets"))["count"] == 0  # has no sheet yet
    sent = _ok(members["chair"].put(f"{url}/sheet", {"answers": four, "submit": True}))
    assert sent["submitted"] is True and sent["total"] is not None
    seen = _ok(members["chair"].get(f"{url}/sheets"))["items"]  # sent: sees the others
    assert {(s["member"]["user_id"], s["submitted"]) for s in seen} == {
        (seats["chair"].pk, True),
        (seats["member_a"].pk, False),
    }
    assert [s["answers"] for s in seen if not s["submitted"]] == [{}]  # a draft is not a score yet
    assert _ok(members["member_a"].get(f"{url}/sheets"))["count"] == 1  # still blind
    assert _ok(producer.get(f"{url}/sheets"))["count"] == 0  # nobody outside the council, until closed
    progress = _ok(producer.get(url))
    assert progress["result"] is None and progress["progress"]["sent"] == 1
    assert progress["progress"]["drafts"] == 1
    _refused(members["chair"].put(f"{url}/sheet", {"answers": four}), 422, "Phiếu chấm đã gửi")
    _refused(members["chair"].post(f"{url}/close"), 422, "chưa gửi")
    for name in ("member_a", "member_b"):
        _ok(members[name].put(f"{url}/sheet", {"answers": four, "submit": True}))
    assert _ok(members["member_b"].get(f"{url}/sheets"))["count"] == 3
    consensus = _ok(members["secretary"].put(f"{url}/consensus", {"answers": four}))
    assert consensus["progress"]["consensus_recorded"] is True
    _refused(members["member_a"].post(f"{url}/close"), 422, "Chỉ chủ tịch hội đồng")

    closed = _ok(members["chair"].post(f"{url}/close"))
    result = closed["result"]
    assert closed["status"] == "closed" and result["star"] == 4 and result["outcome"] == "recognised"
    assert result["recognisable_star"] == 4 and len(result["members"]) == 3 and result["spread"] == 0
    assert result["unmet_minimums"] == [] and result["knockouts"] == []
    assert _ok(producer.get(url))["result"]["total"] == result["total"]
    # After closing the council sees every sheet; the others see the result only (workflow.visible_sheets).
    after = _ok(members["member_a"].get(f"{url}/sheets"))
    assert after["count"] == 3 and all(s["answers"] == four for s in after["items"])
    assert _ok(producer.get(f"{url}/sheets"))["count"] == 0
    assert _ok(api("viewer_hn").get(f"{url}/sheets"))["count"] == 0
    assert _ok(producer.get(DOSSIERS + str(dossier["id"])))["status"] == "scored"

    decision = _ok(
        office.post(
            f"{DECISIONS}recognition",
            {
                "evaluations": [evaluation["id"]],
                "number": "1234/QĐ-UBND",
                "date": "2026-06-20",
                "authority": "UBND TP Hà Nội",
                "signer": "Chủ tịch",
            },
        ),
        201,
    )
    assert decision["kind"] == "recognition" and decision["authority_level"] == "province"
    (code,) = decision["certificates"]
    certificate = _ok(producer.get(f"/api/v1/certificates/{code}"))
    assert (certificate["star"], certificate["status"], certificate["issue_date"]) == (
        4,
        "valid",
        "2026-06-20",
    )
    assert _ok(producer.get(DOSSIERS + str(dossier["id"])))["status"] == "recognised"
    _refused(
        office.post(
            f"{DECISIONS}recognition", {**_decision("1235/QĐ-UBND"), "evaluations": [evaluation["id"]]}
        ),
        422,
        "đã được quyết định",
    )

    revoked = _ok(
        office.post(
            f"/api/v1/certificates/{code}/revocation",
            {**_decision("2000/QĐ-UBND", "2026-11-01"), "ground": "đ", "reason": "Dừng sản xuất"},
        )
    )
    assert revoked["status"] == "revoked" and revoked["revocation_ground"] == "đ"
    assert revoked["revocation_decision"]["number"] == "2000/QĐ-UBND"
    _refused(
        office.post(f"/api/v1/certificates/{code}/revocation", {**_decision("2001/QĐ-UBND"), "ground": "a"}),
        422,
        "đã bị thu hồi",
    )
    listed = _ok(office.get(DECISIONS))
    assert {(d["kind"], tuple(d["certificates"])) for d in listed["items"]} == {
        ("recognition", (code,)),
        ("revocation", (code,)),
    }
    assert _ok(office.get(DECISIONS, kind="revocation"))["count"] == 1
    valid = _ok(office.get("/api/v1/certificates/", status="valid"))
    assert code not in {c["code"] for c in valid["items"]}


def _decision(number: str, day: str = "2026-06-21") -> dict:
    return {"number": number, "date": day, "authority": "UBND TP Hà Nội"}


# --- scope: roles × endpoints ---------------------------------------------------------------------


@pytest.fixture
def setup(world, products):
    """A Hà Nội round with a council and producer_hn1's dossier in it; a draft dossier in hn2 and hcm1."""
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    seats = _council(world, round_)
    dossier = _forwarded(world, products["hn1"])
    evaluation = workflow.add_to_round(office, dossier, round_)
    other = {
        "hn2": workflow.create_dossier(world.users["commune_hn2"], products["hn2"]),
        "hcm1": workflow.create_dossier(world.users["commune_hcm1"], products["hcm1"]),
    }
    return round_, seats, dossier, evaluation, other


def test_other_province_gets_404_everywhere(world, api, setup):
    round_, _seats, dossier, evaluation, _other = setup
    hcm = api("province_hcm")
    for url in (f"{ROUNDS}{round_.pk}", f"{DOSSIERS}{dossier.pk}", f"{EVALUATIONS}{evaluation.pk}"):
        _refused(hcm.get(url), 404)
    _refused(hcm.get(f"{EVALUATIONS}{evaluation.pk}/sheets"), 404)
    _refused(hcm.patch(f"{DOSSIERS}{dossier.pk}", {"self_scores": {}}), 404)
    _refused(hcm.post(f"{DOSSIERS}{dossier.pk}/return", {"comment": "Bổ sung"}), 404)
    _refused(
        hcm.post(f"{ROUNDS}{round_.pk}/members", {"user": world.users["council_hn"].pk, "role": "member"}),
        404,
    )
    _refused(hcm.put(f"{EVALUATIONS}{evaluation.pk}/sheet", {"answers": {}}), 404)
    _refused(hcm.post(f"{EVALUATIONS}{evaluation.pk}/close"), 404)
    assert _ok(hcm.get(ROUNDS))["count"] == 0
    assert {d["province"] for d in _ok(hcm.get(DOSSIERS))["items"]} == {"79"}
    # A body reference outside scope is not found either (422, as in the registry API).
    _refused(hcm.post(f"{DECISIONS}recognition", {**_decision("1/QĐ"), "evaluations": [evaluation.pk]}), 422)
    _refused(hcm.post(DOSSIERS, {"product": dossier.product_id}), 422, "không tìm thấy sản phẩm")
    # Opening a round for another province is refused by the workflow.
    _refused(hcm.post(ROUNDS, {"year": 2027, "number": 1, "province": "01"}), 422, "Chỉ cơ quan OCOP")


@pytest.mark.parametrize("name", ["commune_hn1", "council_hn", "producer_hn1", "viewer_hn"])
def test_only_ocop_offices_open_rounds_and_take_decisions(world, api, setup, name):
    _round, _seats, _dossier, evaluation, _other = setup
    caller = api(name)
    _refused(caller.post(ROUNDS, {"year": 2027, "number": 1, "province": "01"}), 403)
    _refused(caller.post(f"{ROUNDS}{_round.pk}/dossiers", {"dossier": _dossier.pk}), 403)
    member = {"user": world.users["council_hn"].pk, "role": "member"}
    _refused(caller.post(f"{ROUNDS}{_round.pk}/members", member), 403)
    _refused(
        caller.post(f"{DECISIONS}recognition", {**_decision("1/QĐ"), "evaluations": [evaluation.pk]}), 403
    )


def test_commune_sees_its_commune_and_no_rounds(world, api, setup):
    round_, _seats, dossier, evaluation, other = setup
    commune = api("commune_hn1")
    assert [d["id"] for d in _ok(commune.get(DOSSIERS))["items"]] == [dossier.pk]
    _refused(commune.get(f"{DOSSIERS}{other['hn2'].pk}"), 404)
    _refused(commune.get(f"{ROUNDS}{round_.pk}"), 404)  # rounds are the province's
    assert _ok(commune.get(f"{EVALUATIONS}{evaluation.pk}"))["status"] == "scoring"
    _refused(commune.put(f"{EVALUATIONS}{evaluation.pk}/sheet", {"answers": {}}), 403)
    _refused(api("commune_hn2").post(f"{DOSSIERS}{dossier.pk}/receive"), 404)


def test_producer_sees_own_dossiers_only(world, api, setup, products):
    _round, _seats, dossier, evaluation, other = setup
    producer = api("producer_hn1")
    body = _ok(producer.get(DOSSIERS))
    assert [d["id"] for d in body["items"]] == [dossier.pk] and body["count"] == 1
    _refused(producer.get(f"{DOSSIERS}{other['hn2'].pk}"), 404)
    _refused(producer.patch(f"{DOSSIERS}{other['hn2'].pk}", {"self_scores": {}}), 404)
    _refused(producer.post(DOSSIERS, {"product": products["hn2"].pk}), 422, "không tìm thấy sản phẩm")
    assert _ok(producer.get(f"{EVALUATIONS}{evaluation.pk}"))["result"] is None
    _refused(producer.put(f"{EVALUATIONS}{evaluation.pk}/sheet", {"answers": {}}), 403)
    assert _ok(producer.get(ROUNDS))["count"] == 0 and _ok(producer.get(DECISIONS))["count"] == 0


def test_viewer_is_read_only(world, api, setup, products):
    round_, _seats, dossier, evaluation, _other = setup
    viewer = api("viewer_hn")
    assert _ok(viewer.get(DOSSIERS))["count"] == 2  # hn1 and hn2
    assert _ok(viewer.get(f"{ROUNDS}{round_.pk}"))["members"] == []  # the council is not theirs to see
    assert _ok(viewer.get(f"{EVALUATIONS}{evaluation.pk}"))["status"] == "scoring"
    _refused(viewer.post(DOSSIERS, {"product": products["hn1"].pk}), 403)
    _refused(viewer.patch(f"{DOSSIERS}{dossier.pk}", {"self_scores": {}}), 403)
    for step in ("submit", "receive", "forward"):
        _refused(viewer.post(f"{DOSSIERS}{dossier.pk}/{step}"), 403)
    _refused(viewer.put(f"{DOSSIERS}{dossier.pk}/commune-assessment", _assessment()), 403)
    _refused(viewer.post(f"{DOSSIERS}{dossier.pk}/return", {"comment": "x"}), 403)
    for method, step, body in (
        ("put", "sheet", {"answers": {}}),
        ("post", "declaration", {"has_conflict": False}),
        ("put", "consensus", {"answers": None}),
        ("post", "close", None),
    ):
        _refused(viewer.send(method, f"{EVALUATIONS}{evaluation.pk}/{step}", body), 403)


def test_council_member_reads_the_province_and_office_sees_all_sheets(world, api, setup):
    round_, seats, dossier, evaluation, _other = setup
    workflow.declare(seats["member_a"], evaluation, has_conflict=False)
    workflow.save_sheet(seats["member_a"], evaluation, BEST)
    assert _ok(api("province_hn").get(f"{EVALUATIONS}{evaluation.pk}/sheets"))["count"] == 1
    assert _ok(api(seats["secretary"]).get(f"{EVALUATIONS}{evaluation.pk}/sheets"))["count"] == 1
    assert _ok(api(seats["chair"]).get(f"{EVALUATIONS}{evaluation.pk}/sheets"))["count"] == 0
    assert _ok(api("council_hn").get(f"{EVALUATIONS}{evaluation.pk}/sheets"))["count"] == 0  # no seat
    assert len(_ok(api(seats["chair"]).get(f"{ROUNDS}{round_.pk}"))["members"]) == 4
    _refused(api("council_hn").post(f"{DOSSIERS}{dossier.pk}/return", {"comment": "x"}), 403)


# --- refused steps: 422 in Vietnamese -------------------------------------------------------------


def test_bad_answers_are_422_with_the_reason(world, api, setup):
    _round, seats, _dossier, evaluation, _other = setup
    member = api(seats["member_a"])
    url = f"{EVALUATIONS}{evaluation.pk}"
    _refused(member.put(f"{url}/sheet", {"answers": BEST}), 422, "Hãy khai báo xung đột lợi ích")
    _ok(member.post(f"{url}/declaration", {"has_conflict": False}), 201)
    _refused(member.post(f"{url}/declaration", {"has_conflict": False}), 422, "đã khai báo")
    _refused(member.put(f"{url}/sheet", {"answers": {"9.9": 1}}), 422, "không có tiêu chí “9.9”")
    _refused(member.put(f"{url}/sheet", {"answers": {"1.1": 99}}), 422, "lựa chọn 99 không có")
    _refused(member.put(f"{url}/sheet", {"answers": {"1.1": 1}, "submit": True}), 422)  # incomplete
    assert not models.ScoreSheet.objects.filter(submitted_at__isnull=False).exists()
    _refused(
        api(seats["secretary"]).put(f"{url}/consensus", {"answers": None, "knockouts": ["K99"]}),
        422,
        "không có điều kiện loại",
    )
    _refused(api(seats["chair"]).post(f"{url}/close"), 422, "Chưa có thành viên nào gửi phiếu chấm")
    _refused(api(seats["secretary"]).put(f"{url}/sheet", {"answers": {}}), 422, "thành viên chấm điểm")
    response = member.put(f"{url}/sheet", {"answers": {"1.1": "một"}})
    assert response.status_code == 422 and "Dữ liệu không hợp lệ" in response.json()["detail"]


def test_steps_in_the_wrong_state_are_422(world, api, setup, products):
    round_, _seats, dossier, _evaluation, other = setup
    commune, producer, office = api("commune_hn2"), api("producer_hn1"), api("province_hn")
    draft = f"{DOSSIERS}{other['hn2'].pk}"
    _refused(commune.post(f"{draft}/receive"), 422, "Chỉ tiếp nhận hồ sơ đã nộp")
    bare = commune.client.generic(
        "POST", f"{draft}/receive", **commune.headers
    )  # no body: the date is optional
    _refused(bare, 422, "Chỉ tiếp nhận hồ sơ đã nộp")
    _refused(commune.post(f"{draft}/submit"), 422, "Phiếu đăng ký (Mẫu 01) thiếu")
    _refused(commune.put(f"{draft}/commune-assessment", _assessment()), 422, "Hãy tiếp nhận hồ sơ")
    _refused(commune.post(f"{draft}/forward"), 422, "Chỉ đề nghị lên tỉnh")
    _refused(commune.post(f"{draft}/return", {"comment": "  "}), 422, "Hãy ghi rõ nội dung cần bổ sung")
    nul = commune.patch(draft, {"registration": {"applicant": "a\x00b"}})
    _refused(nul, 422, "NUL")
    in_round = f"{DOSSIERS}{dossier.pk}"
    _refused(producer.patch(in_round, {"self_assessment": {"a": "b"}}), 422, "Hồ sơ đã nộp")
    _refused(producer.post(f"{in_round}/submit"), 422, "Hồ sơ đã được nộp")
    _refused(producer.post(f"{in_round}/receive"), 422, "Chỉ cán bộ UBND cấp xã")
    _refused(producer.post(DOSSIERS, {"product": products["hn1"].pk}), 422, "đang xử lý")
    _refused(office.post(ROUNDS, {"year": 2026, "number": 1}), 422, "Đợt đánh giá này đã có")
    _refused(
        office.post(f"{ROUNDS}{round_.pk}/dossiers", {"dossier": other["hn2"].pk}), 422, "đề nghị lên tỉnh"
    )
    _refused(office.post(ROUNDS, {"year": 2026, "number": 3, "province": "99"}), 422, "không tìm thấy tỉnh")
    _refused(
        office.post(f"{DECISIONS}recognition", {**_decision("5/QĐ"), "evaluations": [_evaluation.pk]}),
        422,
        "không có kết quả để công nhận",
    )


def test_revocation_checks_ground_code_and_role(world, api, products, certificate_factory):
    certificate = certificate_factory(products["hn1"], star=3, issue_date=dt.date(2025, 1, 10))
    url = f"/api/v1/certificates/{certificate.code}/revocation"
    body = {**_decision("9/QĐ-UBND", "2026-11-01"), "ground": "a"}
    _refused(api("province_hcm").post(url, body), 404)
    _refused(api("commune_hn1").post(url, body), 403)
    _refused(api("province_hn").post(url, {**body, "ground": "z"}), 422)
    mistyped = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    _refused(api("province_hn").post(f"/api/v1/certificates/{mistyped}/revocation", body), 422)
    _refused(api("province_hn").post(url, {**body, "date": "2099-01-01"}), 422, "tương lai")
    assert _ok(api("province_hn").post(url, body))["status"] == "revoked"
    certificate.refresh_from_db()
    assert certificate.revocation_ground == "a" and certificate.revocation_decision.kind == "revocation"


def test_decisions_are_scoped_by_province(world, api, products, certificate_factory):
    hn = certificate_factory(products["hn1"], star=4, issue_date=dt.date(2025, 1, 10))
    hcm = certificate_factory(products["hcm1"], star=3, issue_date=dt.date(2025, 2, 10))
    for name, expected in (
        ("province_hn", {hn.decision_id}),
        ("viewer_hn", {hn.decision_id}),
        ("central", {hn.decision_id, hcm.decision_id}),
        ("commune_hn1", set()),
        ("producer_hn1", set()),
    ):
        assert {d["id"] for d in _ok(api(name).get(DECISIONS))["items"]} == expected, name
    assert _ok(api("province_hn").get(f"{DECISIONS}{hn.decision_id}"))["certificates"] == [hn.code]
    _refused(api("province_hn").get(f"{DECISIONS}{hcm.decision_id}"), 404)


def test_dossier_filters_and_queries(world, api, setup, django_assert_max_num_queries):
    round_, _seats, dossier, _evaluation, other = setup
    central = api("central")
    assert _ok(central.get(DOSSIERS))["count"] == 3
    assert [d["id"] for d in _ok(central.get(DOSSIERS, round=round_.pk))["items"]] == [dossier.pk]
    assert [d["id"] for d in _ok(central.get(DOSSIERS, province="79"))["items"]] == [other["hcm1"].pk]
    assert [
        d["id"] for d in _ok(central.get(DOSSIERS, status="draft", commune=world.places["hn2"].code))["items"]
    ] == [other["hn2"].pk]
    assert _ok(central.get(DOSSIERS, product=dossier.product_id, kind="first"))["count"] == 1
    _refused(central.get(DOSSIERS, status="bogus"), 422, "Bộ lọc không hợp lệ")
    late = models.Dossier.objects.filter(pk=other["hn2"].pk)
    late.update(status=DossierStatus.SUBMITTED, commune_deadline=dt.date(2026, 1, 5))
    assert [d["id"] for d in _ok(central.get(DOSSIERS, overdue="true"))["items"]] == [other["hn2"].pk]
    assert _ok(central.get(DOSSIERS, overdue="false"))["count"] == 2
    assert _ok(central.get(f"{DOSSIERS}{other['hn2'].pk}"))["overdue"] is True
    assert _ok(central.get(ROUNDS, level="province", province="01", year=2026, status="open"))["count"] == 1
    assert _ok(central.get(ROUNDS, province="79"))["count"] == 0
    for place in ("hn1", "hn2", "hcm1"):
        workflow.create_dossier(world.users["admin"], _extra_product(world, place))
    with django_assert_max_num_queries(8):
        assert _ok(central.get(DOSSIERS))["count"] == 6
    with django_assert_max_num_queries(6):
        _ok(central.get(ROUNDS))
    with django_assert_max_num_queries(7):
        _ok(central.get(DECISIONS))


def _extra_product(world, place):
    from ocop.registry.tests.conftest import make_producer, make_product

    return make_product(make_producer(world.places[place]))


def test_session_client_reads_the_api(world, setup):
    _round, _seats, dossier, _evaluation, _other = setup
    response = world.client("producer_hn1").get(f"{DOSSIERS}{dossier.pk}")
    body = _ok(response)
    assert body["status"] == DossierStatus.IN_ROUND and body["round"] == _round.pk
    assert body["overdue"] is False and body["evidence"] == []


def test_central_round_members_are_national(world, api):
    office = api("central")
    round_ = _ok(office.post(ROUNDS, {"level": "central", "year": 2026, "number": 1}), 201)
    assert round_["province"] is None and round_["level"] == "central"
    assert _ok(api("province_hn").get(ROUNDS))["count"] == 0  # a central round is not the province's
    user = User(username="tw_chair", role=Role.COUNCIL)  # the Ministry's council: no unit
    user.set_unusable_password()
    user.save()
    body = _ok(
        office.post(f"{ROUNDS}{round_['id']}/members", {"user": user.pk, "role": MemberRole.CHAIR}), 201
    )
    assert body["members"][0]["role"] == "chair"
    _refused(
        office.post(f"{ROUNDS}{round_['id']}/members", {"user": user.pk, "role": "member"}),
        422,
        "đã có trong",
    )
    assert models.Round.objects.get(pk=round_["id"]).members.count() == 1


def test_evidence_on_file_is_attached_to_a_dossier_criterion(world, api, products, settings, tmp_path):
    from ocop.documents.tests.conftest import make_document

    settings.MEDIA_ROOT = tmp_path
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, products["hn1"])
    own = make_document(products["hn1"].producer, products["hn1"])
    other = make_document(products["hn2"].producer, products["hn2"])
    url = f"{DOSSIERS}{dossier.pk}/evidence"
    body = _ok(api("producer_hn1").post(url, {"document": own.pk, "criterion": "3.1"}))
    assert body["evidence"] == [{"document": own.pk, "criterion": "3.1"}]
    _refused(api("producer_hn1").post(url, {"document": other.pk}), 422, "minh chứng")  # not theirs
    _refused(api("producer_hn1").post(url, {"document": own.pk, "criterion": "9.9"}), 422, "9.9")
    _refused(api("commune_hcm1").post(url, {"document": own.pk}), 404)


def test_potential_five_star_goes_to_the_ministry_through_the_api(world, api, setup):
    _round, seats, dossier, evaluation, _other = setup
    for name in MEMBERS:
        workflow.declare(seats[name], evaluation, has_conflict=False)
        workflow.save_sheet(seats[name], evaluation, BEST, submit=True)
    url = f"{EVALUATIONS}{evaluation.pk}/propose-central"
    _refused(api("province_hn").post(url), 422, "tiềm năng 5 sao")  # not closed yet
    workflow.close(seats["chair"], evaluation)
    _refused(api("council_hn").post(url), 422, "cơ quan OCOP")  # a council member may not
    _refused(api("province_hcm").post(url), 404)
    assert _ok(api("province_hn").post(url))["result"]["star"] == 5
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CENTRAL


def test_dossier_writes_honour_if_match(world, api, products):
    """Two people editing one draft (core.concurrency): the one who read an older version gets 412."""
    producer = api("producer_hn1")
    url = f"{DOSSIERS}{_ok(producer.post(DOSSIERS, {'product': products['hn1'].pk}), 201)['id']}"
    etag = producer.get(url)["ETag"]
    headers = {**producer.headers, "HTTP_IF_MATCH": etag}

    def patch(body: dict, **extra):
        return producer.client.patch(url, json.dumps(body), content_type="application/json", **extra)

    first = patch({"self_assessment": {"summary": "Một"}}, **headers)
    assert first.status_code == 200 and first["ETag"] != etag
    _refused(patch({"self_assessment": {"summary": "Hai"}}, **headers), 412, "người khác thay đổi")
    assert _ok(producer.get(url))["self_assessment"] == {"summary": "Một"}
    fresh = patch({"self_assessment": {"summary": "Hai"}}, **{**headers, "HTTP_IF_MATCH": first["ETag"]})
    assert _ok(fresh)["self_assessment"] == {"summary": "Hai"}


# --- Art. 5: "trước ngày" read strictly ------------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded_on", "missed"), [(dt.date(2026, 4, 29), False), (dt.date(2026, 4, 30), True)]
)
def test_a_dossier_in_a_round_whose_proposal_date_it_missed_is_flagged(
    world, products, api, client, forwarded_on, missed
):
    """Round 1 takes the communes' proposals "trước ngày 30 tháng 4" (Art. 5.1): a proposal of 30/4
    is too late for it. The office may still put it in; the API and the dossier page say so."""
    office = world.users["province_hn"]
    round_ = workflow.open_round(
        office, level=Level.PROVINCE, year=2026, number=1, province=world.places["hn"]
    )
    assert round_.proposals_by == dt.date(2026, 4, 30)
    dossier = _forwarded(world, products["hn1"])
    models.Dossier.objects.filter(pk=dossier.pk).update(forwarded_on=forwarded_on)
    dossier.refresh_from_db()
    workflow.add_to_round(office, dossier, round_)
    body = _ok(api("province_hn").get(f"{DOSSIERS}{dossier.pk}"))
    assert body["missed_round_proposal_date"] is missed
    client.force_login(office)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert ('data-testid="missed-proposal-date"' in page) is missed
    if missed:
        assert "trước ngày 30/04/2026" in page and "Điều 5" in page


# --- Art. 12.2: the rules follow the first filing date ---------------------------------------------


@pytest.mark.parametrize(
    ("filed", "basis", "deadline"),
    [
        (dt.date(2026, 5, 21), "QD148+1489", "2026-07-21"),  # 60 days from 22/05/2026
        (dt.date(2026, 5, 22), "QD26/2026", None),
    ],
)
def test_a_dossier_records_the_rules_of_its_filing_date(
    world, products, api, client, monkeypatch, filed, basis, deadline
):
    from ocop.core import clock

    monkeypatch.setattr(clock, "today", lambda: filed)
    producer = world.users["producer_hn1"]
    dossier = workflow.create_dossier(producer, products["hn1"])
    workflow.update_forms(
        producer,
        dossier,
        registration={"product_name": "x", "applicant": "y", "phone": "0912"},
        self_assessment={"a": "b"},
    )
    workflow.submit(producer, dossier)
    # Returned and filed again after 22/05/2026: still the rules of the first filing.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 6, 2))
    workflow.receive(world.users["commune_hn1"], dossier)
    workflow.return_dossier(world.users["commune_hn1"], dossier, "Bổ sung ảnh")
    workflow.submit(producer, dossier)
    dossier.refresh_from_db()
    assert dossier.legal_basis == basis
    body = _ok(api("province_hn").get(f"{DOSSIERS}{dossier.pk}"))
    assert (body["legal_basis"], body["transition_deadline"]) == (basis, deadline)
    client.force_login(world.users["province_hn"])
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert 'data-testid="legal-basis"' in page
    assert ("khoản 2 Điều 12" in page and "21/07/2026" in page) is (deadline is not None)


def test_closing_a_disputed_session_needs_a_reason_through_the_api(world, api, setup, client):
    _round, seats, _dossier, evaluation, _other = setup
    for name, answers in (("chair", BEST), ("member_a", BEST), ("member_b", _four_star())):
        workflow.declare(seats[name], evaluation, False)
        workflow.save_sheet(seats[name], evaluation, answers, submit=True)
    assert workflow.preview(evaluation).needs_discussion  # 100, 100 and about 80: beyond 10 points
    url = f"{EVALUATIONS}{evaluation.pk}/close"
    chair = api(seats["chair"])
    _refused(chair.post(url), 422, "cần thảo luận. Hãy ghi lý do kết thúc phiên chấm")
    _refused(chair.post(url, {"reason": "   "}), 422, "Hãy ghi lý do")
    no_body = client.generic("POST", url, b"", **chair.headers)  # an existing client posting nothing
    assert no_body.status_code == 422 and "cần thảo luận" in no_body.json()["detail"]
    evaluation.refresh_from_db()
    assert not evaluation.is_closed
    reason = "Đã thảo luận: thành viên 3 chấm chặt tiêu chí bao bì; giữ kết quả trung bình."
    closed = _ok(chair.post(url, {"reason": reason}))
    assert closed["status"] == "closed" and closed["close_reason"] == reason
    assert closed["result"]["needs_discussion"] is True
    assert _ok(chair.get(f"{EVALUATIONS}{evaluation.pk}"))["close_reason"] == reason
    evaluation.refresh_from_db()
    assert evaluation.close_reason == reason
