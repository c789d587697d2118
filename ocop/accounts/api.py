"""Auth API: /api/v1/auth/ (filled in by the accounts work)."""

from ninja import Router

router = Router(tags=["auth"])
