"""Public pages, without login: the home, catalogue, product, producer, province, certificate
verification, GS1 Digital Link, sitemap and robots.txt.

Thin views: what may be shown comes from ``published``, caching from ``cache`` (one entry per owner
object, rendered once per language, day and host), GS1 rules from ``gs1``; each hit of a product or
certificate is reported to ``scans.record_hit``. Printed addresses (/v/<code>, /01/<GTIN>,
/p/<code>) are keyed on codes, never on names: they keep answering after a rename or an expiry.
The pages use no inline script or style (the CSP); JSON-LD is a data block, which the CSP ignores.

One module per part of the site: `home` (`/`: the public home, or the dashboard once signed in),
`products` (product pages, /p/, GS1 Digital Link), `listings` (catalogue, producers, provinces),
`verification` (/v/), `site` (photos, sitemap, robots.txt, language), `common` (rendering,
caching and "not found"). The views are imported here for ``urls.py``; a test that patches a
module global (``PAGE_SIZE``, ``record_hit``) patches it in the module that reads it, e.g.
``ocop.public.views.listings.PAGE_SIZE``.
"""

from .listings import catalogue, producer_detail, province_detail, province_list
from .products import gs1_resolver, product_by_code, product_by_id
from .site import PRIVATE_PREFIXES, PUBLIC_PREFIXES, image, robots_txt, set_language, sitemap
from .verification import verify, verify_form

__all__ = [
    "PRIVATE_PREFIXES",
    "PUBLIC_PREFIXES",
    "catalogue",
    "gs1_resolver",
    "image",
    "producer_detail",
    "product_by_code",
    "product_by_id",
    "province_detail",
    "province_list",
    "robots_txt",
    "set_language",
    "sitemap",
    "verify",
    "verify_form",
]
