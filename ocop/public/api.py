"""Public verification API, open to anyone (no token, CORS *): GET /api/v1/public/certificates/<code>.

Shops and marketplaces check an OCOP certificate by machine. The answer is always 200 with a
``status`` (valid | expired | revoked | superseded | removed | invalid) computed for today
("removed": the product was taken out of the OCOP programme by an inspection's conclusion); an unknown,
malformed or mistyped code is ``"invalid"`` with a ``reason``. Every key is always present (null
when it does not apply). Dates are ISO 8601; ``expires`` is the last day the certificate is valid.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from ninja import Field, Router, Schema

from ocop.certification.pdf import public_base_url

from . import cache, published
from .scans import record_hit, record_miss

router = Router(tags=["public"], auth=None)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Max-Age": "86400",
}


class RevocationOut(Schema):
    date: dt.date | None = Field(..., description="Ngày thu hồi có hiệu lực")
    decision_number: str = Field(..., description="Số quyết định thu hồi (có thể trống với hồ sơ cũ)")
    decision_date: dt.date | None
    authority: str = Field(..., description="Cơ quan ra quyết định thu hồi")
    ground: str = Field(..., description="Căn cứ thu hồi: a, b, c, d, đ, e (Điều 8 QĐ 26/2026/QĐ-TTg)")


class VerificationOut(Schema):
    code: str = Field(..., description="Mã giấy chứng nhận đã chuẩn hoá, ví dụ OCOP-82-2026-000123-X")
    status: Literal["valid", "expired", "revoked", "superseded", "removed", "invalid"]
    reason: Literal["malformed", "mistyped", "unknown"] | None = Field(
        ..., description="Với invalid: sai định dạng, sai ký tự kiểm tra (gõ nhầm), hoặc không có mã này"
    )
    star: int | None
    product: str | None = Field(..., description="Tên sản phẩm như được công nhận (ghi trên giấy chứng nhận)")
    product_current_name: str | None = Field(
        ..., description="Tên hiện nay của sản phẩm, khi khác tên được công nhận (null nếu không đổi)"
    )
    product_code: str | None = Field(..., description="Mã sản phẩm OCOP")
    gtin: str | None = Field(
        ..., description="Mã vạch GTIN như in trên bao bì: 13 chữ số (GTIN-13), 14 chữ số với GTIN-14"
    )
    producer: str | None = Field(..., description="Tên chủ thể như được công nhận")
    producer_current_name: str | None = Field(..., description="Tên hiện nay của chủ thể, khi khác")
    certified_place: str | None = Field(
        ..., description="Xã/phường, tỉnh/thành phố như in trên giấy chứng nhận"
    )
    province: str | None = Field(..., description="Tỉnh/thành phố hiện hành")
    province_code: str | None
    commune: str | None = Field(..., description="Xã/phường hiện hành")
    certificate_number: str | None = Field(..., description="Số giấy chứng nhận như in")
    issued: dt.date | None
    expires: dt.date | None = Field(..., description="Ngày hết hạn in trên giấy chứng nhận")
    extended: bool = Field(
        False,
        description="Còn hiệu lực (gia hạn theo khoản 3 Điều 12): quá ngày hết hạn, hồ sơ đánh giá lại "
        "đã nộp đúng hạn, hiệu lực kéo dài đến khi có kết quả",
    )
    valid_until: dt.date | None = Field(
        None, description="Ngày cuối cùng có thể còn hiệu lực (bằng expires, hoặc ngày cuối của gia hạn)"
    )
    status_label: str | None = Field(
        None,
        description="Trạng thái bằng lời (tiếng Việt), ví dụ “Còn hiệu lực (gia hạn theo khoản 3 Điều 12)”",
    )
    revocation: RevocationOut | None
    superseded_by: str | None = Field(
        ..., description="Mã giấy chứng nhận thay thế (khi status = superseded)"
    )
    url: str = Field(..., description="Trang kiểm tra công khai (địa chỉ in trong mã QR)")
    product_url: str | None


def _vietnamese_label(certificate: Any) -> str:
    """The cached JSON is shared by every language: its words stay Vietnamese."""
    with translation.override("vi"):
        return certificate.label


def payload(code: str) -> dict[str, Any]:
    """The answer with site-relative paths (cached; made absolute per request)."""
    result = published.verify(code)
    c = result.certificate
    revoked = c is not None and c.status == published.REVOKED
    return {
        "code": result.code,
        "status": result.status,
        "reason": result.reason or None,
        "star": c.star if c else None,
        "product": result.product_name or None,
        "product_current_name": result.current_product_name or None,
        "product_code": result.product_code or None,
        "gtin": published.gtin_shown(result.gtin) or None,
        "producer": result.producer_name or None,
        "producer_current_name": result.current_producer_name or None,
        "certified_place": result.certified_place or None,
        "province": result.province_name or None,
        "province_code": result.province_code or None,
        "commune": result.commune_name or None,
        "certificate_number": (c.number or None) if c else None,
        "issued": c.issued if c else None,
        "expires": c.expires if c else None,
        "extended": bool(c and c.extended),
        "valid_until": c.valid_until if c else None,
        "status_label": _vietnamese_label(c) if c else None,
        "revocation": {
            "date": c.revoked_on,
            "decision_number": c.revocation_number,
            "decision_date": c.revocation_date,
            "authority": c.revocation_authority,
            "ground": c.revocation_ground,
        }
        if revoked
        else None,
        "superseded_by": c.superseded_by or None if c and c.status == published.SUPERSEDED else None,
        "url": published.verification_path(result.code) if result.code else "",
        "product_url": result.product_path or None,
        "_id": c.id if c else None,
    }


@router.get(
    "/certificates/{code}",
    response=VerificationOut,
    summary="Kiểm tra giấy chứng nhận OCOP (công khai)",
    description=(
        "Không cần xác thực; CORS mở (`Access-Control-Allow-Origin: *`). Luôn trả 200 với `status` "
        "tính cho hôm nay; mã không có, sai định dạng hoặc gõ nhầm trả `status: invalid` và `reason`.\n\n"
        "No authentication; open CORS. Always 200 with `status` computed for today; an unknown, "
        "malformed or mistyped code gives `status: invalid` and a `reason`."
    ),
    url_name="public_certificate",
)
def certificate_status(request: HttpRequest, code: str, response: HttpResponse) -> dict[str, Any]:
    normal, problem = published.check_code(code)
    if problem:
        data = payload(normal)
    else:
        data = cache.get_or_build(
            cache.CERTIFICATE, normal, ["json", published.today().isoformat()], lambda: payload(normal)
        )
    if data["_id"] is None:
        record_miss(normal)
    record_hit("certificate", data["_id"], "api")
    base = public_base_url(request)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    patch_cache_control(response, public=True, max_age=60)
    return {
        **data,
        "url": base + data["url"],
        "product_url": base + data["product_url"] if data["product_url"] else None,
    }


@router.api_operation(["OPTIONS"], "/certificates/{code}", include_in_schema=False)
def certificate_status_preflight(request: HttpRequest, code: str) -> HttpResponse:
    """CORS preflight: any origin may GET."""
    return HttpResponse(status=204, headers=CORS_HEADERS)
