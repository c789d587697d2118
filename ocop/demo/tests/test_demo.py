"""`ocop demo`: the small realistic dataset (accounts, producers, products, certificates) and the
national-scale generator (`--scale national`) with small counts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from ocop.accounts.models import User
from ocop.certification.rules import certificate_expiry
from ocop.demo import scale as demo_scale
from ocop.registry import codes
from ocop.registry.models import Producer, Product, ProductCodeCounter

HAS_CERTIFICATES = demo_scale.evaluation_models() is not None
needs_certificates = pytest.mark.skipif(not HAS_CERTIFICATES, reason="evaluation app has no certificates yet")


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The demo hashes a dozen passwords per run; the production hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def demo_snapshot() -> dict[str, list]:
    snapshot = {
        "users": list(
            User.objects.order_by("username").values_list("username", "role", "producer_id", "password")
        ),
        "producers": list(
            Producer.objects.order_by("tax_code").values_list("pk", "tax_code", "name", "updated")
        ),
        "products": list(
            Product.objects.order_by("code").values_list("pk", "code", "name", "status", "updated")
        ),
    }
    if HAS_CERTIFICATES:
        decision, certificate = demo_scale.evaluation_models()
        snapshot["decisions"] = list(decision.objects.order_by("pk").values_list("pk", "number", "date"))
        snapshot["certificates"] = list(
            certificate.objects.order_by("pk").values_list("pk", "code", "superseded_by", "revoked_on")
        )
    return snapshot


# The small demo's contents: test_demo_small.py.


# --- the national-scale generator with small counts --------------------------------------------------


class _Rollback(Exception):
    pass


def generated_rows(seed: int, producers: int = 30, products: int = 60) -> dict[str, list]:
    """What `generate` writes (ids and timestamps aside), inside a savepoint that is rolled back."""
    rows: dict[str, list] = {}
    try:
        with transaction.atomic():
            demo_scale.generate(producers=producers, products=products, seed=seed)
            rows["producers"] = list(
                Producer.objects.order_by("email").values_list(
                    "name", "tax_code", "unit__code", "producer_type"
                )
            )
            rows["products"] = list(
                Product.objects.order_by("code").values_list("code", "name", "gtin", "legacy_code", "status")
            )
            if HAS_CERTIFICATES:
                _decision, certificate = demo_scale.evaluation_models()
                rows["certificates"] = list(
                    certificate.objects.order_by("code").values_list(
                        "code", "product__code", "star", "issue_date", "revoked_on", "superseded_by__code"
                    )
                )
            raise _Rollback
    except _Rollback:
        pass
    return rows


@pytest.mark.django_db
def test_scale_is_deterministic_with_a_seed() -> None:
    first = generated_rows(seed=7)
    assert len(first["producers"]) == 30 and len(first["products"]) == 60
    assert generated_rows(seed=7) == first
    assert generated_rows(seed=8) != first


@pytest.mark.django_db
def test_scale_rows_are_what_validation_and_save_would_give() -> None:
    result = demo_scale.generate(producers=40, products=90, seed=11)
    assert result.provinces == 34
    # At least one producer in every province, even with small counts.
    assert Producer.objects.values("province").distinct().count() == 34
    products = list(
        Product.objects.select_related("unit__current_province", "province", "commune", "producer")
    )
    assert len(products) == 90
    for product in products:
        product.full_clean()
        stored = (
            product.search_text,
            product.sort_key,
            product.province_id,
            product.commune_id,
            product.code,
        )
        product.save()  # the normal path recomputes every derived field
        product.refresh_from_db()
        assert (
            product.search_text,
            product.sort_key,
            product.province_id,
            product.commune_id,
            product.code,
        ) == stored
        if product.legacy_code:
            codes.parse_legacy_code(product.legacy_code)
    for producer in Producer.objects.select_related("unit__current_province"):
        producer.full_clean()
        stored = (producer.search_text, producer.sort_key, producer.province_id, producer.commune_id)
        producer.save()
        producer.refresh_from_db()
        assert (producer.search_text, producer.sort_key, producer.province_id, producer.commune_id) == stored
    # Names identify a chủ thể without a tax code (imports): unique, as are a producer's product names.
    names = list(Producer.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    pairs = list(Product.objects.values_list("producer_id", "name"))
    assert len(pairs) == len(set(pairs))
    # Every generated record has its "created" history row, as a normal save writes.
    assert Product.history.filter(history_type="+").count() == 90


@needs_certificates
@pytest.mark.django_db
def test_scale_certificates_are_valid_and_shaped_like_the_programme() -> None:
    from ocop.certification import codes as certificate_codes

    decision_model, certificate_model = demo_scale.evaluation_models()
    result = demo_scale.generate(producers=150, products=300, seed=5)
    assert result.certificates == certificate_model.objects.count() > 0
    assert result.counts_by_star[3] > result.counts_by_star.get(4, 0) > result.counts_by_star.get(5, 0)
    for decision in decision_model.objects.all():
        decision.full_clean()
    certificates = list(
        certificate_model.objects.with_status().select_related("product__province", "decision")
    )
    assert {"valid", "expired", "superseded"} <= {c.status for c in certificates}
    for cert in certificates:
        cert.full_clean()
        assert cert.expiry == certificate_expiry(cert.issue_date)
        parsed = certificate_codes.parse(cert.code)
        assert (parsed.province, parsed.year) == (cert.product.province.code, cert.issue_date.year)
        assert dt.date(demo_scale.FIRST_YEAR, 1, 1) <= cert.issue_date <= timezone.localdate()


@pytest.mark.django_db
def test_product_codes_continue_after_generation() -> None:
    demo_scale.generate(producers=20, products=50, seed=3)
    commune_id, last = (
        Product.objects.values_list("commune_id", "code_sequence").order_by("-code_sequence").first()
    )
    assert ProductCodeCounter.objects.get(commune_id=commune_id).last == last
    producer = Product.objects.filter(commune_id=commune_id).first().producer
    product = Product(name="Sản phẩm mới sau khi sinh dữ liệu", producer=producer, unit_id=commune_id,
                      classification_set="B07")  # fmt: skip
    product.full_clean()
    product.save()
    assert product.code_sequence == last + 1


@needs_certificates
@pytest.mark.django_db
def test_certificate_codes_continue_after_generation() -> None:
    decision_model, certificate_model = demo_scale.evaluation_models()
    demo_scale.generate(producers=20, products=60, seed=4)
    latest = (
        certificate_model.objects.select_related("product__province", "decision")
        .order_by("-issue_date")
        .first()
    )
    year = latest.issue_date.year
    province = latest.product.province.code
    sequences = [
        int(code.split("-")[3])
        for code in certificate_model.objects.filter(
            product__province__code=province, issue_date__year=year
        ).values_list("code", flat=True)
    ]
    product = Product.objects.filter(province__code=province, certificates__isnull=True).first()
    if product is None:
        pytest.skip("every product of that province already has a certificate")
    cert = certificate_model(
        product=product, decision=latest.decision, star=latest.star, issue_date=latest.issue_date
    )
    cert.save()
    assert int(cert.code.split("-")[3]) == max(sequences) + 1


@pytest.mark.django_db
def test_scale_refuses_a_database_that_already_has_generated_data() -> None:
    demo_scale.generate(producers=3, products=3, seed=1)
    with pytest.raises(CommandError, match="cơ sở dữ liệu mới"):
        demo_scale.generate(producers=3, products=3, seed=1)


@pytest.mark.django_db
def test_demo_command_scale_flags() -> None:
    out = StringIO()
    call_command(
        "demo", "--scale", "national", "--producers", "6", "--products", "9", "--seed", "2", stdout=out
    )
    generated = Producer.objects.filter(email__endswith=f"@{demo_scale.MARK_DOMAIN}")
    assert generated.count() == 6
    assert Product.objects.filter(producer__in=generated).count() == 9
    assert "chỉ để đo hiệu năng" in out.getvalue()
    assert User.objects.filter(username="trunguong").exists()  # the demo logins come with it
