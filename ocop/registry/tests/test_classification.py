"""Classification of QĐ 26/2026 (Phụ lục I / II) and the enum-like tables."""

import datetime as dt
import re
import subprocess
import sys

import pytest
from django.utils import translation

from ocop.registry import classification as c
from ocop.registry.classification import LegalBasis, ProducerType, ProductStatus
from ocop.registry.classification_names import NAMES


def test_counts():
    assert [s.code for s in c.sectors()] == ["I", "II", "III", "IV", "V", "VI"]
    assert len(c.groups()) == 17
    assert [s.code for s in c.sets()] == [f"B{n:02d}" for n in range(1, 27)]


def test_hierarchy_is_consistent():
    sector_codes = {s.code for s in c.sectors()}
    group_codes = {g.code for g in c.groups()}
    for group in c.groups():
        assert group.sector in sector_codes
        assert group.code.split(".")[0] == group.sector
    for product_set in c.sets():
        assert product_set.group in group_codes
        assert c.get_group(product_set.group).sector == product_set.sector
        assert product_set.annex_code == product_set.group or product_set.annex_code.startswith(
            product_set.group + "."
        )
        assert re.fullmatch(r"[IV]+\.\d(\.[a-d])?", product_set.annex_code)
        assert product_set.ministries and all(m.startswith("Bộ ") for m in product_set.ministries)
    # Every nhóm has at least one bộ sản phẩm.
    assert {s.group for s in c.sets()} == group_codes


# Rows of ocop-rules.md §4 (sheet, Phụ lục I code, group name, managing ministries).
@pytest.mark.parametrize(
    ("code", "annex_code", "group_name", "ministries"),
    [
        ("B01", "I.1.a", "Thực phẩm tươi sống", ["Bộ Nông nghiệp và Môi trường"]),
        ("B05", "I.3.a", "Thực phẩm chế biến", ["Bộ Công Thương"]),
        ("B06", "I.3.b", "Thực phẩm chế biến", ["Bộ Nông nghiệp và Môi trường", "Bộ Công Thương"]),
        ("B13", "I.6", "Cà phê, ca cao", ["Bộ Nông nghiệp và Môi trường"]),
        ("B14", "II.1.a", "Đồ uống có cồn", ["Bộ Công Thương"]),
        ("B16", "II.2.a", "Đồ uống không cồn", ["Bộ Y tế"]),
        ("B18", "III.1", "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền", ["Bộ Y tế"]),
        ("B20", "III.3", "Tinh dầu và dược liệu khác", ["Bộ Y tế", "Bộ Công Thương"]),
        (
            "B21",
            "IV.1",
            "Thủ công mỹ nghệ gia dụng, trang trí",
            ["Bộ Công Thương", "Bộ Nông nghiệp và Môi trường"],
        ),
        ("B25", "V.3", "Động vật cảnh", ["Bộ Nông nghiệp và Môi trường"]),
        (
            "B26",
            "VI.1",
            "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
            ["Bộ Văn hóa, Thể thao và Du lịch", "Bộ Nông nghiệp và Môi trường"],
        ),
    ],
)
def test_sample_rows_match_rules_table(code, annex_code, group_name, ministries):
    product_set = c.get_set(code)
    assert product_set.annex_code == annex_code
    assert c.get_group(product_set.group).name == group_name
    assert list(product_set.ministries) == ministries
    assert c.set_for_code(annex_code) == product_set


def test_sample_names():
    assert c.get_set("B01").name == "Rau, củ, quả, hạt tươi"
    assert c.get_set("B07").name == "Chế biến từ rau, củ, quả, hạt"
    assert c.get_set("B16").name == "Nước khoáng thiên nhiên, nước uống đóng chai"
    assert c.get_set("B26").name == "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    assert c.get_sector("VI").name == "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    assert c.get_sector("III").name == "Dược liệu và sản phẩm từ dược liệu"
    # Phụ lục I and Phụ lục II name a few sets differently; both are kept.
    assert c.get_set("B10").annex_name == "Gia vị khác"
    assert c.get_set("B10").name == "Gia vị khác (muối, hành, tỏi, tiêu)"


def test_lookups_are_tolerant_and_strict():
    assert c.get_set(" b7 ").code == "B07"
    assert c.validate_set_code("B26") == "B26"
    assert c.set_for_code(" i.3.C ").code == "B07"
    for bad in ("B00", "B27", "B7a", "", "07"):
        with pytest.raises(ValueError, match="Mã bộ sản phẩm không hợp lệ"):
            c.get_set(bad)
    with pytest.raises(ValueError, match="Phụ lục I"):
        c.set_for_code("I.3")  # a nhóm with phân nhóm is not itself a set
    with pytest.raises(ValueError):
        c.get_group("I.7")


def test_producer_types():
    assert [p.value for p in ProducerType] == ["HTX", "THT", "DN_SME", "TRANG_TRAI", "HO_SX", "TOURISM_ORG"]
    assert ProducerType.HTX.label == "Hợp tác xã"
    assert ProducerType("TOURISM_ORG").b26_only and not ProducerType.HO_SX.b26_only
    assert ("THT", "Tổ hợp tác") in ProducerType.choices()


def test_product_statuses():
    assert [s.value for s in ProductStatus] == [
        "potential",
        "registered",
        "evaluating",
        "recognised",
        "expired",
        "revoked",
        "discontinued",
        "removed",
    ]
    assert ProductStatus.RECOGNISED.label == "Đạt sao"
    assert all(label for _, label in ProductStatus.choices())


def test_legal_bases():
    assert [b.value for b in LegalBasis] == ["QD490/1048", "QD1048+781", "QD148", "QD148+1489", "QD26/2026"]
    assert LegalBasis.QD490_1048.weights == (35, 25, 40)
    assert LegalBasis.QD148.weights == LegalBasis.QD26_2026.weights == (40, 25, 35)
    assert all(sum(b.weights) == 100 for b in LegalBasis)
    dates = [b.effective_from for b in LegalBasis]
    assert dates == sorted(dates)
    assert LegalBasis.QD26_2026.effective_from == dt.date(2026, 5, 22)


def test_former_classification():
    former = c.former_classification()
    assert [s["name"] for s in former["sectors"]] == [
        "Thực phẩm",
        "Đồ uống",
        "Thảo dược",
        "Vải và may mặc",
        "Lưu niệm – nội thất – trang trí",
        "Dịch vụ du lịch nông thôn, bán hàng",
    ]
    assert former["notes"], "the gaps of the former classification must be stated"
    current = {s.code for s in c.sectors()}
    for sector in former["sectors"]:
        assert set(sector["successor_sectors"]) <= current
    by_name = {g["name"]: g for g in former["known_subgroups"]}
    assert by_name["Chế biến từ thủy, hải sản"]["successor_set"] == "B08"
    assert by_name["Trang thiết bị, dụng cụ y tế"]["successor_set"] is None
    for group in former["known_subgroups"]:
        if group["successor_set"] is not None:
            c.get_set(group["successor_set"])


def test_148_mapping():
    assert c.set_for_148("B16") == c.get_set("B16")
    assert {c.set_for_148(s.code).code for s in c.sets()} == {s.code for s in c.sets()}
    with pytest.raises(ValueError, match="QĐ 148"):
        c.set_for_148("B27")


def test_labels_follow_the_active_language():
    assert str(ProducerType.HTX.label) == "Hợp tác xã"
    with translation.override("en"):
        assert str(ProducerType.HTX.label) == "Cooperative"
        assert dict(ProductStatus.choices())["recognised"] == "Star-rated"
        assert str(ProductStatus.REVOKED.label) == "Revoked"
        assert str(LegalBasis.QD148.label) == "Decision 148/QĐ-TTg"
        assert str(c.get_sector("I").label) == "Food"
        assert str(c.get_group("V.1").label) == "Flowers"  # not the Hoa ethnic group: a msgctxt
        assert str(c.get_set("B07").label) == "Processed vegetable, tuber, fruit and nut products"
    assert str(c.get_group("V.1").label) == "Hoa"


def test_every_classification_name_is_a_msgid_with_an_english_translation():
    names = {item.name for item in (*c.sectors(), *c.groups(), *c.sets())}
    assert set(NAMES) == names  # classification_names.py lists exactly the data's names
    with translation.override("en"):
        untranslated = [name for name in names if str(c.Sector("X", name).label) == name]
    assert untranslated == []


def test_module_works_without_django_settings():
    """Scripts may use the classification without Django: labels are then the Vietnamese text."""
    code = (
        "from ocop.registry.classification import ProducerType, get_set; "
        "print(ProducerType.HTX.label, '|', get_set('B07').label)"
    )
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "Hợp tác xã | Chế biến từ rau, củ, quả, hạt"
