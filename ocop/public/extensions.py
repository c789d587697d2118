"""Extension points of the public site, filled in by the apps above it (docs/architecture.md).

Page actions
------------
Links that an app above adds to the public pages of a code: the certificate verification page
``/v/<code>`` (every variant: valid, expired, revoked, superseded, unknown or mistyped code), the
product page (``/p/<code>``, ``/01/<GTIN>``, ``/san-pham/<id>/``) and the "not found" pages of a
product code or GTIN. Oversight registers its "Báo cáo vi phạm / phản ánh" button here.

The pages are cached and shared by every visitor (``ocop.public.cache``): an action is rendered
into the cached body, so it must depend only on the page kind, the code and the language, never
on the visitor (no user, no CSRF token, no form posting to itself)::

    from ocop.public import extensions
    extensions.page_actions.register(extensions.PageAction("report", render))

``render(page, code) -> str`` returns HTML (already escaped), or "" to show nothing on that page;
``page`` is one of ``PAGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

CERTIFICATE = "certificate"  # /v/<code>, whatever the verdict
PRODUCT = "product"  # the product page, by any of its addresses
NOT_FOUND = "not_found"  # a product code or GTIN that leads to no OCOP product
PAGES = (CERTIFICATE, PRODUCT, NOT_FOUND)


@dataclass(frozen=True)
class PageAction:
    key: str
    render: Callable[[str, str], str]  # (page, code) -> HTML
    order: int = 100


class _PageActions:
    def __init__(self) -> None:
        self._items: dict[str, PageAction] = {}

    def register(self, action: PageAction) -> None:
        self._items[action.key] = action

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def all(self) -> list[PageAction]:
        return sorted(self._items.values(), key=lambda action: (action.order, action.key))


page_actions = _PageActions()


def render_page_actions(page: str, code: str) -> SafeString:
    """The HTML of every registered action for this page and code, in their order."""
    if page not in PAGES:
        raise ValueError(f"Unknown public page {page!r}; expected one of {PAGES}.")
    parts = [action.render(page, code) for action in page_actions.all()]
    return mark_safe("".join(part for part in parts if part))  # noqa: S308 (each render escapes)
