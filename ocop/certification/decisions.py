"""One decision, several certificates: the decision a step records a certificate under.

A recognition or revocation decision often covers many products (a province revokes ten
certificates in one decision). The steps that record one (revocation.revoke, the evaluation
workflow's recognise) ask ``decision_for`` for it rather than creating one each time:

- the same number, date and issuing authority (authority compared without case, diacritics or extra
  spaces, like the history import) as a decision on file: that decision is reused, provided it is of
  the same kind, level and province (a province never attaches to another province's decision, nor
  to the Ministry's);
- the same number as a decision of the same issuer (the same province, or the Ministry) in the same
  year, with another date or authority: refused, naming the decision on file (numbers restart every
  year, so the same number in another year is another decision);
- otherwise a new decision.

Reusing a decision never rewrites it, except that a signer it lacks is filled in (with the step's
reason in its history, else a reason of its own). A new decision carries the step's reason
when it gives one (else the request's, ocop.core.audit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocop.core.formatting import format_date
from ocop.core.scoping import VIEW, can
from ocop.core.text import fold
from ocop.registry.classification import LegalBasis

from .models import AuthorityLevel, Decision, DecisionKind
from .steps import StepError, require

__all__ = ["decision_for", "describe"]


def describe(decision: Decision) -> str:
    """“1887/QĐ-UBND ngày 16/06/2025 của UBND tỉnh Đồng Tháp” (for messages)."""
    return _("%(number)s ngày %(date)s của %(authority)s") % {
        "number": decision.number,
        "date": format_date(decision.date),
        "authority": decision.authority,
    }


def decision_for(
    user: Any,
    *,
    kind: str,
    number: str,
    date: dt.date,
    authority: str,
    level: str,
    province_id: int | None,
    signer: str = "",
    note: str = "",
    reason: str = "",
    legal_basis: str = LegalBasis.QD26_2026,
) -> Decision:
    """The decision (number, date, authority) to record a certificate under: the one on file, or a
    new one. Sets ``reused`` on it. Raises StepError (naming the decision on file) when it cannot be
    used. Call inside the step's transaction."""
    number, authority, signer = number.strip(), authority.strip(), signer.strip()
    for attempt in (1, 2):
        existing = _matching(number, date, authority)
        if existing is not None:
            return _reuse(
                user, existing, kind=kind, level=level, province_id=province_id, signer=signer, reason=reason
            )
        _refuse_number_taken(number, date, authority, level, province_id)
        decision = Decision(
            number=number,
            date=date,
            kind=kind,
            authority=authority,
            authority_level=level,
            signer=signer,
            legal_basis=legal_basis,
            province_id=None if level == AuthorityLevel.CENTRAL else province_id,
            note=note.strip(),
        )
        decision.full_clean()
        if reason:
            decision._change_reason = reason
        try:
            with transaction.atomic():
                decision.save()
        except IntegrityError:  # the same decision recorded concurrently: use that one
            if attempt == 2:
                raise
            continue
        decision.reused = False  # type: ignore[attr-defined]
        return decision
    raise AssertionError("unreachable")


def _matching(number: str, date: dt.date, authority: str) -> Decision | None:
    wanted = fold(authority)
    candidates = Decision.objects.filter(number=number, date=date).order_by("pk")
    return next((d for d in candidates if fold(d.authority) == wanted), None)


def _reuse(
    user: Any, decision: Decision, *, kind: str, level: str, province_id: int | None, signer: str, reason: str
) -> Decision:
    named = {"decision": describe(decision)}
    if decision.kind != kind:
        raise StepError(
            _("Quyết định %(decision)s là quyết định công nhận, không phải quyết định thu hồi.") % named
            if decision.kind == DecisionKind.RECOGNITION
            else _("Quyết định %(decision)s là quyết định thu hồi, không phải quyết định công nhận.") % named
        )
    central = level == AuthorityLevel.CENTRAL
    same_issuer = (
        decision.authority_level == AuthorityLevel.CENTRAL
        if central
        else decision.authority_level != AuthorityLevel.CENTRAL and decision.province_id == province_id
    )
    require(
        same_issuer and can(user, VIEW, decision),
        _(
            "Quyết định %(decision)s đã được ghi cho tỉnh khác hoặc cấp khác: không thể ghi giấy chứng nhận "
            "này theo quyết định đó. Hãy kiểm tra số, ngày và cơ quan ban hành."
        )
        % named,
    )
    if signer and decision.signer and fold(signer) != fold(decision.signer):
        raise StepError(
            _("Quyết định %(decision)s đã ghi người ký “%(signer)s”.") % {**named, "signer": decision.signer}
        )
    if signer and not decision.signer:
        list(Decision._base_manager.select_for_update().filter(pk=decision.pk).values_list("pk"))
        decision.signer = signer
        decision._change_reason = reason or _("Ghi người ký khi ghi thêm giấy chứng nhận theo quyết định")
        decision.save(update_fields=["signer", "updated"])
    decision.reused = True  # type: ignore[attr-defined]
    return decision


def _refuse_number_taken(
    number: str, date: dt.date, authority: str, level: str, province_id: int | None
) -> None:
    """The same number from the same issuer in the same year, with another date or authority."""
    same = Decision.objects.filter(number=number, date__year=date.year)
    if level == AuthorityLevel.CENTRAL:
        same = same.filter(authority_level=AuthorityLevel.CENTRAL)
    else:
        same = same.exclude(authority_level=AuthorityLevel.CENTRAL).filter(province_id=province_id)
    taken = same.order_by("date", "pk").first()
    if taken is not None:
        raise StepError(
            _(
                "Số quyết định %(number)s đã được dùng cho quyết định %(decision)s. Nếu là cùng một quyết "
                "định, hãy ghi đúng ngày ban hành và cơ quan ban hành như đã ghi; nếu không, hãy kiểm tra "
                "lại số quyết định."
            )
            % {"number": number, "decision": describe(taken)}
        )
