"""Units API: /api/v1/units/ (filled in by the geo work)."""

from ninja import Router

router = Router(tags=["units"])
