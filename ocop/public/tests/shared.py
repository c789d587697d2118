"""The fixtures ``world`` and ``catalogue`` from one catalogue built once per module (conftest's
``shared_catalogue``), for a module whose every test reads it:
``from .shared import module_catalogue, module_world``. A test of such a module that wants rows of
its own belongs in another module."""

import pytest

from .conftest import Catalogue, World


@pytest.fixture(name="world")
def module_world(shared_catalogue: tuple[World, Catalogue]) -> World:
    return shared_catalogue[0]


@pytest.fixture(name="catalogue")
def module_catalogue(shared_catalogue: tuple[World, Catalogue]) -> Catalogue:
    return shared_catalogue[1]
