"""Evaluation test world: the registry's accounts and places, and the certification helpers."""

from __future__ import annotations

from ocop.certification.tests.conftest import (  # noqa: F401
    TODAY,
    certificate_factory,
    decision_factory,
    make_certificate,
    make_decision,
    products,
)
from ocop.registry.tests.conftest import World, make_producer, make_product, world  # noqa: F401
