"""/api/v1/dossiers/: dossiers (Mẫu 01/02/03) and their steps: create, edit while with the
producer, submit, receive, the commune's assessment, forward, return, attach evidence on file.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.certification.api import acting as _acting
from ocop.certification.api import filtered as _filtered
from ocop.certification.api import run_step as _step
from ocop.core import concurrency
from ocop.core.api import MAX_ID, ErrorOut, InputSchema, Pagination
from ocop.core.concurrency import IfMatch
from ocop.core.scoping import ADD, CHANGE, VIEW, get_restricted_object_or_404, request_user
from ocop.core.scoping import restrict as restrict_qs
from ocop.registry.models import Product

from .. import workflow
from ..filtersets import DossierFilterSet
from ..models import Dossier, DossierKind
from .common import _not_found
from .schemas import CommuneAssessmentIn, DayIn, DossierIn, DossierOut, DossierPatch, DossierQuery, ReturnIn

dossiers_router = Router(tags=["dossiers"], auth=api_auth)


def _dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.select_related(
        "product__province", "product__commune", "previous_certificate", "round"
    ).prefetch_related("evidence_links", "evaluations")


def _dossier(user: Any, pk: int, action: str = VIEW) -> Dossier:
    return get_restricted_object_or_404(_dossiers(), user, action, pk=pk)


@dossiers_router.get(
    "/",
    response=list[DossierOut],
    summary="Hồ sơ đánh giá / dossiers",
)
@paginate(Pagination)
def list_dossiers(request: HttpRequest, filters: Query[DossierQuery]):  # noqa: ANN201 - paginated
    queryset = restrict_qs(_dossiers(), request_user(request), VIEW)
    return _filtered(request, filters, queryset, DossierFilterSet)


@dossiers_router.get(
    "/{int:dossier_id}",
    response=DossierOut,
    summary="Một hồ sơ đánh giá",
)
def get_dossier(request: HttpRequest, dossier_id: int, response: HttpResponse) -> Dossier:
    dossier = _dossier(request_user(request), dossier_id)
    concurrency.set_etag(response, dossier)
    return dossier


@dossiers_router.post(
    "/",
    response={201: DossierOut},
    summary="Tạo hồ sơ (bản nháp) / create a dossier",
)
def create_dossier(request: HttpRequest, payload: DossierIn) -> tuple[int, Dossier]:
    user = _acting(request, ADD, Dossier)
    product = restrict_qs(Product.objects.all(), user, VIEW).filter(pk=payload.product).first()
    if product is None:
        raise _not_found("product", _("không tìm thấy sản phẩm."))
    created = _step(
        workflow.create_dossier,
        user,
        product,
        kind=DossierKind(payload.kind),
        sheet=payload.sheet,
        registration=payload.registration,
    )
    return 201, _dossier(user, created.pk)


@dossiers_router.patch(
    "/{int:dossier_id}",
    response={200: DossierOut, 412: ErrorOut},
    summary="Sửa Mẫu 01, Mẫu 02, tự chấm (khi hồ sơ ở chủ thể)",
)
def update_dossier(
    request: HttpRequest,
    dossier_id: int,
    payload: DossierPatch,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Dossier:
    return _guarded_step(
        request, dossier_id, if_match, response, workflow.update_forms, **payload.dict(exclude_unset=True)
    )


def _guarded_step(
    request: HttpRequest,
    dossier_id: int,
    if_match: str | None,
    response: HttpResponse,
    step: Any,
    **kwargs: Any,
) -> Dossier:
    """A write that names the version it read (If-Match): checked and made under the row's lock."""
    user = _acting(request, CHANGE, Dossier)
    with transaction.atomic():
        concurrency.lock_row(Dossier, dossier_id)
        dossier = _dossier(user, dossier_id, CHANGE)
        concurrency.check_if_match(if_match, dossier)
        _step(step, user, dossier, **kwargs)
    dossier = _dossier(user, dossier_id)
    concurrency.set_etag(response, dossier)
    return dossier


def _dossier_step(request: HttpRequest, dossier_id: int, step: Any, **kwargs: Any) -> Dossier:
    user = _acting(request, CHANGE, Dossier)
    _step(step, user, _dossier(user, dossier_id, CHANGE), **kwargs)
    return _dossier(user, dossier_id)


@dossiers_router.post(
    "/{int:dossier_id}/submit",
    response=DossierOut,
    summary="Nộp hồ sơ cho UBND cấp xã",
)
def submit_dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.submit)


@dossiers_router.post(
    "/{int:dossier_id}/receive",
    response=DossierOut,
    summary="Xã tiếp nhận hồ sơ",
)
def receive_dossier(request: HttpRequest, dossier_id: int, payload: DayIn | None = None) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.receive, on=payload.on if payload else None)


@dossiers_router.put(
    "/{int:dossier_id}/commune-assessment",
    response={200: DossierOut, 412: ErrorOut},
    summary="Báo cáo đánh giá của xã (Mẫu 03)",
)
def assess_dossier(
    request: HttpRequest,
    dossier_id: int,
    payload: CommuneAssessmentIn,
    response: HttpResponse,
    if_match: str | None = IfMatch,
) -> Dossier:
    return _guarded_step(
        request, dossier_id, if_match, response, workflow.assess_commune, assessment=payload.dict()
    )


@dossiers_router.post(
    "/{int:dossier_id}/forward",
    response=DossierOut,
    summary="Xã đề nghị lên tỉnh",
)
def forward_dossier(request: HttpRequest, dossier_id: int, payload: DayIn | None = None) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.forward, on=payload.on if payload else None)


@dossiers_router.post(
    "/{int:dossier_id}/return",
    response=DossierOut,
    summary="Trả hồ sơ, yêu cầu bổ sung",
)
def return_dossier(request: HttpRequest, dossier_id: int, payload: ReturnIn) -> Dossier:
    return _dossier_step(request, dossier_id, workflow.return_dossier, comment=payload.comment)


class EvidenceLinkIn(InputSchema):
    document: int = Field(..., ge=1, le=MAX_ID, description="id của hồ sơ minh chứng đã có của chủ thể")
    criterion: str = Field("", max_length=10, description="Mã tiêu chí (trống: dùng chung cho cả hồ sơ)")


@dossiers_router.post(
    "/{int:dossier_id}/evidence",
    response=DossierOut,
    summary="Gắn minh chứng đã có cho một tiêu chí",
)
def attach_evidence(request: HttpRequest, dossier_id: int, payload: EvidenceLinkIn) -> Dossier:
    from ocop.documents.models import EvidenceDocument

    user = _acting(request, CHANGE, Dossier)
    dossier = _dossier(user, dossier_id, CHANGE)
    document = EvidenceDocument.objects.restrict(user, VIEW).filter(pk=payload.document).first()
    if document is None:
        raise _not_found("document", _("không tìm thấy hồ sơ minh chứng."))
    _step(workflow.attach_evidence, user, dossier, document, criterion=payload.criterion.strip())
    return _dossier(user, dossier_id)
