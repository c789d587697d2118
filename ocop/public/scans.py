"""Scan analytics: every public hit of a product or certificate page, counted per day and source.

The public views call ``record_hit`` once per request, cache hit or not, *after* deciding what the
request was about and *before* returning. It never touches the database and never raises: it
increments a counter in a cache and returns. ``flush`` adds the counters to ``ScanCount`` rows in
batches; ``ocop flush-scans`` runs it (cron, every minute or five), and each web process runs it
itself at most once a minute, after a response has been sent (``request_finished``), and when it
exits.

Sources (``hit_source``; documented on the officers' scan page):

- ``qr``:  a printed address (/v/<code>, /01/<GTIN>, /p/<code>) opened without a Referer header,
  which is what a phone's camera or scanner app does with the QR code on a package, stamp or
  certificate. The QR codes carry no ``?src=`` marker, so a printed code stays the one permanent
  URL (the same as on the certificate PDF) and every cached page is shared.
- ``web``: any other hit (a click inside the site, a search engine, a link with a Referer).
- ``api``: the JSON verification endpoint (shops and marketplaces checking by machine).

Counting without slowing the page. Counters live in the cache: the Django cache when it is shared
(Redis, ``REDIS_URL``), otherwise a private in-process memory cache (so that the page cache's
culling never drops them). Keys are per minute *bucket*: ``c:<bucket>:<day>:<kind>:<id>:<source>``
is ``cache.incr``-ed; the first hit of a key in a bucket also appends it to the bucket's index
(``n:<bucket>`` counts the entries, ``k:<bucket>:<i>`` names them), because the cache API cannot
list keys. A flush takes the complete buckets (older than the current minute plus one of grace for
late writers and clock skew), adds their counts up, writes them, and deletes the keys; the last
flushed bucket is remembered in ``done``. Keys expire after ``KEY_TTL`` (two days): counts not
flushed by then are lost, as they are when the cache is restarted (analytics, not accounting).

Several servers without Redis each flush their own memory to the same database; the upsert is
safe for that (``F()`` increments, a unique constraint, a retry on a concurrent insert).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import suppress
from typing import Literal

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from ocop.core import clock

logger = logging.getLogger(__name__)

HitKind = Literal["product", "certificate", "producer", "province"]
# "qr": a printed code opened directly (no Referer) — /v/, /01/, /p/;
# "web": a click inside the site or from a search engine; "api": the JSON verification endpoint.
HitSource = Literal["qr", "web", "api"]

# Paths printed on packages, stamps and certificates (QR codes): a hit without a referrer there
# is a scan.
PRINTED_PREFIXES = ("/v/", "/01/", "/p/")

# What is counted (ScanCount.kind and .source); producer and province pages are not.
KINDS = frozenset({"product", "certificate"})
SOURCES = frozenset({"qr", "web", "api"})

PREFIX = "ocop.scans:1"
BUCKET_SECONDS = 60
KEY_TTL = 2 * 24 * 3600
LOCK_SECONDS = 300  # a crashed flush frees the lock after this
_CHUNK = 500  # ids per IN (...) clause


def hit_source(request: HttpRequest) -> HitSource:
    """Best guess of where a hit came from; scanner apps open URLs without a Referer header."""
    if request.path.startswith("/api/"):
        return "api"
    if request.path.startswith(PRINTED_PREFIXES) and not request.headers.get("Referer"):
        return "qr"
    return "web"


# --- the counter store ----------------------------------------------------------------------------

_private_store: BaseCache | None = None


def store() -> BaseCache:
    """Where the counters live: a ``"scans"`` cache if configured, the default cache when it is
    shared between processes (Redis…), else a private memory cache of this process."""
    global _private_store
    if "scans" in settings.CACHES:
        return caches["scans"]
    default = caches["default"]
    if not isinstance(default, LocMemCache):
        return default
    if _private_store is None:
        options = {"TIMEOUT": KEY_TTL, "OPTIONS": {"MAX_ENTRIES": 1_000_000}}
        _private_store = LocMemCache("ocop-scans", options)
    return _private_store


def shared() -> bool:
    """True when every process sees the same counters (so a separate `ocop flush-scans` sees them)."""
    return not isinstance(store(), LocMemCache)


def bucket_of(moment: float | None = None) -> int:
    return int((time.time() if moment is None else moment) // BUCKET_SECONDS)


def _counter_key(bucket: int, entry: tuple[str, str, int, str]) -> str:
    day, kind, object_id, source = entry
    return f"{PREFIX}:c:{bucket}:{day}:{kind}:{object_id}:{source}"


def _index_size_key(bucket: int) -> str:
    return f"{PREFIX}:n:{bucket}"


def _index_key(bucket: int, position: int) -> str:
    return f"{PREFIX}:k:{bucket}:{position}"


DONE_KEY = f"{PREFIX}:done"
LOCK_KEY = f"{PREFIX}:lock"


def _increment(cache: BaseCache, key: str) -> tuple[int, bool]:
    """(new value, whether this call created the key)."""
    try:
        return cache.incr(key), False
    except ValueError:
        if cache.add(key, 1, KEY_TTL):
            return 1, True
        return cache.incr(key), False  # created concurrently


def record_hit(kind: HitKind, object_id: int | None, source: HitSource) -> None:
    """Count one public hit of ``kind`` ``object_id`` (None: an unknown or invalid code) from ``source``.

    A cache increment, no database access; errors are logged, never raised to the page.
    """
    if object_id is None or kind not in KINDS or source not in SOURCES:
        return None
    try:
        cache = store()
        bucket = bucket_of()
        entry = (clock.today().isoformat(), kind, int(object_id), source)
        _value, created = _increment(cache, _counter_key(bucket, entry))
        if created:
            position, _created = _increment(cache, _index_size_key(bucket))
            cache.set(_index_key(bucket, position), entry, KEY_TTL)
        _schedule_flush()
    except Exception:  # noqa: BLE001 (analytics must never break a public page)
        logger.warning("Could not count a scan of %s %s", kind, object_id, exc_info=True)
    return None


# --- flushing -------------------------------------------------------------------------------------


def _chunks(items: Iterable, size: int = _CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _read_buckets(cache: BaseCache, buckets: range) -> tuple[Counter, dict[str, int], list[str]]:
    """(the summed counts of these buckets, each counter key's value, every key read)."""
    sizes: dict[str, int] = {}
    for batch in _chunks([_index_size_key(b) for b in buckets]):
        sizes.update(cache.get_many(batch))
    index_keys = [
        _index_key(bucket, i)
        for bucket in buckets
        for i in range(1, int(sizes.get(_index_size_key(bucket)) or 0) + 1)
    ]
    counter_entries: dict[str, tuple[str, str, int, str]] = {}
    for batch in _chunks(index_keys):
        for index_key, entry in cache.get_many(batch).items():
            bucket = int(index_key.split(":")[-2])
            counter_entries[_counter_key(bucket, tuple(entry))] = tuple(entry)
    values: dict[str, int] = {}
    for batch in _chunks(counter_entries):
        values.update({key: int(value) for key, value in cache.get_many(batch).items() if value})
    totals: Counter = Counter()
    for key, value in values.items():
        day, kind, object_id, source = counter_entries[key]
        totals[(dt.date.fromisoformat(day), kind, int(object_id), source)] += value
    return totals, values, [*sizes, *index_keys, *counter_entries]


def _product_ids(totals: Counter) -> dict[tuple[str, int], int]:
    """(kind, object id) → product id, for the objects that still exist."""
    from ocop.certification.models import Certificate
    from ocop.registry.models import Product

    wanted = defaultdict(set)
    for _day, kind, object_id, _source in totals:
        wanted[kind].add(object_id)
    found: dict[tuple[str, int], int] = {}
    for batch in _chunks(wanted["product"]):
        ids = Product.objects.filter(pk__in=batch).values_list("pk", flat=True)
        found.update({("product", pk): pk for pk in ids})
    for batch in _chunks(wanted["certificate"]):
        rows = Certificate.objects.filter(pk__in=batch).values_list("pk", "product_id")
        found.update({("certificate", pk): product_id for pk, product_id in rows})
    return found


def write(totals: Counter) -> int:
    """Add ``{(day, kind, object_id, source): n}`` to ScanCount (F() increments; inserts for new rows).

    The same SQL on SQLite and PostgreSQL: existing rows are updated ``count = count + n`` (one
    UPDATE per distinct n), missing ones bulk-inserted; a concurrent insert of the same row (another
    server flushing) falls back to one row at a time. Returns the number of rows touched.
    """
    from .models import ScanCount

    products = _product_ids(totals)
    pending = {key: n for key, n in totals.items() if n > 0 and (key[1], key[2]) in products}
    if not pending:
        return 0
    with transaction.atomic():
        existing: dict[tuple, int] = {}
        groups = defaultdict(list)
        for key in pending:
            groups[(key[0], key[1])].append(key[2])
        for (day, kind), ids in groups.items():
            for batch in _chunks(sorted(set(ids))):
                rows = ScanCount.objects.filter(day=day, kind=kind, object_id__in=batch).values_list(
                    "pk", "object_id", "source"
                )
                existing.update({(day, kind, object_id, source): pk for pk, object_id, source in rows})
        by_increment = defaultdict(list)
        for key, pk in existing.items():
            if key in pending:
                by_increment[pending[key]].append(pk)
        for increment, pks in by_increment.items():
            for batch in _chunks(pks):
                ScanCount.objects.filter(pk__in=batch).update(count=F("count") + increment)
        new = [
            ScanCount(day=day, kind=kind, object_id=oid, source=src, count=n, product_id=products[kind, oid])
            for (day, kind, oid, src), n in pending.items()
            if (day, kind, oid, src) not in existing
        ]
        try:
            with transaction.atomic():
                ScanCount.objects.bulk_create(new, batch_size=_CHUNK)
        except IntegrityError:
            for row in new:
                _upsert_one(row)
    return len(pending)


def _upsert_one(row) -> None:
    from .models import ScanCount

    lookup = {"day": row.day, "kind": row.kind, "object_id": row.object_id, "source": row.source}
    if ScanCount.objects.filter(**lookup).update(count=F("count") + row.count):
        return
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        ScanCount.objects.filter(**lookup).update(count=F("count") + row.count)


def flush(*, include_current: bool = False) -> int:
    """Write the buffered counts to ScanCount; returns the number of rows added to. Never concurrent.

    Only complete buckets are taken, unless ``include_current`` (a process's private memory at exit,
    or tests): then the newest buckets' counters are decremented by what was taken rather than
    deleted, so hits arriving meanwhile are kept for the next flush.
    """
    cache = store()
    if not cache.add(LOCK_KEY, os.getpid(), LOCK_SECONDS):
        return 0  # another flush is running
    try:
        now = bucket_of()
        complete_until = now - 2  # one bucket of grace: a hit may be counted a little late
        done = cache.get(DONE_KEY)
        first = int(done) + 1 if done is not None else now - KEY_TTL // BUCKET_SECONDS
        touched = 0
        if first <= complete_until:
            totals, _values, keys = _read_buckets(cache, range(first, complete_until + 1))
            touched += write(totals)
            cache.set(DONE_KEY, complete_until, KEY_TTL)
            for batch in _chunks(keys):
                cache.delete_many(batch)
        if include_current:
            totals, values, _keys = _read_buckets(cache, range(max(first, complete_until + 1), now + 1))
            touched += write(totals)
            for key, value in values.items():
                with suppress(ValueError):  # expired meanwhile
                    cache.decr(key, value)
        return touched
    finally:
        cache.delete(LOCK_KEY)


# --- opportunistic flushes in the web processes ---------------------------------------------------


def flush_interval() -> int:
    """Seconds between a process's own flushes; 0 disables them (the default under pytest)."""
    default = "0" if "pytest" in sys.modules else str(BUCKET_SECONDS)
    return int(os.environ.get("OCOP_SCANS_FLUSH_SECONDS", default))


_state_lock = threading.Lock()
_state = {"next": 0.0, "due": False, "atexit": False}


def _schedule_flush() -> None:
    interval = flush_interval()
    if interval <= 0:
        return
    now = time.monotonic()
    with _state_lock:
        if not _state["atexit"]:
            _state["atexit"] = True
            _state["next"] = now + interval
            atexit.register(_flush_at_exit)
        if now >= _state["next"]:
            _state["next"] = now + interval
            _state["due"] = True


def _flush_after_response(sender, **kwargs) -> None:
    with _state_lock:
        due, _state["due"] = _state["due"], False
    if not due:
        return
    # The response has been sent. The connection the flush opens is closed like any other by
    # close_old_connections at the next request (CONN_MAX_AGE).
    try:
        flush()
    except Exception:  # noqa: BLE001 (try again next time)
        logger.warning("Scan flush failed", exc_info=True)


def _flush_at_exit() -> None:
    # A private memory store dies with the process: take everything, the current minute included.
    try:
        flush(include_current=not shared())
    except Exception:  # noqa: BLE001
        logger.warning("Scan flush at exit failed", exc_info=True)


request_finished.connect(_flush_after_response, dispatch_uid="ocop.public.scans.flush")
