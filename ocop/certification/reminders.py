"""Re-evaluation reminders (QĐ 26/2026/QĐ-TTg Art. 7.6.a) and the expiring-certificate window states.

A certificate's re-evaluation dossier goes in within a window before it expires whose days are data
per rulebook (``data/procedures.yaml`` read by ocop.certification.rules, the same source that
judges filings: QĐ 26/2026, no earlier than 180 and no later than 120 days before expiry); the
filings themselves come from the app that owns them (ocop.certification.extensions). `ocop remind`
(daily, from cron) tells the producer's accounts and the officers of the product's commune and
province:

- ``window_open``: the window has opened (``opens_days`` before expiry);
- ``window_closing``: CLOSING_NOTICE_DAYS before the window closes (QĐ 26/2026: 130 days before
  expiry), no re-evaluation dossier has been submitted yet;
- ``expired``: the certificate has expired (from the day after its last valid day).

The window is the one of the rulebook in force on the day of the run (``rules.procedure_on``), as
for a filing made that day; a rulebook that sets no window we hold gets no window reminders (the
expiry one still goes out). The expiring page shows the window of ``rules.window_procedure`` (the
newest rulebook with one when the rulebook in force has none).

Each goes out once per certificate (a CertificateReminder row). A run that was missed catches up:
a reminder is due for as long as it still makes sense (``window_open`` until the closing one takes
over, ``window_closing`` until the window closes, ``expired`` for EXPIRED_CATCH_UP_DAYS days), so
the first run on a database full of history does not flood anyone with old news.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ocop.certification import rules
from ocop.core import clock
from ocop.core.formatting import format_date
from ocop.core.notifications import notify
from ocop.core.scoping import COMMUNE, PRODUCER, PROVINCE
from ocop.registry.classification import LegalBasis, ProductStatus

from . import extensions
from .models import Certificate, CertificateReminder, CertificateStatus, ReminderKind

CLOSING_NOTICE_DAYS = 10  # the second reminder, this many days before the window closes
EXPIRED_CATCH_UP_DAYS = 30


def window_days(day: dt.date) -> tuple[int, int]:
    """(opens_days, closes_days) before expiry of the window shown on ``day`` (rules.window_procedure)."""
    procedure = rules.window_procedure(day)
    assert procedure.opens_days is not None and procedure.closes_days is not None
    return procedure.opens_days, procedure.closes_days


def reminder_days(day: dt.date) -> tuple[int, int, int] | None:
    """(opens, closing, closes) days before expiry for the reminders sent on ``day``, from the
    rulebook in force that day; None when it sets no window."""
    procedure = rules.procedure_on(day)
    if procedure.opens_days is None or procedure.closes_days is None:
        return None
    closing = min(procedure.closes_days + CLOSING_NOTICE_DAYS, procedure.opens_days)
    return procedure.opens_days, closing, procedure.closes_days


class WindowState:
    """Where a valid certificate stands with its re-evaluation window (for the expiring page)."""

    NOT_YET = "not_yet"
    OPEN = "open"
    LATE = "late"

    LABELS = {
        NOT_YET: _("chưa đến hạn nộp"),
        OPEN: _("đang trong thời hạn nộp hồ sơ"),
        LATE: _("quá hạn nộp hồ sơ"),
    }
    COLOURS = {NOT_YET: "secondary", OPEN: "warning", LATE: "danger"}
    CHOICES = list(LABELS.items())


def window(expiry: dt.date, day: dt.date) -> tuple[dt.date, dt.date]:
    """(opens, closes), both inclusive: when the re-evaluation dossier may be filed, as seen on ``day``."""
    return rules.reevaluation_window(expiry, day)


def window_state(expiry: dt.date, day: dt.date) -> str:
    opens, closes = window(expiry, day)
    if day < opens:
        return WindowState.NOT_YET
    return WindowState.OPEN if day <= closes else WindowState.LATE


def state_condition(state: str, day: dt.date) -> Q:
    """Q on Certificate.expiry for the certificates in ``state`` on ``day`` (inverse of window_state)."""
    opens_days, closes_days = window_days(day)
    if state == WindowState.NOT_YET:
        return Q(expiry__gt=day + dt.timedelta(days=opens_days))
    if state == WindowState.OPEN:
        return Q(
            expiry__gte=day + dt.timedelta(days=closes_days), expiry__lte=day + dt.timedelta(days=opens_days)
        )
    return Q(expiry__lt=day + dt.timedelta(days=closes_days))


def followed() -> Q:
    """Certificates whose product is still followed: not removed from the programme by an inspection
    (Art. 9). Removed products get no reminders and leave the expiring page and its queue item."""
    return ~Q(product__status=ProductStatus.REMOVED.value)


def reevaluation_dossiers(submitted_only: bool = False) -> QuerySet:
    """Re-evaluation filings (dossiers) of the certificate of the outer query (for Exists/Subquery).

    Withdrawn ones never count; with ``submitted_only``, drafts do not either. None at all unless an
    app registered its filings (ocop.certification.extensions).
    """
    return extensions.filings(submitted_only=submitted_only)


# --- messages (Vietnamese msgids, translated when shown; see ocop.core.notifications) -------------

MESSAGES: dict[str, tuple[str, str]] = {
    ReminderKind.WINDOW_OPEN: (
        gettext_noop("Đến thời hạn nộp hồ sơ đánh giá lại: %(product)s"),
        gettext_noop(
            "Giấy chứng nhận OCOP %(code)s (%(star)s sao) của sản phẩm “%(product)s” – %(producer)s "
            "hết hiệu lực sau ngày %(expiry)s. Hồ sơ đánh giá, phân hạng lại nộp UBND cấp xã từ ngày "
            "%(opens)s đến hết ngày %(closes)s (không sớm hơn %(opens_days)s ngày và không muộn hơn "
            "%(closes_days)s ngày trước khi giấy chứng nhận hết hiệu lực, theo %(basis)s)."
        ),
    ),
    ReminderKind.WINDOW_CLOSING: (
        gettext_noop("Sắp hết thời hạn nộp hồ sơ đánh giá lại: %(product)s"),
        gettext_noop(
            "Sản phẩm “%(product)s” – %(producer)s chưa nộp hồ sơ đánh giá, phân hạng lại. Thời hạn "
            "nộp hồ sơ kết thúc ngày %(closes)s (còn %(days)s ngày); giấy chứng nhận %(code)s "
            "(%(star)s sao) hết hiệu lực sau ngày %(expiry)s."
        ),
    ),
    ReminderKind.EXPIRED: (
        gettext_noop("Giấy chứng nhận OCOP đã hết hiệu lực: %(product)s"),
        gettext_noop(
            "Giấy chứng nhận %(code)s (%(star)s sao) của sản phẩm “%(product)s” – %(producer)s "
            "đã hết hiệu lực từ ngày %(expired_on)s (36 tháng kể từ ngày cấp %(issued)s)."
        ),
    ),
}

# Earlier wordings: notifications already stored keep their msgid and are translated when shown.
EARLIER_MESSAGES = (
    gettext_noop(
        "Giấy chứng nhận OCOP %(code)s (%(star)s sao) của sản phẩm “%(product)s” – %(producer)s "
        "hết hiệu lực sau ngày %(expiry)s. Hồ sơ đánh giá, phân hạng lại nộp UBND cấp xã từ ngày "
        "%(opens)s đến hết ngày %(closes)s (không sớm hơn 180 ngày và không muộn hơn 120 ngày "
        "trước khi giấy chứng nhận hết hiệu lực, Điều 7.6 Quyết định 26/2026/QĐ-TTg)."
    ),
)


@dataclass(frozen=True)
class Due:
    certificate: Certificate
    kind: str
    due_on: dt.date


def due_date(certificate: Certificate, kind: str, day: dt.date) -> dt.date:
    """The day ``kind`` fell due for ``certificate``, by the window of the rulebook in force on ``day``."""
    days = reminder_days(day)
    if kind == ReminderKind.WINDOW_OPEN and days:
        return certificate.expiry - dt.timedelta(days=days[0])
    if kind == ReminderKind.WINDOW_CLOSING and days:
        return certificate.expiry - dt.timedelta(days=days[1])
    return certificate.expiry + dt.timedelta(days=1)


def due_reminders(day: dt.date) -> list[Due]:
    """The reminders due on ``day`` and not yet sent, oldest expiry first."""
    certificates = (
        Certificate.objects.select_related("product__producer", "product__province", "product__commune")
        .filter(followed())
        .order_by("expiry", "pk")
    )

    def unsent(queryset: QuerySet[Certificate], kind: str) -> QuerySet[Certificate]:
        sent = CertificateReminder.objects.filter(certificate=OuterRef("pk"), kind=kind)
        return queryset.filter(~Exists(sent))

    in_days = lambda n: day + dt.timedelta(days=n)  # noqa: E731
    found: dict[str, QuerySet[Certificate]] = {}
    if (days := reminder_days(day)) is not None:
        opens, closing, closes = days
        valid = certificates.valid_on(day).filter(~Exists(reevaluation_dossiers(submitted_only=True)))
        found[ReminderKind.WINDOW_OPEN] = valid.filter(
            expiry__gt=in_days(closing), expiry__lte=in_days(opens)
        )
        found[ReminderKind.WINDOW_CLOSING] = valid.filter(
            expiry__gte=in_days(closes), expiry__lte=in_days(closing)
        )
    found[ReminderKind.EXPIRED] = certificates.with_status(day).filter(
        status=CertificateStatus.EXPIRED, expiry__lt=day, expiry__gte=in_days(-EXPIRED_CATCH_UP_DAYS)
    )
    return [
        Due(certificate, kind, due_date(certificate, kind, day))
        for kind, queryset in found.items()
        for certificate in unsent(queryset, kind)
    ]


def recipients(product: Any) -> QuerySet:
    """Active accounts of the producer, and officers of the product's commune and province."""
    who = Q(role=PRODUCER, producer_id=product.producer_id)
    who |= Q(role=PROVINCE, scope_unit_id=product.province_id)
    if product.commune_id is not None:
        who |= Q(role=COMMUNE, scope_unit_id=product.commune_id)
    return get_user_model().objects.filter(who, is_active=True).order_by("pk")


def params(certificate: Certificate, day: dt.date) -> dict[str, Any]:
    procedure = rules.window_procedure(day)
    opens, closes = rules.reevaluation_window(certificate.expiry, day)
    product = certificate.product
    return {
        "code": certificate.code,
        "star": certificate.star,
        "product": product.name,
        "producer": product.producer.name,
        "issued": format_date(certificate.issue_date),
        "expiry": format_date(certificate.expiry),
        "expired_on": format_date(certificate.expiry + dt.timedelta(days=1)),
        "opens": format_date(opens),
        "closes": format_date(closes),
        "days": (closes - day).days,
        "opens_days": procedure.opens_days,
        "closes_days": procedure.closes_days,
        "basis": str(LegalBasis(procedure.legal_basis).label),
    }


def send(item: Due, day: dt.date) -> int | None:
    """Writes the reminder and its notifications (e-mails queued on commit); None if already sent."""
    certificate = item.certificate
    users = list(recipients(certificate.product))
    with transaction.atomic():
        reminder, created = CertificateReminder.objects.get_or_create(
            certificate=certificate,
            kind=item.kind,
            defaults={"due_on": item.due_on, "recipients": len(users)},
        )
        if not created:
            return None  # another run got there first
        subject, message = MESSAGES[item.kind]
        notify(
            users,
            kind=f"evaluation.{item.kind}",
            subject=subject,
            message=message,
            params=params(certificate, day),
            url=certificate.get_absolute_url(),
        )
    return len(users)


def run(day: dt.date | None = None) -> list[tuple[Due, int]]:
    """Sends everything due on ``day`` (default: today); (reminder, recipients) for each one sent."""
    day = day or clock.today()
    sent = []
    for item in due_reminders(day):
        count = send(item, day)
        if count is not None:
            sent.append((item, count))
    return sent
