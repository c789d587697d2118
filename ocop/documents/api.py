"""Evidence documents API (mounted under /api/v1/).

    GET  /api/v1/products/{id}/evidence/    the product's documents plus its producer's general ones
    GET  /api/v1/producers/{id}/evidence/   all the producer's documents (general and per product)
    POST same paths, multipart/form-data    upload one document (same checks as the pages)
    GET  /api/v1/evidence/{id}/file         the file itself (the `download_url` of a document)

JSON carries metadata only; files go through `download_url`, which checks the caller's scope
like everything else. An owner (producer/product) outside the caller's scope is a 404.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from ocop.core.api import MAX_ID, InputSchema, Pagination, reject_unknown_form_fields
from ocop.core.scoping import ADD, VIEW, can, get_restricted_object_or_404, request_user, role_can
from ocop.core.scoping import restrict as restrict_qs
from ocop.registry.models import Producer, Product

from .forms import EvidenceDocumentForm
from .models import EvidenceDocument, EvidenceType
from .uploads import file_response, save_document

router = Router(tags=["evidence"])


class OwnerRef(Schema):
    id: int
    name: str


class EvidenceOut(Schema):
    id: int
    producer: OwnerRef
    product: OwnerRef | None = Field(None, description="null: dùng chung cho mọi sản phẩm của chủ thể")
    doc_type: str
    doc_type_label: str
    title: str
    number: str
    issuer: str
    issue_date: date | None
    expiry_date: date | None
    expiry_status: str | None = Field(None, description="valid | expiring (≤ 90 ngày) | expired | null")
    notes: str
    original_name: str
    size: int
    sha256: str
    content_type: str
    uploaded_by: str | None
    uploaded_at: datetime
    download_url: str

    @staticmethod
    def resolve_doc_type_label(obj: EvidenceDocument) -> str:
        return str(obj.get_doc_type_display())

    @staticmethod
    def resolve_expiry_status(obj: EvidenceDocument) -> str | None:
        status = obj.expiry_status()
        return str(status) if status else None

    @staticmethod
    def resolve_uploaded_by(obj: EvidenceDocument) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by else None

    @staticmethod
    def resolve_download_url(obj: EvidenceDocument, context: dict[str, Any]) -> str:
        path = reverse("api:evidence_file", args=[obj.pk])
        request = context.get("request") if context else None
        return request.build_absolute_uri(path) if request is not None else path


class EvidenceQuery(Schema):
    type: EvidenceType | None = Field(None, description="Loại giấy tờ")


class EvidenceIn(InputSchema):
    doc_type: EvidenceType
    title: str = Field(..., min_length=1, max_length=255)
    number: str = Field("", max_length=100)
    issuer: str = Field("", max_length=255)
    issue_date: str = Field("", description="dd/mm/yyyy hoặc yyyy-mm-dd")
    expiry_date: str = Field("", description="dd/mm/yyyy hoặc yyyy-mm-dd; để trống nếu không có thời hạn")
    notes: str = ""


class ProducerEvidenceIn(EvidenceIn):
    product_id: int | None = Field(None, ge=1, le=MAX_ID, description="Bỏ trống: dùng chung cho mọi sản phẩm")


def _documents() -> QuerySet[EvidenceDocument]:
    return EvidenceDocument.objects.select_related("producer", "product", "uploaded_by")


def _listed(request: HttpRequest, documents: QuerySet[EvidenceDocument], query: EvidenceQuery) -> QuerySet:
    if query.type:
        documents = documents.filter(doc_type=query.type)
    return restrict_qs(documents, request_user(request), VIEW).order_by("doc_type", "-issue_date", "pk")


def _create(
    request: HttpRequest, producer: Producer, data: dict[str, Any], upload: UploadedFile
) -> EvidenceDocument:
    user = request_user(request)
    if not role_can(user, ADD, EvidenceDocument) or not can(user, ADD, EvidenceDocument(producer=producer)):
        raise PermissionDenied
    form = EvidenceDocumentForm(data, {"upload": upload}, producer=producer, actor=user)
    if not form.is_valid():
        names = {"upload": "file", "product": "product_id"}
        errors = "; ".join(
            f"{names.get(key, key)}: {' '.join(messages)}" for key, messages in form.errors.items()
        )
        raise HttpError(422, _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": errors})
    document = form.save(commit=False)
    document.uploaded_by = user
    return save_document(document, form.checked)


def _form_data(payload: EvidenceIn) -> dict[str, Any]:
    data = payload.dict()
    data["doc_type"] = str(payload.doc_type.value)
    if "product_id" in data:
        product_id = data.pop("product_id")
        data["product"] = str(product_id) if product_id else ""
    return {key: "" if value is None else value for key, value in data.items()}


UPLOAD_DESCRIPTION = (
    "multipart/form-data: `file` (PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT, ODS; tối đa OCOP_MAX_UPLOAD_MB MB, "
    "mặc định 20) và các trường siêu dữ liệu. Nội dung tệp được kiểm tra theo chữ ký (magic bytes)."
)


@router.get(
    "/products/{int:product_id}/evidence/",
    response=list[EvidenceOut],
    summary="Hồ sơ minh chứng của sản phẩm / a product's evidence",
)
@paginate(Pagination)
def product_evidence(request: HttpRequest, product_id: int, query: Query[EvidenceQuery]):  # noqa: ANN201
    product = get_restricted_object_or_404(Product.objects.all(), request_user(request), VIEW, pk=product_id)
    documents = _documents().filter(
        Q(product=product) | Q(producer_id=product.producer_id, product__isnull=True)
    )
    return _listed(request, documents, query)


@router.get(
    "/producers/{int:producer_id}/evidence/",
    response=list[EvidenceOut],
    summary="Hồ sơ minh chứng của chủ thể / a producer's evidence",
)
@paginate(Pagination)
def producer_evidence(request: HttpRequest, producer_id: int, query: Query[EvidenceQuery]):  # noqa: ANN201
    producer = get_restricted_object_or_404(
        Producer.objects.all(), request_user(request), VIEW, pk=producer_id
    )
    return _listed(request, _documents().filter(producer=producer), query)


@router.post(
    "/products/{int:product_id}/evidence/",
    response={201: EvidenceOut},
    summary="Tải lên minh chứng cho sản phẩm / upload a product's evidence",
    description=UPLOAD_DESCRIPTION,
)
def upload_product_evidence(
    request: HttpRequest, product_id: int, payload: Form[EvidenceIn], file: File[UploadedFile]
) -> tuple[int, EvidenceDocument]:
    reject_unknown_form_fields(request, EvidenceIn, files=("file",))
    product = get_restricted_object_or_404(
        Product.objects.select_related("producer"), request_user(request), VIEW, pk=product_id
    )
    data = {**_form_data(payload), "product": str(product.pk)}
    return 201, _create(request, product.producer, data, file)


@router.post(
    "/producers/{int:producer_id}/evidence/",
    response={201: EvidenceOut},
    summary="Tải lên minh chứng cho chủ thể / upload a producer's evidence",
    description=UPLOAD_DESCRIPTION,
)
def upload_producer_evidence(
    request: HttpRequest, producer_id: int, payload: Form[ProducerEvidenceIn], file: File[UploadedFile]
) -> tuple[int, EvidenceDocument]:
    reject_unknown_form_fields(request, ProducerEvidenceIn, files=("file",))
    producer = get_restricted_object_or_404(
        Producer.objects.all(), request_user(request), VIEW, pk=producer_id
    )
    return 201, _create(request, producer, _form_data(payload), file)


@router.get(
    "/evidence/{int:document_id}/file",
    url_name="evidence_file",
    summary="Tệp minh chứng / the evidence file",
    response={200: None},
)
def evidence_file(request: HttpRequest, document_id: int) -> HttpResponse:
    document = get_restricted_object_or_404(
        EvidenceDocument.objects.all(), request_user(request), VIEW, pk=document_id
    )
    return file_response(document)
