"""The evaluation module's "Việc cần làm" (ocop.core.queues): dossiers, rounds and sessions waiting.

Each kind of work is a condition defined once here and used twice: by the home page's count and by
the list filter its link opens (``DossierFilterSet.todo``, ``RoundFilterSet.council``), so the
list shows exactly the records counted. Counts run on ``restrict(user, "view")``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.core import queues
from ocop.core.scoping import ADMIN, CENTRAL, COMMUNE, COUNCIL, PRODUCER, PROVINCE, VIEW

from .models import (
    SCORING_ROLES,
    ConflictDeclaration,
    CouncilMember,
    Dossier,
    DossierStatus,
    Evaluation,
    EvaluationStatus,
    MemberRole,
    Round,
    RoundStatus,
    ScoreSheet,
)

# The dossier list's ?todo= values (DossierFilterSet.todo), each a condition below.
COMMUNE_INBOX, CENTRAL_WAITING, SHEETS, SESSIONS = "commune", "central", "sheets", "close"
TODO_CHOICES = [
    (COMMUNE_INBOX, gettext_lazy("Chờ xã tiếp nhận, xem xét")),
    (CENTRAL_WAITING, gettext_lazy("Chờ đưa vào đợt trung ương")),
    (SHEETS, gettext_lazy("Phiếu chấm tôi cần gửi")),
    (SESSIONS, gettext_lazy("Phiên chấm tôi chủ trì chưa kết thúc")),
]
# Who has which of them (the filter offers a role only its own).
TODO_BY_ROLE = {
    COMMUNE: (COMMUNE_INBOX,),
    ADMIN: (CENTRAL_WAITING,),
    CENTRAL: (CENTRAL_WAITING,),
    COUNCIL: (SHEETS, SESSIONS),
}
INCOMPLETE = "incomplete"  # the round list's ?council=incomplete (RoundFilterSet.council)

AT_COMMUNE = (DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW)


# --- conditions (Q on Dossier / Round), shared with the filtersets ------------------------------


def commune_inbox() -> Q:
    """Submitted to the commune and not yet forwarded or returned (Art. 7.2)."""
    return Q(status__in=AT_COMMUNE)


def commune_overdue(today: dt.date) -> Q:
    """At the commune past its 15 working days (`Dossier.commune_overdue` in SQL)."""
    return commune_inbox() & Q(commune_deadline__lt=today)


def central_waiting() -> Q:
    """Proposed to the Ministry ("tiềm năng 5 sao") and not yet before a central council."""
    return Q(status=DossierStatus.CENTRAL, round__isnull=True)


def _is_council(user: Any) -> bool:
    return getattr(user, "role", None) == COUNCIL and bool(getattr(user, "pk", None)) and user.is_active


def sheets_to_send(user: Any) -> Q:
    """Before a council where ``user`` scores, still scoring, and the user's sheet not sent yet
    (a member who declared a conflict of interest does not score that product)."""
    if not _is_council(user):  # workflow.seat: only an active council account holds a seat
        return Q(pk__in=[])
    seat = CouncilMember.objects.filter(round=OuterRef("round"), user=user, role__in=SCORING_ROLES)
    mine = {"evaluation": OuterRef("pk"), "member__user": user}
    sent = ScoreSheet.objects.filter(**mine, submitted_at__isnull=False)
    conflict = ConflictDeclaration.objects.filter(**mine, has_conflict=True)
    waiting = Evaluation.objects.filter(status=EvaluationStatus.SCORING, dossier=OuterRef("pk")).filter(
        Exists(seat), ~Exists(sent), ~Exists(conflict)
    )
    return Q(Exists(waiting))


def sessions_to_close(user: Any) -> Q:
    """Still scoring before a council ``user`` chairs: only the chair closes (workflow.close)."""
    if not _is_council(user):
        return Q(pk__in=[])
    chair = CouncilMember.objects.filter(round=OuterRef("round"), user=user, role=MemberRole.CHAIR)
    open_ = Evaluation.objects.filter(status=EvaluationStatus.SCORING, dossier=OuterRef("pk")).filter(
        Exists(chair)
    )
    return Q(Exists(open_))


def todo_condition(key: str, user: Any, today: dt.date) -> Q:
    """The condition behind ``?todo=<key>`` on the dossier list."""
    if key == COMMUNE_INBOX:
        return commune_inbox()
    if key == CENTRAL_WAITING:
        return central_waiting()
    if key == SHEETS:
        return sheets_to_send(user)
    if key == SESSIONS:
        return sessions_to_close(user)
    return Q(pk__in=[])


def council_incomplete() -> Q:
    """An open round whose council has no chair (who closes sessions) or no secretary (who records
    the agreed sheet): the office still has seats to give."""
    chair = CouncilMember.objects.filter(round=OuterRef("pk"), role=MemberRole.CHAIR)
    secretary = CouncilMember.objects.filter(round=OuterRef("pk"), role=MemberRole.SECRETARY)
    return Q(status=RoundStatus.OPEN) & (~Q(Exists(chair)) | ~Q(Exists(secretary)))


# --- the providers ---------------------------------------------------------------------------------


def _url(name: str, **params: str) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def _dossiers(user: Any) -> QuerySet[Dossier]:
    return Dossier.objects.restrict(user, VIEW).order_by()


def _local_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localdate(value)
    return value


def _count(
    key: str,
    label: str,
    queryset: QuerySet,
    url: str,
    today: dt.date,
    due: str | None = None,
    due_kind: str = queues.DUE,
    due_filter: Q | None = None,
) -> queues.Item:
    """One aggregate query: the number of records and the nearest deadline (or oldest date)."""
    aggregates: dict[str, Any] = {"n": Count("pk", distinct=True)}
    if due:
        aggregates["due"] = Min(due, filter=due_filter)
    values = queryset.aggregate(**aggregates)
    return queues.Item(
        key, label, values["n"] or 0, url, _local_date(values.get("due")), due_kind=due_kind, today=today
    )


def _commune_inbox(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "dossiers_at_commune",
        _("Hồ sơ chờ xã tiếp nhận, xem xét"),
        _dossiers(user).filter(commune_inbox()),
        _url("evaluation:dossier_list", todo=COMMUNE_INBOX),
        today,
        due="commune_deadline",
    )


def _commune_overdue(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "dossiers_overdue",
        _("Hồ sơ quá hạn 15 ngày làm việc của xã"),
        _dossiers(user).filter(commune_overdue(today)),
        _url("evaluation:dossier_list", overdue="true"),
        today,
        due="commune_deadline",
    )


def _forwarded(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "dossiers_forwarded",
        _("Hồ sơ xã đề nghị, chờ đưa vào đợt đánh giá"),
        _dossiers(user).filter(status=DossierStatus.FORWARDED),
        _url("evaluation:dossier_list", status=DossierStatus.FORWARDED),
        today,
        due="forwarded_on",
        due_kind=queues.SINCE,
    )


def _central_waiting(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "dossiers_central",
        _("Hồ sơ tiềm năng 5 sao chờ đưa vào đợt trung ương"),
        _dossiers(user).filter(central_waiting()),
        _url("evaluation:dossier_list", todo=CENTRAL_WAITING),
        today,
    )


def _rounds_to_staff(user: Any, today: dt.date) -> queues.Item:
    rounds = Round.objects.restrict(user, VIEW).order_by().filter(council_incomplete())
    params = {"council": INCOMPLETE}
    if user.role != PROVINCE:  # the national office staffs the Ministry's councils
        rounds = rounds.filter(level="central")
        params["level"] = "central"
    return _count(
        "rounds_to_staff",
        _("Đợt đánh giá chưa có chủ tịch hoặc thư ký hội đồng"),
        rounds,
        _url("evaluation:round_list", **params),
        today,
        due="closes_by",
    )


def _sheets(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "sheets_to_send",
        _("Phiếu chấm cần gửi"),
        _dossiers(user).filter(sheets_to_send(user)),
        _url("evaluation:dossier_list", todo=SHEETS),
        today,
        due="round__closes_by",
    )


def _sessions(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "sessions_to_close",
        _("Phiên chấm do bạn chủ trì chưa kết thúc"),
        _dossiers(user).filter(sessions_to_close(user)),
        _url("evaluation:dossier_list", todo=SESSIONS),
        today,
        due="round__closes_by",
    )


def _decisions(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "decisions_to_record",
        _("Kết quả hội đồng chờ tỉnh quyết định"),
        _dossiers(user).filter(status=DossierStatus.SCORED),
        _url("evaluation:dossier_list", status=DossierStatus.SCORED),
        today,
        due="evaluations__closed_at",
        due_filter=Q(evaluations__round=F("round")),  # the session that gave this result
        due_kind=queues.SINCE,
    )


def _returned(user: Any, today: dt.date) -> queues.Item:
    return _count(
        "dossiers_returned",
        _("Hồ sơ cần bổ sung theo yêu cầu của xã"),
        _dossiers(user).filter(status=DossierStatus.RETURNED),
        _url("evaluation:dossier_list", status=DossierStatus.RETURNED),
        today,
    )


NATIONAL = frozenset({ADMIN, CENTRAL})


def register() -> None:
    """Called from EvaluationConfig.ready()."""
    for key, roles, build, order in (
        ("dossiers_at_commune", frozenset({COMMUNE}), _commune_inbox, 10),
        ("dossiers_overdue", frozenset({COMMUNE, PROVINCE, CENTRAL}), _commune_overdue, 20),
        ("dossiers_returned", frozenset({PRODUCER}), _returned, 25),
        ("dossiers_forwarded", frozenset({PROVINCE}), _forwarded, 30),
        ("dossiers_central", NATIONAL, _central_waiting, 35),
        ("rounds_to_staff", NATIONAL | {PROVINCE}, _rounds_to_staff, 40),
        ("sheets_to_send", frozenset({COUNCIL}), _sheets, 50),
        ("sessions_to_close", frozenset({COUNCIL}), _sessions, 60),
        ("decisions_to_record", frozenset({PROVINCE}), _decisions, 70),
    ):
        queues.providers.register(queues.Provider(key, roles, build, order))
