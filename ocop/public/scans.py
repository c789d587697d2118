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

Two more counters ride in the same buckets, for the risk signals of post-recognition oversight
(``ocop.oversight`` reads them; nothing here knows it):

- ``record_miss``: a verification (/v/<code>, the JSON endpoint) that found no certificate counts
  the normalised typed code per day (``MissedLookup``), only for codes of a certificate code's
  general shape, at most ``MISSED_CODE_LENGTH`` characters and ``MISSED_CODES_PER_DAY`` distinct
  codes a day (a flood of made-up codes cannot grow the table). A code is not personal data.
- the region of a QR scan (``ScanRegionCount``): only when ``OCOP_SCAN_REGION_HEADER`` names a
  header the front proxy fills from its own GeoIP (a province code or name). Its value is folded
  to a short key at the hit (``region_key``) and mapped to a current province at the flush
  (former provinces' names map to their successor); unknown values are dropped. The client's
  address is never read nor stored.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import re
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

from ocop.certification.codes import normalize as normalize_code
from ocop.core import clock
from ocop.core.text import fold

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

# Missed lookups: the general shape of a certificate code (OCOP-PP-YYYY-NNNNNN-C) and its typos
# (a letter for a digit, a missing or extra part), not any text someone types.
MISSED_CODE_LENGTH = 40
MISSED_CODES_PER_DAY = 2000
_MISSED_SHAPE = re.compile(r"[0-9A-Z*]{2,8}(?:-[0-9A-Z*]{1,12}){2,5}")
# Region keys: folded province names or codes; distinct values a day are capped like codes.
REGION_VALUES_PER_DAY = 300
_REGION_PREFIX = re.compile(r"^(?:thanh pho|tinh|tp\.?)\s+")
_REGION_SUFFIX = re.compile(r"\s+(?:city|province)$")
MISS, REGION = "miss", "region"


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


def _count(cache: BaseCache, bucket: int, entry: tuple[str, str, int, str]) -> None:
    _value, created = _increment(cache, _counter_key(bucket, entry))
    if created:
        position, _created = _increment(cache, _index_size_key(bucket))
        cache.set(_index_key(bucket, position), entry, KEY_TTL)


def _admitted(cache: BaseCache, family: str, day: str, value: str, cap: int) -> bool:
    """Whether ``value`` is among the first ``cap`` distinct values of ``family`` today (remembered)."""
    seen_key = f"{PREFIX}:s:{family}:{day}:{value}"
    seen = cache.get(seen_key)
    if seen is not None:
        return bool(seen)
    number, _created = _increment(cache, f"{PREFIX}:sn:{family}:{day}")
    admitted = number <= cap
    cache.set(seen_key, int(admitted), KEY_TTL)
    return admitted


def region_key(text: str | None) -> str:
    """A province's code or name as a short key: "01", "Hà Nội" / "Ha Noi" / "Thành phố Hà Nội" →
    "hanoi"; "" for anything else (too long, nothing left)."""
    text = str(text or "").strip()[:80]
    if text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    folded = _REGION_SUFFIX.sub("", _REGION_PREFIX.sub("", fold(text)))
    key = "".join(char for char in folded if char.isascii() and char.isalnum())
    return key if 2 <= len(key) <= 40 and not key.isdigit() else ""


def scan_region(request: HttpRequest) -> str:
    """The region key of the header named by OCOP_SCAN_REGION_HEADER ("" when unset or absent)."""
    header = getattr(settings, "OCOP_SCAN_REGION_HEADER", "")
    if not header:
        return ""
    return region_key(request.headers.get(header, ""))


def missed_code(text: str) -> str:
    """The normalised code worth counting as a missed lookup, or "" (wrong shape, too long)."""
    code = normalize_code(text)
    if len(code) > MISSED_CODE_LENGTH or not _MISSED_SHAPE.fullmatch(code):
        return ""
    return code


def record_hit(kind: HitKind, object_id: int | None, source: HitSource) -> None:
    """Count one public hit of ``kind`` ``object_id`` (None: an unknown or invalid code) from ``source``.

    A cache increment, no database access; errors are logged, never raised to the page.
    """
    if object_id is None or kind not in KINDS or source not in SOURCES:
        return None
    try:
        _count(store(), bucket_of(), (clock.today().isoformat(), kind, int(object_id), source))
        _schedule_flush()
    except Exception:  # noqa: BLE001 (analytics must never break a public page)
        logger.warning("Could not count a scan of %s %s", kind, object_id, exc_info=True)
    return None


def record_region(kind: HitKind, object_id: int | None, source: HitSource, request: HttpRequest) -> None:
    """Count a QR scan of ``kind`` ``object_id`` for the province the front proxy names in the header
    OCOP_SCAN_REGION_HEADER (nothing when unset, absent or not a QR scan). No database access."""
    if object_id is None or kind not in KINDS or source != "qr":
        return None
    try:
        region = scan_region(request)
        if not region:
            return None
        cache = store()
        day = clock.today().isoformat()
        if _admitted(cache, REGION, day, region, REGION_VALUES_PER_DAY):
            _count(cache, bucket_of(), (day, f"{REGION}_{kind}", int(object_id), region))
    except Exception:  # noqa: BLE001
        logger.warning("Could not count the region of a scan of %s %s", kind, object_id, exc_info=True)
    return None


def record_miss(text: str) -> None:
    """Count one verification of ``text`` that found no certificate (same store, no database)."""
    try:
        code = missed_code(text)
        if not code:
            return None
        cache = store()
        day = clock.today().isoformat()
        if _admitted(cache, MISS, day, code, MISSED_CODES_PER_DAY):
            _count(cache, bucket_of(), (day, MISS, 0, code))
            _schedule_flush()
    except Exception:  # noqa: BLE001
        logger.warning("Could not count a missed lookup", exc_info=True)
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
        if kind in KINDS:
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


def _add_counts(model: type, fields: tuple[str, ...], pending: dict[tuple, int], new_allowed=None) -> int:
    """Add ``{(field values…): n}`` to ``model``'s ``count`` (the unique key is ``fields``), like
    ``write``: F() increments of existing rows, a bulk insert of the others (``new_allowed(rows)``
    may drop some), one at a time after a concurrent insert."""
    pending = {key: n for key, n in pending.items() if n > 0}
    if not pending:
        return 0
    *heads, last = fields
    with transaction.atomic():
        existing: dict[tuple, int] = {}
        groups = defaultdict(set)
        for key in pending:
            groups[key[:-1]].add(key[-1])
        for head, lasts in groups.items():
            for batch in _chunks(sorted(lasts)):
                rows = model.objects.filter(**dict(zip(heads, head, strict=True)), **{f"{last}__in": batch})
                existing.update({tuple(row[1:]): row[0] for row in rows.values_list("pk", *fields)})
        by_increment = defaultdict(list)
        for key, pk in existing.items():
            if key in pending:
                by_increment[pending[key]].append(pk)
        for increment, pks in by_increment.items():
            for batch in _chunks(pks):
                model.objects.filter(pk__in=batch).update(count=F("count") + increment)
        new = [
            model(**dict(zip(fields, key, strict=True)), count=n)
            for key, n in pending.items()
            if key not in existing
        ]
        if new_allowed is not None:
            new = new_allowed(new)
        try:
            with transaction.atomic():
                model.objects.bulk_create(new, batch_size=_CHUNK)
        except IntegrityError:
            for row in new:
                lookup = {name: getattr(row, name) for name in fields}
                if model.objects.filter(**lookup).update(count=F("count") + row.count):
                    continue
                try:
                    with transaction.atomic():
                        row.save(force_insert=True)
                except IntegrityError:
                    model.objects.filter(**lookup).update(count=F("count") + row.count)
    return len(existing) + len(new)


def write_misses(totals: Counter) -> int:
    """Add the missed lookups of ``totals`` to MissedLookup (at most MISSED_CODES_PER_DAY codes a day)."""
    from .models import MissedLookup

    pending: Counter = Counter()
    for (day, kind, _object_id, code), n in totals.items():
        if kind == MISS and code and len(code) <= MISSED_CODE_LENGTH:
            pending[(day, code)] += n

    def within_cap(rows: list) -> list:
        kept, room = [], {}
        for row in rows:
            if row.day not in room:
                room[row.day] = MISSED_CODES_PER_DAY - MissedLookup.objects.filter(day=row.day).count()
            if room[row.day] > 0:
                room[row.day] -= 1
                kept.append(row)
        return kept

    return _add_counts(MissedLookup, ("day", "code"), pending, within_cap)


def province_keys() -> dict[str, int]:
    """region_key → id of the current province: current codes and names, former names (→ successor)."""
    from ocop.geo.models import Level, Structure, Unit

    rows = Unit.objects.filter(level=Level.PROVINCE).values_list(
        "structure", "code", "name", "current_province_id", "pk"
    )
    keys: dict[str, int] = {}
    # Former names first, so that a current province's own name wins over a homonym.
    for structure, code, name, current_id, pk in sorted(rows, key=lambda row: row[0] == Structure.CURRENT):
        target = pk if structure == Structure.CURRENT else current_id
        if target is None:
            continue
        if structure == Structure.CURRENT:
            keys[code] = target
        if key := region_key(name):
            keys[key] = target
    return keys


def write_regions(totals: Counter) -> int:
    """Add the scans by province of ``totals`` to ScanRegionCount (unknown provinces dropped)."""
    from .models import ScanRegionCount

    regional = Counter()
    for (day, kind, object_id, region), n in totals.items():
        if kind.startswith(f"{REGION}_"):
            regional[(day, kind.removeprefix(f"{REGION}_"), object_id, region)] += n
    if not regional:
        return 0
    products = _product_ids(regional)
    provinces = province_keys()
    pending: Counter = Counter()
    for (day, kind, object_id, region), n in regional.items():
        product_id, province_id = products.get((kind, object_id)), provinces.get(region)
        if product_id and province_id:
            pending[(day, product_id, province_id)] += n
    return _add_counts(ScanRegionCount, ("day", "product_id", "province_id"), pending)


def _write_all(totals: Counter) -> int:
    """ScanCount rows touched (what ``flush`` reports); the other counters are written alongside."""
    touched = write(totals)
    write_misses(totals)
    write_regions(totals)
    return touched


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
    """Write the buffered counts to ScanCount (and the missed lookups and scans by province to theirs);
    returns the number of ScanCount rows added to. Never concurrent.

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
            touched += _write_all(totals)
            cache.set(DONE_KEY, complete_until, KEY_TTL)
            for batch in _chunks(keys):
                cache.delete_many(batch)
        if include_current:
            totals, values, _keys = _read_buckets(cache, range(max(first, complete_until + 1), now + 1))
            touched += _write_all(totals)
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
