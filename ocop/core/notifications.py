"""Sending notifications: an in-app row per recipient, and an e-mail queued as a background task.

    notify(users, kind="...", subject=gettext_noop("… %(name)s"), message=gettext_noop("…"),
           params={"name": ...}, url=obj.get_absolute_url())

Subject and message are Vietnamese msgids (mark them with gettext_noop so makemessages finds
them); they are translated when shown. The e-mail goes through Django's task framework
(`send_notification_email`, run by `ocop db_worker`) once the transaction commits, in the
platform's language (settings.LANGUAGE_CODE), to recipients who have an e-mail address and have
not turned e-mail off for that kind (EmailOptOut, the page /notifications/settings/).

Kinds are registered by the apps that send them (``register_kind`` in their AppConfig.ready), with
a Vietnamese label and the roles that receive them, so the settings page lists each user's own.
The recipient helpers (``officers``, ``producer_accounts``) select people by role and unit as
ocop.core.scoping does: a commune officer of that commune, the province office of that province.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet

from .models import EmailOptOut, Notification
from .scoping import ADMIN, CENTRAL, COMMUNE, PRODUCER, PROVINCE
from .tasks import send_notification_email


@dataclass(frozen=True)
class Kind:
    """A kind of notification: its code (Notification.kind), a Vietnamese label, who receives it."""

    code: str
    label: Any  # a lazy Vietnamese msgid
    roles: frozenset[str] = frozenset()  # empty: any role
    order: int = 1000  # place on the settings page (the procedure's order)


KINDS: dict[str, Kind] = {}


def register_kind(code: str, label: Any, roles: Iterable[str] = (), order: int = 1000) -> None:
    """Called by each sending app at start-up; registering the same code again replaces it."""
    KINDS[code] = Kind(code, label, frozenset(roles), order)


def kinds_for(user: Any) -> list[Kind]:
    """The kinds a user may receive (by role), in the procedure's order."""
    role = getattr(user, "role", "")
    kinds = [kind for kind in KINDS.values() if not kind.roles or role in kind.roles or role == ADMIN]
    return sorted(kinds, key=lambda kind: kind.order)


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


def email_muted(user: Any) -> set[str]:
    """The kinds the user does not want by e-mail."""
    return set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))


@transaction.atomic
def set_email_kinds(user: Any, wanted: Iterable[str]) -> None:
    """E-mail on for ``wanted`` and off for the user's other kinds (kinds of other roles untouched)."""
    wanted = set(wanted)
    own = {kind.code for kind in kinds_for(user)}
    EmailOptOut.objects.filter(user=user, kind__in=own & wanted).delete()
    muted = email_muted(user)
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, kind=code) for code in sorted(own - wanted - muted)], ignore_conflicts=True
    )


def phrase(msgid: str, **params: Any) -> dict[str, Any]:
    """A parameter that is itself translated when shown (a label, "Đợt 1/2026 — Đồng Tháp"):
    ``params={"round": phrase(gettext_noop("Đợt %(number)s/%(year)s"), number=1, year=2026)}``."""
    return {"t": msgid, "p": params} if params else {"t": msgid}


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    subject: str,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    url: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct user; their e-mails are queued when the transaction commits,
    except to users who turned e-mail off for this kind."""
    recipients: list[Any] = []
    seen: set[int] = set()
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            recipients.append(user)
    if not recipients:
        return []
    muted = set()
    if email:
        muted = set(EmailOptOut.objects.filter(user__in=seen, kind=kind).values_list("user_id", flat=True))
    created = []
    for user in recipients:
        notification = Notification(
            user=user, kind=kind, subject=subject, message=message, params=dict(params or {}), url=url
        )
        notification.save()
        created.append(notification)
        if email and user.email and user.pk not in muted:
            transaction.on_commit(lambda pk=notification.pk: queue_email(pk))
    return created


def queue_email(notification_id: int) -> None:
    send_notification_email.enqueue(notification_id)


def unread(user: Any) -> QuerySet[Notification]:
    """The user's own unread notifications (never anyone else's, whatever the role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True)


# --- who is told: people by role and unit (the scoping of ocop.core.scoping) ---


def officers(
    *, commune_id: int | None = None, province_id: int | None = None, central: bool = False
) -> QuerySet:
    """Active officers of a commune (its UBND), of a province (its OCOP office) and, with
    ``central``, of the national agency; none when nothing is asked for."""
    who = Q(pk__in=[])
    if commune_id is not None:
        who |= Q(role=COMMUNE, scope_unit_id=commune_id)
    if province_id is not None:
        who |= Q(role=PROVINCE, scope_unit_id=province_id)
    if central:
        who |= Q(role=CENTRAL)
    return get_user_model().objects.filter(who, is_active=True).order_by("pk")


def producer_accounts(producer_id: int | None) -> QuerySet:
    """Active accounts of a producer (chủ thể)."""
    users = get_user_model().objects.filter(role=PRODUCER, producer_id=producer_id, is_active=True)
    return users.order_by("pk") if producer_id is not None else users.none()


def others(users: Iterable[Any], actor: Any) -> list[Any]:
    """The recipients without the person who took the step (nobody is told of their own action)."""
    actor_pk = getattr(actor, "pk", None)
    return [user for user in users if user.pk != actor_pk]
