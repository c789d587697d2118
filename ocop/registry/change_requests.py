"""Asking for and deciding a change of a product's identity (see models.change_requests).

    submit(producer_user, product, {"name": "…"}, reason)    # a pending ChangeRequest
    approve(officer, request, note)                           # applied to the product, audited
    reject(officer, request, reason)                          # the reason is required
    withdraw(producer_user, request)

Every function checks the scope itself (core.scoping) and raises ``ValidationError`` (Vietnamese
messages, keyed by field where there is one) or ``PermissionDenied``; the views and the API turn
those into a form error or a 422/403. Writes are one transaction under the product's row lock.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ocop.core import concurrency
from ocop.core.notifications import notify
from ocop.core.scoping import ADD, CHANGE, COMMUNE, PRODUCER, PROVINCE, can, refused_changes, request_only
from ocop.geo.models import Level, Structure, Unit

from .models import REQUESTABLE, ChangeRequest, ChangeRequestStatus, Product

MAX_REASON = 2000


def requestable_fields(user: Any, product: Product) -> tuple[str, ...]:
    """The fields `user` may ask to change on `product` (in form order); empty for officers."""
    asked = request_only(user, product)
    return tuple(name for name in REQUESTABLE if name in asked)


def _stored(product: Product, name: str) -> Any:
    return getattr(product, Product._meta.get_field(name).attname)


def _as_stored(name: str, value: Any) -> Any:
    """A requested value as the product would store it (a unit's key, stripped text)."""
    if name == "unit":
        return value.pk if isinstance(value, Unit) else value
    return "" if value is None else str(value).strip()


def _clean_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: _("Hãy ghi lý do.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: _("Lý do dài quá %(n)d ký tự.") % {"n": MAX_REASON}})
    return reason


def _check_values(product: Product, values: Mapping[str, Any]) -> dict[str, Any]:
    """The requested stored values, validated like the product's own fields (unit: a current commune)."""
    stored: dict[str, Any] = {}
    edited = copy.copy(product)
    for name, value in values.items():
        if name == "unit":
            unit = value if isinstance(value, Unit) else Unit.objects.filter(pk=value).first()
            if unit is None or unit.level != Level.COMMUNE or unit.structure != Structure.CURRENT:
                raise ValidationError({"unit": _("Hãy chọn một xã/phường hiện hành.")})
            edited.unit = unit
            stored["unit"] = unit.pk
        else:
            value = "" if value is None else str(value).strip()
            setattr(edited, name, value)
            stored[name] = value
    others = [f.name for f in Product._meta.fields if f.name not in stored]
    edited.clean_fields(exclude=others)
    if "name" in stored and not stored["name"]:
        raise ValidationError({"name": _("Tên sản phẩm không được để trống.")})
    return stored


def submit(user: Any, product: Product, values: Mapping[str, Any], reason: str) -> ChangeRequest:
    """A producer account's request; only the fields it may ask for, only values that change."""
    allowed = requestable_fields(user, product)
    if not allowed or not can(user, ADD, ChangeRequest(product=product)):
        raise PermissionDenied(_("Bạn không gửi được đề nghị thay đổi cho sản phẩm này."))
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError(
            {
                name: _("Trường này không thuộc đề nghị thay đổi (sửa trực tiếp hoặc nhờ cán bộ).")
                for name in unknown
            }
        )
    reason = _clean_reason(reason)
    # Only what changes is asked for (and checked): an unchanged historic place stays as it is.
    changed = {
        name: value for name, value in values.items() if _as_stored(name, value) != _stored(product, name)
    }
    if not changed:
        raise ValidationError(_("Đề nghị không thay đổi gì so với thông tin hiện tại."))
    changes = {
        name: {"old": _stored(product, name), "new": new}
        for name, new in _check_values(product, changed).items()
    }
    try:
        with transaction.atomic():
            change_request = ChangeRequest(product=product, changes=changes, reason=reason, requested_by=user)
            change_request._change_reason = reason
            change_request.save()
            notify(
                officers(product),
                kind="change_request",
                subject=gettext_noop("Đề nghị thay đổi thông tin sản phẩm “%(product)s”"),
                message=gettext_noop("%(producer)s đề nghị thay đổi: %(fields)s. Lý do: %(reason)s"),
                params={
                    "product": product.name,
                    "producer": product.producer.name,
                    "fields": change_request.field_labels,
                    "reason": reason,
                },
                url=change_request.get_absolute_url(),
            )
    except IntegrityError:
        raise ValidationError(
            _("Sản phẩm đang có một đề nghị thay đổi chờ duyệt; hãy chờ kết quả hoặc rút đề nghị đó.")
        ) from None
    return change_request


def _locked_pending(user: Any, change_request: ChangeRequest, action: str) -> ChangeRequest:
    """The request re-read under its product's row lock, if `user` may `action` it and it is still open."""
    concurrency.lock_row(Product, change_request.product_id)
    fresh = ChangeRequest.objects.select_related("product", "product__producer").get(pk=change_request.pk)
    if not can(user, action, fresh):
        raise PermissionDenied(_("Bạn không có quyền quyết định đề nghị này."))
    if not fresh.is_pending:
        raise ValidationError(
            _("Đề nghị này đã được xử lý (%(status)s).") % {"status": fresh.get_status_display()}
        )
    return fresh


def approve(user: Any, change_request: ChangeRequest, note: str = "") -> ChangeRequest:
    """Apply the request to the product as `user` (an officer able to make the change directly)."""
    note = (note or "").strip()[:MAX_REASON]
    with transaction.atomic():
        change_request = _locked_pending(user, change_request, CHANGE)
        product = change_request.product
        stale = [
            str(Product._meta.get_field(name).verbose_name)
            for name, change in change_request.changes.items()
            if _stored(product, name) != change.get("old")
        ]
        if stale:
            raise ValidationError(
                _(
                    "Sản phẩm đã được sửa (%(fields)s) từ khi gửi đề nghị; "
                    "hãy từ chối để chủ thể đề nghị lại trên thông tin mới."
                )
                % {"fields": ", ".join(stale)}
            )
        original = copy.copy(product)
        for name, change in change_request.changes.items():
            setattr(product, Product._meta.get_field(name).attname, change["new"])
        if "unit" in change_request.changes:
            product.locate()
        reason = _("Đề nghị thay đổi #%(pk)s: %(reason)s") % {
            "pk": change_request.pk,
            "reason": change_request.reason,
        }
        refused = refused_changes(user, original, product, reason)
        if refused or not can(user, CHANGE, product):
            details = "; ".join(refused.values()) or _("Nơi mới nằm ngoài địa bàn của bạn.")
            raise ValidationError(_("Bạn không duyệt được đề nghị này: %(details)s") % {"details": details})
        product._change_reason = f"{reason} — {note}" if note else reason
        product.save()
        change_request.status = ChangeRequestStatus.APPROVED
        _decide(user, change_request, note)
    return change_request


def reject(user: Any, change_request: ChangeRequest, reason: str) -> ChangeRequest:
    reason = _clean_reason(reason, "decision_reason")
    with transaction.atomic():
        change_request = _locked_pending(user, change_request, CHANGE)
        change_request.status = ChangeRequestStatus.REJECTED
        _decide(user, change_request, reason)
    return change_request


def withdraw(user: Any, change_request: ChangeRequest) -> ChangeRequest:
    """The producer takes its own pending request back."""
    with transaction.atomic():
        change_request = _locked_pending(user, change_request, ADD)
        change_request.status = ChangeRequestStatus.WITHDRAWN
        change_request.decided_by = user
        change_request.decided_at = timezone.now()
        change_request._change_reason = _("Chủ thể rút đề nghị")
        change_request.save()
    return change_request


def _decide(user: Any, change_request: ChangeRequest, note: str) -> None:
    change_request.decided_by = user
    change_request.decided_at = timezone.now()
    change_request.decision_reason = note
    change_request._change_reason = note or str(change_request.get_status_display())
    change_request.save()
    product = change_request.product
    approved = change_request.status == ChangeRequestStatus.APPROVED
    notify(
        producer_accounts(product) | get_user_model().objects.filter(pk=change_request.requested_by_id),
        kind="change_request_decided",
        subject=gettext_noop("Đề nghị thay đổi sản phẩm “%(product)s” đã được duyệt")
        if approved
        else gettext_noop("Đề nghị thay đổi sản phẩm “%(product)s” bị từ chối"),
        message=gettext_noop("Ý kiến của cán bộ: %(note)s") if note else "",
        params={"product": product.name, "note": note},
        url=change_request.get_absolute_url(),
    )


def officers(product: Product) -> QuerySet:
    """Active officers of the product's commune and province: who decides its change requests."""
    who = Q(role=PROVINCE, scope_unit_id=product.province_id)
    if product.commune_id is not None:
        who |= Q(role=COMMUNE, scope_unit_id=product.commune_id)
    return get_user_model().objects.filter(who, is_active=True).order_by("pk")


def producer_accounts(product: Product) -> QuerySet:
    return get_user_model().objects.filter(role=PRODUCER, producer_id=product.producer_id, is_active=True)
