"""The registry's test world (users of every role, communes, producers and products) for the reports."""

from ocop.registry.tests.conftest import World, current_unit, make_producer, make_product, world  # noqa: F401
