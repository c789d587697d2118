"""/api/v1/oversight/…: one router per part, joined in ``router``."""

from ninja import Router

from . import inspections, plans, reports, signals, stats

router = Router(tags=["oversight"])
for part in (plans, inspections, reports, signals, stats):
    router.add_router("", part.router)
