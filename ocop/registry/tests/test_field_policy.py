"""Who may change which field (issue 9): the field policy of core.scoping, on every write.

One matrix — role × field × own/other place — checked three ways: the API (422 naming the field,
404 out of scope, 403 for roles that never change), the forms (locked fields disabled, a posted
value refused) and the imports (a row error naming the column). The objects sit in hn1 (Hà Nội);
"hn2" is another commune of the same province, "hcm1" a commune of another province.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.core.scoping import can_move, may_write
from ocop.registry.forms import ProducerForm, ProductForm
from ocop.registry.io import PRODUCER_SPEC, PRODUCT_SPEC, import_file
from ocop.registry.io.export import _producer_row, _product_row
from ocop.registry.models import Producer, Product

from .conftest import World, make_producer, make_product


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once for this module's cases (conftest ``shared_world``), copied for each test."""
    return shared_world


OK, REFUSED, HIDDEN, FORBIDDEN = "ok", "refused", "hidden", "forbidden"
REASON = "Đổi địa bàn theo quyết định sáp nhập"

# (model, field, value): value is a literal, or a place name ("@hn2") or "@other" (another producer).
CHANGES = [
    ("producer", "phone", "0243 123 456"),
    ("producer", "name", "Hợp tác xã đổi tên"),
    ("producer", "status", "suspended"),
    ("producer", "unit", "@hn2"),
    ("producer", "unit", "@hcm1"),
    ("product", "story", "Câu chuyện mới"),
    ("product", "name", "Sản phẩm đổi tên"),
    ("product", "status", "registered"),
    ("product", "unit", "@hn2"),
    ("product", "unit", "@hcm1"),
    ("product", "producer", "@other"),
]
DESCRIPTIVE = {"phone", "story"}


def expected(actor: str, field: str, value: str) -> str:
    """The outcome of one change of an hn1 object by `actor`."""
    if actor in ("council_hn", "viewer_hn"):
        return FORBIDDEN  # roles that never change anything
    if actor in ("commune_hn2", "province_hcm"):
        return HIDDEN  # the object is in another place: out of scope
    if actor == "producer_hn1":  # its own organisation: descriptive fields only
        return OK if field in DESCRIPTIVE else REFUSED
    if field == "unit":  # a move: old and new place both inside the officer's scope
        reach = {"commune_hn1": {"@hn1"}, "province_hn": {"@hn1", "@hn2"}}.get(actor)
        return OK if reach is None or value in reach else REFUSED
    return OK


ACTORS = [
    "producer_hn1",
    "commune_hn1",
    "commune_hn2",
    "province_hn",
    "province_hcm",
    "central",
    "council_hn",
]
MATRIX = [
    pytest.param(actor, model, field, value, id=f"{actor}-{model}-{field}-{value}")
    for actor in ACTORS
    for model, field, value in CHANGES
]


@pytest.fixture
def objects(world: World) -> dict[str, object]:
    producer = make_producer(world.places["hn1"], tax_code="0100109106")
    other = make_producer(world.places["hn1"])
    product = make_product(producer)
    user = world.users["producer_hn1"]
    user.producer = producer
    user.save()
    return {"producer": producer, "product": product, "other": other}


def target(world: World, objects: dict, value: str) -> object:
    if value == "@other":
        return objects["other"]
    if value.startswith("@"):
        return world.places[value[1:]]
    return value


# --- the policy itself ----------------------------------------------------------------------------


def test_policy_declared_on_the_models(world: World) -> None:
    producer, officer = world.users["producer_hn1"], world.users["commune_hn1"]
    for model in (Producer, Product):
        for name in ("unit", "status", "name", "province", "commune"):
            assert not may_write(producer, model, name), (model, name)
        for name in ("province", "commune"):
            assert not may_write(officer, model, name)  # derived: nobody
        assert may_write(officer, model, "unit") and may_write(officer, model, "name")
    assert may_write(producer, Producer, "phone") and may_write(producer, Product, "story")
    assert not may_write(producer, Product, "producer") and not may_write(
        world.users["admin"], Product, "code"
    )


def test_can_move_needs_both_places(world: World, objects: dict) -> None:
    product, places = objects["product"], world.places
    assert can_move(world.users["province_hn"], product, places["hn2"])
    assert not can_move(world.users["province_hn"], product, places["hcm1"])
    assert not can_move(world.users["province_hcm"], product, places["hcm1"])  # old place not theirs
    assert not can_move(world.users["commune_hn1"], product, places["hn2"])
    assert not can_move(world.users["producer_hn1"], product, places["hn1"])
    assert can_move(world.users["central"], product, places["hcm1"])
    product.refresh_from_db()
    assert product.unit == places["hn1"]  # nothing moved


# --- API ------------------------------------------------------------------------------------------

API_NAMES = {"unit": "unit_code", "producer": "producer_id"}


def api_call(client, user, method: str, url: str, body: dict, **headers):
    _token, key = ApiToken.issue(user)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", **headers
    )


@pytest.mark.parametrize(("actor", "model", "field", "value"), MATRIX)
def test_api_matrix(
    world: World, objects: dict, client, actor: str, model: str, field: str, value: str
) -> None:
    obj = objects[model]
    new = target(world, objects, value)
    name = API_NAMES.get(field, field)
    body = {name: new.code if field == "unit" else getattr(new, "pk", new)}
    url = f"/api/v1/{model}s/{obj.pk}"
    response = api_call(client, world.users[actor], "patch", url, body, HTTP_X_AUDIT_REASON=REASON)
    outcome = expected(actor, field, value)
    status = {OK: 200, REFUSED: 422, HIDDEN: 404, FORBIDDEN: 403}[outcome]
    assert response.status_code == status, response.content
    before = type(obj).objects.get(pk=obj.pk)
    if outcome == REFUSED:
        assert response.json()["detail"].split(" — ")[1].startswith(f"{name}:"), response.json()
    if outcome == OK and field == "unit":
        assert before.unit == new and before.history.latest().history_change_reason == REASON
    if outcome != OK:
        assert getattr(before, f"{field}_id" if field in ("unit", "producer") else field) == getattr(
            obj, f"{field}_id" if field in ("unit", "producer") else field
        )


def test_api_move_needs_a_reason(world: World, objects: dict, client) -> None:
    product, hn2 = objects["product"], world.places["hn2"]
    url = f"/api/v1/products/{product.pk}"
    response = api_call(client, world.users["province_hn"], "patch", url, {"unit_code": hn2.code})
    assert response.status_code == 422 and "unit_code:" in response.json()["detail"]
    response = api_call(
        client, world.users["province_hn"], "patch", url, {"unit_code": hn2.code}, HTTP_X_AUDIT_REASON=REASON
    )
    assert response.status_code == 200 and response.json()["commune"]["code"] == hn2.code


def test_api_producer_put_of_unchanged_values_is_allowed(world: World, objects: dict, client) -> None:
    """A full PUT resending the locked fields as they are changes nothing locked: accepted."""
    producer = objects["producer"]
    user = world.users["producer_hn1"]
    body = {
        "name": producer.name,
        "producer_type": producer.producer_type,
        "tax_code": producer.tax_code,
        "unit_code": producer.unit.code,
        "phone": "0912 345 678",
    }
    response = api_call(client, user, "put", f"/api/v1/producers/{producer.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "0912 345 678"


# --- forms ----------------------------------------------------------------------------------------

FORMS = {"producer": ProducerForm, "product": ProductForm}


def posted(form) -> dict[str, str]:
    """What a browser posts for an unbound form: disabled fields are not sent."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value in (None, False, ""):
            continue
        data[name] = "on" if value is True else str(value)
    return data


@pytest.mark.parametrize(("actor", "model", "field", "value"), MATRIX)
def test_form_matrix(world: World, objects: dict, actor: str, model: str, field: str, value: str) -> None:
    obj, user = objects[model], world.users[actor]
    form_class = FORMS[model]
    unbound = form_class(instance=type(obj).objects.get(pk=obj.pk), actor=user)
    if actor == "producer_hn1":
        locked = {name for name, f in unbound.fields.items() if f.disabled}
        assert (field in locked) == (field not in DESCRIPTIVE)
    data = {**posted(unbound), "_reason": REASON}
    new = target(world, objects, value)
    if field == "unit":
        data.update(unit=str(new.pk), unit_province=new.current_province.code)
    else:
        data[field] = str(getattr(new, "pk", new))
    form = form_class(data, instance=type(obj).objects.get(pk=obj.pk), actor=user)
    outcome = expected(actor, field, value)
    if outcome == OK:
        assert form.is_valid(), form.errors
        form.save()
    else:
        assert not form.is_valid()
        if outcome == REFUSED:
            assert field in form.errors or "unit" in form.errors, form.errors


def test_form_move_needs_a_reason(world: World, objects: dict) -> None:
    product, hn2 = objects["product"], world.places["hn2"]
    user = world.users["province_hn"]
    data = posted(ProductForm(instance=product, actor=user))
    data.update(unit=str(hn2.pk), unit_province=hn2.current_province.code)
    form = ProductForm(data, instance=Product.objects.get(pk=product.pk), actor=user)
    assert not form.is_valid() and "unit" in form.errors
    form = ProductForm({**data, "_reason": REASON}, instance=Product.objects.get(pk=product.pk), actor=user)
    assert form.is_valid(), form.errors


def test_producer_edits_its_page_through_the_view(world: World, objects: dict) -> None:
    """The edit page of a producer account: place and status disabled, a forged post refused."""
    product = objects["product"]
    client = world.client("producer_hn1")
    url = reverse("registry:product_edit", args=[product.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.fields["unit"].disabled and form.fields["status"].disabled
    data = {**posted(form), "story": "Chuyện làng nghề", "unit": str(world.places["hcm1"].pk)}
    response = client.post(url, data)
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    product.refresh_from_db()
    assert product.unit == world.places["hn1"] and product.story != "Chuyện làng nghề"


# --- imports --------------------------------------------------------------------------------------

SPECS = {
    "producer": ("producers", PRODUCER_SPEC, _producer_row),
    "product": ("products", PRODUCT_SPEC, _product_row),
}
COLUMNS = {"unit": "unit_code", "producer": "producer_tax_code"}


def import_change(world: World, objects: dict, actor: str, model: str, field: str, value: str):
    kind, spec, row_of = SPECS[model]
    obj = type(objects[model]).objects.get(pk=objects[model].pk)
    row = row_of(obj)
    if model == "product":
        row["producer_tax_code"] = obj.producer.tax_code
        row["producer_name"] = ""
    new = target(world, objects, value)
    if field == "unit":
        row.update(unit_code=new.code, former_unit_code="")
    elif field == "producer":
        new.tax_code = "0300588569"
        new.save()
        row["producer_tax_code"] = new.tax_code
    else:
        row[field] = new
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.headers)
    writer.writerow([row.get(c.key, "") for c in spec.columns])
    return import_file(kind, out.getvalue().encode(), f"{kind}.csv", world.users[actor])


@pytest.mark.parametrize(("actor", "model", "field", "value"), MATRIX)
def test_import_matrix(world: World, objects: dict, actor: str, model: str, field: str, value: str) -> None:
    result = import_change(world, objects, actor, model, field, value)
    outcome = expected(actor, field, value)
    if outcome == OK:
        assert not result.errors, result.errors
        assert result.updated == 1
    else:
        assert result.errors
        if outcome == REFUSED:
            headers = {c.key: str(c.header) for c in SPECS[model][1].columns}
            column = headers[COLUMNS.get(field, field)]
            assert column in {error.column for error in result.errors}, result.errors


# --- derived values (point 2) -----------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["producer_hn1", "commune_hn1", "province_hn", "central", "admin"])
@pytest.mark.parametrize("status", ["recognised", "expired", "revoked"])
def test_api_refuses_certificate_statuses(
    world: World, objects: dict, client, actor: str, status: str
) -> None:
    """Đạt sao, hết hạn, thu hồi come from certificates: a product without one cannot be given them."""
    product = objects["product"]
    for method, url, body in (
        ("patch", f"/api/v1/products/{product.pk}", {"status": status}),
        (
            "post",
            "/api/v1/products/",
            {"name": "Mới", "producer_id": objects["producer"].pk, "status": status},
        ),
    ):
        response = api_call(client, world.users[actor], method, url, body)
        assert response.status_code in (403, 422), response.content
        if response.status_code == 422:
            assert "status:" in response.json()["detail"]
    product.refresh_from_db()
    assert product.status == "potential"
    _token, key = ApiToken.issue(world.users["central"])
    listed = client.get("/api/v1/products/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert {item["status"] for item in listed.json()["items"]} == {"potential"}


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("product", "current_star", 5),
        ("product", "code", "01-00004-0001-2026"),
        ("product", "stage", "registered"),
        ("product", "images", []),
        ("product", "province", {"code": "79"}),
        ("producer", "commune", {"code": "26734"}),
        ("producer", "id", 99),
        ("producer", "created", "2020-01-01T00:00:00"),
        ("producer", "nonsense", 1),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_api_refuses_read_only_and_unknown_fields(
    world: World, objects: dict, client, model: str, field: str, value, method: str
) -> None:
    obj = objects[model]
    response = api_call(client, world.users["admin"], method, f"/api/v1/{model}s/{obj.pk}", {field: value})
    assert response.status_code == 422, response.content
    assert f"{field}: trường không được nhận" in response.json()["detail"]
