"""geo.places: the names a record's place is found by, across the 2025 reorganisation."""

from ocop.geo.places import PlaceUnit, place_texts


def test_names_of_the_lineage_and_across_the_reorganisation() -> None:
    units = [
        PlaceUnit(1, "Đồng Tháp", None, 1),  # current province
        PlaceUnit(2, "Lai Vung", 1, 1),  # current commune
        PlaceUnit(10, "Đồng Tháp", None, 1),  # former province of the same name
        PlaceUnit(11, "Lấp Vò", 10, 1),  # former district
        PlaceUnit(12, "Định An", 11, 1),  # former commune, went into Lai Vung
        PlaceUnit(13, "Tiền Giang", None, 1),  # former province merged into current Đồng Tháp
    ]
    texts = place_texts(units, [(12, 2), (10, 1), (13, 1)])
    assert texts[2] == "lai vung | dong thap | dinh an | lap vo"  # names once each, own first
    assert texts[12] == "dinh an | lap vo | dong thap | lai vung"
    assert texts[1] == "dong thap | tien giang"
    assert texts[13] == "tien giang | dong thap"


def test_a_broken_parent_chain_ends() -> None:
    texts = place_texts([PlaceUnit(1, "A", 2, None), PlaceUnit(2, "B", 1, None)], [])
    assert texts == {1: "a | b", 2: "b | a"}
