"""Producer and Product models: product codes, location roll-up, validation messages, search columns."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ocop.core.text import fold
from ocop.geo.models import Structure
from ocop.registry.classification import ProducerType
from ocop.registry.models import Ethnicity, LegalForm, Producer, Product, ProductCodeCounter

from .conftest import make_producer, make_product

YEAR = timezone.localdate().year


@pytest.fixture
def ba_dinh(unit):
    return unit("00004")


@pytest.fixture
def hoan_kiem(unit):
    return unit("00070")


def test_product_code_is_generated_per_commune(ba_dinh, hoan_kiem) -> None:
    producer = make_producer(ba_dinh)
    first, second = make_product(producer), make_product(producer)
    other = make_product(make_producer(hoan_kiem))
    assert first.code == f"01-00004-1-{YEAR}"
    assert second.code == f"01-00004-2-{YEAR}"
    assert other.code == f"01-00070-1-{YEAR}"
    assert (second.code_sequence, second.code_year) == (2, YEAR)
    assert ProductCodeCounter.objects.get(commune=ba_dinh).last == 2


def test_product_code_is_kept_on_later_saves_and_unique(ba_dinh, hoan_kiem) -> None:
    product = make_product(make_producer(ba_dinh))
    code = product.code
    product.name = "Tên mới"
    product.unit = hoan_kiem  # moving the product does not renumber it
    product.save()
    product.refresh_from_db()
    assert product.code == code
    codes = [make_product(product.producer).code for _ in range(5)]
    assert len(set(codes + [code])) == 6


def test_deleted_product_number_is_not_reused(ba_dinh) -> None:
    producer = make_producer(ba_dinh)
    make_product(producer)
    second = make_product(producer)
    second.delete()
    assert make_product(producer).code_sequence == 3


def test_product_in_former_commune_rolls_up_to_current_province(unit) -> None:
    """Former Phường 4 (Mỹ Tho, Tiền Giang, 28252) is now part of Phường Đạo Thạnh, Đồng Tháp."""
    former = unit("28252", Structure.FORMER)
    producer = make_producer(former)
    product = make_product(producer)
    assert product.province.code == "82"
    assert product.commune.code == "28249"
    assert product.code == f"82-28249-1-{YEAR}"
    assert Product.objects.filter(province__code="82").get() == product
    assert Producer.objects.filter(province__code="82", commune__code="28249").get() == producer


def test_product_in_split_former_commune_has_province_but_no_code_yet(unit) -> None:
    """Former Phường Cống Vị (00007) went into two communes: province known, commune and code not."""
    former = unit("00007", Structure.FORMER)
    product = make_product(make_producer(unit("00004")), unit=former)
    assert product.province.code == "01"
    assert product.commune is None and product.code is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_code_assignment_gives_distinct_numbers(unit) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database for concurrent connections")
    ba_dinh = unit("00004")
    producer = make_producer(ba_dinh)
    results, errors = [], []

    def create() -> None:
        try:
            results.append(make_product(producer).code_sequence)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(1, 9))


# --- validation messages (Vietnamese) ---


def _errors(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_gtin_validation_messages(ba_dinh) -> None:
    producer = make_producer(ba_dinh)
    product = Product(
        name="Mắm", producer=producer, unit=ba_dinh, classification_set="B09", gtin="893456789012"
    )
    assert "13 hoặc 14 chữ số" in _errors(product)["gtin"][0]
    product.gtin = "8934567890125"  # wrong check digit (should end in 0)
    message = _errors(product)["gtin"][0]
    assert "Sai số kiểm tra" in message
    product.gtin = "abc"
    assert "13 hoặc 14 chữ số" in _errors(product)["gtin"][0]


def test_gtin_is_optional_canonical_and_unique(ba_dinh) -> None:
    producer = make_producer(ba_dinh)
    assert make_product(producer).gtin == ""
    make_product(producer)  # two products without GTIN are fine
    first = make_product(producer, gtin="8934567890120")
    assert first.gtin == "8934567890120"
    twin = Product(
        name="Trùng", producer=producer, unit=ba_dinh, classification_set="B07", gtin="08934567890120"
    )
    assert "đã được gán" in _errors(twin)["gtin"][0]  # the same GTIN written with 14 digits
    fourteen = make_product(producer, gtin="18934567890127")
    assert fourteen.gtin == "18934567890127"


def test_legacy_code_is_validated(ba_dinh) -> None:
    producer = make_producer(ba_dinh)
    product = make_product(producer, legacy_code="83-829-28780-3-2022")
    assert product.legacy_code == "83-829-28780-3-2022"
    product.legacy_code = "82-28756-12-2026"
    assert "quy định cũ" in _errors(product)["legacy_code"][0]


def test_classification_is_required_unless_historic(ba_dinh) -> None:
    producer = make_producer(ba_dinh)
    product = Product(name="Chè", producer=producer, unit=ba_dinh)
    assert "bộ sản phẩm" in _errors(product)["classification_set"][0]
    product.classification_set = "B99"
    assert _errors(product)["classification_set"]
    historic = make_product(producer, classification_set="", legacy_classification="Đồ uống / Chè")
    assert historic.classification_version == "26-2026" and historic.legacy_classification


def test_producer_rules(ba_dinh) -> None:
    producer = Producer(
        name="HTX Chè",
        producer_type=ProducerType.HTX,
        unit=ba_dinh,
        legal_form=LegalForm.JSC,
        tax_code="12 3",
    )
    errors = _errors(producer)
    assert "legal_form" in errors and "tax_code" in errors
    sme = Producer(
        name="Công ty CP Nông sản",
        producer_type=ProducerType.DN_SME,
        legal_form=LegalForm.JSC,
        community_capital_share=51,
        unit=ba_dinh,
        representative_ethnicity=Ethnicity.OTHER,
        workforce_total=5,
        workforce_local=7,
    )
    errors = _errors(sme)
    assert set(errors) == {"representative_ethnicity_other", "workforce_local"}
    sme.representative_ethnicity, sme.workforce_local = Ethnicity.TAY, 5
    sme.full_clean()
    sme.save()
    assert sme.representative_is_ethnic_minority is True


def test_tax_code_unique(ba_dinh) -> None:
    make_producer(ba_dinh, tax_code="0100109106")
    twin = Producer(name="Khác", producer_type=ProducerType.HTX, unit=ba_dinh, tax_code="0100109106")
    assert "đã có trong sổ đăng ký" in _errors(twin)["tax_code"][0]


def test_search_columns_are_folded(ba_dinh) -> None:
    producer = make_producer(ba_dinh, name="Hợp tác xã Đắk Mil")
    product = make_product(producer, name="Gạo ruộng rươi", name_en="Rice")
    assert "hop tac xa dak mil" in producer.search_text
    assert fold("Gạo ruộng rươi") in product.search_text
    assert product.code in product.search_text


def test_current_star_is_derived_not_stored(ba_dinh) -> None:
    product = make_product(make_producer(ba_dinh))
    assert product.current_star is None
    assert not any("star" in f.name for f in Product._meta.get_fields())


def test_private_fields_exist() -> None:
    names = {f.name for f in Producer._meta.get_fields()}
    assert set(Producer.PRIVATE_FIELDS) <= names
    assert {"representative_gender", "representative_ethnicity", "representative_disability"} <= set(
        Producer.PRIVATE_FIELDS
    )


def test_world_accounts_are_valid(world) -> None:
    """The test world saves its accounts without validating them (3 queries an account, in most
    tests): they must pass the validation an officer's form applies."""
    assert len(world.users) == 11
    for user in world.users.values():
        user.full_clean()
