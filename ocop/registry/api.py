"""Registry API: /api/v1/producers/ and /api/v1/products/."""

from ninja import Router

producers_router = Router(tags=["producers"])
products_router = Router(tags=["products"])
