"""Scan signals: read the public scan counters, run the rules (``signal_rules``), keep ScanSignal rows.

``refresh(today)`` is what ``ocop scan-signals`` runs once a day. It reads the counters of the last
``WINDOW_DAYS`` days with a few aggregate queries (grouped in the database, never one query per
certificate or product), runs the pure rules, and upserts one ScanSignal per ``key``:

- a new key is a new OPEN signal;
- a known one gets its new figures and keeps its status and note (an officer's decision stays);
- a DISMISSED one reopens only when its scans grow past what they were when it was dismissed
  (``detail["dismissed_scans"]``, written by ``dismiss``);
- a signal a rule no longer finds is left as it is (nothing is closed silently): its ``last_day``
  and ``computed_at`` tell how old its figures are.

No rule reads personal data: counts per day and page, typed codes, and the province a front proxy
named (never an address).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Max, Min, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from ocop.certification.models import Certificate, CertificateStatus
from ocop.core import clock
from ocop.core.formatting import format_date, format_number
from ocop.core.scoping import CHANGE, can
from ocop.geo.models import Level, Structure, Unit
from ocop.public.models import MissedLookup, ScanCount, ScanRegionCount

from . import signal_rules as rules
from .models import ScanSignal, SignalRule, SignalStatus

WINDOW_DAYS = 90
_CHUNK = 500
NOTE_MAX = 500

REGION_LABELS = {
    "northern_midlands": gettext_lazy("Trung du và miền núi phía Bắc"),
    "red_river_delta": gettext_lazy("Đồng bằng sông Hồng"),
    "central_coast": gettext_lazy("Bắc Trung Bộ và duyên hải miền Trung"),
    "central_highlands": gettext_lazy("Tây Nguyên"),
    "south_east": gettext_lazy("Đông Nam Bộ"),
    "mekong_delta": gettext_lazy("Đồng bằng sông Cửu Long"),
}
STATUS_RULE_OF = {
    CertificateStatus.EXPIRED.value: SignalRule.EXPIRED_SCANNED,
    CertificateStatus.REVOKED.value: SignalRule.REVOKED_SCANNED,
    CertificateStatus.SUPERSEDED.value: SignalRule.SUPERSEDED_SCANNED,
}
# Figures kept across refreshes: written when an officer acts, not by the rules.
KEPT_DETAIL = ("dismissed_scans", "dismissed_on")


def _chunks(items: Iterable, size: int = _CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def by_urgency(queryset: QuerySet[ScanSignal]) -> QuerySet[ScanSignal]:
    """Open signals first, then planned, then dismissed; the latest and biggest first within each."""
    rank = Case(
        When(status=SignalStatus.OPEN, then=Value(0)),
        When(status=SignalStatus.PLANNED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.alias(status_rank=rank).order_by("status_rank", "-last_day", "-scans", "pk")


def regions_active() -> bool:
    """Whether scans are counted by province (the front proxy's header is configured)."""
    return bool(getattr(settings, "OCOP_SCAN_REGION_HEADER", ""))


# --- reading the counters ---------------------------------------------------------------------------


def _status_since(
    status: str, expiry: dt.date, extended: dt.date | None, revoked: dt.date | None, successor: dt.date | None
) -> dt.date:
    if status == CertificateStatus.REVOKED:
        return revoked
    if status == CertificateStatus.SUPERSEDED:
        return successor
    return max(expiry, extended or expiry) + dt.timedelta(days=1)


def status_candidates(today: dt.date) -> list[rules.Candidate]:
    """Rule 1: two queries (the scans of certificates no longer valid by day, then those certificates)."""
    start = today - dt.timedelta(days=rules.STATUS_WINDOW_DAYS - 1)
    not_valid = Certificate.objects.with_status(today).filter(status__in=list(STATUS_RULE_OF)).values("pk")
    daily: dict[int, dict[dt.date, int]] = defaultdict(dict)
    rows = (
        ScanCount.objects.filter(kind="certificate", day__gte=start, day__lte=today, object_id__in=not_valid)
        .order_by()
        .values("object_id", "day")
        .annotate(n=Sum("count"))
        .values_list("object_id", "day", "n")
    )
    for object_id, day, n in rows:
        daily[object_id][day] = n
    items = []
    for batch in _chunks(daily):
        for pk, product_id, code, status, expiry, extended, revoked, successor in (
            Certificate.objects.filter(pk__in=batch)
            .with_status(today)
            .values_list(
                "pk",
                "product_id",
                "code",
                "status",
                "expiry",
                "extended_until",
                "revoked_on",
                "superseded_by__issue_date",
            )
        ):
            since = _status_since(status, expiry, extended, revoked, successor)
            items.append(rules.CertificateScans(pk, product_id, code, status, since, daily[pk]))
    return rules.status_scans(items, today)


def far_candidates(today: dt.date) -> list[rules.Candidate]:
    """Rule 2: one query (QR scans by product and province over the window); none when inactive."""
    if not regions_active():
        return []
    start = today - dt.timedelta(days=rules.FAR_WINDOW_DAYS - 1)
    scans: dict[int, dict[str, int]] = defaultdict(dict)
    home: dict[int, str] = {}
    rows = (
        ScanRegionCount.objects.filter(day__gte=start, day__lte=today)
        .order_by()
        .values("product_id", "product__province__code", "province__code")
        .annotate(n=Sum("count"))
        .values_list("product_id", "product__province__code", "province__code", "n")
    )
    for product_id, made_in, scanned_in, n in rows:
        if made_in:
            home[product_id] = made_in
            scans[product_id][scanned_in] = n
    products = [rules.ProductRegions(pk, home[pk], by_province) for pk, by_province in scans.items()]
    found = rules.far_scans(products, start, today)
    if found:  # the provinces' names go with the figures, so the list page needs no lookup
        names = dict(
            Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).values_list("code", "name")
        )
        for candidate in found:
            candidate.detail["top"] = [
                [code, names.get(code, code), n] for code, n in candidate.detail["top"]
            ]
    return found


def surge_candidates(today: dt.date) -> list[rules.Candidate]:
    """Rule 3: the products with a busy recent day (one query), then their series (one per 500)."""
    recent_start = today - dt.timedelta(days=rules.SURGE_RECENT_DAYS - 1)
    people = ScanCount.objects.exclude(source="api").order_by()  # machine checks are not scans
    busy = (
        people.filter(day__gte=recent_start, day__lte=today)
        .values("product_id", "day")
        .annotate(n=Sum("count"))
        .filter(n__gte=rules.SURGE_FLOOR)
        .values_list("product_id", flat=True)
    )
    products = sorted(set(busy))
    start = recent_start - dt.timedelta(days=rules.SURGE_LOOKBACK_DAYS)
    series: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for batch in _chunks(products):
        rows = (
            people.filter(product_id__in=batch, day__gte=start, day__lte=today)
            .values("product_id", "day")
            .annotate(n=Sum("count"))
            .values_list("product_id", "day", "n")
        )
        for product_id, day, n in rows:
            series[product_id][day] = n
    return rules.surge(series, today)


def mistyped_candidates(today: dt.date) -> list[rules.Candidate]:
    """Rule 4: the codes missed often enough (one query), then every certificate code (one query)."""
    start = today - dt.timedelta(days=WINDOW_DAYS - 1)
    missed = [
        rules.Missed(code, n, first, last)
        for code, n, first, last in MissedLookup.objects.filter(day__gte=start, day__lte=today)
        .order_by()
        .values("code")
        .annotate(n=Sum("count"), first=Min("day"), last=Max("day"))
        .filter(n__gte=rules.MISTYPED_MIN_MISSES)
        .values_list("code", "n", "first", "last")
    ]
    if not missed:
        return []
    valid = {
        code: (pk, product_id)
        for code, pk, product_id in Certificate.objects.values_list("code", "pk", "product_id")
    }
    return rules.mistyped(missed, valid)


def candidates(today: dt.date) -> list[rules.Candidate]:
    return [
        *status_candidates(today),
        *far_candidates(today),
        *surge_candidates(today),
        *mistyped_candidates(today),
    ]


# --- storing them -------------------------------------------------------------------------------------


def _key(candidate: rules.Candidate) -> str:
    return ScanSignal.key_for(candidate.rule, candidate.product_id, candidate.certificate_id, candidate.code)


def refresh(today: dt.date | None = None) -> dict[str, int]:
    """Recompute the signals for ``today``; ``{"found", "created", "updated", "reopened", <rule>: n}``."""
    today = today or clock.today()
    found = {_key(candidate): candidate for candidate in candidates(today)}
    counts = {"found": len(found), "created": 0, "updated": 0, "reopened": 0}
    for rule in SignalRule.values:
        counts[rule] = sum(1 for candidate in found.values() if candidate.rule == rule)
    now = timezone.now()
    with transaction.atomic():
        existing: dict[str, ScanSignal] = {}
        for batch in _chunks(found):
            existing.update(
                {
                    signal.key: signal
                    for signal in ScanSignal.objects.select_for_update().filter(key__in=batch)
                }
            )
        new, changed = [], []
        for key, candidate in found.items():
            signal = existing.get(key)
            if signal is None:
                new.append(
                    ScanSignal(
                        key=key,
                        rule=candidate.rule,
                        product_id=candidate.product_id,
                        certificate_id=candidate.certificate_id,
                        code=candidate.code,
                        first_day=candidate.first_day,
                        last_day=candidate.last_day,
                        scans=candidate.scans,
                        detail=candidate.detail,
                        computed_at=now,
                    )
                )
                continue
            kept = {name: signal.detail[name] for name in KEPT_DETAIL if name in (signal.detail or {})}
            signal.first_day, signal.last_day = candidate.first_day, candidate.last_day
            signal.scans, signal.detail, signal.computed_at = (
                candidate.scans,
                {**candidate.detail, **kept},
                now,
            )
            dismissed_at = kept.get("dismissed_scans")
            if (
                signal.status == SignalStatus.DISMISSED
                and dismissed_at is not None
                and candidate.scans > dismissed_at
            ):
                signal.status = SignalStatus.OPEN
                signal._change_reason = _("Mở lại: số lượt tăng từ %(old)s lên %(new)s sau khi đã xem") % {
                    "old": dismissed_at,
                    "new": candidate.scans,
                }
                signal.save()  # audited: the status changes
                counts["reopened"] += 1
            else:
                changed.append(signal)
        for batch in _chunks(changed):
            ScanSignal.objects.bulk_update(batch, ["first_day", "last_day", "scans", "detail", "computed_at"])
        counts["updated"] = len(changed)
        if new:
            bulk_create_with_history(
                new, ScanSignal, batch_size=_CHUNK, default_change_reason=_("Tính từ lượt quét")
            )
        counts["created"] = len(new)
    return counts


# --- an officer's decision ----------------------------------------------------------------------------


def dismiss(user: Any, signal: ScanSignal, note: str) -> ScanSignal:
    """Mark an open signal as seen and not worth an inspection, with the officer's reason.

    It reopens by itself only if its scans grow past today's figure."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Hãy ghi lý do không cần kiểm tra.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Lý do dài quá %(max)s ký tự.") % {"max": NOTE_MAX}})
    with transaction.atomic():
        locked = (
            ScanSignal.objects.select_for_update(of=("self",)).select_related("product").get(pk=signal.pk)
        )
        if not can(user, CHANGE, locked):
            raise PermissionDenied
        if locked.status != SignalStatus.OPEN:
            raise ValidationError(_("Chỉ bỏ qua được dấu hiệu đang cần xem xét."))
        locked.status = SignalStatus.DISMISSED
        locked.status_note = note
        locked.handled_by = user
        locked.detail = {
            **(locked.detail or {}),
            "dismissed_scans": locked.scans,
            "dismissed_on": clock.today().isoformat(),
        }
        locked._change_reason = note
        locked.save()
    return locked


# --- the reason in a sentence ---------------------------------------------------------------------------

HOW_LABELS = {
    "confusion": gettext_lazy("nhầm các ký tự trông giống nhau như O/0, I/1"),
    "substitution": gettext_lazy("sai một ký tự"),
    "transposition": gettext_lazy("đảo chỗ hai ký tự liền nhau"),
    "deletion": gettext_lazy("thừa một ký tự"),  # the real code is the typed one minus a character
    "insertion": gettext_lazy("thiếu một ký tự"),
}


def _day(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else ""


def reason(signal: ScanSignal) -> str:
    """Why the signal fired, in one sentence with its figures (no query: everything is in ``detail``)."""
    detail = signal.detail or {}
    if signal.rule in STATUS_RULE_OF.values():
        sentences = {
            SignalRule.EXPIRED_SCANNED: _(
                "Giấy chứng nhận hết hiệu lực từ %(since)s, vẫn được quét %(scans)s lần "
                "trong %(days)s ngày qua (lần cuối %(last)s)"
            ),
            SignalRule.REVOKED_SCANNED: _(
                "Giấy chứng nhận bị thu hồi từ %(since)s, vẫn được quét %(scans)s lần "
                "trong %(days)s ngày qua (lần cuối %(last)s)"
            ),
            SignalRule.SUPERSEDED_SCANNED: _(
                "Giấy chứng nhận đã được thay thế từ %(since)s, vẫn được quét %(scans)s lần "
                "trong %(days)s ngày qua (lần cuối %(last)s)"
            ),
        }
        return sentences[signal.rule] % {
            "since": _day(detail.get("since")),
            "scans": format_number(signal.scans),
            "days": detail.get("window_days", rules.STATUS_WINDOW_DAYS),
            "last": _day(detail.get("last_scan")) or format_date(signal.last_day),
        }
    if signal.rule == SignalRule.FAR_SCANS:
        top = ", ".join(f"{row[1]} {format_number(row[2])}" for row in detail.get("top", []) if len(row) == 3)
        return _(
            "%(share)s%% trong %(total)s lượt quét QR từ %(first)s đến %(last)s đến từ tỉnh ngoài vùng "
            "%(region)s nơi sản xuất (nhiều nhất: %(top)s)"
        ) % {
            "share": detail.get("share", 0),
            "total": format_number(detail.get("total", 0)),
            "first": format_date(signal.first_day),
            "last": format_date(signal.last_day),
            "region": REGION_LABELS.get(detail.get("home_region", ""), "?"),
            "top": top,
        }
    if signal.rule == SignalRule.SURGE:
        return _(
            "Ngày %(day)s có %(scans)s lượt quét, trong khi trung vị %(lookback)s ngày trước đó "
            "là %(median)s lượt/ngày (ngưỡng %(threshold)s)"
        ) % {
            "day": format_date(signal.last_day),
            "scans": format_number(signal.scans),
            "lookback": detail.get("lookback_days", rules.SURGE_LOOKBACK_DAYS),
            "median": format_number(detail.get("median", 0), 1 if detail.get("median", 0) % 1 else 0),
            "threshold": format_number(detail.get("threshold", 0), 0),
        }
    if signal.rule == SignalRule.MISTYPED:
        return _(
            "Mã “%(code)s” không có giấy chứng nhận nào nhưng được tra %(scans)s lần "
            "từ %(first)s đến %(last)s; gần giống mã thật %(real)s (%(how)s)"
        ) % {
            "code": signal.code,
            "scans": format_number(signal.scans),
            "first": format_date(signal.first_day),
            "last": format_date(signal.last_day),
            "real": detail.get("real_code", ""),
            "how": HOW_LABELS.get(detail.get("how", ""), ""),
        }
    return ""
