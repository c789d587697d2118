"""/api/v1/plans/…: one router per part, joined in ``router``.

The indicators and manual values come first: their fixed paths must win over ``/{plan_id}``.
"""

from ninja import Router

from . import manual, plans

router = Router(tags=["plans"])
for part in (manual, plans):
    router.add_router("", part.router)
