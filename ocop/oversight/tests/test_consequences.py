"""What follows an inspection's conclusion (consequences.after_conclusion): notices, revocation
proposals on the certificate page, removal from the programme, re-evaluation requests.

The conclusion is mimicked as ``steps.conclude`` does it: outcomes saved, then after_conclusion in
the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from ocop.certification import reminders, revocation
from ocop.certification.models import ReminderKind
from ocop.certification.tests.conftest import make_certificate, products, world  # noqa: F401
from ocop.core import clock
from ocop.core.models import Notification
from ocop.oversight import consequences
from ocop.oversight.models import (
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Outcome,
    PlanKind,
    PlanLevel,
    PlanStatus,
)
from ocop.oversight.models.inspections import OUTCOME_ORDER
from ocop.registry.classification import ProductStatus
from ocop.registry.models import Product

TODAY = dt.date(2026, 11, 23)
CONCLUDED_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def make_plan(world: Any, *, level: str = PlanLevel.PROVINCE, kind: str = PlanKind.PERIODIC, **fields: Any):  # noqa: F811
    values = {
        "level": level,
        "kind": kind,
        "province": world.places["hn"]
        if level == PlanLevel.PROVINCE or kind == PlanKind.EVALUATION_REVIEW
        else None,
        "year": 2026,
        "title": "Kế hoạch kiểm tra định kỳ năm 2026",
        "starts_on": dt.date(2026, 10, 1),
        "ends_on": dt.date(2026, 12, 31),
        "status": PlanStatus.ACTIVE,
    }
    values.update(fields)
    plan = InspectionPlan(**values)
    plan.full_clean()
    plan.save()
    return plan


def make_inspection(plan: InspectionPlan, product: Product, certificate: Any = None) -> InspectedProduct:
    inspection = Inspection.objects.create(
        plan=plan, producer=product.producer, inspected_on=CONCLUDED_ON, scheduled_on=CONCLUDED_ON
    )
    return InspectedProduct.objects.create(inspection=inspection, product=product, certificate=certificate)


def conclude(user: Any, row: InspectedProduct, outcome: str, **fields: Any) -> Inspection:
    """What steps.conclude does before calling after_conclusion."""
    with transaction.atomic():
        row.outcome = outcome
        for name, value in fields.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        inspection = row.inspection
        outcomes = list(inspection.inspected_products.values_list("outcome", flat=True))
        inspection.conclusion = max(outcomes, key=OUTCOME_ORDER.index)
        inspection.status = InspectionStatus.DONE
        inspection.concluded_on = CONCLUDED_ON
        inspection.concluded_by = user
        inspection.save()
        consequences.after_conclusion(user, inspection)
    return inspection


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.fixture
def hn1(world, products) -> Product:  # noqa: F811
    return products["hn1"]


@pytest.fixture
def certificate(hn1):
    return make_certificate(hn1, star=4, issue_date=dt.date(2025, 1, 10))


# --- notices by outcome ------------------------------------------------------------------------------


def test_compliant_tells_only_the_producer(world, hn1, certificate):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["province_hn"], row, Outcome.COMPLIANT)
    assert told(consequences.CONCLUDED) == {"producer_hn1"}
    assert Notification.objects.exclude(kind=consequences.CONCLUDED).count() == 0
    hn1.refresh_from_db()
    assert hn1.programme_status == ProductStatus.RECOGNISED


def test_warning_tells_the_producer_the_actions_and_deadline(world, hn1, certificate):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(
        world.users["province_hn"],
        row,
        Outcome.WARNING,
        corrective_actions="Dán lại nhãn đúng hạng sao",
        deadline=dt.date(2026, 12, 20),
    )
    assert told(consequences.WARNING) == {"producer_hn1"}
    notice = Notification.objects.get(kind=consequences.WARNING)
    assert notice.params["actions"] == "Dán lại nhãn đúng hạng sao"
    assert notice.params["deadline"] == "20/12/2026"
    assert told(consequences.CONCLUDED) == {"producer_hn1"}
    assert not told(consequences.REVOCATION_PROPOSED)


def test_the_actor_is_not_told(world, hn1, certificate):  # noqa: F811
    world.users["producer_hn1"].refresh_from_db()
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["province_hn"], row, Outcome.REVOCATION, ground="b")
    assert "province_hn" not in told(consequences.REVOCATION_PROPOSED)


def test_revocation_of_a_4_star_goes_to_the_province_office(world, hn1, certificate):  # noqa: F811
    plan = make_plan(world)
    row = make_inspection(plan, hn1, certificate)
    conclude(world.users["admin"], row, Outcome.REVOCATION, ground="b")
    assert told(consequences.REVOCATION_PROPOSED) == {"province_hn"}  # not HCM, not central, not communes
    notice = Notification.objects.get(kind=consequences.REVOCATION_PROPOSED)
    assert notice.params["deadline"] == "05/12/2026"  # 15 days from 20/11/2026 (Art. 8.4)
    assert notice.params["code"] == certificate.code
    assert notice.url == certificate.get_absolute_url()
    assert told(consequences.CONCLUDED) == {"producer_hn1"}


def test_revocation_of_a_5_star_goes_to_the_ministry(world, hn1):  # noqa: F811
    five = make_certificate(hn1, star=5, issue_date=dt.date(2025, 1, 10))
    plan = make_plan(world, level=PlanLevel.CENTRAL, title="Kiểm tra sản phẩm 5 sao 2026")
    row = make_inspection(plan, hn1, five)
    conclude(world.users["admin"], row, Outcome.REVOCATION, ground="d")
    assert told(consequences.REVOCATION_PROPOSED) == {"central"}


def test_review_plan_revocation_asks_the_province(world, hn1, certificate):  # noqa: F811
    plan = make_plan(
        world, level=PlanLevel.CENTRAL, kind=PlanKind.EVALUATION_REVIEW, title="Kiểm tra công tác"
    )
    row = make_inspection(plan, hn1, certificate)
    conclude(world.users["central"], row, Outcome.REVOCATION, ground="b")
    assert told(consequences.REVOCATION_PROPOSED) == {"province_hn"}


def test_reevaluation_only_in_a_review_plan(world, hn1, certificate):  # noqa: F811
    periodic = make_inspection(make_plan(world), hn1, certificate)
    periodic.outcome = Outcome.REEVALUATION
    with pytest.raises(ValidationError) as error:
        periodic.full_clean()
    assert "outcome" in error.value.message_dict

    plan = make_plan(
        world, level=PlanLevel.CENTRAL, kind=PlanKind.EVALUATION_REVIEW, title="Kiểm tra công tác"
    )
    row = make_inspection(plan, hn1, certificate)
    inspection = conclude(world.users["central"], row, Outcome.REEVALUATION)
    assert inspection.conclusion == Outcome.REEVALUATION
    assert told(consequences.REEVALUATION_REQUESTED) == {"province_hn"}
    assert not told(consequences.REVOCATION_PROPOSED)


# --- removal from the programme --------------------------------------------------------------------


def test_removal_takes_the_product_out_of_the_programme(world, hn1, certificate):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["province_hn"], row, Outcome.REMOVAL)
    product = Product.objects.get(pk=hn1.pk)
    assert product.status == ProductStatus.REMOVED
    assert product.history.first().history_change_reason.endswith(
        "20/11/2026 (Kế hoạch kiểm tra định kỳ năm 2026)"
    )
    # Python and SQL agree: removed, no star, whatever the still-valid certificate says.
    assert product.programme_status_on(TODAY) == ProductStatus.REMOVED
    assert product.current_star is None
    annotated = Product.objects.with_programme_status(TODAY).with_current_star(TODAY).get(pk=hn1.pk)
    assert annotated.programme_status == ProductStatus.REMOVED
    assert annotated.current_star is None
    assert (
        not Product.objects.with_programme_status(TODAY)
        .filter(pk=hn1.pk, programme_status=ProductStatus.RECOGNISED)
        .exists()
    )
    assert told(consequences.REMOVED) == {"commune_hn1"}  # and province_hn, who concluded it, is left out
    assert ProductStatus.REMOVED.label == "Đưa ra khỏi chương trình"


def test_removed_products_get_no_reminders(world, products):  # noqa: F811
    # Both certificates expired on 09/11/2026: the "expired" reminder is due for both, until one leaves.
    kept = make_certificate(products["hn2"], issue_date=dt.date(2023, 11, 10))
    removed = make_certificate(products["hn1"], issue_date=dt.date(2023, 11, 10))
    due = {
        item.certificate.pk for item in reminders.due_reminders(TODAY) if item.kind == ReminderKind.EXPIRED
    }
    assert due == {kept.pk, removed.pk}
    row = make_inspection(make_plan(world), products["hn1"], removed)
    conclude(world.users["province_hn"], row, Outcome.REMOVAL)
    due = {item.certificate.pk for item in reminders.due_reminders(TODAY)}
    assert due == {kept.pk}


# --- the revocation proposal on the certificate page -----------------------------------------------


def test_certificate_page_shows_the_proposal_and_the_form_is_prefilled(world, hn1, certificate, monkeypatch):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["central"], row, Outcome.REVOCATION, ground="c")
    client = world.client("province_hn")
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Đề nghị thu hồi" in page
    assert "Biên bản kiểm tra ngày 20/11/2026 — Kế hoạch kiểm tra định kỳ năm 2026" in page
    assert "05/12/2026" in page and "Chờ quyết định thu hồi" in page
    assert "text-danger" not in page.split("Đề nghị thu hồi", 1)[1].split("</section>", 1)[0]

    form = client.get(reverse("certification:certificate_revoke", args=[certificate.code])).content.decode()
    assert 'value="c" class="form-check-input" required id="id_ground_2" checked' in form or (
        'value="c"' in form and "checked" in form.split('value="c"', 1)[1].split(">", 1)[0]
    )
    assert 'value="20/11/2026"' in form
    assert "Theo biên bản kiểm tra ngày 20/11/2026 của Kế hoạch kiểm tra định kỳ năm 2026" in form

    # Past the 15 days: overdue, in red.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 6))
    page = client.get(certificate.get_absolute_url()).content.decode()
    section = page.split('id="revocation-proposals"', 1)[1].split("</section>", 1)[0]
    assert "text-danger" in section and "Quá hạn ban hành quyết định thu hồi" in section


def test_revoked_certificate_shows_the_proposal_decided_and_v_shows_the_ground(world, hn1, certificate):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["central"], row, Outcome.REVOCATION, ground="b")
    proposal = consequences.revocation_proposals(world.users["province_hn"], certificate)[-1]
    revocation.revoke(
        world.users["province_hn"],
        certificate,
        ground=proposal.ground,
        number="15/QĐ-UBND",
        date=dt.date(2026, 11, 23),
        authority="UBND thành phố Hà Nội",
        reason=proposal.reason,
    )
    page = world.client("province_hn").get(certificate.get_absolute_url()).content.decode()
    assert "Đã quyết định: thu hồi theo Quyết định số 15/QĐ-UBND ngày 23/11/2026" in page
    cache.clear()
    public = world.client("viewer_hn").get(f"/v/{certificate.code}").content.decode()
    assert "THU HỒI" in public
    assert "b) Sản phẩm không còn đáp ứng" in public


def test_proposals_are_scoped(world, hn1, certificate):  # noqa: F811
    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["central"], row, Outcome.REVOCATION, ground="b")
    assert consequences.revocation_proposals(world.users["province_hn"], certificate)
    # Outside the scope the certificate page itself is not found.
    assert world.client("province_hcm").get(certificate.get_absolute_url()).status_code == 404


def test_public_pages_show_a_removed_product_as_not_ocop(world, hn1, certificate):  # noqa: F811
    from ocop.public import published

    row = make_inspection(make_plan(world), hn1, certificate)
    conclude(world.users["province_hn"], row, Outcome.REMOVAL)
    cache.clear()
    anonymous = type(world.client("admin"))()
    verdict = anonymous.get(f"/v/{certificate.code}").content.decode()
    assert "ĐÃ ĐƯA RA KHỎI CHƯƠNG TRÌNH OCOP" in verdict and "HỢP LỆ" not in verdict
    product = Product.objects.get(pk=hn1.pk)
    page = anonymous.get(published.product_path(product)).content.decode()
    assert "Đã đưa ra khỏi chương trình OCOP" in page
    listed = published.published_products(TODAY).get(pk=hn1.pk)
    assert listed.public_status == published.REMOVED and listed.valid_star is None
    assert not published.published_products(TODAY).filter(public_status=published.VALID).exists()
    assert anonymous.get(f"/api/v1/public/certificates/{certificate.code}").json()["status"] == "removed"
