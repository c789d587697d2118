"""Server-side cache of the public pages and of the verification JSON (the Django cache: Redis when
REDIS_URL is set, per-process memory otherwise).

Each cached entry belongs to one *owner*: a certificate code, a product, a producer, or the
listings (catalogue, province pages, sitemap). Its key carries the owner's current *token*;
invalidating an owner drops its token, so every entry under the old one (any language, any host)
is unreachable at once. ``ocop.public.signals`` invalidates the owners an edit touches, once right
away and once after the transaction commits (a reader in between may have cached the old rows).

Keys also carry the day the statuses were computed for (a certificate expires at midnight), and
no entry lives longer than ``OCOP_PUBLIC_CACHE_SECONDS`` (default 300): edits that bypass the
model signals (bulk imports) and other processes' memory caches catch up within minutes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from . import published

PREFIX = "ocop.public:1"
CERTIFICATE, PRODUCT, PRODUCER, LISTINGS = "certificate", "product", "producer", "listings"
ALL = "all"

_PLAIN = re.compile(r"[\w.*\-]{1,80}")


def ttl() -> int:
    return int(getattr(settings, "OCOP_PUBLIC_CACHE_SECONDS", 300))


def part(value: Any) -> str:
    """A key part: kept when short and plain (debuggable), hashed otherwise (memcached-safe)."""
    text = str(value)
    return text if _PLAIN.fullmatch(text) else hashlib.sha256(text.encode()).hexdigest()[:24]


def _token_key(kind: str, ident: Any) -> str:
    return f"{PREFIX}:token:{kind}:{part(ident)}"


def token(kind: str, ident: Any) -> str:
    """The owner's current token (a new one after invalidation). Lives as long as an entry may."""
    key = _token_key(kind, ident)
    value = cache.get(key)
    if value is None:
        value = secrets.token_hex(6)
        if not cache.add(key, value, 2 * ttl()):
            value = cache.get(key) or value
    return value


def get_or_build(kind: str, ident: Any, variant: Iterable[Any], build: Callable[[], Any]) -> Any:
    """The cached value of ``build()`` for this owner and variant (language, day, host, query…)."""
    key = ":".join([PREFIX, "entry", kind, part(ident), token(kind, ident), *(part(v) for v in variant)])
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ttl())
    return value


def _alias_key(kind: str, ident: Any) -> str:
    return f"{PREFIX}:alias:{kind}:{part(ident)}:{published.today().isoformat()}"


def alias(kind: str, ident: Any, resolve: Callable[[], list[int]]) -> list[int]:
    """Product ids behind a code or GTIN (an empty list is cached too: scanners retry)."""
    key = _alias_key(kind, ident)
    value = cache.get(key)
    if value is None:
        value = resolve()
        cache.set(key, value, ttl())
    return value


def product_aliases(code: str | None, gtin: str | None, legacy_code: str | None) -> list[tuple[str, str]]:
    """The alias entries (kind, identifier) that may point at a product with these identifiers."""
    aliases = []
    if code:
        aliases.append(("current", code))
    if legacy_code:
        aliases.append(("legacy", published.find_product_code(legacy_code)[1]))
        aliases.append(("legacy", legacy_code.strip()))
    if gtin:
        aliases.append(("gtin", published.gtin14(gtin)))
    return aliases


def invalidate(
    *,
    certificates: Iterable[str] = (),
    products: Iterable[int | None] = (),
    producers: Iterable[int | None] = (),
    aliases: Iterable[tuple[str, str]] = (),
    listings: bool = False,
) -> None:
    """Drop the tokens of these owners (and the code/GTIN aliases), now and again after commit."""
    keys = {_token_key(CERTIFICATE, code) for code in certificates if code}
    keys |= {_token_key(PRODUCT, pk) for pk in products if pk}
    keys |= {_token_key(PRODUCER, pk) for pk in producers if pk}
    keys |= {_alias_key(kind, ident) for kind, ident in aliases if ident}
    if listings:
        keys.add(_token_key(LISTINGS, ALL))
    if not keys:
        return
    keys = sorted(keys)
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
