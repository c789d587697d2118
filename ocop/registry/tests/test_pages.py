"""Producer and product pages: a commune officer's journey, scoping, search, history, query counts."""

import pytest
from django.urls import reverse

from ocop.registry.classification import ProducerType
from ocop.registry.models import Producer, Product

from .conftest import World, make_producer, make_product


def _producer_form(world: World, place: str, **extra: str) -> dict[str, str]:
    unit = world.places[place]
    data = {
        "name": "Hợp tác xã Nông nghiệp Ruộng Rươi",
        "producer_type": ProducerType.HTX.value,
        "tax_code": "0100109106",
        "status": "active",
        "unit_province": unit.current_province.code,
        "unit": str(unit.pk),
        "representative_name": "Nguyễn Thị Lan",
        "representative_gender": "female",
        "representative_ethnicity": "01",
        "workforce_total": "12",
        "workforce_local": "10",
        "_reason": "Đăng ký mới",
    }
    data.update(extra)
    return data


def test_commune_officer_creates_producer_and_product(world: World) -> None:
    client = world.client("commune_hn1")
    response = client.post(reverse("registry:producer_add"), _producer_form(world, "hn1"))
    assert response.status_code == 302, response.context["form"].errors
    producer = Producer.objects.get()
    assert producer.commune == world.places["hn1"]
    assert response["Location"] == producer.get_absolute_url()
    assert producer.history.get().history_change_reason == "Đăng ký mới"

    response = client.post(
        reverse("registry:product_add"),
        {
            "name": "Gạo ruộng rươi",
            "producer": str(producer.pk),
            "classification_set": "B03",
            "status": "potential",
            "unit_province": producer.province.code,
            "unit": str(producer.unit_id),
            "gtin": "8934567890120",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get()
    assert product.code.startswith(f"01-{world.places['hn1'].code}-1-")
    assert product.gtin == "8934567890120"

    page = client.get(product.get_absolute_url())
    assert page.status_code == 200
    assert product.code in page.content.decode()
    tab = client.get(producer.get_absolute_url() + "?tab=products")
    assert "Gạo ruộng rươi" in tab.content.decode()

    # Another commune's officer sees neither.
    other = world.client("commune_hn2")
    assert other.get(producer.get_absolute_url()).status_code == 404
    assert other.get(product.get_absolute_url()).status_code == 404
    assert other.get(reverse("registry:product_edit", args=[product.pk])).status_code == 404
    listing = other.get(reverse("registry:producer_list")).content.decode()
    assert "Ruộng Rươi" not in listing
    assert "Gạo ruộng rươi" not in other.get(reverse("registry:product_list")).content.decode()


def test_commune_officer_cannot_file_outside_their_commune(world: World) -> None:
    client = world.client("commune_hn1")
    response = client.post(reverse("registry:producer_add"), _producer_form(world, "hn2"))
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert not Producer.objects.exists()
    # The select only offers their commune (and former communes wholly inside it).
    form = client.get(reverse("registry:producer_add")).context["form"]
    current = [u for u in form.fields["unit"].queryset if u.structure == "current"]
    assert current == [world.places["hn1"]]


def test_form_validation_messages_are_vietnamese(world: World) -> None:
    client = world.client("commune_hn1")
    response = client.post(
        reverse("registry:producer_add"),
        _producer_form(world, "hn1", name="", tax_code="12345", legal_form="jsc"),
    )
    errors = response.context["form"].errors
    assert "Trường này là bắt buộc" in errors["name"][0]
    assert errors["tax_code"] and errors["legal_form"]
    producer = make_producer(world.places["hn1"])
    response = client.post(
        reverse("registry:product_add"),
        {
            "name": "Mắm",
            "producer": str(producer.pk),
            "classification_set": "B09",
            "status": "potential",
            "unit": str(producer.unit_id),
            "gtin": "8934567890125",
        },
    )
    assert "Sai số kiểm tra của mã GTIN" in response.context["form"].errors["gtin"][0]


def test_edit_records_reason_in_history(world: World) -> None:
    producer = make_producer(world.places["hn1"])
    client = world.client("province_hn")
    data = _producer_form(world, "hn1", name="HTX Đổi tên", _reason="Đổi tên theo giấy phép")
    data["tax_code"] = ""
    response = client.post(reverse("registry:producer_edit", args=[producer.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    latest = producer.history.order_by("-history_date").first()
    assert latest.history_change_reason == "Đổi tên theo giấy phép"
    history = client.get(producer.get_absolute_url() + "?tab=history").content.decode()
    assert "Đổi tên theo giấy phép" in history


def test_delete_with_confirmation_where_role_allows(world: World) -> None:
    producer = make_producer(world.places["hn1"])
    product = make_product(producer)
    commune = world.client("commune_hn1")
    assert commune.get(reverse("registry:product_delete", args=[product.pk])).status_code == 403
    province = world.client("province_hn")
    confirm = province.get(reverse("registry:product_delete", args=[product.pk]))
    assert confirm.status_code == 200 and "Bạn có chắc" in confirm.content.decode()
    # A producer with products is protected.
    response = province.post(reverse("registry:producer_delete", args=[producer.pk]), follow=True)
    assert Producer.objects.filter(pk=producer.pk).exists()
    assert "còn sản phẩm" in response.content.decode()
    province.post(reverse("registry:product_delete", args=[product.pk]), {"_reason": "Trùng hồ sơ"})
    assert not Product.objects.exists()
    assert product.history.filter(history_type="-").get().history_change_reason == "Trùng hồ sơ"
    assert (
        world.client("province_hcm").post(reverse("registry:producer_delete", args=[producer.pk])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("gao ruong ruoi", True),
        ("GẠO RUỘNG", True),
        ("ruoi gao", True),
        ("dak", True),  # the producer "HTX Đắk Mil" makes it
        ("0100109106", True),  # the producer's tax number
        ("mam tom", False),
    ],
)
def test_search_without_diacritics(world: World, query: str, found: bool) -> None:
    producer = make_producer(world.places["hn1"], name="HTX Đắk Mil", tax_code="0100109106")
    make_product(producer, name="Gạo ruộng rươi")
    client = world.client("province_hn")
    products = client.get(reverse("registry:product_list"), {"q": query}).content.decode()
    assert ("Gạo ruộng rươi" in products) is found
    producers = client.get(reverse("registry:producer_list"), {"q": "dak mil"}).content.decode()
    assert "HTX Đắk Mil" in producers


def test_filters_and_htmx_fragment(world: World) -> None:
    hn1 = make_producer(world.places["hn1"], producer_type=ProducerType.HO_SX)
    make_product(hn1, name="Chè xanh", classification_set="B11")
    make_product(make_producer(world.places["hn2"]), name="Rượu nếp", classification_set="B14")
    client = world.client("central")
    url = reverse("registry:product_list")

    def names(**params: str) -> set[str]:
        return {p.name for p in client.get(url, params).context["table"].data}

    assert names(sector="II") == {"Rượu nếp"}
    assert names(group="I.5") == {"Chè xanh"}
    assert names(classification_set="B11") == {"Chè xanh"}
    assert names(commune=world.places["hn2"].code) == {"Rượu nếp"}
    assert names(province="79") == set()
    assert names(producer_type="HO_SX") == {"Chè xanh"}
    fragment = client.get(url, {"q": "che"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "Chè xanh" in fragment.content.decode()


def test_list_and_detail_query_counts_do_not_grow(world: World, django_assert_max_num_queries) -> None:
    def populate(n: int) -> Producer:
        producer = None
        for _ in range(n):
            producer = make_producer(world.places["hn1"])
            make_product(producer)
            make_product(producer)
        return producer

    client = world.client("province_hn")
    client.get(reverse("registry:producer_list"))  # warm the session
    populate(2)
    budgets = {}
    for name in ("registry:producer_list", "registry:product_list"):
        with django_assert_max_num_queries(30) as counted:
            assert client.get(reverse(name)).status_code == 200
        budgets[name] = len(counted.captured_queries)
    producer = populate(8)
    for name, before in budgets.items():
        with django_assert_max_num_queries(before):
            client.get(reverse(name))
    product = producer.products.first()
    for url in (
        producer.get_absolute_url(),
        producer.get_absolute_url() + "?tab=products",
        producer.get_absolute_url() + "?tab=history",
        product.get_absolute_url(),
        product.get_absolute_url() + "?tab=history",
    ):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_nav_links_resolve(world: World) -> None:
    page = world.client("viewer_hn").get(reverse("registry:product_list"))
    assert page.status_code == 200 and not page.context["can_add"]


def test_unit_options_fragment(world: World) -> None:
    client = world.client("province_hn")
    html = client.get(reverse("registry:unit_options"), {"unit_province": "01"}).content.decode()
    assert world.places["hn1"].name in html and "trước 01/07/2025" in html
    assert "<option" in client.get(reverse("registry:unit_options"), {"unit_province": "79"}).content.decode()
    assert (
        client.get(reverse("registry:unit_options"), {"unit_province": "79"})
        .content.decode()
        .count("<option")
        == 1
    )


def test_household_records_its_personal_id_or_registration_number(world: World) -> None:
    """A hộ kinh doanh has no 10-digit tax code: its head's CCCD or its registration number, each checked."""
    client = world.client("commune_hn1")
    household = {
        "name": "Hộ kinh doanh Nguyễn Văn Bình",
        "producer_type": ProducerType.HO_SX.value,
        "tax_code": "",
    }
    response = client.post(
        reverse("registry:producer_add"),
        _producer_form(world, "hn1", **household, household_id="003087123456"),
    )
    assert "không phải mã tỉnh" in response.context["form"].errors["household_id"][0]
    response = client.post(
        reverse("registry:producer_add"),
        _producer_form(world, "hn1", **household, household_id="001 087 123 456"),
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Producer.objects.get().household_id == "001087123456"
    # An older household business certificate number is checked by its own (looser) shape.
    response = client.post(
        reverse("registry:producer_add"),
        _producer_form(world, "hn1", **{**household, "name": "Hộ Lê Thị Hoa"}, household_id="01d8001234"),
    )
    assert response.status_code == 302 and Producer.objects.filter(household_id="01D8001234").exists()
    # The same number twice, or on a cooperative, is refused.
    response = client.post(
        reverse("registry:producer_add"),
        _producer_form(world, "hn1", **{**household, "name": "Hộ khác"}, household_id="001087123456"),
    )
    assert "đã có trong sổ đăng ký" in response.context["form"].errors["household_id"][0]
    response = client.post(
        reverse("registry:producer_add"), _producer_form(world, "hn1", tax_code="", household_id="41M8012345")
    )
    assert "Chỉ hộ kinh doanh" in response.context["form"].errors["household_id"][0]
