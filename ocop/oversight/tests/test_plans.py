"""Inspection plans: who may plan, see and change which plan; choosing producers (by filters, one
by one); progress; the steps of a plan; the inspections list; the menu and the home queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ocop.certification.models import AuthorityLevel
from ocop.certification.tests.conftest import make_certificate, make_decision
from ocop.core import clock, queues
from ocop.core.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from ocop.oversight import planning
from ocop.oversight.models import (
    ConsumerReport,
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    PlanKind,
    PlanLevel,
    PlanStatus,
    ReportKind,
    ScanSignal,
    SignalRule,
    SignalStatus,
)
from ocop.registry.tests.conftest import World, make_producer, make_product, world  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@dataclass
class Oversight:
    world: World
    producers: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    certificates: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)

    def plan(self, name: str) -> InspectionPlan:
        return InspectionPlan.objects.get(pk=self.plans[name].pk)


def make_plan(**fields) -> InspectionPlan:
    values = {
        "level": PlanLevel.PROVINCE,
        "kind": PlanKind.PERIODIC,
        "year": 2026,
        "title": "Kế hoạch kiểm tra",
        "starts_on": dt.date(2026, 10, 1),
        "ends_on": dt.date(2026, 12, 31),
    }
    values.update(fields)
    plan = InspectionPlan(**values)
    plan.full_clean()
    plan.save()
    return plan


@pytest.fixture
def ov(world) -> Oversight:  # noqa: F811
    """Producers in Hà Nội (hn1: a 4★ product expiring soon and a 3★; hn2: a 5★ product and one not
    in OCOP) and TP HCM (hcm1: a 4★), and four plans: Hà Nội's, HCM's, the Ministry's 5★ plan and its
    review of Hà Nội's evaluation work."""
    data = Oversight(world)
    p = world.places
    data.producers = {
        "hn1": make_producer(p["hn1"], name="Hợp tác xã Đồng Xanh"),
        "hn2": make_producer(p["hn2"], name="Công ty Sao Mai"),
        "hcm1": make_producer(p["hcm1"], name="Cơ sở Bến Nghé"),
    }
    data.products = {
        "hn1_tea": make_product(data.producers["hn1"], name="Trà sen", classification_set="B07"),
        "hn1_rice": make_product(data.producers["hn1"], name="Gạo nếp", classification_set="B03"),
        "hn2_five": make_product(data.producers["hn2"], name="Rượu sen", classification_set="B07"),
        "hn2_none": make_product(data.producers["hn2"], name="Bánh chưa OCOP"),
        "hcm1_tea": make_product(data.producers["hcm1"], name="Trà Bến Nghé"),
    }
    world.users["producer_hn1"].producer = data.producers["hn1"]
    world.users["producer_hn1"].save()
    data.certificates = {
        "hn1_tea": make_certificate(data.products["hn1_tea"], star=4, issue_date=dt.date(2024, 2, 1)),
        "hn1_rice": make_certificate(data.products["hn1_rice"], star=3, issue_date=dt.date(2025, 3, 1)),
        "hn2_five": make_certificate(data.products["hn2_five"], star=5, issue_date=dt.date(2025, 5, 1)),
        "hcm1_tea": make_certificate(data.products["hcm1_tea"], star=4, issue_date=dt.date(2025, 1, 10)),
    }
    data.plans = {
        "hn": make_plan(province=p["hn"], title="Kiểm tra định kỳ Hà Nội 2026"),
        "hcm": make_plan(province=p["hcm"], title="Kiểm tra định kỳ TP HCM 2026"),
        "central": make_plan(level=PlanLevel.CENTRAL, title="Kiểm tra sản phẩm 5 sao 2026"),
        "review": make_plan(
            level=PlanLevel.CENTRAL,
            kind=PlanKind.EVALUATION_REVIEW,
            province=p["hn"],
            title="Kiểm tra công tác đánh giá của Hà Nội",
        ),
    }
    return data


# --- who may do what ---------------------------------------------------------------------------------

# plan → roles that see it (detail 200); others get 404 (or 403 when the role never reads plans)
SEES = {
    "hn": {"admin", "central", "province_hn", "viewer_hn"},
    "hcm": {"admin", "central", "province_hcm"},
    "central": {"admin", "central"},
    "review": {"admin", "central", "province_hn", "viewer_hn"},
}
# plan → roles that may change it (edit page 200, steps)
CHANGES = {
    "hn": {"admin", "central", "province_hn"},
    "hcm": {"admin", "central", "province_hcm"},
    "central": {"admin", "central"},
    "review": {"admin", "central"},
}
NEVER_READ = {"council_hn", "producer_hn1"}  # their role reads no plan: 403
READ_ONLY = {"commune_hn1", "commune_hn2", "commune_hcm1", "viewer_hn", "viewer_hn1"}  # 403 on changes


@pytest.mark.parametrize("plan_name", sorted(SEES))
def test_matrix_detail_and_edit_pages(ov, plan_name) -> None:
    plan = ov.plans[plan_name]
    for user in ov.world.users:
        client = ov.world.client(user)
        detail = client.get(reverse("oversight:plan_detail", args=[plan.pk])).status_code
        expected = 200 if user in SEES[plan_name] else 403 if user in NEVER_READ else 404
        assert detail == expected, (user, "detail", detail)
        edit = client.get(reverse("oversight:plan_edit", args=[plan.pk])).status_code
        expected = 200 if user in CHANGES[plan_name] else 403 if user in NEVER_READ | READ_ONLY else 404
        assert edit == expected, (user, "edit", edit)
        adding = client.get(reverse("oversight:plan_add_producers", args=[plan.pk])).status_code
        assert adding == expected, (user, "add-producers", adding)


@pytest.mark.parametrize("plan_name", sorted(SEES))
def test_matrix_steps_change_only_what_the_role_may(ov, plan_name) -> None:
    plan = ov.plans[plan_name]
    for user in ov.world.users:
        client = ov.world.client(user)
        response = client.post(
            reverse("oversight:plan_activate", args=[plan.pk]), {CONFIRM_FIELD: CONFIRM_VALUE}
        )
        if user in CHANGES[plan_name]:
            assert response.status_code == 302, user
            assert ov.plan(plan_name).status == PlanStatus.ACTIVE
            InspectionPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DRAFT)
        else:
            assert response.status_code in (403, 404), user
            assert ov.plan(plan_name).status == PlanStatus.DRAFT


def test_list_shows_only_plans_in_scope(ov) -> None:
    url = reverse("oversight:plan_list")
    for user, titles in {
        "central": {"hn", "hcm", "central", "review"},
        "province_hn": {"hn", "review"},
        "province_hcm": {"hcm"},
        "viewer_hn": {"hn", "review"},
        "commune_hn1": set(),
    }.items():
        page = ov.world.client(user).get(url).content.decode()
        shown = {name for name, plan in ov.plans.items() if plan.title in page}
        assert shown == titles, user
    assert ov.world.client("producer_hn1").get(url).status_code == 403
    assert ov.world.client("council_hn").get(url).status_code == 403


def _plan_post(**fields) -> dict:
    data = {
        "level": "province",
        "kind": "periodic",
        "year": "2026",
        "title": "Kế hoạch mới",
        "starts_on": "01/12/2026",
        "ends_on": "31/12/2026",
    }
    data.update(fields)
    return data


def test_province_plans_its_own_province_only(ov) -> None:
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_add")
    hn, hcm = ov.world.places["hn"], ov.world.places["hcm"]
    # Another province, or a central plan, or the Ministry's review: refused, nothing written.
    for data in (
        _plan_post(province=hcm.pk),
        _plan_post(province=hn.pk, level="central"),
        _plan_post(province=hn.pk, kind="evaluation_review"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert not InspectionPlan.objects.filter(title="Kế hoạch mới").exists()
    response = client.post(url, _plan_post(province=hn.pk, members=[ov.world.users["province_hn"].pk]))
    plan = InspectionPlan.objects.get(title="Kế hoạch mới")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert (plan.level, plan.province, plan.status, plan.created_by) == (
        PlanLevel.PROVINCE,
        hn,
        PlanStatus.DRAFT,
        ov.world.users["province_hn"],
    )
    assert list(plan.members.all()) == [ov.world.users["province_hn"]]


def test_members_are_officers_of_the_plan(ov) -> None:
    client = ov.world.client("central")
    url = reverse("oversight:plan_edit", args=[ov.plans["hn"].pk])
    page = client.get(url).content.decode()
    assert "province_hn" in page and "province_hcm" not in page and "commune_hn1" not in page
    plan = ov.plan("hn")
    from ocop.core.concurrency import version_of

    response = client.post(
        url,
        _plan_post(
            province=plan.province_id,
            title=plan.title,
            members=[ov.world.users["province_hcm"].pk],
            _version=version_of(plan),
        ),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["members"]
    assert not ov.plan("hn").members.exists()
    response = client.post(
        url,
        _plan_post(
            province=plan.province_id,
            title="Kiểm tra định kỳ Hà Nội (sửa)",
            members=[ov.world.users["province_hn"].pk],
            _version=version_of(plan),
            _reason="Bổ sung đoàn",
        ),
    )
    assert response.status_code == 302
    plan = ov.plan("hn")
    assert plan.title == "Kiểm tra định kỳ Hà Nội (sửa)" and plan.members.count() == 1
    assert plan.history.first().history_change_reason == "Bổ sung đoàn"


def test_province_edits_its_plan_but_cannot_move_it(ov) -> None:
    from ocop.core.concurrency import version_of

    client = ov.world.client("province_hn")
    plan = ov.plan("hn")
    url = reverse("oversight:plan_edit", args=[plan.pk])
    moved = _plan_post(province=ov.world.places["hcm"].pk, title=plan.title, _version=version_of(plan))
    assert client.post(url, moved).status_code == 200
    assert ov.plan("hn").province == ov.world.places["hn"]
    kept = _plan_post(province=plan.province_id, title="Đổi tên", _version=version_of(plan))
    assert client.post(url, kept).status_code == 302 and ov.plan("hn").title == "Đổi tên"


def test_add_page_for_planning_roles_only(ov) -> None:
    url = reverse("oversight:plan_add")
    for user in ov.world.users:
        expected = 200 if user in {"admin", "central", "province_hn", "province_hcm"} else 403
        assert ov.world.client(user).get(url).status_code == expected, user


def test_central_plans_five_stars_or_reviews_a_province(ov) -> None:
    client = ov.world.client("central")
    url = reverse("oversight:plan_add")
    hn = ov.world.places["hn"]
    response = client.post(url, _plan_post(level="central", kind="evaluation_review"))
    assert response.status_code == 200  # a review names its province
    response = client.post(url, _plan_post(level="central", kind="evaluation_review", province=hn.pk))
    assert response.status_code == 302
    response = client.post(url, _plan_post(level="province", province=hn.pk, title="Tỉnh"))
    assert response.status_code == 200 and not InspectionPlan.objects.filter(title="Tỉnh").exists()


def test_closed_plan_is_not_edited(ov) -> None:
    InspectionPlan.objects.filter(pk=ov.plans["hn"].pk).update(status=PlanStatus.CLOSED)
    client = ov.world.client("province_hn")
    assert client.get(reverse("oversight:plan_edit", args=[ov.plans["hn"].pk])).status_code == 403


# --- add_producers -----------------------------------------------------------------------------------


def test_add_producers_takes_ocop_products_with_their_certificates(ov) -> None:
    user = ov.world.users["province_hn"]
    created = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"], ov.producers["hn2"]])
    assert [inspection.producer for inspection in created] == [ov.producers["hn1"], ov.producers["hn2"]]
    rows = {
        row.product.name: row.certificate
        for row in InspectedProduct.objects.filter(inspection__plan=ov.plans["hn"])
    }
    # The product without a valid certificate is not in OCOP: not inspected.
    assert rows == {
        "Trà sen": ov.certificates["hn1_tea"],
        "Gạo nếp": ov.certificates["hn1_rice"],
        "Rượu sen": ov.certificates["hn2_five"],
    }
    assert all(row.evaluation is None for row in InspectedProduct.objects.all())  # historical certificates
    assert all(i.status == InspectionStatus.PLANNED and i.created_by == user for i in created)


def test_add_producers_is_idempotent(ov) -> None:
    user = ov.world.users["province_hn"]
    first = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])
    again = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"], ov.producers["hn1"]])
    assert len(first) == 1 and again == []
    assert Inspection.objects.filter(plan=ov.plans["hn"]).count() == 1
    assert InspectedProduct.objects.count() == 2


def test_add_producers_refuses_closed_plans_and_out_of_scope(ov) -> None:
    user = ov.world.users["province_hn"]
    with pytest.raises(PermissionDenied):  # another province's producer
        planning.add_producers(user, ov.plans["hn"], [ov.producers["hcm1"]])
    with pytest.raises(PermissionDenied):  # the Ministry's plan
        planning.add_producers(user, ov.plans["review"], [ov.producers["hn1"]])
    with pytest.raises(ValidationError):  # another producer's product
        planning.add_producers(
            user, ov.plans["hn"], [ov.producers["hn1"]], [ov.products["hn2_five"], ov.products["hn1_tea"]]
        )
    with pytest.raises(ValidationError):  # a product not in OCOP
        planning.add_producers(user, ov.plans["hn"], [ov.producers["hn2"]], [ov.products["hn2_none"]])
    InspectionPlan.objects.filter(pk=ov.plans["hn"].pk).update(status=PlanStatus.CLOSED)
    with pytest.raises(ValidationError):
        planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])
    assert not Inspection.objects.exists() and not InspectedProduct.objects.exists()


def test_central_plan_takes_five_stars_and_review_what_the_province_recognised(ov) -> None:
    central = ov.world.users["central"]
    created = planning.add_producers(central, ov.plans["central"], [ov.producers["hn2"]])
    assert [row.product for row in created[0].inspected_products.all()] == [ov.products["hn2_five"]]
    with pytest.raises(ValidationError):  # no 5★ product
        planning.add_producers(central, ov.plans["central"], [ov.producers["hn1"]])
    # The 5★ certificate is the Ministry's: the review of Hà Nội's work takes only Hà Nội's.
    assert ov.certificates["hn2_five"].decision.authority_level == AuthorityLevel.CENTRAL
    candidates = set(planning.candidate_products(central, ov.plans["review"]))
    assert candidates == {ov.products["hn1_tea"], ov.products["hn1_rice"]}


def test_add_producers_marks_open_signals_planned(ov) -> None:
    product = ov.products["hn1_tea"]
    signal = ScanSignal(rule=SignalRule.SURGE, product=product, first_day=TODAY, last_day=TODAY, scans=40)
    signal.save()
    dismissed = ScanSignal(
        rule=SignalRule.FAR_SCANS,
        product=product,
        first_day=TODAY,
        last_day=TODAY,
        status=SignalStatus.DISMISSED,
    )
    dismissed.save()
    other = ScanSignal(
        rule=SignalRule.SURGE, product=ov.products["hn2_five"], first_day=TODAY, last_day=TODAY
    )
    other.save()
    user = ov.world.users["province_hn"]
    (inspection,) = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])
    statuses = {s.pk: s.status for s in ScanSignal.objects.all()}
    assert statuses == {
        signal.pk: SignalStatus.PLANNED,
        dismissed.pk: SignalStatus.DISMISSED,
        other.pk: SignalStatus.OPEN,
    }
    # Taken out of the plan again: the signal is open again.
    planning.remove_inspection(user, inspection)
    assert ScanSignal.objects.get(pk=signal.pk).status == SignalStatus.OPEN
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.CANCELLED
    # And the producer can be planned again.
    assert len(planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])) == 1


def test_done_inspection_stays_in_the_plan(ov) -> None:
    user = ov.world.users["province_hn"]
    (inspection,) = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.DONE)
    with pytest.raises(ValidationError):
        planning.remove_inspection(user, Inspection.objects.get(pk=inspection.pk))
    response = ov.world.client("province_hn").post(
        reverse("oversight:plan_remove_inspection", args=[ov.plans["hn"].pk, inspection.pk]),
        {CONFIRM_FIELD: CONFIRM_VALUE},
    )
    assert response.status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.DONE


def test_remove_page_confirms_first(ov) -> None:
    user = ov.world.users["province_hn"]
    (inspection,) = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"]])
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_remove_inspection", args=[ov.plans["hn"].pk, inspection.pk])
    page = client.post(url)
    assert page.status_code == 200 and CONFIRM_FIELD in page.content.decode()
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.PLANNED
    assert client.post(url, {CONFIRM_FIELD: CONFIRM_VALUE}).status_code == 302
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.CANCELLED
    # Another province's officer cannot reach it.
    assert ov.world.client("province_hcm").post(url, {CONFIRM_FIELD: CONFIRM_VALUE}).status_code == 404


# --- the add-producers page -------------------------------------------------------------------------


def test_filters_show_how_many_match_then_add_them(ov) -> None:
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_add_producers", args=[ov.plans["hn"].pk])
    page = client.get(url, {"mode": "filter", "f-star": "4"}).content.decode()
    assert "Khớp 1 chủ thể, 1 sản phẩm" in page
    page = client.get(url, {"mode": "filter", "f-classification_set": "B07"}).content.decode()
    assert "Khớp 2 chủ thể, 2 sản phẩm" in page
    # Expiring within 180 days: the tea (issued 01/02/2024, expires 01/02/2027).
    page = client.get(url, {"mode": "filter", "f-expires_within": "180"}).content.decode()
    assert "Khớp 1 chủ thể, 1 sản phẩm" in page
    page = client.get(url, {"mode": "filter", "f-expires_before": "01/03/2027"}).content.decode()
    assert "Khớp 1 chủ thể, 1 sản phẩm" in page
    commune = ov.world.places["hn2"]
    page = client.get(url, {"mode": "filter", "f-commune": commune.pk}).content.decode()
    assert "Khớp 1 chủ thể, 1 sản phẩm" in page
    response = client.post(url, {"mode": "filter", "f-classification_set": "B07"})
    assert response.status_code == 302
    rows = InspectedProduct.objects.filter(inspection__plan=ov.plans["hn"])
    assert {row.product.name for row in rows} == {"Trà sen", "Rượu sen"}  # only the matching products
    # Once added, they no longer match.
    page = client.get(url, {"mode": "filter", "f-classification_set": "B07"}).content.decode()
    assert "Khớp 0 chủ thể, 0 sản phẩm" in page


def test_risk_filter(ov) -> None:
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_add_producers", args=[ov.plans["hn"].pk])
    assert "Khớp 0 chủ thể" in client.get(url, {"mode": "filter", "f-risk": "on"}).content.decode()
    report = ConsumerReport(
        kind=ReportKind.QUALITY,
        description="Sản phẩm có mùi lạ",
        product=ov.products["hn1_rice"],
        province=ov.world.places["hn"],
    )
    report.save()
    assert (
        "Khớp 1 chủ thể, 1 sản phẩm" in client.get(url, {"mode": "filter", "f-risk": "on"}).content.decode()
    )
    ConsumerReport.objects.filter(pk=report.pk).update(status="closed")
    ScanSignal(rule=SignalRule.SURGE, product=ov.products["hn2_five"], first_day=TODAY, last_day=TODAY).save()
    page = client.get(url, {"mode": "filter", "f-risk": "on"}).content.decode()
    assert "Khớp 1 chủ thể, 1 sản phẩm" in page


def test_one_by_one_with_preselection_and_search(ov) -> None:
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_add_producers", args=[ov.plans["hn"].pk])
    producer = ov.producers["hn2"]
    page = client.get(url, {"producer": producer.pk}).content.decode()
    assert f'value="{producer.pk}" id="producer-{producer.pk}" checked' in page
    assert "Cơ sở Bến Nghé" not in page  # another province's producer is never offered
    page = client.get(url, {"q": "dong xanh"}).content.decode()  # folded: "Đồng Xanh"
    assert "Hợp tác xã Đồng Xanh" in page and "Công ty Sao Mai" not in page
    response = client.post(url, {"mode": "pick", "producers": [producer.pk]})
    assert response.status_code == 302
    assert Inspection.objects.get(plan=ov.plans["hn"]).producer == producer
    # An out-of-scope producer posted by hand: refused, nothing written.
    page = client.post(url, {"mode": "pick", "producers": [ov.producers["hcm1"].pk]})
    assert page.status_code == 200 and Inspection.objects.count() == 1


# --- progress ----------------------------------------------------------------------------------------


def test_progress_counts_inspected_over_planned(ov) -> None:
    user = ov.world.users["province_hn"]
    first, second = planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"], ov.producers["hn2"]])
    assert planning.progress_of(ov.plans["hn"]).as_dict() == {
        "producers_planned": 2,
        "producers_inspected": 0,
        "products_planned": 3,
        "products_inspected": 0,
    }
    Inspection.objects.filter(pk=first.pk).update(status=InspectionStatus.DONE)
    progress = planning.progress_of(ov.plans["hn"])
    assert (progress.producers_inspected, progress.products_inspected) == (1, 2)
    assert (progress.producers_percent, progress.products_percent) == (50, 67)
    planning.remove_inspection(user, second)  # cancelled: out of the plan
    progress = planning.progress_of(ov.plans["hn"])
    assert (progress.producers_planned, progress.products_planned) == (1, 2)
    page = ov.world.client("province_hn").get(reverse("oversight:plan_detail", args=[ov.plans["hn"].pk]))
    html = page.content.decode()
    assert 'data-progress="producers">1/1<' in html and 'data-progress="products">2/2<' in html
    listing = ov.world.client("province_hn").get(reverse("oversight:plan_list")).content.decode()
    assert "1 / 1" in listing and "2 / 2" in listing


def test_activate_and_close_with_confirmation(ov) -> None:
    client = ov.world.client("province_hn")
    plan = ov.plans["hn"]
    page = client.post(reverse("oversight:plan_activate", args=[plan.pk]))
    assert page.status_code == 200 and ov.plan("hn").status == PlanStatus.DRAFT  # the confirmation
    client.post(reverse("oversight:plan_activate", args=[plan.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
    assert ov.plan("hn").status == PlanStatus.ACTIVE
    client.post(reverse("oversight:plan_close", args=[plan.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
    assert ov.plan("hn").status == PlanStatus.CLOSED
    # Closing twice, or activating a closed plan: refused with a message.
    response = client.post(reverse("oversight:plan_activate", args=[plan.pk]), {CONFIRM_FIELD: CONFIRM_VALUE})
    assert response.status_code == 302 and ov.plan("hn").status == PlanStatus.CLOSED
    response = client.get(reverse("oversight:plan_add_producers", args=[plan.pk]))
    assert response.status_code == 302


# --- inspections list, queue and menu -----------------------------------------------------------------


def test_inspection_list_filters_and_scope(ov) -> None:
    planning.add_producers(
        ov.world.users["province_hn"], ov.plans["hn"], [ov.producers["hn1"], ov.producers["hn2"]]
    )
    planning.add_producers(ov.world.users["province_hcm"], ov.plans["hcm"], [ov.producers["hcm1"]])
    url = reverse("oversight:inspection_list")
    central = ov.world.client("central")
    page = central.get(url).content.decode()
    assert all(name in page for name in ("Đồng Xanh", "Sao Mai", "Bến Nghé"))
    page = ov.world.client("province_hn").get(url).content.decode()
    assert "Đồng Xanh" in page and "Bến Nghé" not in page
    page = ov.world.client("commune_hn1").get(url).content.decode()
    assert "Đồng Xanh" in page and "Sao Mai" not in page
    assert "Sao Mai" not in central.get(url, {"q": "dong xanh"}).content.decode()
    page = central.get(url, {"plan": ov.plans["hcm"].pk}).content.decode()
    assert "Bến Nghé" in page and "Đồng Xanh" not in page
    page = central.get(url, {"province": "79"}).content.decode()
    assert "Bến Nghé" in page and "Đồng Xanh" not in page
    assert "Đồng Xanh" not in central.get(url, {"status": "done"}).content.decode()
    assert (
        "Đồng Xanh" in central.get(url, {"date_from": "01/10/2026", "date_to": "31/12/2026"}).content.decode()
    )
    assert "Đồng Xanh" not in central.get(url, {"date_from": "01/01/2027"}).content.decode()
    assert ov.world.client("producer_hn1").get(url).status_code == 403


def test_queue_counts_planned_inspections_of_active_plans(ov) -> None:
    user = ov.world.users["province_hn"]
    planning.add_producers(user, ov.plans["hn"], [ov.producers["hn1"], ov.producers["hn2"]])

    def item(name: str) -> queues.Item:
        (found,) = [
            i for i in queues.collect(ov.world.users[name]) if i.key == "oversight_planned_inspections"
        ]
        return found

    assert item("province_hn").count == 0  # a draft plan is not work yet
    planning.activate(user, ov.plans["hn"])
    found = item("province_hn")
    assert (found.count, found.due) == (2, dt.date(2026, 12, 31))
    assert item("province_hcm").count == 0
    assert item("central").count == 2
    page = ov.world.client("province_hn").get(found.url).content.decode()
    assert "Đồng Xanh" in page and "Sao Mai" in page
    assert not [
        i for i in queues.collect(ov.world.users["viewer_hn"]) if i.key == "oversight_planned_inspections"
    ]


def test_menu_entry_for_officers_only(ov) -> None:
    for user in ("admin", "central", "province_hn", "commune_hn1", "viewer_hn"):
        page = ov.world.client(user).get(reverse("oversight:plan_list")).content.decode()
        assert "Kiểm tra, giám sát" in page, user
    page = ov.world.client("producer_hn1").get(reverse("core:home")).content.decode()
    assert reverse("oversight:plan_list") not in page


# --- query counts ---------------------------------------------------------------------------------------


def _grow(ov: Oversight, count: int) -> None:
    hn = ov.world.places["hn1"]
    for index in range(count):
        producer = make_producer(hn, name=f"Chủ thể thêm {index}")
        product = make_product(producer, name=f"Sản phẩm thêm {index}")
        make_certificate(product, star=4, issue_date=dt.date(2025, 6, 1))
        plan = make_plan(province=ov.world.places["hn"], title=f"Kế hoạch thêm {index}")
        planning.add_producers(ov.world.users["province_hn"], plan, [producer])
        planning.add_producers(ov.world.users["province_hn"], ov.plans["hn"], [producer])


@pytest.mark.parametrize("name", ["oversight:plan_list", "oversight:inspection_list"])
def test_list_query_count_does_not_grow_with_rows(ov, name, django_assert_max_num_queries) -> None:
    client = ov.world.client("province_hn")
    url = reverse(name)
    _grow(ov, 2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(ov, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_detail_query_count_does_not_grow_with_inspections(ov, django_assert_max_num_queries) -> None:
    client = ov.world.client("province_hn")
    url = reverse("oversight:plan_detail", args=[ov.plans["hn"].pk])
    _grow(ov, 2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _grow(ov, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_decision_of_province_is_reviewed(ov) -> None:
    """A district's decision (before 2025) counts as the province's recognition in a review."""
    product = make_product(ov.producers["hn2"], name="Miến dong")
    decision = make_decision(
        number="77/QĐ-UBND",
        date=dt.date(2024, 6, 1),
        authority="UBND huyện Ba Vì",
        authority_level=AuthorityLevel.DISTRICT,
        province=ov.world.places["hn"],
        legal_basis="QD148",
    )
    make_certificate(product, decision=decision, star=3, issue_date=dt.date(2024, 6, 1))
    candidates = set(planning.candidate_products(ov.world.users["central"], ov.plans["review"]))
    assert product in candidates


def test_inspected_products_point_at_the_closed_evaluation_behind_the_certificate(ov) -> None:
    from django.utils import timezone

    from ocop.certification.models import Certificate
    from ocop.evaluation.models import (
        Dossier,
        DossierKind,
        DossierStatus,
        Evaluation,
        EvaluationStatus,
        Round,
    )

    round_ = Round.objects.create(
        level="province",
        province=ov.world.places["hn"],
        year=2024,
        number=1,
        proposals_by=dt.date(2024, 4, 30),
        closes_by=dt.date(2024, 6, 30),
    )

    def closed_evaluation(product, star: int) -> Evaluation:
        dossier = Dossier.objects.create(
            product=product, kind=DossierKind.FIRST, sheet="B07", status=DossierStatus.RECOGNISED
        )
        return Evaluation.objects.create(
            dossier=dossier,
            round=round_,
            sheet="B07",
            criteria_version=dossier.criteria_version,
            status=EvaluationStatus.CLOSED,
            star=star,
            closed_at=timezone.make_aware(dt.datetime(2024, 1, 20, 9)),
        )

    # The tea's certificate names its evaluation; the rice's was recorded without one: the
    # product's last closed evaluation with the same star before the issue is the one.
    own = closed_evaluation(ov.products["hn1_tea"], 4)
    Certificate.objects.filter(pk=ov.certificates["hn1_tea"].pk).update(evaluation=own)
    found = closed_evaluation(ov.products["hn1_rice"], 3)
    planning.add_producers(ov.world.users["province_hn"], ov.plans["hn"], [ov.producers["hn1"]])
    rows = {row.product_id: row.evaluation for row in InspectedProduct.objects.all()}
    assert rows == {ov.products["hn1_tea"].pk: own, ov.products["hn1_rice"].pk: found}
