"""Change requests (issue 9.3): a producer asks to change its product's identity, an officer decides.

The product sits in hn1 (Hà Nội) and holds a valid 4★ certificate; "hn2" is another commune of
Hà Nội, "hcm1" a commune of TP Hồ Chí Minh.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.certification.pdf import verification_path
from ocop.core import clock
from ocop.core.models import Notification
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import change_requests
from ocop.registry.forms import ChangeRequestForm, ProductForm
from ocop.registry.models import ChangeRequest, Product

from .conftest import World, make_producer, make_product
from .test_programme_status import certify

TODAY = dt.date(2026, 11, 23)
CERTIFIED = "Mật ong rừng U Minh"
RENAMED = "Mật ong rừng U Minh thượng hạng"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def product(world: World) -> Product:
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, name=CERTIFIED, packaging="Chai 500 ml")
    certify(product, 4, dt.date(2025, 6, 1))
    account = world.users["producer_hn1"]
    account.producer = producer
    account.save()
    return product


def api(client, user, method: str, url: str, body: dict | None = None, **headers):
    _token, key = ApiToken.issue(user)
    data = json.dumps(body) if body is not None else None
    kwargs = {"content_type": "application/json"} if data is not None else {}
    return getattr(client, method)(url, data, HTTP_AUTHORIZATION=f"Bearer {key}", **kwargs, **headers)


def ask(client, world: World, product: Product, **values):
    body = {"reason": "Đổi nhãn theo đăng ký nhãn hiệu mới", **values}
    return api(
        client, world.users["producer_hn1"], "post", f"/api/v1/products/{product.pk}/change-requests", body
    )


# --- a producer cannot change the identity directly -----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", RENAMED),
        ("packaging", "Hộp 6 chai"),
        ("standards", "TCCS 01:2026"),
        ("classification_set", "B08"),
    ],
)
def test_producer_patch_of_identity_points_to_a_change_request(world, product, client, field, value) -> None:
    response = api(
        client, world.users["producer_hn1"], "patch", f"/api/v1/products/{product.pk}", {field: value}
    )
    assert response.status_code == 422
    assert field in response.json()["detail"] and "đề nghị thay đổi" in response.json()["detail"]
    product.refresh_from_db()
    assert getattr(product, field) != value


def test_packaging_of_an_unrecognised_product_stays_the_producers(world, client) -> None:
    producer = make_producer(world.places["hn1"])
    fresh = make_product(producer)
    account = world.users["producer_hn1"]
    account.producer = producer
    account.save()
    response = api(client, account, "patch", f"/api/v1/products/{fresh.pk}", {"packaging": "Hộp 6 chai"})
    assert response.status_code == 200, response.json()
    assert (
        api(client, account, "patch", f"/api/v1/products/{fresh.pk}", {"name": "Tên khác"}).status_code == 422
    )


def test_edit_form_locks_what_needs_a_request(world, product) -> None:
    form = ProductForm(instance=product, actor=world.users["producer_hn1"])
    for name in ("name", "packaging", "standards", "classification_set", "unit"):
        assert form.fields[name].disabled, name
    assert "Đề nghị thay đổi" in str(form.fields["packaging"].help_text)
    assert not form.fields["story"].disabled
    officer_form = ProductForm(instance=product, actor=world.users["commune_hn1"])
    assert not officer_form.fields["packaging"].disabled and not officer_form.fields["name"].disabled


# --- the request and its decision -----------------------------------------------------------------


def test_rename_waits_for_an_officer_and_the_certificate_keeps_its_name(world, product, client) -> None:
    response = ask(client, world, product, name=RENAMED)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["changes"] == {"name": {"old": CERTIFIED, "new": RENAMED}}
    product.refresh_from_db()
    assert product.name == CERTIFIED  # nothing changes before an officer decides
    # The officers of the place are told; the producer's officers elsewhere are not.
    told = set(Notification.objects.filter(kind="change_request").values_list("user__username", flat=True))
    assert told == {"commune_hn1", "province_hn"}

    approved = api(
        client, world.users["commune_hn1"], "post", f"/api/v1/change-requests/{body['id']}/approve", {}
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "commune_hn1"
    product.refresh_from_db()
    assert product.name == RENAMED
    record = product.history.latest("history_date")
    assert record.history_user == world.users["commune_hn1"]
    assert (
        f"#{body['id']}" in record.history_change_reason and "nhãn hiệu mới" in record.history_change_reason
    )
    assert Notification.objects.filter(
        user=world.users["producer_hn1"], kind="change_request_decided"
    ).exists()
    # The certificate is a legal document: it still verifies under the certified name.
    certificate = product.certificates.get()
    certificate.refresh_from_db()
    assert certificate.certified_product_name == CERTIFIED
    cache.clear()
    html = client.get(verification_path(certificate.code)).content.decode()
    assert CERTIFIED in html and RENAMED in html and "Tên hiện nay" in html


def test_rejection_needs_a_reason_and_the_producer_sees_it(world, product, client) -> None:
    request_id = ask(client, world, product, packaging="Hộp 6 chai").json()["id"]
    officer = world.users["province_hn"]
    url = f"/api/v1/change-requests/{request_id}/reject"
    assert api(client, officer, "post", url, {}).status_code == 422
    assert api(client, officer, "post", url, {"reason": "  "}).status_code == 422
    response = api(client, officer, "post", url, {"reason": "Chưa có kết quả kiểm nghiệm bao bì mới"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    product.refresh_from_db()
    assert product.packaging == "Chai 500 ml"
    seen = api(client, world.users["producer_hn1"], "get", f"/api/v1/change-requests/{request_id}").json()
    assert (
        seen["status"] == "rejected" and seen["decision_reason"] == "Chưa có kết quả kiểm nghiệm bao bì mới"
    )
    # Decided once: approving afterwards is refused.
    again = api(client, officer, "post", f"/api/v1/change-requests/{request_id}/approve", {})
    assert again.status_code == 422


@pytest.mark.parametrize(
    ("actor", "view", "decide"),
    [
        ("commune_hn1", 200, 200),
        ("province_hn", 200, 200),
        ("central", 200, 200),
        ("admin", 200, 200),
        ("commune_hn2", 404, 404),
        ("province_hcm", 404, 404),
        ("viewer_hn", 200, 403),
        ("council_hn", 404, 404),
        ("producer_hn1", 200, 403),
    ],
)
def test_who_sees_and_decides(world, product, client, actor, view, decide) -> None:
    request_id = ask(client, world, product, name=RENAMED).json()["id"]
    user = world.users[actor]
    assert api(client, user, "get", f"/api/v1/change-requests/{request_id}").status_code == view
    listed = api(client, user, "get", "/api/v1/change-requests/").json()
    assert (request_id in [item["id"] for item in listed.get("items", [])]) == (view == 200)
    response = api(client, user, "post", f"/api/v1/change-requests/{request_id}/reject", {"reason": "Không"})
    assert response.status_code == decide
    assert ChangeRequest.objects.get(pk=request_id).status == ("rejected" if decide == 200 else "pending")


def test_only_the_producer_asks_and_only_what_it_may_ask(world, product, client) -> None:
    url = f"/api/v1/products/{product.pk}/change-requests"
    officer = api(client, world.users["commune_hn1"], "post", url, {"name": RENAMED, "reason": "x"})
    assert officer.status_code == 403  # officers edit directly
    assert ask(client, world, product, status="recognised").status_code == 422  # unknown field
    assert ask(client, world, product, story="Câu chuyện").status_code == 422  # not a request field
    assert ask(client, world, product, name=CERTIFIED).status_code == 422  # changes nothing
    assert ask(client, world, product, name=RENAMED, reason="").status_code == 422
    other = make_product(make_producer(world.places["hn1"]))
    assert ask(client, world, other, name=RENAMED).status_code == 404  # another organisation's
    assert ChangeRequest.objects.count() == 0


def test_one_open_request_per_product_and_withdrawal(world, product, client) -> None:
    first = ask(client, world, product, name=RENAMED).json()["id"]
    second = ask(client, world, product, packaging="Hộp")
    assert second.status_code == 422 and "chờ duyệt" in second.json()["detail"]
    officer = world.users["commune_hn1"]
    assert api(client, officer, "post", f"/api/v1/change-requests/{first}/withdraw").status_code == 403
    producer = world.users["producer_hn1"]
    response = api(client, producer, "post", f"/api/v1/change-requests/{first}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert ask(client, world, product, packaging="Hộp").status_code == 201


def test_a_move_is_decided_by_an_officer_of_both_places(world, product, client) -> None:
    hcm1 = world.places["hcm1"]
    request_id = ask(client, world, product, unit_code=hcm1.code).json()["id"]
    url = f"/api/v1/change-requests/{request_id}/approve"
    for actor in ("commune_hn1", "province_hn"):
        refused = api(client, world.users[actor], "post", url, {})
        assert refused.status_code == 422 and "địa bàn" in refused.json()["detail"], actor
    product.refresh_from_db()
    assert product.unit == world.places["hn1"]
    assert api(client, world.users["central"], "post", url, {"note": "Đã xác minh"}).status_code == 200
    product.refresh_from_db()
    assert product.unit == hcm1 and product.province == world.places["hcm"]
    certificate = product.certificates.get()
    assert "Hà Nội" in certificate.certified_place  # what was recognised stays


def test_a_stale_request_is_not_applied_over_a_later_edit(world, product, client) -> None:
    request_id = ask(client, world, product, name=RENAMED).json()["id"]
    officer = world.users["commune_hn1"]
    edited = api(client, officer, "patch", f"/api/v1/products/{product.pk}", {"name": "Tên do cán bộ sửa"})
    assert edited.status_code == 200
    response = api(client, officer, "post", f"/api/v1/change-requests/{request_id}/approve", {})
    assert response.status_code == 422 and "từ khi gửi đề nghị" in response.json()["detail"]
    product.refresh_from_db()
    assert product.name == "Tên do cán bộ sửa"


# --- the pages ------------------------------------------------------------------------------------


def test_pages_walk_a_request_from_producer_to_officer(world, product) -> None:
    producer = world.client("producer_hn1")
    page = producer.get(product.get_absolute_url()).content.decode()
    assert reverse("registry:change_request_add", args=[product.pk]) in page
    add_url = reverse("registry:change_request_add", args=[product.pk])
    form = producer.get(add_url)
    assert form.status_code == 200 and "Lý do đề nghị" in form.content.decode()
    response = producer.post(
        add_url,
        {
            "name": RENAMED,
            "classification_set": product.classification_set,
            "unit_province": product.province.code,
            "unit": product.unit_id,
            "standards": "",
            "packaging": "Chai 500 ml",
            "reason": "Đăng ký nhãn hiệu mới",
        },
    )
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == change_request.get_absolute_url()
    assert change_request.changes == {"name": {"old": CERTIFIED, "new": RENAMED}}
    assert "chờ cán bộ duyệt" in producer.get(product.get_absolute_url()).content.decode()

    officer = world.client("commune_hn1")
    listed = officer.get(reverse("registry:change_request_list") + "?status=pending").content.decode()
    assert change_request.get_absolute_url() in listed
    detail = officer.get(change_request.get_absolute_url()).content.decode()
    assert (
        RENAMED in detail and reverse("registry:change_request_approve", args=[change_request.pk]) in detail
    )
    assert officer.get(change_request.get_absolute_url()).status_code == 200
    # Rejecting without a reason is refused with a message; nothing changes.
    officer.post(reverse("registry:change_request_reject", args=[change_request.pk]), {"note": ""})
    change_request.refresh_from_db()
    assert change_request.status == "pending"
    # Approving names the change and asks first; nothing is written before "Xác nhận".
    approve = reverse("registry:change_request_approve", args=[change_request.pk])
    confirm = officer.post(approve, {"note": "Đồng ý"}).content.decode()
    assert "Duyệt đề nghị thay đổi" in confirm and f"{CERTIFIED} → {RENAMED}" in confirm
    change_request.refresh_from_db()
    product.refresh_from_db()
    assert change_request.status == "pending" and product.name == CERTIFIED
    officer.post(approve, {"note": "Đồng ý", "_confirmed": "1"})
    change_request.refresh_from_db()
    product.refresh_from_db()
    assert change_request.status == "approved" and product.name == RENAMED
    outcome = producer.get(change_request.get_absolute_url()).content.decode()
    assert "Đã duyệt" in outcome and "Đồng ý" in outcome
    # Another commune's officer does not even see it; a producer cannot decide.
    assert world.client("commune_hn2").get(change_request.get_absolute_url()).status_code == 404
    approve_url = reverse("registry:change_request_approve", args=[change_request.pk])
    assert world.client("viewer_hn").post(approve_url).status_code == 403
    assert world.client("commune_hn1").get(add_url).status_code == 403


def test_a_rename_keeps_an_unchanged_historic_place(world) -> None:
    """The form posts every field; an unchanged former commune is not asked for (nor refused)."""
    former = Unit.objects.filter(structure=Structure.FORMER, level=Level.COMMUNE).first()
    producer = make_producer(world.places["hn1"])
    product = make_product(producer, unit=former)
    account = world.users["producer_hn1"]
    account.producer = producer
    account.save()
    fields = change_requests.requestable_fields(account, product)
    data = {
        "name": RENAMED,
        "classification_set": product.classification_set,
        "unit_province": product.province.code,
        "unit": former.pk,
        "reason": "Đổi tên",
    }
    form = ChangeRequestForm(data, product=product, fields=fields)
    form.fields["unit"].queryset = Unit.objects.filter(pk=former.pk)  # a former unit is not on offer
    assert form.is_valid(), form.errors
    change_request = change_requests.submit(account, product, form.values(), form.cleaned_data["reason"])
    assert change_request.changes == {"name": {"old": product.name, "new": RENAMED}}


def test_admin_lists_requests_in_scope_and_never_edits_them(world, product, client) -> None:
    request_id = ask(client, world, product, name=RENAMED).json()["id"]
    admin_page = world.client("admin").get(reverse("admin:registry_changerequest_changelist"))
    assert admin_page.status_code == 200 and CERTIFIED in admin_page.content.decode()
    detail = world.client("admin").get(reverse("admin:registry_changerequest_change", args=[request_id]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
