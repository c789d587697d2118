"""/api/v1/producers/ and /api/v1/products/: CRUD, scoping (404 outside), 422 Vietnamese errors."""

import json

import pytest

from ocop.accounts.models import ApiToken
from ocop.registry.models import Producer, Product

from .conftest import World, make_producer, make_product

PRODUCERS, PRODUCTS = "/api/v1/producers/", "/api/v1/products/"


class Api:
    """A bearer-token client for one account."""

    def __init__(self, client, user) -> None:
        self.client = client
        _token, key = ApiToken.issue(user)
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url: str, **params):
        return self.client.get(url, params, **self.headers)

    def send(self, method: str, url: str, body: dict | None = None, **headers):
        call = getattr(self.client, method)
        return call(url, json.dumps(body or {}), content_type="application/json", **self.headers, **headers)


@pytest.fixture
def api(world: World, client):
    return lambda name: Api(client, world.users[name])


def test_commune_officer_creates_and_other_commune_cannot_see(world: World, api) -> None:
    officer = api("commune_hn1")
    commune = world.places["hn1"]
    response = officer.send(
        "post",
        PRODUCERS,
        {"name": "HTX Rau sạch", "producer_type": "HTX", "unit_code": commune.code, "tax_code": "0100109106"},
        HTTP_X_AUDIT_REASON="Nhập qua API",
    )
    assert response.status_code == 201, response.json()
    producer = response.json()
    assert producer["commune"]["code"] == commune.code and producer["province"]["code"] == "01"
    assert Producer.objects.get().history.get().history_change_reason == "Nhập qua API"

    response = officer.send(
        "post",
        PRODUCTS,
        {
            "name": "Rau muống",
            "producer_id": producer["id"],
            "classification_set": "B01",
            "gtin": "8934567890120",
        },
    )
    assert response.status_code == 201, response.json()
    product = response.json()
    assert product["gtin"] == "8934567890120"
    assert product["code"].startswith(f"01-{commune.code}-1-")
    assert product["current_star"] is None

    listing = officer.get(PRODUCTS, q="rau muong").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == product["id"]

    other = api("commune_hn2")
    assert other.get(PRODUCERS).json() == {"items": [], "count": 0}
    assert other.get(PRODUCTS).json()["count"] == 0
    assert other.get(f"{PRODUCERS}{producer['id']}").status_code == 404
    assert other.get(f"{PRODUCTS}{product['id']}").status_code == 404
    assert other.send("patch", f"{PRODUCTS}{product['id']}", {"name": "x"}).status_code == 404
    # Nor can it attach a product to a producer it cannot see.
    response = other.send(
        "post", PRODUCTS, {"name": "x", "producer_id": producer["id"], "classification_set": "B01"}
    )
    assert response.status_code == 422 and "chủ thể" in response.json()["detail"]


def test_create_outside_scope_is_refused(world: World, api) -> None:
    response = api("commune_hn1").send(
        "post", PRODUCERS, {"name": "HTX", "producer_type": "HTX", "unit_code": world.places["hn2"].code}
    )
    assert response.status_code == 403 and response.json()["detail"]
    assert (
        api("viewer_hn")
        .send("post", PRODUCERS, {"name": "HTX", "producer_type": "HTX", "unit_code": "00004"})
        .status_code
        == 403
    )
    assert not Producer.objects.exists()


def test_validation_errors_are_422_in_vietnamese(world: World, api) -> None:
    officer = api("province_hn")
    commune = world.places["hn1"].code
    response = officer.send("post", PRODUCERS, {"name": "HTX", "producer_type": "XYZ", "unit_code": commune})
    assert response.status_code == 422 and "producer_type" in response.json()["detail"]
    response = officer.send(
        "post", PRODUCERS, {"name": "HTX", "producer_type": "HTX", "unit_code": commune, "tax_code": "123"}
    )
    assert response.status_code == 422 and "tax_code" in response.json()["detail"]
    response = officer.send("post", PRODUCERS, {"name": "HTX", "producer_type": "HTX", "unit_code": "99999"})
    assert response.status_code == 422 and "Không tìm thấy đơn vị" in response.json()["detail"]
    producer = make_producer(world.places["hn1"])
    response = officer.send(
        "post",
        PRODUCTS,
        {"name": "Mắm", "producer_id": producer.pk, "classification_set": "B09", "gtin": "12345"},
    )
    assert response.status_code == 422
    assert "gtin" in response.json()["detail"] and "13 hoặc 14 chữ số" in response.json()["detail"]
    response = officer.send(
        "post",
        PRODUCTS,
        {"name": "Mắm", "producer_id": producer.pk, "classification_set": "B09", "gtin": "8934567890125"},
    )
    assert response.status_code == 422 and "Sai số kiểm tra" in response.json()["detail"]
    response = officer.send("post", PRODUCTS, {"producer_id": producer.pk})  # missing name
    assert response.status_code == 422 and response.json()["detail"]


def test_put_patch_delete(world: World, api) -> None:
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, gtin="8934567890120")
    officer = api("province_hn")
    response = officer.send("patch", f"{PRODUCTS}{product.pk}", {"name": "Tên mới", "gtin": None})
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Tên mới" and response.json()["gtin"] is None
    assert response.json()["code"] == product.code  # the code never changes
    response = officer.send(
        "put",
        f"{PRODUCERS}{producer.pk}",
        {
            "name": "HTX mới",
            "producer_type": "DN_SME",
            "legal_form": "jsc",
            "community_capital_share": "60",
            "unit_code": world.places["hn2"].code,
        },
        HTTP_X_AUDIT_REASON="Chuyển trụ sở",  # a move is audited with its reason (issue 9)
    )
    assert response.status_code == 200, response.json()
    assert response.json()["commune"]["code"] == world.places["hn2"].code
    assert producer.history.latest().history_change_reason == "Chuyển trụ sở"
    # Commune officers may not delete; the province may, but not a producer that still has products.
    assert api("commune_hn2").send("delete", f"{PRODUCTS}{product.pk}").status_code == 403
    assert officer.send("delete", f"{PRODUCERS}{producer.pk}").status_code == 409
    assert api("province_hcm").send("delete", f"{PRODUCTS}{product.pk}").status_code == 404
    assert officer.send("delete", f"{PRODUCTS}{product.pk}").status_code == 204
    assert officer.send("delete", f"{PRODUCERS}{producer.pk}").status_code == 204
    assert not Product.objects.exists() and not Producer.objects.exists()


def test_product_in_former_commune_via_api(world: World, api) -> None:
    producer = make_producer(world.places["hn1"])
    response = api("central").send(
        "post",
        PRODUCTS,
        {
            "name": "Bánh phồng tôm",
            "producer_id": producer.pk,
            "classification_set": "B08",
            "unit_code": "28252",
            "unit_structure": "former",
            "legacy_code": "83-829-28780-3-2022",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["unit"] == {"code": "28252", "name": "Phường 4", "structure": "former", "level": "commune"}
    assert body["province"]["code"] == "82" and body["commune"]["code"] == "28249"
    assert api("central").get(PRODUCTS, province="82").json()["count"] == 1


def test_filters_same_as_pages(world: World, api) -> None:
    make_product(
        make_producer(world.places["hn1"], producer_type="HO_SX"), name="Chè", classification_set="B11"
    )
    make_product(make_producer(world.places["hcm1"]), name="Rượu", classification_set="B14")
    central = api("central")

    def names(**params) -> set[str]:
        response = central.get(PRODUCTS, **params)
        assert response.status_code == 200, response.json()
        return {item["name"] for item in response.json()["items"]}

    assert names() == {"Chè", "Rượu"}
    assert names(province="79") == {"Rượu"}
    assert names(sector="I") == {"Chè"}
    assert names(producer_type="HO_SX") == {"Chè"}
    assert names(q="ruou") == {"Rượu"}
    assert central.get(PRODUCTS, province="ZZ").status_code == 422
    assert central.get(PRODUCERS, limit=1).json()["count"] == 2
    assert api("viewer_hn1").get(PRODUCERS).json()["count"] == 1


def test_unknown_query_parameters_are_ignored(world: World, api) -> None:
    """Documented (README, API): list endpoints ignore query parameters they do not know, as GET
    filters usually do — a misspelt filter (`provnce`) filters nothing; only a known one with a bad
    value is a 422. (Unknown fields of a request *body* are a 422.)"""
    make_product(make_producer(world.places["hn1"]), name="Chè")
    make_product(make_producer(world.places["hcm1"]), name="Rượu")
    central = api("central")
    for url in (PRODUCTS, PRODUCERS, "/api/v1/certificates/", "/api/v1/users/", "/api/v1/units/"):
        plain, typo = central.get(url, limit=500), central.get(url, limit=500, provnce="79", utm_source="x")
        assert (typo.status_code, typo.json()) == (200, plain.json()), url
    assert central.get(PRODUCTS, provnce="79").json()["count"] == 2


def test_anonymous_gets_401(client) -> None:
    assert client.get(PRODUCERS).status_code == 401


def test_producer_account_sees_and_edits_only_its_organisation(world: World, api) -> None:
    own = make_producer(world.places["hn1"])
    other = make_producer(world.places["hn1"])
    own_product, other_product = make_product(own), make_product(other)
    user = world.users["producer_hn1"]
    user.producer = own
    user.save()
    assert user.organisation_id() == own.pk
    producer = api("producer_hn1")
    assert [item["id"] for item in producer.get(PRODUCERS).json()["items"]] == [own.pk]
    assert [item["id"] for item in producer.get(PRODUCTS).json()["items"]] == [own_product.pk]
    assert producer.get(f"{PRODUCTS}{other_product.pk}").status_code == 404
    assert producer.send("patch", f"{PRODUCTS}{own_product.pk}", {"story": "Câu chuyện"}).status_code == 200
    assert producer.send("post", PRODUCTS, {"name": "x", "producer_id": own.pk}).status_code == 403
    assert producer.send("delete", f"{PRODUCTS}{own_product.pk}").status_code == 403
    page = world.client("producer_hn1").get(own.get_absolute_url())
    assert page.status_code == 200 and page.context["can_change"] and not page.context["can_delete"]


def test_products_api_reads_and_writes_where_to_buy(world):
    from ocop.accounts.models import ApiToken

    from .conftest import make_producer, make_product

    product = make_product(make_producer(world.places["hn1"]), where_to_buy="Chợ phiên xã")
    _, key = ApiToken.issue(world.users["commune_hn1"])
    headers = {"Authorization": f"Bearer {key}"}
    client = world.client("commune_hn1")
    assert (
        client.get(f"/api/v1/products/{product.pk}", headers=headers).json()["where_to_buy"] == "Chợ phiên xã"
    )
    response = client.patch(
        f"/api/v1/products/{product.pk}",
        {"where_to_buy": "Sàn TMĐT Postmart"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.where_to_buy == "Sàn TMĐT Postmart"


def test_household_id_through_the_api(world: World, api) -> None:
    officer = api("province_hn")
    commune = world.places["hn1"].code
    body = {"name": "Hộ kinh doanh Trần Văn Nam", "producer_type": "HO_SX", "unit_code": commune}
    response = officer.send("post", PRODUCERS, {**body, "household_id": "003087123456"})
    assert response.status_code == 422 and "household_id" in response.json()["detail"]
    assert "CCCD" in response.json()["detail"]
    response = officer.send("post", PRODUCERS, {**body, "household_id": "001087123456"})
    assert response.status_code == 201, response.json()
    assert response.json()["household_id"] == "001087123456"
    producer_id = response.json()["id"]
    response = officer.send("patch", f"{PRODUCERS}{producer_id}", {"household_id": "41m8012345"})
    assert response.status_code == 200, response.json()
    assert response.json()["household_id"] == "41M8012345"
