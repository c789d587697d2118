"""Who is told when a certificate is issued or revoked (ocop.core.notifications), and the labels of
the certification's notification kinds (the re-evaluation reminders of ``reminders`` included).

The producer's accounts and the officers of the product's commune and province hear of both: the
producer holds the certificate, the commune and province follow its products. The officer who
recorded the decision is left out.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from ocop.core.notifications import notify, officers, others, producer_accounts, register_kind
from ocop.core.scoping import COMMUNE, PRODUCER, PROVINCE

from .models import Certificate, ReminderKind

ISSUED = "certificate_issued"
REVOKED = "certificate_revoked"
AFFECTED = {PRODUCER, COMMUNE, PROVINCE}


def register() -> None:
    register_kind(ISSUED, gettext_lazy("Quyết định công nhận, cấp giấy chứng nhận"), AFFECTED, 100)
    register_kind(REVOKED, gettext_lazy("Giấy chứng nhận bị thu hồi"), AFFECTED, 101)
    # `ocop remind` (reminders.send): kind "evaluation.<ReminderKind>".
    for order, kind in enumerate(ReminderKind, start=110):
        register_kind(f"evaluation.{kind.value}", kind.label, AFFECTED, order)


def recipients(certificate: Certificate) -> list[Any]:
    product = certificate.product
    return list(producer_accounts(product.producer_id)) + list(
        officers(commune_id=product.commune_id, province_id=product.province_id)
    )


def issued(actor: Any, certificate: Certificate) -> None:
    decision = certificate.decision
    notify(
        others(recipients(certificate), actor),
        kind=ISSUED,
        subject=gettext_noop("Sản phẩm “%(product)s” được công nhận OCOP %(star)s sao"),
        message=gettext_noop(
            "Quyết định số %(decision)s ngày %(date)s. "
            "Giấy chứng nhận %(code)s có hiệu lực đến ngày %(expiry)s."
        ),
        params={
            "product": certificate.product.name,
            "star": certificate.star,
            "decision": decision.number if decision else "",
            "date": f"{decision.date:%d/%m/%Y}" if decision else "",
            "code": certificate.code,
            "expiry": f"{certificate.expiry:%d/%m/%Y}" if certificate.expiry else "",
        },
        url=certificate.get_absolute_url(),
    )


def revoked(actor: Any, certificate: Certificate, reason: str = "") -> None:
    decision = certificate.revocation_decision
    params = {
        "product": certificate.product.name,
        "code": certificate.code,
        "decision": decision.number if decision else "",
        "date": f"{certificate.revoked_on:%d/%m/%Y}" if certificate.revoked_on else "",
        "ground": certificate.revocation_ground,
        "reason": reason.strip(),
    }
    notify(
        others(recipients(certificate), actor),
        kind=REVOKED,
        subject=gettext_noop("Giấy chứng nhận %(code)s của “%(product)s” bị thu hồi"),
        message=gettext_noop(
            "Quyết định số %(decision)s, thu hồi từ ngày %(date)s, căn cứ điểm %(ground)s khoản 1 Điều 8 "
            "Quyết định 26/2026/QĐ-TTg. %(reason)s"
        ),
        params=params,
        url=certificate.get_absolute_url(),
    )
