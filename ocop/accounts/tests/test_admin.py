"""The Django admin shows and edits accounts with the same scoping as the app."""

from django.urls import reverse

from ocop.accounts.tests.conftest import World


def test_admin_changelist_is_scoped_for_staff_officers(world: World) -> None:
    officer = world.users["province_hn"]
    officer.is_staff = True
    officer.save()
    client = world.client("province_hn")
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    shown = {user.username for user in response.context["cl"].result_list}
    assert shown == {
        "province_hn",
        "commune_hn1",
        "commune_hn2",
        "council_hn",
        "producer_hn1",
        "viewer_hn",
        "viewer_hn1",
    }
    other = world.users["province_hcm"]
    outside = client.get(reverse("admin:accounts_user_change", args=[other.pk]))
    assert outside.status_code == 302  # "does not exist" → back to the admin index
    role_field = (
        client.get(reverse("admin:accounts_user_change", args=[world.users["viewer_hn"].pk]))
        .context["adminform"]
        .form.fields["role"]
    )
    assert "admin" not in dict(role_field.choices) and "central" not in dict(role_field.choices)


def test_admin_superuser_sees_everyone(world: World) -> None:
    response = world.client("admin").get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(world.users)
