"""The rules that turn public scan counters into risk signals (plain Python, no Django).

Every function reads plain data — daily counts, dates, statuses, codes — and returns `Candidate`s
carrying the figures of their reason. No rule sees who scanned: the counters are per day and per
page (and, when the front proxy tells, per province), never per person. ``ocop.oversight.signals``
reads the counters with a few aggregate queries and stores the candidates as ScanSignal rows.

1. ``status_scans``: a certificate that is no longer valid (expired, revoked, superseded) keeps
   being scanned — at least ``threshold`` scans in the last ``window`` days since the status began:
   old stamps or packaging still in use, or a code copied onto something else.
2. ``far_scans``: a product scanned mostly in provinces of another socio-economic region than the
   one it is made in (``REGION_OF``): worth a look at where it is sold, or at copies.
3. ``surge``: a day whose scans reach ``max(floor, factor × the median of the previous 28 days)``.
4. ``mistyped``: a code typed at least ``min_misses`` times that found no certificate but is one
   slip away from a real one (one character changed, added or dropped, two neighbours swapped, or
   only letters and digits that look alike: O/0, I/1, L/1, S/5, B/8, Z/2): a label printed with a
   wrong code, or a made-up one resembling a real code.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

EXPIRED, REVOKED, SUPERSEDED = "expired", "revoked", "superseded"
STATUS_RULES = {EXPIRED: "expired_scanned", REVOKED: "revoked_scanned", SUPERSEDED: "superseded_scanned"}
FAR_SCANS, SURGE, MISTYPED = "far_scans", "surge", "mistyped"

# The six socio-economic regions (Nghị quyết 81/2023/QH15, regrouped for the 34 provinces and
# cities in force from 1 July 2025) → the codes of their current provinces.
REGIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "northern_midlands": (
        "Trung du và miền núi phía Bắc",
        ("04", "08", "11", "12", "14", "15", "19", "20", "25"),
    ),
    "red_river_delta": ("Đồng bằng sông Hồng", ("01", "22", "24", "31", "33", "37")),
    "central_coast": (
        "Bắc Trung Bộ và duyên hải miền Trung",
        ("38", "40", "42", "44", "46", "48", "51", "56"),
    ),
    "central_highlands": ("Tây Nguyên", ("52", "66", "68")),
    "south_east": ("Đông Nam Bộ", ("75", "79", "80")),
    "mekong_delta": ("Đồng bằng sông Cửu Long", ("82", "86", "91", "92", "96")),
}
REGION_OF: dict[str, str] = {code: region for region, (_name, codes) in REGIONS.items() for code in codes}

# Defaults (the page states them).
STATUS_WINDOW_DAYS = 30
STATUS_MIN_SCANS = 3
FAR_WINDOW_DAYS = 30
FAR_MIN_SCANS = 20
FAR_MIN_SHARE = 0.5
SURGE_LOOKBACK_DAYS = 28
SURGE_RECENT_DAYS = 7
SURGE_FLOOR = 20
SURGE_FACTOR = 5
MISTYPED_MIN_MISSES = 5

# Characters read or typed for one another.
CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*-"


@dataclass(frozen=True)
class Candidate:
    """A signal a rule found: what it is about, the days it covers, its main figure and the rest."""

    rule: str
    product_id: int
    certificate_id: int | None
    code: str
    first_day: dt.date
    last_day: dt.date
    scans: int
    detail: dict[str, Any] = field(default_factory=dict)


# --- 1. scans of a certificate no longer valid -------------------------------------------------------


@dataclass(frozen=True)
class CertificateScans:
    certificate_id: int
    product_id: int
    code: str
    status: str  # EXPIRED, REVOKED or SUPERSEDED (others are ignored)
    since: dt.date  # the first day of that status
    daily: Mapping[dt.date, int]  # scans of the certificate's page per day


def status_scans(
    certificates: Iterable[CertificateScans],
    today: dt.date,
    *,
    window: int = STATUS_WINDOW_DAYS,
    threshold: int = STATUS_MIN_SCANS,
) -> list[Candidate]:
    """Certificates no longer valid with ≥ ``threshold`` scans in the last ``window`` days (counted
    from the day the status began)."""
    start = today - dt.timedelta(days=window - 1)
    found = []
    for item in certificates:
        if item.status not in STATUS_RULES:
            continue
        since = [(day, n) for day, n in item.daily.items() if n > 0 and item.since <= day <= today]
        recent = [(day, n) for day, n in since if day >= start]
        scans = sum(n for _day, n in recent)
        if scans < max(threshold, 1):
            continue
        found.append(
            Candidate(
                rule=STATUS_RULES[item.status],
                product_id=item.product_id,
                certificate_id=item.certificate_id,
                code=item.code,
                first_day=min(day for day, _n in recent),
                last_day=max(day for day, _n in recent),
                scans=scans,
                detail={
                    "since": item.since.isoformat(),
                    "window_days": window,
                    "threshold": threshold,
                    "scans_since": sum(n for _day, n in since),
                    "last_scan": max(day for day, _n in recent).isoformat(),
                },
            )
        )
    return found


# --- 2. scans far from where the product is made -----------------------------------------------------


@dataclass(frozen=True)
class ProductRegions:
    product_id: int
    province: str  # the code of the current province the product is made in
    scans: Mapping[str, int]  # province code → QR scans in the window


def far_scans(
    products: Iterable[ProductRegions],
    first_day: dt.date,
    last_day: dt.date,
    *,
    min_scans: int = FAR_MIN_SCANS,
    min_share: float = FAR_MIN_SHARE,
    region_of: Mapping[str, str] = REGION_OF,
) -> list[Candidate]:
    """Products with ≥ ``min_scans`` located scans of which ≥ ``min_share`` came from another region."""
    found = []
    for item in products:
        home = region_of.get(item.province)
        if home is None:
            continue
        located = {code: n for code, n in item.scans.items() if n > 0 and code in region_of}
        total = sum(located.values())
        far = {code: n for code, n in located.items() if region_of[code] != home}
        far_total = sum(far.values())
        if total < max(min_scans, 1) or far_total == 0 or far_total < min_share * total:
            continue
        top = sorted(far.items(), key=lambda pair: (-pair[1], pair[0]))[:3]
        found.append(
            Candidate(
                rule=FAR_SCANS,
                product_id=item.product_id,
                certificate_id=None,
                code="",
                first_day=first_day,
                last_day=last_day,
                scans=far_total,
                detail={
                    "total": total,
                    "far": far_total,
                    "share": round(100 * far_total / total),
                    "home_region": home,
                    "top": [[code, n] for code, n in top],
                    "threshold": min_scans,
                    "min_share": round(100 * min_share),
                },
            )
        )
    return found


# --- 3. surges ----------------------------------------------------------------------------------------


def surge_day(
    daily: Mapping[dt.date, int],
    today: dt.date,
    *,
    recent: int = SURGE_RECENT_DAYS,
    lookback: int = SURGE_LOOKBACK_DAYS,
    floor: int = SURGE_FLOOR,
    factor: float = SURGE_FACTOR,
) -> tuple[dt.date, int, float, float] | None:
    """The strongest surge of the last ``recent`` days: (day, scans, trailing median, threshold) or None.

    A day surges when its scans reach max(floor, factor × the median of the ``lookback`` days
    before it, days without scans counting as 0)."""
    best = None
    for offset in range(recent):
        day = today - dt.timedelta(days=offset)
        count = daily.get(day, 0)
        if count < floor:
            continue
        before = [daily.get(day - dt.timedelta(days=back), 0) for back in range(1, lookback + 1)]
        median = statistics.median(before)
        threshold = max(floor, factor * median)
        if count >= threshold and (best is None or count / threshold > best[1] / best[3]):
            best = (day, count, median, threshold)
    return best


def surge(
    series: Mapping[int, Mapping[dt.date, int]],
    today: dt.date,
    *,
    floor: int = SURGE_FLOOR,
    factor: float = SURGE_FACTOR,
    lookback: int = SURGE_LOOKBACK_DAYS,
    recent: int = SURGE_RECENT_DAYS,
) -> list[Candidate]:
    """Products (``{product id: {day: scans}}``) with a surge in the last ``recent`` days."""
    found = []
    for product_id, daily in series.items():
        hit = surge_day(daily, today, recent=recent, lookback=lookback, floor=floor, factor=factor)
        if hit is None:
            continue
        day, count, median, threshold = hit
        found.append(
            Candidate(
                rule=SURGE,
                product_id=product_id,
                certificate_id=None,
                code="",
                first_day=day,
                last_day=day,
                scans=count,
                detail={
                    "day": day.isoformat(),
                    "median": median,
                    "threshold": threshold,
                    "factor": factor,
                    "floor": floor,
                    "lookback_days": lookback,
                },
            )
        )
    return found


# --- 4. mistyped codes ----------------------------------------------------------------------------------


def confusable_form(code: str) -> str:
    """The code with look-alike characters made the same (O and 0, I and 1…)."""
    return code.upper().translate(CONFUSABLE)


def neighbours(code: str) -> Iterable[tuple[str, str]]:
    """(code, how) one slip away: one character changed, dropped or added, two neighbours swapped."""
    for i in range(len(code)):
        yield code[:i] + code[i + 1 :], "deletion"
        if i + 1 < len(code) and code[i] != code[i + 1]:
            yield code[:i] + code[i + 1] + code[i] + code[i + 2 :], "transposition"
        for char in CODE_ALPHABET:
            if char != code[i]:
                yield code[:i] + char + code[i + 1 :], "substitution"
    for i in range(len(code) + 1):
        for char in CODE_ALPHABET:
            yield code[:i] + char + code[i:], "insertion"


@dataclass(frozen=True)
class Missed:
    code: str
    misses: int
    first_day: dt.date
    last_day: dt.date


def resemblances(
    code: str, valid: Mapping[str, Any], by_form: Mapping[str, list[str]]
) -> list[tuple[str, str]]:
    """The real codes ``code`` resembles, with how: [(real code, "confusion"|"transposition"|…)]."""
    if code in valid:
        return []
    found: dict[str, str] = {}
    for real in by_form.get(confusable_form(code), ()):
        if real != code:
            found[real] = "confusion"
    for near, how in neighbours(code):
        if near in valid and near != code:
            found.setdefault(near, how)
    return sorted(found.items())


def confusion_index(codes: Iterable[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for code in codes:
        index.setdefault(confusable_form(code), []).append(code)
    return index


def mistyped(
    missed: Iterable[Missed],
    valid: Mapping[str, tuple[int, int]],
    *,
    min_misses: int = MISTYPED_MIN_MISSES,
    max_matches: int = 3,
) -> list[Candidate]:
    """Missed codes typed ≥ ``min_misses`` times that resemble a real code (``{code: (certificate id,
    product id)}``); one candidate per real code resembled (at most ``max_matches``)."""
    found = []
    by_form: dict[str, list[str]] | None = None
    for item in missed:
        if item.misses < max(min_misses, 1) or item.code in valid:
            continue
        if by_form is None:  # built once, only when some code is frequent enough
            by_form = confusion_index(valid)
        matches = resemblances(item.code, valid, by_form)
        for real, how in matches[:max_matches]:
            certificate_id, product_id = valid[real]
            found.append(
                Candidate(
                    rule=MISTYPED,
                    product_id=product_id,
                    certificate_id=certificate_id,
                    code=item.code,
                    first_day=item.first_day,
                    last_day=item.last_day,
                    scans=item.misses,
                    detail={"real_code": real, "how": how, "threshold": min_misses},
                )
            )
    return found
