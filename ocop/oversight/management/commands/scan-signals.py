"""Alias so that `ocop scan-signals` works: Django names commands after modules."""

from .scan_signals import Command  # noqa: F401
