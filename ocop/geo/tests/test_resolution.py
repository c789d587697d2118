"""A location entered under either structure always rolls up to the current map."""

import pytest
from django.db import connection, models

from ocop.geo.models import Located, Structure, Unit, resolve_current

pytestmark = pytest.mark.django_db


class LocatedRecord(Located):
    """A stand-in for the registry models (producers, products) that will inherit Located."""

    label = models.CharField(max_length=20, blank=True)

    class Meta:
        app_label = "geo"


def codes(resolved: tuple[Unit | None, Unit | None]) -> tuple[str | None, str | None]:
    province, commune = resolved
    return (province.code if province else None, commune.code if commune else None)


def test_current_province_resolves_to_itself(unit) -> None:
    assert codes(resolve_current(unit("82"))) == ("82", None)


def test_current_commune_resolves_to_itself_and_its_province(unit) -> None:
    assert codes(resolve_current(unit("00004"))) == ("01", "00004")


def test_former_commune_merged_whole_resolves_to_its_one_successor(unit) -> None:
    truc_bach = unit("00004", Structure.FORMER)
    assert truc_bach.name == "Phường Trúc Bạch"
    assert codes(resolve_current(truc_bach)) == ("01", "00004")


def test_former_commune_split_in_several_resolves_to_province_only(unit) -> None:
    cua_nam = unit("00073", Structure.FORMER)
    assert cua_nam.successions.count() > 1
    assert codes(resolve_current(cua_nam)) == ("01", None)


def test_former_commune_of_a_merged_province_resolves_to_the_new_province(unit) -> None:
    # Long An's Phường 4 (Tân An), the ward misfiled under Tiền Giang in the conversion table.
    assert codes(resolve_current(unit("27691", Structure.FORMER))) == ("80", "27694")


def test_former_commune_without_conversion_row_still_has_a_province(unit) -> None:
    my_hung = unit("01651", Structure.FORMER)
    assert not my_hung.successions.exists()
    assert codes(resolve_current(my_hung)) == ("04", None)


def test_former_district_resolves_to_province(unit) -> None:
    assert codes(resolve_current(unit("001", Structure.FORMER))) == ("01", None)


def test_former_island_district_resolves_to_its_special_zone(unit) -> None:
    assert codes(resolve_current(unit("755", Structure.FORMER))) == ("79", "26732")


def test_former_province_resolves_to_current_province(unit) -> None:
    assert codes(resolve_current(unit("82", Structure.FORMER))) == ("82", None)
    assert codes(resolve_current(unit("77", Structure.FORMER))) == ("79", None)


def test_resolution_costs_a_bounded_number_of_queries(unit, django_assert_max_num_queries) -> None:
    former = unit("00073", Structure.FORMER)
    with django_assert_max_num_queries(1):
        resolve_current(former)


def test_located_record_sees_only_derived_fields_as_not_editable() -> None:
    editable = {f.name for f in LocatedRecord._meta.get_fields() if getattr(f, "editable", False)}
    assert {"unit", "label"} <= editable
    assert "province" not in editable and "commune" not in editable
    assert LocatedRecord._meta.get_field("province").db_index
    assert LocatedRecord._meta.get_field("commune").db_index


@pytest.mark.django_db(transaction=True)
def test_located_record_fills_province_and_commune_on_save(unit) -> None:
    with connection.schema_editor() as editor:
        editor.create_model(LocatedRecord)
    try:
        tien_giang_commune = Unit.objects.filter(
            structure=Structure.FORMER, level="commune", parent__parent__code="82"
        ).first()
        records = {
            "current": LocatedRecord.objects.create(unit=unit("00004")),
            "former-one": LocatedRecord.objects.create(unit=unit("00004", Structure.FORMER)),
            "former-split": LocatedRecord.objects.create(unit=unit("00073", Structure.FORMER)),
            "district": LocatedRecord.objects.create(unit=unit("001", Structure.FORMER)),
            "tien-giang": LocatedRecord.objects.create(unit=tien_giang_commune),
        }
        got = {k: (r.province.code, r.commune.code if r.commune else None) for k, r in records.items()}
        assert got["current"] == ("01", "00004")
        assert got["former-one"] == ("01", "00004")
        assert got["former-split"] == ("01", None)
        assert got["district"] == ("01", None)
        assert got["tien-giang"][0] == "82"

        # Statistics on the current map, whatever structure the record was entered under.
        assert LocatedRecord.objects.filter(province__code="01").count() == 4
        assert LocatedRecord.objects.filter(commune__code="00004").count() == 2

        # Moving a record (even with update_fields) moves its derived location too.
        record = records["current"]
        record.unit = unit("82", Structure.FORMER)
        record.save(update_fields=["unit"])
        record.refresh_from_db()
        assert (record.province.code, record.commune) == ("82", None)
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(LocatedRecord)
