"""Project-wide test setup: every test database holds all administrative units, loaded once per session.

Loading takes a few seconds, so it is done once per test database (per xdist worker), right
after migrations. Transactional tests flush the database afterwards. When the test left the units
exactly as loaded, the flush keeps their two tables (and SQLite's index of their names); otherwise
everything is flushed and, on Django's post_migrate, the units are loaded again. Either way the next
test finds the same units. Reloading took 6–9 s a transactional test (17 browser journeys among them).
"""

import copy
import datetime as dt
import gc
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.db.models.signals import post_migrate
from django.test import TransactionTestCase

from ocop.core import clock
from ocop.geo.loading import load_units
from ocop.geo.models import Structure, Unit, UnitSuccession

_UNIT_MODELS = (Unit, UnitSuccession)
_loaded: dict[str, list[list[tuple]]] = {}  # database alias → the unit tables' rows as loaded


def _unit_rows(using: str) -> list[list[tuple]]:
    return [list(model._base_manager.using(using).order_by("pk").values_list()) for model in _UNIT_MODELS]


def _load(using: str = "default") -> None:
    load_units(using=using)
    _loaded[using] = _unit_rows(using)


def _reload_after_flush(sender, using: str = "default", **kwargs) -> None:
    if sender.label == "geo" and not Unit._base_manager.using(using).exists():
        _load(using)


def _flush_keeping_units(self: TransactionTestCase) -> None:
    """TransactionTestCase's flush, keeping the unit tables when the test left them as loaded."""
    names = self._databases_names(include_mirrors=False)
    if (
        self.available_apps is not None
        or self.serialized_rollback
        or any(_loaded.get(name) != _unit_rows(name) for name in names)
    ):
        _full_flush(self)
        return
    kept = {model._meta.db_table for model in _UNIT_MODELS}
    for name in names:
        connection = connections[name]
        existing = connection.introspection.django_table_names(only_existing=True, include_views=False)
        tables = [table for table in existing if table not in kept]
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        emit_post_migrate_signal(verbosity=0, interactive=False, db=name)


_full_flush = TransactionTestCase._fixture_teardown


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        _load()
    post_migrate.connect(_reload_after_flush, dispatch_uid="ocop.conftest.reload_units")
    TransactionTestCase._fixture_teardown = _flush_keeping_units
    yield
    TransactionTestCase._fixture_teardown = _full_flush
    post_migrate.disconnect(dispatch_uid="ocop.conftest.reload_units")


@contextmanager
def rows_shared_by_a_module(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: what it writes inside is seen by every test of the module, as
    Django's TestCase.setUpTestData does for a class. The rows live in a transaction rolled back after
    the module's last test; each test runs in a savepoint inside it (pytest-django's ``db``), so what
    one test writes the next never sees. Only for modules whose tests are all non-transactional.
    pytest-xdist hands each worker runs of consecutive tests, so a module's rows are built once per
    run of its tests on a worker (``--dist loadgroup`` would pin a module to one worker, but it keys
    tests by node id and silently ran one of schemathesis' 105 same-named cases)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def shared_world_fixtures(
    build: Callable[[], Any], name: str = "world", today: dt.date | None = None
) -> tuple[Any, Any]:
    """The fixtures ``_world_of_the_module`` and ``shared_world`` for a conftest whose ``build()``
    makes its test world (``_world_of_the_module, shared_world = shared_world_fixtures(build)``).

    ``build()`` runs once per module (`rows_shared_by_a_module`); each test gets a deep copy of its
    objects, as Django's TestCase does for setUpTestData, so what a test changes in them or writes
    to the database never reaches the next test. A module whose tests are all non-transactional
    uses it as its ``world`` (its permission matrix has hundreds of cases). With another ``name``
    the fixtures are ``_<name>_of_the_module`` and ``shared_<name>``; with ``today``, ``build()``
    runs on that day (``ocop.core.clock.today``), as the module's tests do. The cache is emptied
    before each test: what a test cached from its own rows must not outlive them."""
    module_name, shared_name = f"_{name}_of_the_module", f"shared_{name}"

    @pytest.fixture(scope="module", name=module_name)
    def of_the_module(django_db_setup, django_db_blocker) -> Iterator[Any]:
        with rows_shared_by_a_module(django_db_blocker):
            with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
                if today is not None:
                    patch.setattr(clock, "today", lambda: today)
                built = build()
            yield built

    def shared(**fixtures: Any) -> Any:
        cache.clear()
        return copy.deepcopy(fixtures[module_name])

    # Named in the signature, the module's fixture is set up before ``db`` opens the test's
    # transaction (asked for inside the function, its rows would be rolled back with the test's).
    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    shared.__signature__ = inspect.Signature(
        [inspect.Parameter(module_name, keyword), inspect.Parameter("db", keyword)]
    )
    shared = pytest.fixture(name=shared_name)(shared)

    return of_the_module, shared


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


# --- the PostgreSQL stage runs only the tests that use a database --------------------------------

_DATABASE_FIXTURES = {"_django_db_helper", "django_db_setup", "live_server"}


def uses_database(item: pytest.Item) -> bool:
    """Whether a test can reach Django's database: pytest-django blocks it for every other test."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("each_database"):
        return True
    return bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_sessionstart(session: pytest.Session) -> None:
    # The cyclic collector ran every 2,000 allocations, walking the same long-lived objects
    # (Django's apps and settings, the imported modules) again and again. Those of start-up are set
    # aside and collections are rarer: 6-10 % of a run (freezing after collection gained nothing).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help=(
            "Deselect the tests that use no database, or both kinds themselves (.ci/run's PostgreSQL "
            "stage: they ran in stage 1)."
        ),
    )
    parser.addoption(
        "--pairwise-matrices",
        action="store_true",
        help=(
            "Run only an all-pairs subset of each test marked `matrix` (.ci/run's PostgreSQL stage: "
            "stage 1 ran every case)."
        ),
    )


def all_pairs(cases: list[dict[str, str]]) -> list[int]:
    """The indices of a subset of ``cases`` (each a parameter → value mapping) in which every value,
    and every pair of values of two parameters, that occurs in ``cases`` occurs at least once.
    Greedy (the case covering most of what is left first, in the given order on ties): about
    |A|·|B| cases for a matrix A × B × C, where the whole matrix has |A|·|B|·|C|."""

    def covered(case: dict[str, str]) -> set[tuple]:
        values = sorted(case.items())
        return {(value,) for value in values} | {
            (first, second) for i, first in enumerate(values) for second in values[i + 1 :]
        }

    covers = [covered(case) for case in cases]
    left = set().union(*covers)
    chosen: list[int] = []
    while left:
        best = max(range(len(cases)), key=lambda i: len(covers[i] & left))
        chosen.append(best)
        left -= covers[best]
    return sorted(chosen)


def _pairwise(items: list[pytest.Item]) -> list[pytest.Item]:
    """The items to deselect: each `matrix` test function keeps its all-pairs subset."""
    groups: dict[tuple[str, str], list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("matrix") and hasattr(item, "callspec"):
            groups.setdefault((item.nodeid.split("::")[0], item.originalname), []).append(item)
    deselected = []
    for cases in groups.values():
        params = [{name: repr(value) for name, value in case.callspec.params.items()} for case in cases]
        kept = set(all_pairs(params))
        deselected += [case for i, case in enumerate(cases) if i not in kept]
    return deselected


def _deselect(config: pytest.Config, items: list[pytest.Item], deselected: list[pytest.Item]) -> None:
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        gone = {id(item) for item in deselected}
        items[:] = [item for item in items if id(item) not in gone]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    elsewhere = [
        item.nodeid
        for item in items
        if item.get_closest_marker("browser") and "/demo/tests/" not in item.nodeid
    ]
    if elsewhere:  # .ci/run collects the browser journeys in ocop/demo/tests only
        raise pytest.UsageError(f"Browser journeys belong in ocop/demo/tests: {', '.join(elsewhere)}")
    if config.getoption("--database-tests-only"):
        # Also the tests that go through both kinds of database themselves (`both_databases`).
        _deselect(
            config,
            items,
            [item for item in items if not uses_database(item) or item.get_closest_marker("both_databases")],
        )
    if config.getoption("--pairwise-matrices"):
        _deselect(config, items, _pairwise(items))
    # The slowest tests first: pytest-xdist deals the first quarter of the tests out in turn, so
    # they are shared between the workers instead of one worker finishing them alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
