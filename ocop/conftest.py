"""Project-wide test setup: every test database holds all administrative units, loaded once per session.

Loading takes a few seconds, so it is done once per test database (per xdist worker), right
after migrations. Transactional tests flush the database afterwards; Django then sends
post_migrate, on which the units are loaded again, so the next test still finds them.
"""

from collections.abc import Callable, Iterator

import pytest
from django.db.models.signals import post_migrate

from ocop.geo.loading import load_units
from ocop.geo.models import Structure, Unit


def _reload_after_flush(sender, using: str = "default", **kwargs) -> None:
    if sender.label == "geo":
        load_units(using=using)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_units()
    post_migrate.connect(_reload_after_flush, dispatch_uid="ocop.conftest.reload_units")
    yield
    post_migrate.disconnect(dispatch_uid="ocop.conftest.reload_units")


@pytest.fixture
def unit(db) -> Callable[..., Unit]:
    """unit("82") → the current unit with that code; unit("82", "former") → the former one."""

    def get(code: str, structure: str = Structure.CURRENT) -> Unit:
        return Unit.objects.select_related("current_province", "parent").get(structure=structure, code=code)

    return get


@pytest.fixture
def province_dong_thap(unit) -> Unit:
    """Current Đồng Tháp (82), formed from former Đồng Tháp and Tiền Giang."""
    return unit("82")


@pytest.fixture
def province_ha_noi(unit) -> Unit:
    return unit("01")


@pytest.fixture
def province_tay_ninh(unit) -> Unit:
    """Current Tây Ninh (80), formed from former Tây Ninh and Long An."""
    return unit("80")


@pytest.fixture
def commune_ba_dinh(unit) -> Unit:
    """Current Phường Ba Đình, Hà Nội (00004)."""
    return unit("00004")


@pytest.fixture
def former_province_tien_giang(unit) -> Unit:
    return unit("82", Structure.FORMER)
