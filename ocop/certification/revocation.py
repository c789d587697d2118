"""Revocation of a certificate (QĐ 26/2026/QĐ-TTg Art. 8): who may, the decision, the 15-day deadline.

``revoke`` is the one place a certificate is revoked (the page, the API). Like the steps of the
evaluation workflow it checks the acting user, locks and reloads the certificate, writes in one
transaction and raises ``StepError`` (ocop.certification.steps) with a message when it refuses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from . import notices
from .decisions import decision_for
from .models import AuthorityLevel, Certificate, Decision, DecisionKind, RevocationGround
from .steps import StepError, fresh, is_office, require, role

__all__ = ["StepError", "revocation_deadline", "revocation_refusal", "revoke"]

DEADLINE_DAYS = 15  # Art. 8.4


@transaction.atomic
def revoke(
    user: Any,
    certificate: Certificate,
    *,
    ground: str,
    number: str,
    date: dt.date,
    authority: str,
    signer: str = "",
    revoked_on: dt.date | None = None,
    reason: str = "",
) -> Decision:
    """Revocation (Art. 8): a decision on one of the six grounds; 5★ by the Minister, 3–4★ by the province.

    A decision already on file with the same number, date and authority is reused (one decision
    revoking several certificates); see ocop.certification.decisions.
    """
    fresh(certificate)
    require(ground in RevocationGround.values, _("Hãy chọn căn cứ thu hồi (Điều 8, điểm a–e)."))
    refusal = revocation_refusal(user, certificate)
    require(refusal is None, refusal or "")
    central = certificate.star == 5
    change_reason = reason.strip() or str(RevocationGround(ground).label)
    # One decision may revoke several certificates: the same number, date and authority is reused.
    decision = decision_for(
        user,
        kind=DecisionKind.REVOCATION,
        number=number,
        date=date,
        authority=authority,
        level=AuthorityLevel.CENTRAL if central else AuthorityLevel.PROVINCE,
        province_id=None if central else certificate.product.province_id,
        signer=signer,
        note=reason,
        reason=change_reason,
    )
    certificate.revoked_on = revoked_on or date
    certificate.revocation_ground = ground
    certificate.revocation_decision = decision
    certificate._change_reason = change_reason
    certificate.full_clean()
    certificate.save()
    notices.revoked(user, certificate, reason)
    return decision


def revocation_refusal(user: Any, certificate: Certificate) -> str | None:
    """Why ``user`` may not revoke ``certificate`` (the message for the user), or None when they may.

    5★ by the Minister (the national agency), 3–4★ by the province office of the product's province.
    """
    if certificate.revoked_on is not None:
        return _("Giấy chứng nhận đã bị thu hồi.")
    if certificate.star == 5:
        if role(user) not in ("admin", "central"):
            return _("Giấy chứng nhận 5 sao do Bộ trưởng thu hồi.")
    elif not is_office(user, certificate.product.province_id):
        return _("Chỉ cơ quan OCOP của tỉnh trình thu hồi.")
    return None


def revocation_deadline(conclusion_on: dt.date) -> dt.date:
    """Art. 8.4: the decision within 15 days of the violation conclusion (or the commune's confirmation)."""
    return conclusion_on + dt.timedelta(days=DEADLINE_DAYS)
