"""The administrative units as loaded: exact counts, codes, succession and the source's known faults."""

import pytest
from django.core.management import call_command
from django.db import connection

from ocop.geo.loading import load_units
from ocop.geo.models import Level, Structure, Unit, UnitSuccession
from ocop.geo.sources import SOURCE_MANUAL, build_dataset, short_name

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("structure", "level", "count"),
    [
        (Structure.CURRENT, Level.PROVINCE, 34),
        (Structure.CURRENT, Level.DISTRICT, 0),
        (Structure.CURRENT, Level.COMMUNE, 3321),
        (Structure.FORMER, Level.PROVINCE, 63),
        (Structure.FORMER, Level.DISTRICT, 696),
        (Structure.FORMER, Level.COMMUNE, 10051),
    ],
)
def test_official_counts(structure: str, level: str, count: int) -> None:
    assert Unit.objects.filter(structure=structure, level=level).count() == count


def test_codes_are_zero_padded_strings_by_level() -> None:
    widths = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
    for level, width in widths.items():
        codes = Unit.objects.filter(level=level).values_list("code", flat=True)
        assert {len(c) for c in codes} | {width} == {width}
        assert all(c.isdigit() for c in codes)
    assert Unit.objects.get(structure=Structure.CURRENT, code="01").name == "Thành phố Hà Nội"
    assert Unit.objects.get(structure=Structure.FORMER, code="00001").name == "Phường Phúc Xá"


def test_every_unit_has_a_current_province(unit) -> None:
    assert not Unit.objects.filter(current_province__isnull=True).exists()
    assert not Unit.objects.exclude(current_province__structure=Structure.CURRENT).exists()
    assert not Unit.objects.exclude(current_province__level=Level.PROVINCE).exists()
    hanoi = unit("01")
    assert hanoi.current_province == hanoi
    assert unit("00004").current_province == hanoi


def test_names_are_searchable_and_sortable_without_the_division_type(unit) -> None:
    dak_lak = unit("66")
    assert dak_lak.name == "Tỉnh Đắk Lắk"
    assert dak_lak.division_type == "tỉnh"
    assert dak_lak.name_folded == "tinh dak lak"
    names = [u.short_name for u in Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)]
    # Dictionary order on the name proper, whatever the type: Cà Mau < Cao Bằng < Cần Thơ < Đà Nẵng.
    assert names.index("Cà Mau") < names.index("Cao Bằng") < names.index("Cần Thơ") < names.index("Đà Nẵng")
    assert names[0] == "An Giang"


def test_former_tien_giang_maps_only_to_dong_thap(unit, province_dong_thap) -> None:
    tien_giang = unit("82", Structure.FORMER)
    assert tien_giang.name == "Tỉnh Tiền Giang"
    successors = [(s.current.code, s.partial) for s in tien_giang.successions.select_related("current")]
    assert successors == [("82", False)]
    assert tien_giang.current_province == province_dong_thap
    # No former commune of Tiền Giang resolves outside Đồng Tháp.
    assert not Unit.objects.filter(
        structure=Structure.FORMER, parent__parent=tien_giang, current_province__code__in=["80"]
    ).exists()


def test_long_an_ward_misfiled_under_tien_giang_goes_to_tay_ninh(unit, province_tay_ninh) -> None:
    ward = unit("27691", Structure.FORMER)
    assert ward.parent.parent.name == "Tỉnh Long An"
    assert ward.current_province == province_tay_ninh
    assert [s.current.code for s in ward.successions.select_related("current")] == ["27694"]


def test_former_provinces_map_to_current_provinces_without_splits() -> None:
    for former in Unit.objects.filter(structure=Structure.FORMER, level=Level.PROVINCE):
        successors = list(former.successions.all())
        assert len(successors) == 1, former
        assert successors[0].current_id == former.current_province_id
        assert not successors[0].partial
    merged = Unit.objects.get(structure=Structure.CURRENT, code="79")
    assert sorted(
        merged.predecessions.filter(former__level=Level.PROVINCE).values_list("former__code", flat=True)
    ) == [
        "74",
        "77",
        "79",
    ]


@pytest.mark.parametrize(
    ("district", "zone", "name"),
    [
        ("755", "26732", "Đặc khu Côn Đảo"),
        ("536", "21548", "Đặc khu Lý Sơn"),
        ("318", "11948", "Đặc khu Bạch Long Vĩ"),
        ("471", "19742", "Đặc khu Cồn Cỏ"),
        ("498", "20333", "Đặc khu Hoàng Sa"),
    ],
)
def test_island_special_zones_come_from_their_former_district(
    unit, district: str, zone: str, name: str
) -> None:
    special_zone = unit(zone)
    assert special_zone.name == name
    assert special_zone.division_type == "đặc khu"
    sources = list(special_zone.predecessions.select_related("former"))
    assert [(s.former.level, s.former.code, s.source, s.partial) for s in sources] == [
        (Level.DISTRICT, district, SOURCE_MANUAL, False)
    ]
    assert unit(district, Structure.FORMER).current_province == special_zone.current_province


def test_every_current_commune_has_a_predecessor() -> None:
    assert not Unit.objects.filter(
        structure=Structure.CURRENT, level=Level.COMMUNE, predecessions__isnull=True
    ).exists()


def test_split_former_commune_keeps_all_successors_with_partial_flag(unit) -> None:
    # Phường Cửa Nam (Hoàn Kiếm) was split between several new Hà Nội wards.
    former = unit("00073", Structure.FORMER)
    successions = list(former.successions.select_related("current"))
    assert len(successions) > 1
    assert all(s.partial for s in successions)
    assert {s.current.current_province.code for s in successions} == {"01"}


def test_reloading_is_idempotent_and_updates_names_in_place(unit) -> None:
    ha_noi = unit("01")
    total = Unit.objects.count()
    Unit.objects.filter(pk=ha_noi.pk).update(name="Hà Nội cũ", name_folded="ha noi cu")
    UnitSuccession.objects.filter(former__code="00073", former__structure=Structure.FORMER).update(
        partial=False
    )

    result = load_units()

    assert (result.units_created, result.units_updated) == (0, 1)
    assert result.units_unchanged == Unit.objects.count() - 1
    assert (result.successions_created, result.successions_deleted) == (0, 0)
    assert result.successions_updated == UnitSuccession.objects.filter(former__code="00073").count()
    ha_noi.refresh_from_db()
    assert (ha_noi.name, ha_noi.name_folded) == ("Thành phố Hà Nội", "thanh pho ha noi")
    assert Unit.objects.count() == total
    # The rename is audited.
    assert ha_noi.history.first().name == "Thành phố Hà Nội"
    assert ha_noi.history.first().history_change_reason == "load-units"


def test_load_units_command_reports_and_if_empty_skips(capsys) -> None:
    call_command("load_units")
    assert "0 tạo mới" in capsys.readouterr().out
    call_command("load-units", "--if-empty")
    assert "bỏ qua" in capsys.readouterr().out


def test_dataset_reports_the_source_faults() -> None:
    data = build_dataset()
    assert data.corrected == ["27691", "30781"]
    assert len(data.skipped) == 10
    assert len(data.orphans) == 28


def test_short_name_drops_the_division_type_but_keeps_numbered_names() -> None:
    assert short_name("Thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert short_name("Tỉnh Đắk Lắk") == "Đắk Lắk"
    assert short_name("Đặc khu Côn Đảo") == "Côn Đảo"
    assert short_name("Phường 4") == "Phường 4"


def test_trigram_index_on_postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm index is PostgreSQL only; SQLite scans the folded names")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'geo_unit_name_folded_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
