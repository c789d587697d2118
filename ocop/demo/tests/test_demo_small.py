"""`ocop demo`'s small realistic dataset (accounts, producers, products, certificates), run once for
the module's tests (demo/tests/conftest.py: demo_loaded), each test in a savepoint."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ocop.accounts.models import Role, User
from ocop.certification.rules import certificate_expiry
from ocop.core.models import Notification
from ocop.demo import data as demo
from ocop.demo import plans as demo_plans
from ocop.demo import scale as demo_scale
from ocop.registry import codes
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import Producer, Product

from .test_demo import demo_snapshot, needs_certificates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def test_demo_twice_changes_nothing_and_has_every_role_and_producer_type() -> None:
    first = demo_snapshot()
    out = StringIO()
    call_command("demo", stdout=out)
    assert demo_snapshot() == first
    assert "0 chủ thể mới, 0 sản phẩm mới" in out.getvalue()

    assert {role for _u, role, _p, _pw in first["users"]} == set(Role.values)
    assert set(Producer.objects.values_list("producer_type", flat=True)) == {t.value for t in ProducerType}
    producers = demo.DEMO_PRODUCERS + demo_plans.HISTORY_PRODUCERS  # with Hà Nội's and Hải Phòng's history
    assert len(first["producers"]) == len(producers)
    assert len(first["products"]) == sum(len(d.products) for d in producers)
    provinces = set(Product.objects.values_list("province__code", flat=True))
    assert provinces == {"82", "68", "01", "31"}
    names = set(Product.objects.values_list("name", flat=True))
    assert {"Xoài cát Hòa Lộc", "Bánh phồng tôm Sa Giang", "Cà phê Arabica Cầu Đất", "Cốm làng Vòng"} <= names
    # The procedure's hand-offs left their notifications, each to the people of the right unit, once.
    told = set(Notification.objects.values_list("user__username", "kind"))
    assert {
        ("chuthe.lapvo", "dossier_returned"),
        ("chuthe.lapvo", "certificate_issued"),
        ("xa.lapvo", "dossier_submitted"),
        ("tinh.dongthap", "dossier_forwarded"),
    } <= told
    assert {username for username, kind in told if kind == "dossier_submitted"} == {"xa.lapvo"}
    forwarded = {username for username, kind in told if kind == "dossier_forwarded"}
    assert forwarded == {"tinh.dongthap", "chuthe.lapvo"}
    returned = Notification.objects.get(user__username="chuthe.lapvo", kind="dossier_returned")
    assert "bổ sung phiếu kiểm nghiệm" in returned.text


def test_demo_producers_and_products_pass_validation() -> None:
    for producer in Producer.objects.all():
        producer.full_clean()
        assert codes.validate_tax_code(producer.tax_code) == producer.tax_code
    for product in Product.objects.select_related("province", "commune"):
        product.full_clean()
        parsed = codes.parse_product_code(product.code)
        assert (parsed.province, parsed.commune) == (product.province.code, product.commune.code)
        if product.gtin:
            codes.validate_gtin(product.gtin)


def test_demo_producer_accounts_act_for_a_producer_in_their_commune() -> None:
    accounts = User.objects.filter(role=Role.PRODUCER).select_related("producer")
    assert accounts.count() == 2
    for account in accounts:
        assert account.producer is not None
        assert account.producer.commune_id == account.scope_unit_id
        # What such an account sees: its own organisation's products, nothing else.
        visible = Product.objects.restrict(account, "view")
        assert visible.exists()
        assert set(visible.values_list("producer_id", flat=True)) == {account.producer_id}


def test_demo_keeps_a_product_of_a_former_commune_with_its_old_code() -> None:
    mango = Product.objects.select_related("unit", "commune").get(name="Xoài cát Hòa Lộc")
    assert (mango.unit.structure, mango.unit.code) == ("former", "28432")
    assert mango.commune.name == "Xã An Hữu"  # the current commune Hòa Hưng went into
    assert mango.legacy_code == "82-819-28432-1-2021"


@needs_certificates
def test_demo_certificates_cover_every_status() -> None:
    _decision, certificate = demo_scale.evaluation_models()
    today = timezone.localdate()
    certificates = list(certificate.objects.with_status().select_related("product"))
    statuses = {c.status for c in certificates}
    assert {"valid", "expired", "revoked", "superseded"} <= statuses
    assert certificate.objects.expiring_within(90).exists()  # "sắp hết hạn"
    assert {c.star for c in certificates} == {3, 4, 5}
    for cert in certificates:
        cert.full_clean()
        assert cert.expiry == certificate_expiry(cert.issue_date)
    # The product's status follows its latest certificate.
    latest = {}
    for cert in sorted(certificates, key=lambda c: c.issue_date):
        latest[cert.product_id] = cert
    expected = {
        "valid": ProductStatus.RECOGNISED,
        "expired": ProductStatus.EXPIRED,
        "revoked": ProductStatus.REVOKED,
    }
    for cert in latest.values():
        if cert.product.status == ProductStatus.REMOVED:  # an inspection took it out (ocop.demo.oversight)
            assert cert.product.programme_status_on(today) == ProductStatus.REMOVED
            continue
        assert cert.product.programme_status_on(today) == expected[cert.status_on(today)]
