"""/api/v1/units/: public reference data with succession, the same search as the pages."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/"


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"structure": "current", "level": "province"}, 34),
        ({"structure": "current", "level": "commune"}, 3321),
        ({"structure": "former", "level": "province"}, 63),
        ({"structure": "former", "level": "district"}, 696),
        ({"structure": "former", "level": "commune"}, 10051),
    ],
)
def test_list_counts_match_the_official_structures(client, params: dict, count: int) -> None:
    response = client.get(URL, {**params, "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    assert len(body["items"]) == 5


def test_list_is_readable_without_login_and_paginates(client) -> None:
    first = client.get(URL, {"structure": "current", "level": "province", "limit": 10}).json()
    second = client.get(URL, {"structure": "current", "level": "province", "limit": 10, "offset": 10}).json()
    assert set(first) == {"items", "count"}
    codes = [u["code"] for u in first["items"] + second["items"]]
    assert len(codes) == len(set(codes)) == 20
    item = first["items"][0]
    assert item == {
        "structure": "current",
        "level": "province",
        "code": "91",
        "name": "Tỉnh An Giang",
        "division_type": "tỉnh",
        "parent": None,
        "current_province": {"code": "91", "name": "Tỉnh An Giang"},
    }


@pytest.mark.parametrize("q", ["dong thap", "Dong Thap", "Đồng Tháp", "ĐỒNG THÁP"])
def test_search_ignores_diacritics_and_case(client, q: str) -> None:
    body = client.get(URL, {"structure": "current", "level": "province", "q": q}).json()
    assert [u["code"] for u in body["items"]] == ["82"]


def test_search_dak_lak_finds_dak_lak_and_by_code(client) -> None:
    body = client.get(URL, {"structure": "current", "level": "province", "q": "dak lak"}).json()
    assert [u["name"] for u in body["items"]] == ["Tỉnh Đắk Lắk"]
    body = client.get(URL, {"structure": "former", "q": "755"}).json()
    assert [u["name"] for u in body["items"]] == ["Huyện Côn Đảo"]


def test_parent_lists_children(client) -> None:
    body = client.get(URL, {"structure": "current", "parent": "82", "limit": 1}).json()
    assert body["count"] == 102
    body = client.get(URL, {"structure": "former", "parent": "82"}).json()
    assert {u["level"] for u in body["items"]} == {"district"}
    assert all(u["current_province"]["code"] == "82" for u in body["items"])


def test_bad_query_parameters_are_rejected_with_a_message(client) -> None:
    response = client.get(URL, {"structure": "future"})
    assert response.status_code == 422
    assert "structure" in str(response.json()["detail"])
    assert client.get(URL, {"level": "village"}).status_code == 422
    assert client.get(URL, {"parent": "x"}).status_code == 422


def test_former_tien_giang_succeeds_only_to_dong_thap(client) -> None:
    body = client.get(URL + "former/82").json()
    assert body["name"] == "Tỉnh Tiền Giang"
    assert body["current_province"] == {"code": "82", "name": "Tỉnh Đồng Tháp"}
    assert body["successors"] == [
        {"code": "82", "name": "Tỉnh Đồng Tháp", "level": "province", "partial": False}
    ]
    assert body["predecessors"] == []


def test_current_province_lists_its_former_provinces(client) -> None:
    body = client.get(URL + "current/82").json()
    former_provinces = [p for p in body["predecessors"] if p["level"] == "province"]
    assert sorted(p["name"] for p in former_provinces) == ["Tỉnh Tiền Giang", "Tỉnh Đồng Tháp"]


def test_con_dao_special_zone_has_its_former_district_as_source(client) -> None:
    body = client.get(URL + "current/26732").json()
    assert body["name"] == "Đặc khu Côn Đảo"
    assert body["parent"] == {"code": "79", "name": "Thành phố Hồ Chí Minh"}
    assert body["predecessors"] == [
        {"code": "755", "name": "Huyện Côn Đảo", "level": "district", "partial": False}
    ]
    assert client.get(URL + "former/755").json()["successors"][0]["code"] == "26732"


def test_split_former_commune_lists_partial_successors(client) -> None:
    body = client.get(URL + "former/00073").json()
    assert len(body["successors"]) > 1
    assert all(s["partial"] for s in body["successors"])
    assert body["current_province"]["code"] == "01"


def test_unknown_unit_is_404_with_a_vietnamese_detail(client) -> None:
    response = client.get(URL + "current/99999")
    assert response.status_code == 404
    assert response.json()["detail"] == "Không tìm thấy đơn vị hành chính có mã 99999."
    assert client.get(URL + "past/01").status_code == 422


def test_list_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(2):
        client.get(URL, {"structure": "former", "level": "commune", "limit": 100})


def test_openapi_documents_units_as_public(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/units/{structure}/{code}"]["get"]
    assert not operation.get("security")
    parameters = {p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]}
    assert {"structure", "level", "parent", "q", "limit", "offset"} <= parameters
