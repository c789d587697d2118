"""Alias so that `ocop load-units` (as in the Makefile) works: Django names commands after modules."""

from .load_units import Command  # noqa: F401
