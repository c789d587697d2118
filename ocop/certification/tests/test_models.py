"""Decisions and certificates: expiry, status (Python and SQL agree), validation, current star."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from ocop.certification import codes
from ocop.certification.models import (
    AuthorityLevel,
    Certificate,
    CertificateStatus,
    DecisionKind,
    RevocationGround,
    legal_basis_on,
)
from ocop.registry.classification import LegalBasis
from ocop.registry.models import Product

from .conftest import TODAY, make_certificate, make_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(shared_products: dict[str, Product]) -> dict[str, Product]:
    """The same three products for every test of the module (conftest's ``shared_products``)."""
    return shared_products


def sql_status(certificate: Certificate, today: dt.date) -> str:
    return Certificate.objects.with_status(today).get(pk=certificate.pk).status


def test_issued_2023_is_expired_today(products) -> None:
    certificate = make_certificate(products["hn1"], star=4, issue_date=dt.date(2023, 1, 10))
    assert certificate.expiry == dt.date(2026, 1, 10)
    assert certificate.status_on(TODAY) == CertificateStatus.EXPIRED == sql_status(certificate, TODAY)
    assert not Certificate.objects.valid_on(TODAY).exists()
    assert Product.objects.with_current_star(TODAY).get(pk=products["hn1"].pk).current_star is None


def test_issued_2025_is_valid_until_2028(products) -> None:
    certificate = make_certificate(products["hn1"], star=4, issue_date=dt.date(2025, 1, 10))
    assert certificate.expiry == dt.date(2028, 1, 10)
    assert certificate.status_on(TODAY) == CertificateStatus.VALID == sql_status(certificate, TODAY)
    assert certificate.status_on(dt.date(2028, 1, 10)) == CertificateStatus.VALID
    assert certificate.status_on(dt.date(2028, 1, 11)) == CertificateStatus.EXPIRED
    assert sql_status(certificate, dt.date(2028, 1, 11)) == CertificateStatus.EXPIRED
    assert Product.objects.with_current_star(TODAY).get(pk=products["hn1"].pk).current_star == 4
    assert products["hn1"].current_star == 4  # the real clock: valid until 2028
    assert products["hn1"].current_certificate == certificate


def test_revoked_certificate_reports_revoked(products) -> None:
    revocation = make_decision(
        number="9/QĐ-UBND", date=dt.date(2026, 3, 1), kind=DecisionKind.REVOCATION, legal_basis="QD148+1489"
    )
    certificate = make_certificate(
        products["hn1"],
        issue_date=dt.date(2025, 1, 10),
        revoked_on=dt.date(2026, 3, 1),
        revocation_ground=RevocationGround.DD,
        revocation_decision=revocation,
    )
    assert certificate.status_on(TODAY) == CertificateStatus.REVOKED == sql_status(certificate, TODAY)
    assert certificate.status_on(dt.date(2026, 2, 28)) == CertificateStatus.VALID
    assert sql_status(certificate, dt.date(2026, 2, 28)) == CertificateStatus.VALID
    assert certificate.get_revocation_ground_display().startswith("đ)")
    assert Product.objects.with_current_star(TODAY).get(pk=products["hn1"].pk).current_star is None


def test_superseded_by_an_upgrade(products) -> None:
    old = make_certificate(products["hn1"], star=3, issue_date=dt.date(2024, 5, 2))
    new = make_certificate(products["hn1"], star=4, issue_date=dt.date(2025, 6, 2))
    old.superseded_by = new
    old.full_clean()
    old.save()
    assert old.status_on(TODAY) == CertificateStatus.SUPERSEDED == sql_status(old, TODAY)
    assert (
        old.status_on(dt.date(2025, 6, 1)) == CertificateStatus.VALID == sql_status(old, dt.date(2025, 6, 1))
    )
    assert list(Certificate.objects.valid_on(TODAY)) == [new]
    assert Product.objects.with_current_star(TODAY).get(pk=products["hn1"].pk).current_star == 4


def test_status_filters_in_sql(products) -> None:
    valid = make_certificate(products["hn1"], issue_date=dt.date(2024, 2, 1))  # expires 2027-02-01
    make_certificate(products["hn2"], issue_date=dt.date(2022, 2, 1), legal_basis=LegalBasis.QD1048_781)
    later = make_certificate(products["hcm1"], issue_date=dt.date(2026, 1, 5))
    assert list(Certificate.objects.expiring_within(180, TODAY)) == [valid]
    assert set(Certificate.objects.with_status_in(["valid"], TODAY)) == {valid, later}
    assert Certificate.objects.with_status(TODAY).filter(status="expired").count() == 1


def test_current_star_without_n_plus_1(products) -> None:
    for product in products.values():
        make_certificate(product, star=3, issue_date=dt.date(2025, 3, 3))
    with CaptureQueriesContext(connection) as queries:
        stars = [p.current_star for p in Product.objects.with_current_star(TODAY)]
    assert stars == [3, 3, 3]
    assert len(queries) == 1


def test_code_is_assigned_and_checks(products) -> None:
    certificate = make_certificate(products["hn1"], issue_date=dt.date(2025, 1, 10))
    parsed = codes.parse(certificate.code)
    assert (parsed.province, parsed.year, parsed.sequence) == ("01", 2025, 1)
    second = make_certificate(products["hn2"], issue_date=dt.date(2025, 2, 10))
    assert codes.parse(second.code).sequence == 2
    typo = certificate.code[:-3] + ("9" if certificate.code[-3] != "9" else "8") + certificate.code[-2:]
    assert not codes.is_valid(typo)


def test_validation_rules(products) -> None:
    decision = make_decision(date=dt.date(2024, 6, 1), province=products["hn1"].province)
    with pytest.raises(ValidationError) as error:
        make_certificate(products["hn1"], decision, star=5, issue_date=dt.date(2024, 6, 1))
    assert "star" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_certificate(
            products["hn1"], decision, star=3, potential_5_star=True, issue_date=dt.date(2024, 6, 1)
        )
    assert "potential_5_star" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_certificate(
            products["hn1"], decision, issue_date=dt.date(2024, 6, 1), legal_basis=LegalBasis.QD26_2026
        )
    assert "legal_basis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_certificate(products["hn1"], decision, issue_date=dt.date(2024, 5, 1))
    assert "issue_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_certificate(
            products["hn1"], decision, issue_date=dt.date(2024, 6, 1), revoked_on=dt.date(2025, 1, 1)
        )
    assert "revocation_ground" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_decision(number="1/QĐ-UBND", date=dt.date(2025, 7, 2), authority_level=AuthorityLevel.DISTRICT)
    assert "authority_level" in error.value.message_dict
    district = make_decision(
        number="1887/QĐ-UBND",
        date=dt.date(2025, 6, 16),
        authority="UBND huyện Đắk Song",
        authority_level=AuthorityLevel.DISTRICT,
    )
    with pytest.raises(ValidationError):
        make_certificate(products["hn1"], district, star=4, issue_date=dt.date(2025, 6, 16))
    certificate = make_certificate(products["hn1"], district, star=3, issue_date=dt.date(2025, 6, 16))
    assert certificate.expiry == dt.date(2028, 6, 16)


def test_legal_basis_defaults_to_the_rules_in_force() -> None:
    assert legal_basis_on(dt.date(2018, 1, 1)) == LegalBasis.QD490_1048
    assert legal_basis_on(dt.date(2020, 6, 8)) == LegalBasis.QD1048_781
    assert legal_basis_on(dt.date(2024, 1, 1)) == LegalBasis.QD148
    assert legal_basis_on(dt.date(2025, 7, 6)) == LegalBasis.QD148_1489
    assert legal_basis_on(dt.date(2026, 5, 22)) == LegalBasis.QD26_2026


def test_certificates_keep_history(products) -> None:
    certificate = make_certificate(products["hn1"], issue_date=dt.date(2025, 1, 10))
    certificate.number = "GCN-01"
    certificate.save()
    assert certificate.history.count() == 2


def test_what_was_recognised_is_frozen_at_issue(products) -> None:
    product = products["hn1"]
    product.classification_set = "B01"
    product.save()
    certificate = make_certificate(product, star=4, issue_date=dt.date(2025, 1, 10))
    assert certificate.certified_product_name == product.name
    assert certificate.certified_producer_name == product.producer.name
    assert certificate.certified_producer_address == product.producer.address
    assert certificate.certified_place.endswith(product.producer.province.name)
    assert certificate.certified_classification_set == "B01" and certificate.certified_classification

    product.name = "Tên mới sau khi cấp"
    product.save()
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.certified_product_name != "Tên mới sau khi cấp"
    certificate.note = "ghi chú"  # other fields still change
    certificate.full_clean()
    certificate.save()

    certificate.certified_product_name = "Tên mới sau khi cấp"
    with pytest.raises(ValidationError) as error:
        certificate.full_clean()
    assert "certified_product_name" in error.value.message_dict
    with pytest.raises(ValidationError):
        certificate.save()
    fresh = make_certificate(products["hn2"], star=3, issue_date=dt.date(2025, 2, 1))
    fresh.certified_place = "Nơi khác"  # refused on the instance that created it too
    with pytest.raises(ValidationError):
        fresh.save()
    assert Certificate.objects.get(pk=certificate.pk).certified_product_name != "Tên mới sau khi cấp"


def _stored(certificate: Certificate) -> dict[str, str]:
    row = Certificate.objects.filter(pk=certificate.pk).values(*Certificate.FROZEN_FIELDS).get()
    return dict(row)


@pytest.mark.parametrize(
    "write",
    [
        "update",
        "update_expression",
        "update_related_manager",
        "update_base_manager",
        "update_several",
        "bulk_update",
        "bulk_update_base_manager",
    ],
)
@pytest.mark.parametrize("field", Certificate.FROZEN_FIELDS)
def test_bulk_writes_cannot_change_what_was_recognised(products, write: str, field: str) -> None:
    """update() and bulk_update() bypass save(): the certificate's queryset refuses them itself."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from ocop.certification.models import FrozenFieldError

    product = products["hn1"]
    product.classification_set = "B01"
    product.save()
    product.producer.address = "Số 1 phố Hàng Bạc"
    product.producer.save()
    certificate = make_certificate(product, star=4, issue_date=dt.date(2025, 1, 10))
    other = make_certificate(products["hn2"], star=3, issue_date=dt.date(2025, 2, 1))
    # Another certificate whose frozen values all differ (set around the rule, as a repair would).
    models.QuerySet(Certificate).filter(pk=other.pk).update(**dict.fromkeys(Certificate.FROZEN_FIELDS, "X9"))
    before, other_before = _stored(certificate), _stored(other)
    assert before[field]
    one = Certificate.objects.filter(pk=certificate.pk)
    with pytest.raises(FrozenFieldError) as error:
        if write == "update":
            one.update(**{field: "Giá trị khác"})
        elif write == "update_expression":
            one.update(**{field: Concat(F(field), Value("!"))})
        elif write == "update_related_manager":
            product.certificates.update(**{field: "Giá trị khác"}, note="cùng lúc")
        elif write == "update_base_manager":
            Certificate._base_manager.filter(pk=certificate.pk).update(**{field: "Giá trị khác"})
        elif write == "update_several":  # the stored value for one, a change for the other
            Certificate.objects.filter(pk__in=[other.pk, certificate.pk]).update(**{field: before[field]})
        else:
            setattr(certificate, field, "Giá trị khác")
            manager = Certificate.objects if write == "bulk_update" else Certificate._base_manager
            manager.bulk_update([other, certificate], [field, "note"])
    assert field in error.value.message_dict
    assert "không được thay đổi" in error.value.message_dict[field][0]
    assert (_stored(certificate), _stored(other)) == (before, other_before)  # nothing written at all
    assert not Certificate.objects.exclude(note="").exists()


def test_bulk_writes_of_other_fields_and_unchanged_values_still_work(products) -> None:
    products["hn1"].producer.address = "Số 1 phố Hàng Bạc"
    products["hn1"].producer.save()
    certificate = make_certificate(products["hn1"], star=4, issue_date=dt.date(2025, 1, 10))
    before = _stored(certificate)
    assert Certificate.objects.filter(pk=certificate.pk).update(note="ghi chú") == 1
    # Writing the stored value again changes nothing: allowed (an import re-run, a form resubmitted).
    same = {name: value for name, value in before.items() if value}
    assert Certificate.objects.filter(pk=certificate.pk).update(**same) == 1
    certificate.refresh_from_db()
    certificate.number = "GCN-02"
    Certificate.objects.bulk_update([certificate], ["number", *Certificate.FROZEN_FIELDS])
    assert Certificate.objects.get(pk=certificate.pk).number == "GCN-02"
    # A field still empty may be filled once (as save() allows), then it is frozen. Emptying it is a
    # change: only a deliberate repair around the rule (a plain QuerySet) does it.
    with pytest.raises(ValidationError):
        Certificate.objects.filter(pk=certificate.pk).update(certified_producer_address="")
    models.QuerySet(Certificate).filter(pk=certificate.pk).update(certified_producer_address="")
    assert Certificate.objects.filter(pk=certificate.pk).update(certified_producer_address="Số 1") == 1
    with pytest.raises(ValidationError):
        Certificate.objects.filter(pk=certificate.pk).update(certified_producer_address="Số 2")
    assert _stored(certificate)["certified_producer_address"] == "Số 1"
