"""Registry API: /api/v1/producers/, /api/v1/products/ (list, read, create, update, delete) and
/api/v1/change-requests/ (a producer asks to change its product's identity, an officer decides).

Everything is scoped like the pages: lists go through restrict(user, "view") and the same
FilterSets as the list pages (plus `q`, a diacritics-insensitive search); an object outside the
caller's scope is a 404; a role that may never do an action gets 403. Units are given by code
(`unit_code`, with `unit_structure` "current" (default) or "former" for historic records).
Model validation errors become 422 `{"detail": "..."}` in Vietnamese.

Writes follow the field policy of `ocop.core.scoping` (declared on the models' ScopePaths): a
producer account changes only its organisation's descriptive fields; a change of place (unit_code)
is an officer's, within their scope at both ends, with a reason (`X-Audit-Reason`); derived values
(product statuses that come from certificates, codes, the star) and unknown fields are refused —
422 naming the field.

One module per resource: `producers`, `products`, `change_requests`; `schemas` holds the bodies,
`common` the routers and helpers. Operation ids stay ``ocop_registry_api_<function>`` (ocop.api).
"""

# The resource modules add their operations to the routers when imported.
from . import change_requests, producers, products  # noqa: F401 - they add their routes
from .common import change_requests_router, producers_router, products_router
from .schemas import UnitRef

__all__ = ["UnitRef", "change_requests_router", "producers_router", "products_router"]
