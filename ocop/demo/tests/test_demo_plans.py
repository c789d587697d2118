"""`ocop demo` holds years of history in Hà Nội and Hải Phòng and programme plans with targets
(issue 14, point 8): what the statistics as of a date, the plans pages and the reports show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ocop.accounts.models import Role, User
from ocop.certification.models import AuthorityLevel, Certificate, Decision, DecisionKind, legal_basis_on
from ocop.certification.rules import add_months, certificate_expiry
from ocop.core.scoping import VIEW
from ocop.demo import data as demo
from ocop.demo import plans as demo_plans
from ocop.plans.models import ManualValue, PeriodicReport, Plan, ReportKind, ReportStatus, Target
from ocop.registry.classification import ProducerType
from ocop.registry.models import Producer, Product
from ocop.reports import statistics

pytestmark = pytest.mark.django_db

# The fixed indicator codes every plan may name (the contract ocop.plans implements).
COMPUTED = {
    "products_recognised", "new_products", "products_3_star", "products_4_star",
    "products_potential_5_star", "products_5_star", "share_5_star", "share_cooperatives_enterprises",
    "communes_with_ocop", "reevaluated_on_time", "traceable_products", "revocations", "inspections_done",
}  # fmt: skip
MANUAL = {"training_classes", "support_funds", "points_of_sale"}
POTENTIAL = "4★ tiềm năng 5★"
END_OF_2022 = dt.date(2022, 12, 31)


@pytest.fixture
def loaded(demo_loaded) -> None:
    """The demo, run once for this module's tests (demo/tests/conftest.py)."""


def _category(star: int, potential: bool) -> int | str:
    return POTENTIAL if star == 4 and potential else star


def _rank(category: int | str) -> float:
    return 4.5 if category == POTENTIAL else float(category)


def products_by_star(province: str, day: dt.date, names: set[str] | None = None) -> Counter:
    """Each product's best certificate valid on ``day`` (``valid_on``), counted by star; "4★ tiềm
    năng 5★" apart from the other 4★ as the statistics count them."""
    best: dict[int, int | str] = {}
    valid = Certificate.objects.valid_on(day).filter(product__province__code=province)
    if names is not None:
        valid = valid.filter(product__name__in=names)
    for product_id, star, potential in valid.values_list("product_id", "star", "potential_5_star"):
        category = _category(star, potential)
        if product_id not in best or _rank(category) > _rank(best[product_id]):
            best[product_id] = category
    return Counter(best.values())


def cooperative_share(province: str, day: dt.date) -> tuple[int, int]:
    """(HTX + DN, all) among the producers with a product valid on ``day``."""
    producers = Producer.objects.filter(
        products__in=Certificate.objects.valid_on(day)
        .filter(product__province__code=province)
        .values("product_id")
    ).distinct()
    types = list(producers.values_list("producer_type", flat=True))
    return sum(t in (ProducerType.HTX, ProducerType.DN_SME) for t in types), len(types)


def expected_by_star(names: set[str], day: dt.date, loaded_on: dt.date) -> Counter:
    """What the demo's own description says each product held on ``day`` (pure Python, no query):
    the history of ocop.demo.plans and the certificates of ocop.demo.data dated from ``loaded_on``."""
    best: dict[str, int | str] = {}

    def consider(name: str, chain: list[tuple[dt.date, int, bool]], revoked: dt.date | None) -> None:
        chain = [item for item in chain if item[0] <= loaded_on]
        for index, (issued, star, potential) in enumerate(chain):
            expiry = certificate_expiry(issued)
            successor = chain[index + 1][0] if index + 1 < len(chain) else None
            superseded = successor is not None and successor <= expiry and successor <= day
            ends_revoked = index == len(chain) - 1 and revoked is not None and revoked <= day
            if issued <= day <= expiry and not superseded and not ends_revoked:
                category = _category(star, potential)
                if name not in best or _rank(category) > _rank(best[name]):
                    best[name] = category

    for history in demo_plans.HISTORY:
        if history.product in names:
            revocation = history.revocation
            consider(
                history.product,
                [(i.day, i.star, i.potential_5_star) for i in history.issues],
                revocation.day if revocation and revocation.day <= loaded_on else None,
            )
    for item in demo.DEMO_CERTIFICATES:
        if item.product in names:
            issued = item.issue_date or add_months(loaded_on, -item.months_ago)
            chain = [(issued, item.star, item.potential_5_star)]
            if item.upgraded_to is not None:
                chain.append((add_months(loaded_on, -item.upgraded_to[1]), item.upgraded_to[0], False))
            revoked = add_months(loaded_on, -item.revoked_months_ago) if item.revoked_months_ago else None
            consider(item.product, chain, revoked)
    return Counter(best.values())


# --- idempotent ---------------------------------------------------------------------------------------


def _snapshot() -> dict[str, list]:
    return {
        "plans": list(Plan.objects.order_by("pk").values_list("pk", "title", "updated")),
        "targets": list(Target.objects.order_by("pk").values_list("pk", "indicator", "value", "deadline")),
        "manual": list(ManualValue.objects.order_by("pk").values_list("pk", "indicator", "value")),
        "producers": list(Producer.objects.order_by("pk").values_list("pk", "tax_code", "updated")),
        "products": list(Product.objects.order_by("pk").values_list("pk", "code", "status", "updated")),
        "decisions": list(Decision.objects.order_by("pk").values_list("pk", "number", "date", "authority")),
        "certificates": list(
            Certificate.objects.order_by("pk").values_list(
                "pk", "code", "superseded_by", "revoked_on", "updated"
            )
        ),
        "history": [Plan.history.count(), Target.history.count(), Certificate.history.count()],
    }


def test_a_second_run_creates_nothing(loaded) -> None:
    first = _snapshot()
    out = StringIO()
    call_command("demo", stdout=out)
    assert _snapshot() == first
    assert "0 kế hoạch mới, 0 chỉ tiêu mới, 0 số liệu nhập tay mới" in out.getvalue()
    assert "Báo cáo định kỳ: 0 báo cáo mới" in out.getvalue() and PeriodicReport.objects.count() == 1
    assert "0 chủ thể mới, 0 sản phẩm mới, 0 giấy chứng nhận mới" in out.getvalue()


# --- the history ----------------------------------------------------------------------------------------


def test_ha_noi_as_of_31_12_2022_has_every_star_and_potential_5_star_apart(loaded) -> None:
    # What the dashboard as of 31/12/2022 shows: 3★, 4★, "tiềm năng 5 sao" as its own figure, 5★.
    assert products_by_star("01", END_OF_2022) == {3: 7, 4: 5, POTENTIAL: 2, 5: 1}
    potential = Certificate.objects.valid_on(END_OF_2022).filter(
        product__province__code="01", potential_5_star=True
    )
    assert set(potential.values_list("product__name", flat=True)) == {
        "Bộ ấm chén men ngọc Kim Lan",
        "Giỏ mây đan Phú Vinh",
    }
    # Two producers in three are cooperatives or enterprises.
    assert cooperative_share("01", END_OF_2022) == (6, 9)
    assert products_by_star("31", END_OF_2022) == {3: 6, 4: 4}
    assert cooperative_share("31", END_OF_2022) == (5, 7)


def test_ha_noi_today_is_what_the_demo_describes(loaded) -> None:
    today = timezone.localdate()
    names = set(Product.objects.filter(province__code="01").values_list("name", flat=True))
    assert len(names) == 24
    assert products_by_star("01", today) == expected_by_star(names, today, today)
    assert products_by_star("01", END_OF_2022) == expected_by_star(names, END_OF_2022, today)
    haiphong = set(Product.objects.filter(province__code="31").values_list("name", flat=True))
    assert len(haiphong) == 11
    assert products_by_star("31", today) == expected_by_star(haiphong, today, today)
    # The history alone (fixed dates) at the end of November 2026: the two 5★ of the Ministry, the
    # upgrades, one potential 5★ left; the revoked and the lapsed ones no longer count.
    history = {h.product for h in demo_plans.HISTORY}
    assert products_by_star("01", dt.date(2026, 11, 30), history) == {3: 3, 4: 7, POTENTIAL: 1, 5: 2}
    assert products_by_star("31", dt.date(2026, 11, 30), history) == {3: 4, 4: 3, POTENTIAL: 1}


def test_every_certificate_of_the_history_is_consistent(loaded) -> None:
    names = {h.product for h in demo_plans.HISTORY}
    certificates = list(
        Certificate.objects.filter(product__name__in=names)
        .select_related("decision", "superseded_by", "revocation_decision", "product__province")
        .order_by("product_id", "issue_date")
    )
    assert len(certificates) == sum(len(h.issues) for h in demo_plans.HISTORY)
    chains: dict[int, list[Certificate]] = {}
    for cert in certificates:
        cert.full_clean()
        chains.setdefault(cert.product_id, []).append(cert)
        assert cert.expiry == add_months(cert.issue_date, 36)
        decision = cert.decision
        assert (decision.kind, decision.date) == (DecisionKind.RECOGNITION, cert.issue_date)
        assert cert.legal_basis == decision.legal_basis == legal_basis_on(cert.issue_date).value
        # 5★ by the Ministry only; a former district only 3★, and only before 01/07/2025.
        assert (cert.star == 5) == (decision.authority_level == AuthorityLevel.CENTRAL)
        if decision.authority_level == AuthorityLevel.DISTRICT:
            assert cert.star == 3 and dt.date(2023, 2, 24) <= cert.issue_date < dt.date(2025, 7, 1)
        if cert.potential_5_star:
            assert cert.star == 4
    for chain in chains.values():
        for earlier, later in zip(chain, chain[1:], strict=False):
            if later.issue_date <= earlier.expiry:
                # A re-evaluation or an upgrade: it supersedes, with the same star or a higher one.
                assert earlier.superseded_by_id == later.pk
                assert later.star >= earlier.star
            else:  # lapsed first: a new recognition, nothing superseded
                assert earlier.superseded_by_id is None
        assert chain[-1].superseded_by_id is None
        # Never two valid certificates of one product on the same day.
        for cert in chain:
            assert (
                Certificate.objects.valid_on(cert.issue_date).filter(product_id=cert.product_id).count() == 1
            )

    (revoked,) = [c for c in certificates if c.revoked_on is not None]
    assert revoked.product.name == "Bánh chưng Tranh Khúc" and revoked.revocation_ground == "c"
    assert revoked.revocation_decision.kind == DecisionKind.REVOCATION
    assert revoked.revocation_decision.authority == "UBND thành phố Hà Nội"
    assert revoked.revocation_decision.province.code == "01"
    # Upgrades 3★ → 4★ and 4★ → 5★, lapsed ones never re-evaluated, a second 5★ from a potential one.
    upgraded = {(c.star, c.superseded_by.star) for c in certificates if c.superseded_by}
    assert {(3, 4), (4, 5), (4, 4), (3, 3), (5, 5)} <= upgraded
    today = timezone.localdate()
    lapsed = [c for c in certificates if c.superseded_by is None and c.status_on(today) == "expired"]
    assert len(lapsed) >= 5
    five = [c for c in certificates if c.star == 5]
    assert {c.decision.authority for c in five} == {
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "Bộ Nông nghiệp và Môi trường",
    }
    assert {c.decision.number.split("/")[1] for c in five} == {"QĐ-BNN-VPĐP", "QĐ-BNNMT"}
    # Former Hải Dương's products were recognised by its own province before the merger.
    hai_duong = {c.issue_date for c in certificates if c.decision.authority == "UBND tỉnh Hải Dương"}
    assert hai_duong and max(hai_duong) < dt.date(2025, 7, 1)
    # Some carry a GTIN (the traceability indicator).
    with_gtin = Product.objects.filter(name__in=names).exclude(gtin="")
    assert 0 < with_gtin.count() < len(names)


# --- plans, targets, manual values --------------------------------------------------------------------------


def test_plans_and_targets_use_the_indicator_codes(loaded) -> None:
    plans = {
        (p.province.code if p.province else None, p.start_year, p.end_year): p for p in Plan.objects.all()
    }
    assert set(plans) == {("01", 2021, 2025), ("01", 2026, 2030), ("31", 2021, 2025), (None, 2021, 2025),
                          (None, 2026, 2030)}  # fmt: skip
    for plan in plans.values():
        plan.full_clean()
        assert plan.document_number and plan.document_date and plan.document_issuer and plan.created_by
        assert plan.targets.exists()
        assert plan.history.first().history_change_reason == demo.DEMO_REASON
    assert {t.indicator for t in Target.objects.all()} <= COMPUTED | MANUAL

    hanoi = plans[("01", 2026, 2030)]
    assert (hanoi.level, hanoi.created_by.username) == ("province", "tinh.hanoi")
    targets = {(t.indicator, t.deadline): t.value for t in hanoi.targets.all()}
    assert targets[("new_products", dt.date(2030, 12, 31))] == 20
    assert targets[("share_5_star", dt.date(2030, 12, 31))] == 3
    assert targets[("share_cooperatives_enterprises", dt.date(2030, 12, 31))] == 70
    assert {"training_classes", "points_of_sale"} <= {indicator for indicator, _day in targets}
    haiphong = plans[("31", 2021, 2025)]
    assert haiphong.budget == 165_000_000_000 and haiphong.document_number == "674/QĐ-UBND"
    national = plans[(None, 2026, 2030)]
    assert national.level == "country" and national.created_by.username == "trunguong"
    assert {t.indicator for t in national.targets.all()} == {"communes_with_ocop", "share_5_star"}

    values = {(v.indicator, v.province.code): v for v in ManualValue.objects.select_related("province")}
    assert set(values) == {("training_classes", "01"), ("points_of_sale", "01"), ("support_funds", "31")}
    assert {v.indicator for v in values.values()} <= MANUAL
    assert values[("training_classes", "01")].entered_by.username == "tinh.hanoi"

    # Each province office sees its own plans, the central office all of them.
    visible = list(Plan.objects.restrict(User.objects.get(username="tinh.haiphong"), VIEW))
    assert haiphong in visible and all(plan.province_id != hanoi.province_id for plan in visible)
    central = User.objects.get(username="trunguong")
    assert Plan.objects.restrict(central, VIEW).count() == len(plans)


def test_new_officer_logins_for_ha_noi_and_hai_phong(loaded) -> None:
    for username, code in (("tinh.hanoi", "01"), ("tinh.haiphong", "31")):
        officer = User.objects.select_related("scope_unit").get(username=username)
        assert (officer.role, officer.scope_unit.code) == (Role.PROVINCE, code)
        assert officer.check_password(demo.DEMO_PASSWORD)
    out = StringIO()
    call_command("demo", "--print-logins", stdout=out)
    assert "tinh.haiphong" in out.getvalue() and "Thành phố Hải Phòng (31)" in out.getvalue()


def test_ha_noi_has_filed_its_six_month_report_with_frozen_figures(loaded) -> None:
    report = PeriodicReport.objects.get(province__code="01", kind=ReportKind.SEMIANNUAL)
    assert report.status == ReportStatus.FILED and report.filed_by.username == "tinh.hanoi"
    assert report.period_end == dt.date(report.year, 6, 30) and report.period_end < timezone.localdate()
    assert report.figures and report.narrative
    # What it froze: the statistics of Hà Nội as of 30/06 of that year.
    province = report.province
    snapshot = statistics.snapshot(statistics.Scope(province=province), report.period_end).to_dict()
    assert str(snapshot["products"]["ocop"]) in str(report.figures)
    client = Client()
    client.force_login(User.objects.get(username="tinh.hanoi"))
    for suffix in ("", "xlsx/", "pdf/"):
        response = client.get(f"/plans/reports/{report.pk}/{suffix}")
        assert response.status_code == 200, suffix
