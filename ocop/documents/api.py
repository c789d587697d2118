"""Evidence documents API (mounted under /api/v1/)."""

from ninja import Router

router = Router(tags=["evidence"])
