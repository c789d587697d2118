"""API of this part, mounted under /api/v1/oversight/: the scan signals.

- ``GET signals``: the signals in the caller's scope, filtered like the page (``q``, ``rule``,
  ``status``, ``province``, ``commune``, ``product``), each with its reason in a sentence;
- ``GET signals/{id}``: one signal with its figures (``detail``);
- ``POST signals/{id}/dismiss`` ``{"note"}``: seen, no inspection needed (province officers).
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.core.api import MAX_ID, InputSchema, Pagination
from ocop.core.scoping import VIEW, get_restricted_object_or_404, request_user, role_can
from ocop.core.scoping import restrict as restrict_qs

from .. import signals as service
from ..filtersets.signals import filter_signals
from ..models import ScanSignal

router = Router()

RuleName = Literal[
    "expired_scanned", "revoked_scanned", "superseded_scanned", "far_scans", "surge", "mistyped"
]
StatusName = Literal["open", "planned", "dismissed"]


class SignalProduct(Schema):
    id: int
    name: str
    code: str | None
    producer_id: int | None


class SignalOut(Schema):
    id: int
    rule: RuleName
    rule_label: str
    product: SignalProduct
    certificate_code: str | None = Field(None, description="Mã giấy chứng nhận / the certificate's code")
    code: str = Field("", description="Mã được nhập (dấu hiệu mã gõ nhầm) / the typed code")
    first_day: dt.date
    last_day: dt.date
    scans: int
    reason: str = Field(..., description="Lý do, một câu có số liệu / the reason in a sentence")
    detail: dict[str, Any]
    status: StatusName
    status_note: str
    computed_at: dt.datetime

    @staticmethod
    def resolve_rule_label(obj: ScanSignal) -> str:
        return str(obj.get_rule_display())

    @staticmethod
    def resolve_product(obj: ScanSignal) -> dict[str, Any]:
        product = obj.product
        return {
            "id": product.pk,
            "name": product.name,
            "code": product.code or None,
            "producer_id": product.producer_id,
        }

    @staticmethod
    def resolve_certificate_code(obj: ScanSignal) -> str | None:
        return obj.certificate.code if obj.certificate_id else None

    @staticmethod
    def resolve_reason(obj: ScanSignal) -> str:
        return service.reason(obj)


class SignalQuery(Schema):
    q: str | None = Field(None, max_length=100)
    rule: RuleName | None = None
    status: StatusName | None = None
    province: str | None = Field(None, pattern=r"^\d{2}$", description="Mã tỉnh hiện hành của sản phẩm")
    commune: str | None = Field(None, pattern=r"^\d{5}$", description="Mã xã hiện hành của sản phẩm")
    product: int | None = Field(None, ge=1, le=MAX_ID, description="id sản phẩm")


class DismissIn(InputSchema):
    note: str = Field(..., min_length=1, max_length=service.NOTE_MAX, description="Lý do / why no inspection")


def _signals() -> QuerySet[ScanSignal]:
    return ScanSignal.objects.select_related("product", "certificate")


@router.get("/signals", response=list[SignalOut], summary="Dấu hiệu rủi ro từ lượt quét / scan signals")
@paginate(Pagination)
def list_signals(request: HttpRequest, filters: Query[SignalQuery]):  # noqa: ANN201 - paginated
    user = request_user(request)
    if not role_can(user, VIEW, ScanSignal):
        raise PermissionDenied
    params = {key: value for key, value in filters.dict().items() if value not in (None, "")}
    return service.by_urgency(filter_signals(restrict_qs(_signals(), user, VIEW), params, request))


@router.get("/signals/{int:signal_id}", response=SignalOut, summary="Một dấu hiệu / one signal")
def get_signal(request: HttpRequest, signal_id: int) -> ScanSignal:
    return get_restricted_object_or_404(_signals(), request_user(request), VIEW, pk=signal_id)


@router.post(
    "/signals/{int:signal_id}/dismiss",
    response=SignalOut,
    summary="Bỏ qua dấu hiệu, không cần kiểm tra / dismiss with a note",
)
def dismiss_signal(request: HttpRequest, signal_id: int, payload: DismissIn) -> ScanSignal:
    user = request_user(request)
    signal = get_restricted_object_or_404(_signals(), user, VIEW, pk=signal_id)
    try:
        service.dismiss(user, signal, payload.note)
    except ValidationError as error:
        raise HttpError(422, " ".join(error.messages)) from None
    return _signals().get(pk=signal_id)
