"""Pages: browse provinces → a province's communes with their former units → one unit."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = [pytest.mark.django_db, pytest.mark.urls("ocop.geo.tests.urls")]


@pytest.fixture
def viewer_client(client: Client) -> Client:
    # Reference data: the least privileged role may read it.
    user = get_user_model().objects.create_user(username="xem", role="viewer")  # no password: no slow hashing
    client.force_login(user)
    return client


def test_pages_need_login(client: Client) -> None:
    for url in ["/units/", "/units/current/82/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "next=" in response["Location"]


def test_list_opens_on_the_34_current_provinces(viewer_client: Client) -> None:
    response = viewer_client.get("/units/")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.paginator.count == 34
    names = [row.record.name for row in table.page.object_list]
    assert names[0] == "Tỉnh An Giang"
    assert "Tỉnh Đồng Tháp" in names
    assert 'href="/units/current/82/"' in response.content.decode()


@pytest.mark.parametrize("q", ["dong thap", "Dong Thap", "Đồng Tháp"])
def test_search_without_diacritics_finds_dong_thap(viewer_client: Client, q: str) -> None:
    response = viewer_client.get("/units/", {"q": q, "structure": "current", "level": "province"})
    assert [row.record.code for row in response.context["table"].page.object_list] == ["82"]


def test_search_dak_lak_across_structures(viewer_client: Client) -> None:
    response = viewer_client.get("/units/", {"q": "dak lak", "level": "province"})
    records = [(row.record.structure, row.record.name) for row in response.context["table"].page.object_list]
    assert sorted(records) == [("current", "Tỉnh Đắk Lắk"), ("former", "Tỉnh Đắk Lắk")]


def test_htmx_search_returns_only_the_results(viewer_client: Client) -> None:
    response = viewer_client.get("/units/", {"q": "con dao", "structure": "current"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Đặc khu Côn Đảo" in html
    assert "<html" not in html


def test_province_page_lists_communes_with_their_former_units(viewer_client: Client) -> None:
    response = viewer_client.get("/units/current/82/")
    assert response.status_code == 200
    html = response.content.decode()
    children = response.context["children"]
    assert len(children) == 102
    assert all(child.level == "commune" for child in children)
    # The province's own predecessors: former Đồng Tháp and Tiền Giang.
    assert {link.former.name for link in response.context["predecessions"]} == {
        "Tỉnh Đồng Tháp",
        "Tỉnh Tiền Giang",
    }
    # Each commune shows the former communes it was made from, with their former district.
    commune = next(c for c in children if c.predecessions.all())
    former = commune.predecessions.all()[0].former
    assert former.get_absolute_url() in html
    assert former.parent.name in html


def test_commune_page_shows_predecessors_and_partial_flag(viewer_client: Client) -> None:
    response = viewer_client.get("/units/former/00073/")
    html = response.content.decode()
    successors = response.context["successions"]
    assert len(successors) > 1
    assert all(link.partial for link in successors)
    assert "một phần" in html
    target = successors[0].current
    response = viewer_client.get(target.get_absolute_url())
    assert "Phường Cửa Nam" in response.content.decode()


def test_special_zone_page_shows_its_former_district(viewer_client: Client) -> None:
    html = viewer_client.get("/units/current/26732/").content.decode()
    assert "Huyện Côn Đảo" in html
    assert 'href="/units/former/755/"' in html


def test_former_district_page_lists_its_communes_and_what_they_became(viewer_client: Client) -> None:
    response = viewer_client.get("/units/former/001/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường Trúc Bạch" in html
    assert 'href="/units/current/00004/"' in html
    assert "Thành phố Hà Nội" in html


def test_unknown_unit_is_404(viewer_client: Client) -> None:
    assert viewer_client.get("/units/current/99999/").status_code == 404
    assert viewer_client.get("/units/past/01/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(
    viewer_client: Client, django_assert_max_num_queries
) -> None:
    viewer_client.get("/units/")  # warm caches (session, content types)
    with django_assert_max_num_queries(6):
        viewer_client.get("/units/", {"structure": "former", "level": "commune"})


@pytest.mark.parametrize(
    "url", ["/units/current/79/", "/units/current/82/", "/units/former/001/", "/units/former/82/"]
)
def test_detail_query_count_does_not_grow_with_children(
    viewer_client: Client, django_assert_max_num_queries, url: str
) -> None:
    viewer_client.get(url)
    with django_assert_max_num_queries(8):
        viewer_client.get(url)


def test_big_and_small_provinces_cost_the_same_queries(viewer_client: Client) -> None:
    counts, sizes = [], []
    for url in ["/units/current/79/", "/units/current/04/"]:  # Hồ Chí Minh, Cao Bằng
        sizes.append(len(viewer_client.get(url).context["children"]))
        with CaptureQueriesContext(connection) as queries:
            viewer_client.get(url)
        counts.append(len(queries))
    assert sizes[0] > 2 * sizes[1]
    assert counts[0] == counts[1]
