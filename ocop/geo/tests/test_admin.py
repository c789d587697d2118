"""Admin: units are read-mostly and searchable without diacritics; a rename is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ocop.geo.models import Structure, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser(username="root", password=None, email="r@x.vn")
    client.force_login(user)
    return client


def test_search_without_diacritics_and_filters(admin_client: Client) -> None:
    response = admin_client.get(
        "/admin/geo/unit/", {"q": "dak lak", "structure__exact": "current", "level__exact": "province"}
    )
    assert response.status_code == 200
    assert [u.code for u in response.context["cl"].result_list] == ["66"]


def test_units_cannot_be_added_or_deleted_but_can_be_renamed_with_history(admin_client: Client, unit) -> None:
    assert admin_client.get("/admin/geo/unit/add/").status_code == 403
    hanoi = unit("01")
    assert admin_client.get(f"/admin/geo/unit/{hanoi.pk}/delete/").status_code == 403
    response = admin_client.post(
        f"/admin/geo/unit/{hanoi.pk}/change/",
        {"name": "Thủ đô Hà Nội", "division_type": "thành phố trung ương"},
    )
    assert response.status_code == 302
    hanoi.refresh_from_db()
    assert (hanoi.name, hanoi.name_folded, hanoi.code) == ("Thủ đô Hà Nội", "thu do ha noi", "01")
    assert hanoi.history.first().name == "Thủ đô Hà Nội"


def test_succession_admin_searches_former_and_current_names(admin_client: Client) -> None:
    response = admin_client.get("/admin/geo/unitsuccession/", {"q": "con dao", "source__exact": "manual"})
    rows = list(response.context["cl"].result_list)
    assert [(s.former.code, s.current.code) for s in rows] == [("755", "26732")]
    assert Unit.objects.get(structure=Structure.FORMER, code="755").successions.count() == 1


def test_change_page_shows_the_succession(admin_client: Client, unit) -> None:
    html = admin_client.get(f"/admin/geo/unit/{unit('26732').pk}/change/").content.decode()
    assert "755 Huyện Côn Đảo" in html
