"""API of this part, mounted under /api/v1/oversight/."""

from ninja import Router

router = Router()
