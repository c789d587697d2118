"""The suite's own set-up (ocop/conftest.py): what a transactional test leaves behind, and which
tests the PostgreSQL stage of .ci/run runs."""

from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TransactionTestCase
from hypothesis import given
from hypothesis import strategies as st

from ocop import conftest
from ocop.geo.models import Unit
from ocop.registry.models import Producer
from ocop.registry.tests.conftest import make_producer


class _Flush(TransactionTestCase):
    __test__ = False  # not a test of its own

    def runTest(self) -> None:  # a test case instance only to run its teardown
        pass


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_tables_and_keeps_or_reloads_the_units() -> None:
    loaded = conftest._unit_rows("default")
    ids = sorted(Unit.objects.values_list("pk", flat=True))
    commune = Unit.objects.filter(level="commune", structure="current").order_by("pk").first()
    make_producer(commune)

    TransactionTestCase._fixture_teardown(_Flush())  # what runs after every transactional test
    assert not Producer.objects.exists()
    assert ContentType.objects.filter(app_label="registry", model="producer").exists()  # post_migrate ran
    assert sorted(Unit.objects.values_list("pk", flat=True)) == ids  # kept, not reloaded
    assert conftest._unit_rows("default") == loaded

    Unit.objects.filter(pk=commune.pk).update(name="Xã Đổi Tên")
    TransactionTestCase._fixture_teardown(_Flush())
    reloaded = Unit.objects.get(structure="current", code=commune.code)
    assert reloaded.name == commune.name  # the changed units were loaded again
    assert reloaded.pk not in ids
    assert Unit.objects.count() == len(ids)


def _item(markers: tuple[str, ...] = (), fixtures: tuple[str, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(
        get_closest_marker=lambda name: name if name in markers else None, fixturenames=list(fixtures)
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (_item(), False),  # a pure rule
        (_item(fixtures=("tmp_path", "settings")), False),
        (_item(markers=("django_db",)), True),
        (_item(fixtures=("client", "_django_db_helper", "db")), True),  # db, directly or through a fixture
        (_item(fixtures=("live_server",)), True),
        (_item(markers=("each_database",)), True),  # reads the database settings
    ],
)
def test_the_postgresql_stage_keeps_every_test_that_uses_a_database(item, expected) -> None:
    assert conftest.uses_database(item) is expected


# --- the PostgreSQL stage's all-pairs subset of a matrix (--pairwise-matrices) ---


@given(
    st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=7, unique=True),
    st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=8, unique=True),
    st.lists(st.sampled_from("xyzw"), min_size=1, max_size=4, unique=True),
    st.randoms(use_true_random=False),
)
def test_all_pairs_keeps_every_pair_of_values(actors, targets, actions, random) -> None:
    cases = [
        {"actor": actor, "target": target, "action": action}
        for actor in actors
        for target in targets
        for action in actions
        if random.random() < 0.8  # a matrix may leave combinations out
    ]
    kept = [cases[i] for i in conftest.all_pairs(cases)]

    def pairs(rows: list[dict[str, str]]) -> set[tuple]:
        return {(a, row[a], b, row[b]) for row in rows for a in row for b in row if a < b}

    assert pairs(kept) == pairs(cases)
    assert all(case in cases for case in kept) and len(kept) == len({str(c) for c in kept})
    if len(cases) == len(actors) * len(targets) * len(actions):  # a whole matrix: far fewer cases
        largest = max(len(actors) * len(targets), len(actors) * len(actions), len(targets) * len(actions))
        assert len(kept) <= 2 * largest


def test_a_whole_matrix_keeps_far_fewer_cases() -> None:
    cases = [{"actor": a, "target": t, "action": x} for a in "abcdefg" for t in "ABCDEFGH" for x in "vwxyz"]
    kept = conftest.all_pairs(cases)
    assert 56 <= len(kept) < len(cases) // 2  # every actor × target pair, each action with each
