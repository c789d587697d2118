"""Who may see, add, change and delete which plans, targets and manual values: roles × objects ×
actions, on the pages and through the API (the same core.scoping rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from ocop.accounts.models import ApiToken
from ocop.plans.models import ManualValue, Plan, PlanLevel, Target
from ocop.registry.tests.conftest import World, world  # noqa: F401

from .conftest import make_plan, make_target

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "central",
    "province_hn",
    "province_hcm",
    "commune_hn1",
    "commune_hn2",
    "commune_hcm1",
    "council_hn",
    "producer_hn1",
    "viewer_hn",
    "viewer_hn1",
]
NEVER = {"council_hn", "producer_hn1"}  # their role has nothing to do with plans: 403
READERS = {"viewer_hn", "viewer_hn1"}  # read their area, write nothing: 403 on writes

# object → who sees it
SEES = {
    "country": {"admin", "central"},
    "hn": {"admin", "central", "province_hn", "viewer_hn"},
    "hn1": {"admin", "central", "province_hn", "commune_hn1", "viewer_hn", "viewer_hn1"},
    "hcm": {"admin", "central", "province_hcm"},
}
# object → who may change it, its targets (add, change, delete) and its manual values
WRITES = {
    "country": {"admin", "central"},
    "hn": {"admin", "province_hn"},
    "hn1": {"admin", "province_hn", "commune_hn1"},
    "hcm": {"admin", "province_hcm"},
}
# object → who may delete the plan itself (the house policy: administrators and province offices)
DELETES = {
    "country": {"admin"},
    "hn": {"admin", "province_hn"},
    "hn1": {"admin", "province_hn"},
    "hcm": {"admin", "province_hcm"},
}
ROLE_MAY_CHANGE = set(USERS) - NEVER - READERS
ROLE_MAY_DELETE_PLANS = {"admin", "province_hn", "province_hcm"}


@dataclass
class Objects:
    world: World
    plans: dict
    targets: dict
    values: dict


@pytest.fixture
def objects(world) -> Objects:  # noqa: F811
    p = world.places
    plans = {
        "country": make_plan(level=PlanLevel.COUNTRY, title="Toàn quốc"),
        "hn": make_plan(province=p["hn"], title="Hà Nội"),
        "hn1": make_plan(level=PlanLevel.COMMUNE, province=p["hn"], commune=p["hn1"], title="Xã hn1"),
        "hcm": make_plan(province=p["hcm"], title="TP HCM"),
    }
    targets = {name: make_target(plan, "products_5_star", 2) for name, plan in plans.items()}
    units = {
        "country": (None, None),
        "hn": (p["hn"], None),
        "hn1": (p["hn"], p["hn1"]),
        "hcm": (p["hcm"], None),
    }
    values = {}
    for name, (province, commune) in units.items():
        level = "commune" if commune else "province" if province else "country"
        values[name] = ManualValue.objects.create(
            indicator="points_of_sale",
            level=level,
            province=province,
            commune=commune,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 6, 30),
            value=3,
        )
    return Objects(world, plans, targets, values)


def expected(user: str, allowed: set[str], role_may: bool) -> int:
    if user in allowed:
        return 200
    if not role_may:
        return 403
    return 404


# --- pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEES))
def test_plan_pages_matrix(objects: Objects, name: str) -> None:
    plan = objects.plans[name]
    target = objects.targets[name]
    for user in USERS:
        client = objects.world.client(user)

        def status(url: str, client=client) -> int:
            return client.get(url).status_code

        assert status(plan.get_absolute_url()) == expected(user, SEES[name], user not in NEVER), (
            user,
            "view",
        )
        assert status(reverse("plans:target_records", args=[target.pk])) == expected(
            user, SEES[name], user not in NEVER
        ), (user, "records")
        assert status(reverse("plans:plan_progress_export", args=[plan.pk, "csv"])) == expected(
            user, SEES[name], user not in NEVER
        ), (user, "export")
        assert status(reverse("plans:plan_edit", args=[plan.pk])) == expected(
            user, WRITES[name], user in ROLE_MAY_CHANGE
        ), (user, "edit")
        assert status(reverse("plans:plan_delete", args=[plan.pk])) == expected(
            user, DELETES[name], user in ROLE_MAY_DELETE_PLANS or user == "admin"
        ), (user, "delete")
        assert status(reverse("plans:target_edit", args=[target.pk])) == expected(
            user, WRITES[name], user in ROLE_MAY_CHANGE
        ), (user, "target edit")
        assert status(reverse("plans:target_delete", args=[target.pk])) == expected(
            user, WRITES[name], user in ROLE_MAY_CHANGE
        ), (user, "target delete")
        # Adding a target: a plan the user sees but may not write is a 403, one it does not see a 404.
        add = status(reverse("plans:target_add", args=[plan.pk]))
        if user in WRITES[name]:
            assert add == 200, (user, "target add")
        elif user in NEVER or user in READERS or user not in SEES[name]:
            assert add in (403, 404), (user, "target add")
            assert add == (403 if user in NEVER or user in READERS else 404), (user, "target add")
        else:
            assert add == 403, (user, "target add")
        assert status(reverse("plans:manual_value_edit", args=[objects.values[name].pk])) == expected(
            user, WRITES[name], user in ROLE_MAY_CHANGE
        ), (user, "manual value edit")
        assert status(reverse("plans:manual_value_delete", args=[objects.values[name].pk])) == expected(
            user, WRITES[name], user in ROLE_MAY_CHANGE
        ), (user, "manual value delete")


def test_lists_show_what_each_user_sees(objects: Objects) -> None:
    for user in USERS:
        client = objects.world.client(user)
        response = client.get(reverse("plans:plan_list"))
        if user in NEVER:
            assert response.status_code == 403, user
            continue
        html = response.content.decode()
        for name, plan in objects.plans.items():
            assert (plan.get_absolute_url() in html) is (user in SEES[name]), (user, name)
        html = client.get(reverse("plans:manual_value_list")).content.decode()
        for name, value in objects.values.items():
            editable = reverse("plans:manual_value_edit", args=[value.pk]) in html
            assert editable is (user in WRITES[name]), (user, name)
    anonymous = objects.world.client("admin")
    anonymous.logout()
    assert anonymous.get(reverse("plans:plan_list")).status_code == 302


def test_the_menu_entry_for_officer_roles(objects: Objects) -> None:
    for user in USERS:
        response = objects.world.client(user).get(reverse("core:home"))
        assert (reverse("plans:plan_list") in response.content.decode()) is (user not in NEVER), user


def test_writes_out_of_scope_change_nothing(objects: Objects) -> None:
    hn = objects.plans["hn"]
    # The central office reads Hà Nội's plan but does not write it; Hà Nội does not write the country's.
    response = objects.world.client("central").post(
        reverse("plans:plan_edit", args=[hn.pk]), {"title": "Đổi", "start_year": 2026, "end_year": 2030}
    )
    assert response.status_code == 404 and Plan.objects.get(pk=hn.pk).title == "Hà Nội"
    response = objects.world.client("province_hn").post(
        reverse("plans:target_delete", args=[objects.targets["country"].pk])
    )
    assert response.status_code == 404 and Target.objects.filter(pk=objects.targets["country"].pk).exists()
    # A commune office may not create a plan for its province, nor the central office for a province.
    response = objects.world.client("commune_hn1").post(
        reverse("plans:plan_add"),
        {"unit": str(objects.world.places["hn"].pk), "title": "X", "start_year": 2026, "end_year": 2026},
    )
    assert response.status_code == 200 and not Plan.objects.filter(title="X").exists()
    response = objects.world.client("central").post(
        reverse("plans:plan_add"),
        {"unit": str(objects.world.places["hn"].pk), "title": "X", "start_year": 2026, "end_year": 2026},
    )
    assert response.status_code == 200 and not Plan.objects.filter(title="X").exists()
    # What each may create.
    for user, unit in (
        ("central", "country"),
        ("province_hn", str(objects.world.places["hn1"].pk)),
        ("commune_hn2", str(objects.world.places["hn2"].pk)),
    ):
        response = objects.world.client(user).post(
            reverse("plans:plan_add"),
            {"unit": unit, "title": f"Mới {user}", "start_year": 2026, "end_year": 2026},
        )
        assert response.status_code == 302, user
    assert Plan.objects.get(title="Mới commune_hn2").commune == objects.world.places["hn2"]


# --- API ---------------------------------------------------------------------------------------------


def api(objects: Objects, user: str, method: str, path: str, body: dict | None = None):
    _, key = ApiToken.issue(objects.world.users[user], name="test")
    client = objects.world.client(user)
    client.logout()
    headers = {"Authorization": f"Bearer {key}", "X-Audit-Reason": "qua API"}
    url = f"/api/v1/plans/{path}"
    if method == "get":
        return client.get(url, body or {}, headers=headers)
    return getattr(client, method)(url, body or {}, content_type="application/json", headers=headers)


def api_expected(user: str, allowed: set[str], role_may: bool, seen: set[str]) -> int:
    if user in allowed:
        return 200
    if not role_may:
        return 403
    return 404


@pytest.mark.parametrize("name", sorted(SEES))
def test_api_matrix(objects: Objects, name: str) -> None:
    plan, target = objects.plans[name], objects.targets[name]
    for user in USERS:
        status = api(objects, user, "get", f"{plan.pk}").status_code
        assert status == (200 if user in SEES[name] else 404), (user, "get")
        status = api(objects, user, "get", f"{plan.pk}/progress").status_code
        assert status == (200 if user in SEES[name] else 404), (user, "progress")
        status = api(objects, user, "patch", f"{plan.pk}", {"note": f"by {user}"}).status_code
        assert status == expected(user, WRITES[name], user in ROLE_MAY_CHANGE), (user, "patch")
        status = api(objects, user, "patch", f"targets/{target.pk}", {"note": user}).status_code
        assert status == expected(user, WRITES[name], user in ROLE_MAY_CHANGE), (user, "patch target")
        body = {"indicator": "products_4_star", "value": 5, "deadline": plan.ends_on.isoformat()}
        status = api(objects, user, "post", f"{plan.pk}/targets", body).status_code
        if user in WRITES[name]:
            assert status == 201, (user, "add target")
            Target.objects.filter(plan=plan, indicator="products_4_star").delete()
        elif user in NEVER or user in READERS:
            assert status == 403, (user, "add target")
        else:
            assert status == (403 if user in SEES[name] else 404), (user, "add target")


def test_api_lists_and_deletes(objects: Objects) -> None:
    counts = {user: sum(user in seen for seen in SEES.values()) for user in USERS}
    for user in USERS:
        body = api(objects, user, "get", "").json()
        assert body["count"] == counts[user], user
        body = api(objects, user, "get", "manual-values").json()
        assert body["count"] == counts[user], user
    # Deleting: central may not delete a plan, even the country's; a province office its own.
    assert api(objects, "central", "delete", f"{objects.plans['country'].pk}").status_code == 403
    assert api(objects, "province_hcm", "delete", f"{objects.plans['hn'].pk}").status_code == 404
    assert api(objects, "commune_hn1", "delete", f"targets/{objects.targets['hn1'].pk}").status_code == 204
    assert api(objects, "province_hn", "delete", f"{objects.plans['hn1'].pk}").status_code == 204
    assert not Plan.objects.filter(pk=objects.plans["hn1"].pk).exists()
    record = Plan.history.filter(id=objects.plans["hn1"].pk, history_type="-").get()
    assert record.history_user == objects.world.users["province_hn"]
    assert record.history_change_reason == "qua API"


def test_the_admin_is_scoped_and_read_only(objects: Objects) -> None:
    for user in ("admin", "province_hn"):
        account = objects.world.users[user]
        account.is_staff = True
        account.save(update_fields=["is_staff"])
    admin = objects.world.client("admin")
    for name in ("plan", "target", "manualvalue"):
        assert admin.get(f"/admin/plans/{name}/").status_code == 200, name
        assert admin.get(f"/admin/plans/{name}/add/").status_code == 403, name
    page = admin.get(f"/admin/plans/plan/{objects.plans['hn'].pk}/change/")
    assert page.status_code == 200 and "Hà Nội" in page.content.decode()
    # A province officer with admin access sees its own area's plans only.
    province = objects.world.client("province_hn")
    html = province.get("/admin/plans/plan/").content.decode()
    assert "TP HCM" not in html and "Xã hn1" in html
    assert province.get(f"/admin/plans/plan/{objects.plans['hcm'].pk}/change/").status_code in (302, 403, 404)
