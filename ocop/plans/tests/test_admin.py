"""Plans and periodic reports in the admin: listed within the user's scope, never written there."""

from django.contrib import admin

from ocop.plans.models import ManualValue, PeriodicReport, Plan, Target


def test_every_plans_model_is_in_the_admin_read_only(rf, world) -> None:
    request = rf.get("/admin/")
    request.user = world.users["admin"]
    for model in (Plan, Target, ManualValue, PeriodicReport):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_the_report_list_opens(world, client) -> None:
    user = world.users["admin"]
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    for name in ("plan", "target", "manualvalue", "periodicreport"):
        assert client.get(f"/admin/plans/{name}/").status_code == 200, name
