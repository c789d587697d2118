"""Alias so that `ocop flush-scans` works: Django names commands after modules."""

from .flush_scans import Command  # noqa: F401
