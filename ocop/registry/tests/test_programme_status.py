"""A product's status follows its certificates (never typed by hand), in the UI, the API and exports.

Stored: the stage an officer records (potential, registered, evaluating, discontinued). Shown and
filtered: the programme status, computed for "today" in SQL (`with_programme_status`) and in
Python (`Product.programme_status`) by the same rules.
"""

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ocop.accounts.models import ApiToken
from ocop.certification import models as certification
from ocop.certification.models import AuthorityLevel, Certificate, Decision
from ocop.core import clock
from ocop.registry import extensions
from ocop.registry.classification import ProductStatus
from ocop.registry.forms import ProductForm
from ocop.registry.io import PRODUCT_SPEC, export_queryset, import_file
from ocop.registry.models import Product

from .conftest import World, make_producer, make_product

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def certify(product: Product, star: int, issued: dt.date, **fields) -> Certificate:
    decision = Decision.objects.create(
        number=f"{Decision.objects.count() + 1}/QĐ-UBND",
        date=issued,
        authority="UBND thành phố Hà Nội",
        authority_level=AuthorityLevel.PROVINCE,
        province=product.province,
        legal_basis=certification.legal_basis_on(issued),
    )
    return Certificate.objects.create(
        product=product, decision=decision, star=star, issue_date=issued, **fields
    )


@pytest.fixture
def products(world: World) -> dict[str, Product]:
    producer = make_producer(world.places["hn1"])
    made = {
        # Stored "registered" on purpose: what is shown and filtered comes from the certificate.
        "four": make_product(producer, name="Mật ong bốn sao", status="registered"),
        "lapsed": make_product(producer, name="Chè hết hạn", status="registered"),
        "revoked": make_product(producer, name="Nước mắm bị thu hồi", status="evaluating"),
        "stopped": make_product(producer, name="Rượu dừng sản xuất", status="discontinued"),
        "fresh": make_product(producer, name="Bánh mới đăng ký", status="registered"),
        "renewed": make_product(producer, name="Gạo đánh giá lại", status="registered"),
        "relapsed": make_product(producer, name="Miến hết hạn sau thu hồi", status="registered"),
    }
    certify(made["four"], 4, dt.date(2025, 1, 10))
    certify(made["lapsed"], 3, dt.date(2023, 1, 10))  # expired after 10/01/2026
    certify(made["revoked"], 3, dt.date(2025, 1, 10), revoked_on=dt.date(2026, 3, 1), revocation_ground="b")
    certify(made["stopped"], 4, dt.date(2025, 1, 10))  # still valid, but production stopped
    # An expired certificate superseded by a valid one, and an old revocation before a later expiry.
    old = certify(made["renewed"], 3, dt.date(2022, 6, 1))
    old.superseded_by = certify(made["renewed"], 4, dt.date(2025, 6, 1))
    old.save()
    certify(made["relapsed"], 3, dt.date(2020, 5, 1), revoked_on=dt.date(2021, 1, 4), revocation_ground="b")
    certify(made["relapsed"], 3, dt.date(2022, 3, 1))  # expired after 01/03/2025
    return made


EXPECTED = {
    "four": ProductStatus.RECOGNISED,
    "lapsed": ProductStatus.EXPIRED,
    "revoked": ProductStatus.REVOKED,
    "stopped": ProductStatus.DISCONTINUED,
    "fresh": ProductStatus.REGISTERED,
    "renewed": ProductStatus.RECOGNISED,
    "relapsed": ProductStatus.EXPIRED,
}


def _names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].page.object_list}


def test_python_and_sql_give_the_expected_status(products) -> None:
    annotated = dict(Product.objects.with_programme_status().values_list("pk", "programme_status"))
    for key, product in products.items():
        fresh = Product.objects.get(pk=product.pk)
        assert fresh.programme_status == EXPECTED[key], key
        assert annotated[product.pk] == EXPECTED[key], key


DAYS = [
    dt.date(2019, 1, 1),  # before any certificate: the stored stages
    dt.date(2020, 6, 1),
    dt.date(2021, 1, 4),  # the day of a revocation
    dt.date(2022, 6, 1),
    dt.date(2024, 1, 1),
    dt.date(2024, 2, 1),  # two certificates issued the same day (the later id is the latest)
    dt.date(2024, 10, 1),  # … after the earlier one's revocation
    dt.date(2025, 3, 1),
    dt.date(2026, 1, 10),
    dt.date(2026, 1, 11),  # the day after an expiry
    TODAY,
    dt.date(2030, 1, 1),  # everything expired
]


@pytest.mark.parametrize("day", DAYS)
def test_python_and_sql_agree_on_any_day(products, day: dt.date) -> None:
    annotated = dict(Product.objects.with_programme_status(day).values_list("pk", "programme_status"))
    for product in Product.objects.all():
        assert product.programme_status_on(day) == annotated[product.pk], (product.name, day)


STARS = (3, 4, 5, None)


@pytest.mark.parametrize("day", DAYS)
def test_filters_choose_the_products_the_annotations_describe(products, day: dt.date) -> None:
    """The lists' and the API's status and star filters are sets of products, not the annotations
    computed for every product: the same products on every day, for every status and star."""
    producer = products["four"].producer
    # Recorded values the certificates do not explain: a legacy import, removed with a valid star.
    make_product(producer, name="Cũ ghi sẵn công nhận", status=ProductStatus.RECOGNISED.value)
    make_product(producer, name="Cũ ghi sẵn hết hạn", status=ProductStatus.EXPIRED.value)
    removed = make_product(producer, name="Bị đưa ra khỏi Chương trình", status="registered")
    certify(removed, 5, dt.date(2024, 6, 1))
    Product.objects.filter(pk=removed.pk).update(status=ProductStatus.REMOVED.value)
    tie = make_product(producer, name="Hai giấy cùng ngày", status="registered")
    # Issued the same day: the latest is the later one (by id), not revoked; once both have
    # expired the product is "expired", not "revoked".
    certify(tie, 4, dt.date(2024, 2, 1), revoked_on=dt.date(2024, 9, 1), revocation_ground="b")
    certify(tie, 3, dt.date(2024, 2, 1))
    source = extensions.certificates.get()
    annotated = Product.objects.with_programme_status(day).with_current_star(day)
    seen = set()
    for status in ProductStatus:
        expected = set(annotated.filter(programme_status=status.value).values_list("name", flat=True))
        chosen = Product.objects.filter(source.programme_status_condition(status.value, day, "default"))
        assert set(chosen.values_list("name", flat=True)) == expected, (status, day)
        seen |= {(status.value, name) for name in expected}
    for star in STARS:
        stars = (
            annotated.filter(current_star__isnull=True)
            if star is None
            else annotated.filter(current_star=star)
        )
        expected = set(stars.values_list("name", flat=True))
        chosen = Product.objects.filter(source.star_condition(star, day, "default"))
        assert set(chosen.values_list("name", flat=True)) == expected, (star, day)
    # Not vacuous: the recorded legacy values show where no certificate was issued by the day.
    assert ("recognised", "Cũ ghi sẵn công nhận") in seen
    assert ("removed", "Bị đưa ra khỏi Chương trình") in seen
    if day == dt.date(2030, 1, 1):  # the same-day pair: the latest (by id) decides
        assert ("expired", "Hai giấy cùng ngày") in seen


def test_lists_follow_the_day_they_are_read_on(world: World, products, monkeypatch, client) -> None:
    """The list and the API annotate from a queryset built once a day (registry.models.listing):
    the next day's pages say what the next day's certificates say, and a filtered clone leaves
    the day's template whole."""
    from ocop.registry.models import listing

    url = reverse("registry:product_list")
    officer = world.client("province_hn")
    token = ApiToken.issue(world.users["province_hn"], "test")[1]

    def shown() -> tuple[dict[str, str], dict[str, object]]:
        page = officer.get(url)
        rows = {row.record.name: row.get_cell("status") for row in page.context["table"].page.object_list}
        api = client.get("/api/v1/products/", {"q": "mat ong"}, HTTP_AUTHORIZATION=f"Bearer {token}").json()[
            "items"
        ]
        return rows, {item["name"]: (item["status"], item["current_star"]) for item in api}

    rows, api = shown()
    assert rows["Mật ong bốn sao"] == "Đạt sao" and api["Mật ong bốn sao"] == ("recognised", 4)
    assert listing().filter(name="Chè hết hạn").count() == 1 and listing().count() == len(products)
    # 10/01/2028: the four-star certificate of 10/01/2025 has lapsed (36 months).
    monkeypatch.setattr(clock, "today", lambda: dt.date(2028, 1, 11))
    rows, api = shown()
    assert rows["Mật ong bốn sao"] == "Hết hạn" and api["Mật ong bốn sao"] == ("expired", None)
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    assert shown()[1]["Mật ong bốn sao"] == ("recognised", 4)


def test_list_page_shows_the_status_from_the_certificates(world: World, products) -> None:
    client = world.client("province_hn")
    url = reverse("registry:product_list")
    page = client.get(url)
    rows = {row.record.name: row.get_cell("status") for row in page.context["table"].page.object_list}
    assert rows["Mật ong bốn sao"] == "Đạt sao"
    assert rows["Chè hết hạn"] == "Hết hạn"
    assert rows["Nước mắm bị thu hồi"] == "Bị thu hồi"
    assert rows["Rượu dừng sản xuất"] == "Dừng sản xuất"
    assert rows["Bánh mới đăng ký"] == "Đã đăng ký"
    assert _names(client.get(url, {"status": "recognised"})) == {"Mật ong bốn sao", "Gạo đánh giá lại"}
    assert _names(client.get(url, {"status": "expired"})) == {"Chè hết hạn", "Miến hết hạn sau thu hồi"}
    assert _names(client.get(url, {"status": "revoked"})) == {"Nước mắm bị thu hồi"}
    assert _names(client.get(url, {"status": "discontinued"})) == {"Rượu dừng sản xuất"}
    # The stored stage of a certified product no longer answers the filter.
    assert _names(client.get(url, {"status": "registered"})) == {"Bánh mới đăng ký"}
    assert _names(client.get(url, {"status": "evaluating"})) == set()
    ordered = client.get(url, {"sort": "status"}).context["table"].page.object_list
    assert [row.record.programme_status for row in ordered] == sorted(str(s) for s in EXPECTED.values())


def test_detail_pages_show_the_status_from_the_certificates(world: World, products) -> None:
    client = world.client("province_hn")
    html = client.get(products["four"].get_absolute_url()).content.decode()
    assert "Đạt sao" in html and "Đã đăng ký" not in html
    assert "Hết hạn" in client.get(products["lapsed"].get_absolute_url()).content.decode()
    assert "Bị thu hồi" in client.get(products["revoked"].get_absolute_url()).content.decode()
    producer_page = client.get(products["four"].producer.get_absolute_url() + "?tab=products")
    html = producer_page.content.decode()
    assert "Đạt sao" in html and "Hết hạn" in html and "Bị thu hồi" in html and "Dừng sản xuất" in html


def test_api_status_and_filter_agree_with_the_ui(world: World, products, client) -> None:
    _, key = ApiToken.issue(world.users["province_hn"])
    headers = {"Authorization": f"Bearer {key}"}

    def listed(status: str) -> dict[str, dict]:
        body = client.get("/api/v1/products/", {"status": status}, headers=headers).json()
        return {item["name"]: item for item in body["items"]}

    recognised = listed("recognised")
    assert set(recognised) == {"Mật ong bốn sao", "Gạo đánh giá lại"}
    item = recognised["Mật ong bốn sao"]
    assert (item["status"], item["stage"], item["current_star"]) == ("recognised", "registered", 4)
    assert set(listed("expired")) == {"Chè hết hạn", "Miến hết hạn sau thu hồi"}
    assert listed("revoked")["Nước mắm bị thu hồi"]["stage"] == "evaluating"
    assert set(listed("discontinued")) == {"Rượu dừng sản xuất"}
    assert set(listed("registered")) == {"Bánh mới đăng ký"}
    one = client.get(f"/api/v1/products/{products['lapsed'].pk}", headers=headers).json()
    assert (one["status"], one["stage"]) == ("expired", "registered")
    bad = client.get("/api/v1/products/", {"status": "valid"}, headers=headers)
    assert bad.status_code == 422


def test_api_update_answers_with_the_new_status(world: World, products, client) -> None:
    _, key = ApiToken.issue(world.users["province_hn"])
    response = client.patch(
        f"/api/v1/products/{products['four'].pk}",
        '{"status": "discontinued"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["stage"]) == ("discontinued", "discontinued")


def test_list_query_count_does_not_grow_with_certified_products(
    world: World, django_assert_max_num_queries
) -> None:
    producer = make_producer(world.places["hn1"])

    def populate(n: int) -> None:
        for i in range(n):
            product = make_product(producer)
            certify(product, 3 + i % 3, dt.date(2023 + i % 3, 1, 10))

    client = world.client("province_hn")
    client.get(reverse("registry:product_list"))  # warm the session
    populate(3)
    budgets = {}
    for url in (reverse("registry:product_list"), reverse("registry:product_list") + "?status=recognised"):
        with django_assert_max_num_queries(30) as counted:
            assert client.get(url).status_code == 200
        budgets[url] = len(counted.captured_queries)
    populate(9)
    for url, before in budgets.items():
        with django_assert_max_num_queries(before):
            client.get(url)


# --- forms and imports ----------------------------------------------------------------------------


def test_form_offers_only_the_stages(world: World, products) -> None:
    form = ProductForm(actor=world.users["province_hn"])
    offered = [value for value, _label in form.fields["status"].choices]
    assert offered == ["potential", "registered", "evaluating", "discontinued"]
    assert "giấy chứng nhận" in str(form.fields["status"].help_text)
    # An old spreadsheet's value stays on offer for its product only, so saving other fields keeps it.
    legacy = make_product(products["four"].producer, status="recognised")
    form = ProductForm(instance=legacy, actor=world.users["province_hn"])
    assert [value for value, _label in form.fields["status"].choices][-1] == "recognised"


def test_form_refuses_a_status_that_comes_from_certificates(world: World, products) -> None:
    product = products["fresh"]
    data = {
        "name": product.name,
        "producer": str(product.producer_id),
        "classification_set": "B07",
        "status": "recognised",
        "unit_province": product.province.code,
        "unit": str(product.unit_id),
    }
    response = world.client("province_hn").post(reverse("registry:product_edit", args=[product.pk]), data)
    assert response.status_code == 200 and "status" in response.context["form"].errors
    data["status"] = "evaluating"
    response = world.client("province_hn").post(reverse("registry:product_edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == product.programme_status == "evaluating"


def test_import_keeps_accepting_the_legacy_values(world: World) -> None:
    producer = make_producer(world.places["hn1"], tax_code="0100109106")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PRODUCT_SPEC.headers)
    for name, status in (("Cũ đạt sao", "Đạt sao"), ("Cũ hết hạn", "expired"), ("Cũ thu hồi", "revoked")):
        row = {
            "name": name,
            "producer_tax_code": producer.tax_code,
            "classification_set": "B07",
            "status": status,
        }
        writer.writerow([row.get(c.key, "") for c in PRODUCT_SPEC.columns])
    result = import_file("products", out.getvalue().encode(), "products.csv", None)
    assert result.ok, result.errors
    stored = dict(Product.objects.values_list("name", "status"))
    assert stored == {"Cũ đạt sao": "recognised", "Cũ hết hạn": "expired", "Cũ thu hồi": "revoked"}


def test_export_writes_the_stored_stage_where_the_import_reads_it(world: World, products) -> None:
    stream = io.BytesIO()
    export_queryset("products", Product.objects.all(), stream, "csv")
    rows = list(csv.DictReader(io.StringIO(stream.getvalue().decode("utf-8-sig"))))
    status_header = str(PRODUCT_SPEC.column("status").header)
    by_name = {row[str(PRODUCT_SPEC.column("name").header)]: row for row in rows}
    four = by_name["Mật ong bốn sao"]
    # Labels, not codes (the import reads either).
    label = {str(code): str(name) for code, name in ProductStatus.choices()}
    assert four[status_header] == label["registered"] == "Đã đăng ký"
    assert four["Tình trạng hiện tại (theo giấy chứng nhận)"] == label["recognised"]
    assert by_name["Chè hết hạn"]["Tình trạng hiện tại (theo giấy chứng nhận)"] == label["expired"]
    # Re-imported into the same registry: nothing changes (the extra column is read-only).
    result = import_file("products", stream.getvalue(), "products.csv", None)
    assert result.ok, result.errors
    assert result.unchanged == len(products) and result.created == result.updated == 0


# --- English -------------------------------------------------------------------------------------


def test_english_list_shows_producer_types_and_statuses_in_english(world: World, products) -> None:
    client = world.client("province_hn")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("registry:product_list"))
    html = page.content.decode()
    assert '<html lang="en">' in html
    with translation.override("en"):  # cells rendered again here, outside the request's language
        rows = {row.record.name: row.get_cell("status") for row in page.context["table"].page.object_list}
    assert rows["Mật ong bốn sao"] == "Star-rated"
    assert rows["Chè hết hạn"] == "Expired"
    assert rows["Bánh mới đăng ký"] == "Registered"
    assert ">Cooperative<" in html  # the producer-type filter
    assert ">Star-rated<" in html and ">Discontinued<" in html  # the status filter
    assert "Hợp tác xã<" not in html and "Đạt sao" not in html
    assert ">I. Food<" in html  # the sector filter (Phụ lục I, translated with a context)
