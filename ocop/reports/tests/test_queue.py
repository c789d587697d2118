"""The home page's "Việc cần làm": per role the items, their counts and deadlines, scoped exactly as
the lists (two provinces, two communes of one province: nothing out of scope is counted), each link
landing on a list with as many rows as the count, and a query count that does not grow with data.

    Hà Nội: hn1 A submitted · B at commune, overdue · C at commune · D forwarded · E returned (producer_hn1)
               F scored · G, G2, G3 before round R_hn (chair council_hn; G2 sent, G3 conflict) · N central
            hn2 H at commune, overdue · I forwarded
    TP HCM: hcm1 J at commune, overdue · K forwarded · L scored · M before round R_hcm (council_hcm scores)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocop.accounts.models import Role, User
from ocop.certification.tests.conftest import make_certificate
from ocop.conftest import shared_world_fixtures
from ocop.core import clock, queues
from ocop.evaluation.models import (
    ConflictDeclaration,
    CouncilMember,
    Dossier,
    DossierKind,
    DossierStatus,
    Evaluation,
    EvaluationStatus,
    Level,
    MemberRole,
    Round,
    ScoreSheet,
)
from ocop.registry.models import ChangeRequest
from ocop.registry.tests.conftest import build_world

from .conftest import World, make_producer, make_product

TODAY = dt.date(2026, 6, 20)
IN_WINDOW = dt.date(2023, 11, 17)  # issued then: expires 17/11/2026, 150 days on (window 180–120 days)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _dossier(product, status: str, **fields) -> Dossier:
    return Dossier.objects.create(
        product=product, kind=DossierKind.FIRST, sheet="B07", status=status, **fields
    )


def _round(province, number: int = 1, level: str = Level.PROVINCE) -> Round:
    return Round.objects.create(
        level=level,
        province=province,
        year=2026,
        number=number,
        proposals_by=dt.date(2026, 5, 15),
        closes_by=dt.date(2026, 6, 30) + dt.timedelta(days=number),
    )


def _before(round_: Round, dossier: Dossier, **fields) -> Evaluation:
    dossier.round = round_
    dossier.save()
    return Evaluation.objects.create(
        dossier=dossier, round=round_, sheet="B07", criteria_version=dossier.criteria_version, **fields
    )


def build_data(world: World) -> dict:
    places = world.places
    mine = make_producer(places["hn1"])
    world.users["producer_hn1"].producer = mine
    world.users["producer_hn1"].save()
    other_hn1, hn2, hcm1 = (
        make_producer(places["hn1"]),
        make_producer(places["hn2"]),
        make_producer(places["hcm1"]),
    )
    p = {name: make_product(owner) for name, owner in (
        ("A", other_hn1), ("B", other_hn1), ("C", other_hn1), ("D", other_hn1), ("E", mine), ("F", other_hn1),
        ("G", other_hn1), ("G2", other_hn1), ("G3", other_hn1), ("N", other_hn1),
        ("H", hn2), ("I", hn2), ("E2", hn2),
        ("J", hcm1), ("K", hcm1), ("L", hcm1), ("M", hcm1),
    )}  # fmt: skip
    d = {
        "A": _dossier(p["A"], DossierStatus.SUBMITTED, submitted_on=TODAY),
        "B": _dossier(p["B"], DossierStatus.COMMUNE_REVIEW, commune_deadline=TODAY - dt.timedelta(days=3)),
        "C": _dossier(p["C"], DossierStatus.COMMUNE_REVIEW, commune_deadline=TODAY + dt.timedelta(days=5)),
        "D": _dossier(p["D"], DossierStatus.FORWARDED, forwarded_on=dt.date(2026, 6, 1)),
        "E": _dossier(p["E"], DossierStatus.RETURNED, return_comment="Thiếu Mẫu 02"),
        "E2": _dossier(p["E2"], DossierStatus.RETURNED),
        "F": _dossier(p["F"], DossierStatus.SCORED),
        "N": _dossier(p["N"], DossierStatus.CENTRAL),
        "H": _dossier(p["H"], DossierStatus.COMMUNE_REVIEW, commune_deadline=TODAY - dt.timedelta(days=10)),
        "I": _dossier(p["I"], DossierStatus.FORWARDED, forwarded_on=dt.date(2026, 6, 5)),
        "J": _dossier(p["J"], DossierStatus.COMMUNE_REVIEW, commune_deadline=TODAY - dt.timedelta(days=1)),
        "K": _dossier(p["K"], DossierStatus.FORWARDED, forwarded_on=dt.date(2026, 5, 20)),
        "L": _dossier(p["L"], DossierStatus.SCORED),
    }
    hn, hcm = places["hn"], places["hcm"]
    council_hn = world.users["council_hn"]
    council_hcm = User.objects.create(username="council_hcm", role=Role.COUNCIL, scope_unit=hcm)
    world.users["council_hcm"] = council_hcm
    other_member = User.objects.create(username="council_hn_2", role=Role.COUNCIL, scope_unit=hn)

    r_hn = _round(hn)  # a chair, no secretary: to staff
    chair = CouncilMember.objects.create(round=r_hn, user=council_hn, role=MemberRole.CHAIR)
    CouncilMember.objects.create(round=r_hn, user=other_member, role=MemberRole.MEMBER)
    r_hn_full = _round(hn, 2)  # chair and secretary: staffed
    CouncilMember.objects.create(round=r_hn_full, user=other_member, role=MemberRole.CHAIR)
    secretary = User.objects.create(username="council_hn_3", role=Role.COUNCIL, scope_unit=hn)
    CouncilMember.objects.create(round=r_hn_full, user=secretary, role=MemberRole.SECRETARY)
    r_hcm = _round(hcm)  # nobody yet: to staff
    CouncilMember.objects.create(round=r_hcm, user=council_hcm, role=MemberRole.MEMBER)
    _round(None, level=Level.CENTRAL)  # the Ministry's, unstaffed

    for name in ("G", "G2", "G3"):
        d[name] = _dossier(p[name], DossierStatus.IN_ROUND)
        evaluation = _before(r_hn, d[name])
        if name == "G2":
            ScoreSheet.objects.create(
                evaluation=evaluation, member=chair, answers={}, submitted_at=timezone.now()
            )
        if name == "G3":
            ConflictDeclaration.objects.create(
                evaluation=evaluation, member=chair, has_conflict=True, note="Họ hàng"
            )
    _before(
        r_hn,
        d["F"],
        status=EvaluationStatus.CLOSED,
        closed_at=timezone.make_aware(dt.datetime(2026, 6, 10, 9)),
    )
    d["M"] = _dossier(p["M"], DossierStatus.IN_ROUND)
    _before(r_hcm, d["M"])

    # Certificates in their re-evaluation window: producer_hn1's, another in hcm1; one in hn1 with a
    # re-evaluation dossier already (not counted), one expiring later (window not open yet).
    make_certificate(p["E"], issue_date=IN_WINDOW)
    make_certificate(p["J"], issue_date=IN_WINDOW)
    filed = make_certificate(p["A"], issue_date=IN_WINDOW)
    Dossier.objects.create(
        product=p["A"], kind=DossierKind.REEVALUATION, sheet="B07", previous_certificate=filed
    )
    make_certificate(p["C"], issue_date=dt.date(2025, 1, 10))

    # Change requests waiting: hn1 and hcm1.
    for product, when in ((p["E"], dt.datetime(2026, 6, 2, 8)), (p["K"], dt.datetime(2026, 6, 3, 8))):
        request = ChangeRequest.objects.create(
            product=product,
            changes={"name": {"old": product.name, "new": f"{product.name} mới"}},
            reason="Đổi tên thương mại",
            requested_by=world.users["producer_hn1"],
        )
        ChangeRequest.objects.filter(pk=request.pk).update(requested_at=timezone.make_aware(when))
    return d


# username → {item key: (count, due)}; every item of the role is listed (zeros included).
EXPECTED = {
    "commune_hn1": {
        "dossiers_at_commune": (3, TODAY - dt.timedelta(days=3)),
        "dossiers_overdue": (1, TODAY - dt.timedelta(days=3)),
        "certificates_reevaluation": (1, dt.date(2026, 7, 20)),  # 120 days before 17/11/2026
        "change_requests": (1, dt.date(2026, 6, 2)),
    },
    "commune_hn2": {
        "dossiers_at_commune": (1, TODAY - dt.timedelta(days=10)),
        "dossiers_overdue": (1, TODAY - dt.timedelta(days=10)),
        "certificates_reevaluation": (0, None),
        "change_requests": (0, None),
    },
    "commune_hcm1": {
        "dossiers_at_commune": (1, TODAY - dt.timedelta(days=1)),
        "dossiers_overdue": (1, TODAY - dt.timedelta(days=1)),
        "certificates_reevaluation": (1, dt.date(2026, 7, 20)),
        "change_requests": (1, dt.date(2026, 6, 3)),
    },
    "province_hn": {
        "dossiers_overdue": (2, TODAY - dt.timedelta(days=10)),
        "dossiers_forwarded": (2, dt.date(2026, 6, 1)),
        "rounds_to_staff": (1, dt.date(2026, 7, 1)),
        "decisions_to_record": (1, dt.date(2026, 6, 10)),
        "certificates_reevaluation": (1, dt.date(2026, 7, 20)),
        "change_requests": (1, dt.date(2026, 6, 2)),
        "oversight_planned_inspections": (0, None),  # no active inspection plan
        "oversight_warnings_overdue": (0, None),
        "consumer_reports_new": (0, None),  # ocop.oversight: no report in this world
        "oversight_signals_open": (0, None),
    },
    "province_hcm": {
        "dossiers_overdue": (1, TODAY - dt.timedelta(days=1)),
        "dossiers_forwarded": (1, dt.date(2026, 5, 20)),
        "rounds_to_staff": (1, dt.date(2026, 7, 1)),
        "decisions_to_record": (1, None),
        "certificates_reevaluation": (1, dt.date(2026, 7, 20)),
        "change_requests": (1, dt.date(2026, 6, 3)),
        "oversight_planned_inspections": (0, None),  # no active inspection plan
        "oversight_warnings_overdue": (0, None),
        "consumer_reports_new": (0, None),  # ocop.oversight: no report in this world
        "oversight_signals_open": (0, None),
    },
    "central": {
        "dossiers_overdue": (3, TODAY - dt.timedelta(days=10)),
        "dossiers_central": (1, None),
        "rounds_to_staff": (1, dt.date(2026, 7, 1)),
        "change_requests": (2, dt.date(2026, 6, 2)),
        "oversight_planned_inspections": (0, None),  # no active inspection plan
        "consumer_reports_new": (0, None),  # ocop.oversight: no report in this world
    },
    "council_hn": {"sheets_to_send": (1, dt.date(2026, 7, 1)), "sessions_to_close": (3, dt.date(2026, 7, 1))},
    "council_hcm": {"sheets_to_send": (1, dt.date(2026, 7, 1)), "sessions_to_close": (0, None)},
    "producer_hn1": {"dossiers_returned": (1, None), "certificates_reevaluation": (1, dt.date(2026, 7, 20))},
    "viewer_hn": {},
}


def _build() -> tuple[World, dict]:
    world = build_world()
    return world, build_data(world)


# Built once per module, copied for each test (as Django's setUpTestData).
_queue_of_the_module, shared_queue = shared_world_fixtures(_build, name="queue", today=TODAY)


@pytest.fixture
def world(shared_queue: tuple[World, dict]) -> World:
    return shared_queue[0]


@pytest.fixture
def data(shared_queue: tuple[World, dict]) -> dict:
    return shared_queue[1]


def _client(world: World, username: str) -> Client:
    return world.client(username)


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_roles_queue_counts_only_its_scope(world: World, data: dict, username: str) -> None:
    user = User.objects.get(username=username)
    items = {item.key: (item.count, item.due) for item in queues.collect(user)}
    assert items == EXPECTED[username]


@pytest.mark.parametrize("username", [name for name, items in EXPECTED.items() if items])
def test_each_link_lists_exactly_the_counted_records(world: World, data: dict, username: str) -> None:
    client = _client(world, username)
    html = client.get(reverse("core:home")).content.decode()
    for item in queues.collect(world.users[username]):
        if item.count:
            assert f'href="{item.url.replace("&", "&amp;")}"' in html, item.key
        response = client.get(item.url)
        assert response.status_code == 200, item.key
        rows = list(response.context["table"].page.object_list)
        assert len(rows) == item.count, (item.key, [row.record for row in rows])


def test_council_lists_its_own_sheets_and_sessions(world: World, data: dict) -> None:
    client = _client(world, "council_hn")
    for item, names in (("sheets", ["G"]), ("close", ["G", "G2", "G3"])):
        response = client.get(reverse("evaluation:dossier_list"), {"todo": item})
        listed = {row.record.pk for row in response.context["table"].page.object_list}
        assert listed == {data[name].pk for name in names}, item


def test_home_page_shows_the_queue_first_with_counts_and_deadlines(world: World, data: dict) -> None:
    html = _client(world, "commune_hn1").get(reverse("core:home")).content.decode()
    main = html[html.index('<main id="main"') :]
    assert main.index('data-testid="queue"') < main.index('id="home-greeting"')
    at_commune = re.search(r'<li[^>]*data-queue="dossiers_at_commune".*?</li>', main, re.S).group(0)
    assert 'data-queue-count="3"' in at_commune and "Hồ sơ chờ xã tiếp nhận, xem xét" in at_commune
    assert "quá hạn từ 17/06/2026" in at_commune  # the oldest deadline is already past
    requests = re.search(r'<li[^>]*data-queue="change_requests".*?</li>', main, re.S).group(0)
    assert "chờ từ 02/06/2026" in requests
    assert "Đang xây dựng" not in html and "sắp có" not in html

    # A zero item is shown, unlinked, so the officer knows nothing waits there.
    empty = _client(world, "commune_hn2").get(reverse("core:home")).content.decode()
    certificates = re.search(r'<li[^>]*data-queue="certificates_reevaluation".*?</li>', empty, re.S).group(0)
    assert 'data-queue-count="0"' in certificates and "href" not in certificates


def test_english_home_page_translates_the_queue(world: World, data: dict) -> None:
    client = _client(world, "province_hn")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("core:home"), headers={"accept-language": "en"}).content.decode()
    assert "To do" in html and "Việc cần làm" not in html
    assert "waiting since 01/06/2026" in html


def test_viewer_has_no_queue(world: World, data: dict) -> None:
    html = _client(world, "viewer_hn").get(reverse("core:home")).content.decode()
    assert 'data-testid="queue"' not in html


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("core:home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("username", ["central", "province_hn", "commune_hn1", "council_hn", "producer_hn1"])
def test_queue_query_count_does_not_grow_with_the_data(world: World, data: dict, username: str) -> None:
    client = _client(world, username)
    client.get(reverse("core:home"))  # session and caches warm
    before = _home_queries(client)
    # One aggregate query per item.
    user = world.users[username]
    with CaptureQueriesContext(connection) as captured:
        queues.collect(user)
    assert len(captured) == len(queues.providers.for_role(user.role))
    # Three times the records waiting, in every place: the same number of queries.
    for _ in range(2):
        for name in ("A", "B", "D", "E", "F", "G", "H", "J", "K", "L", "M"):
            original = data[name]
            copy = Dossier.objects.get(pk=original.pk)
            copy.pk = None
            copy.product = make_product(original.product.producer)
            copy.save()
            for evaluation in original.evaluations.all():
                Evaluation.objects.create(
                    dossier=copy,
                    round=evaluation.round,
                    sheet="B07",
                    criteria_version=copy.criteria_version,
                    status=evaluation.status,
                )
    assert _home_queries(client) == before


def test_each_role_is_offered_only_its_own_queues_in_the_filters(world: World, data: dict) -> None:
    def todo_choices(username: str) -> list[str] | None:
        form = _client(world, username).get(reverse("evaluation:dossier_list")).context["filter"].form
        field = form.fields.get("todo")
        return None if field is None else [value for value, _label in field.choices if value]

    assert todo_choices("commune_hn1") == ["commune"]
    assert todo_choices("central") == ["central"]
    assert todo_choices("council_hn") == ["sheets", "close"]
    assert todo_choices("producer_hn1") is None and todo_choices("province_hn") is None


def test_my_councils_lists_the_rounds_where_the_member_sits(world: World, data: dict) -> None:
    url = reverse("evaluation:round_list") + "?seat=mine"
    for username, rounds in (("council_hn", {("01", 1)}), ("council_hcm", {("79", 1)})):
        response = _client(world, username).get(url)
        listed = {
            (row.record.province.code, row.record.number)
            for row in response.context["table"].page.object_list
        }
        assert listed == rounds, username
