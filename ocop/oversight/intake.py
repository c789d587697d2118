"""Consumers' reports coming in from the public pages (no account): what the code is, the checks
against spam, and the report itself with its routing and notice.

Spam is kept out without any third-party service:

- a honeypot field that people never see (``HONEYPOT``): a form that fills it is refused;
- a signed timestamp (``issue_token``, django.core.signing) put in the form when it is shown: a
  submission less than ``MIN_SECONDS`` after it (a script) or more than ``MAX_SECONDS`` (a stale or
  replayed page) is refused;
- rate limits in the Django cache: ``PER_CLIENT_PER_HOUR`` reports per client address (the
  address is hashed with the site's secret into the cache key and never stored), and
  ``PER_CODE_PER_DAY`` reports about one code for the whole site;
- length limits on every text field (the form) and an image-only photo of bounded size, decoded
  and re-encoded without its metadata (a phone's photo carries where it was taken).

Routing (``province_for``): the province of the product the code leads to (its current
province), else the province where the reporter bought it, else none: the national agency.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from PIL import Image, ImageOps

from ocop.certification.models import Certificate
from ocop.core import clock
from ocop.core.network import client_ip
from ocop.core.notifications import notify, officers, phrase, register_kind
from ocop.core.scoping import CENTRAL, PROVINCE
from ocop.documents import filetypes, uploads
from ocop.geo.models import Unit
from ocop.public import gs1, published

from .models import ConsumerReport, ReportKind

NOTICE_KIND = "consumer_report"
HONEYPOT = "website"
TOKEN_SALT = "ocop.oversight.report-form"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600
PER_CLIENT_PER_HOUR = 5
PER_CODE_PER_DAY = 200
DEFAULT_PHOTO_MAX_MB = 5
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; more is refused before decoding
PHOTO_KINDS = (filetypes.JPEG, filetypes.PNG, filetypes.WEBP)
_PIL_FORMATS = {filetypes.JPEG: "JPEG", filetypes.PNG: "PNG", filetypes.WEBP: "WEBP"}
_CACHE_PREFIX = "ocop.oversight:reports"


def register() -> None:
    register_kind(NOTICE_KIND, gettext_lazy("Phản ánh của người tiêu dùng"), {PROVINCE, CENTRAL}, 400)


# --- what the code is -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a code typed or scanned by a consumer leads to (all empty when it leads nowhere)."""

    code: str
    product_id: int | None = None
    certificate_id: int | None = None
    province_id: int | None = None
    product_name: str = ""
    producer_name: str = ""
    province_name: str = ""
    certificate_code: str = ""
    star: int | None = None
    status: str = ""  # ocop.public.published: valid | expired | revoked | superseded
    status_label: str = ""

    @property
    def known(self) -> bool:
        return self.product_id is not None


def _normal_code(text: str) -> str:
    return " ".join((text or "").split())[:64]


def _certificate_subject(code: str, day: dt.date) -> Subject | None:
    row = (
        Certificate.objects.filter(code=code, issue_date__lte=day)
        .select_related("product__producer", "product__province")
        .first()
    )
    if row is None:
        return None
    status = row.status_on(day)
    product = row.product
    return Subject(
        code=code,
        product_id=product.pk,
        certificate_id=row.pk,
        province_id=product.province_id,
        product_name=row.certified_product_name or product.name,
        producer_name=product.producer.name,
        province_name=product.province.name if product.province_id else "",
        certificate_code=row.code,
        star=row.star,
        status=status,
        status_label=str(published.STATUS_LABELS.get(status, "")),
    )


def _product_subject(code: str, pk: int, day: dt.date) -> Subject | None:
    product = published.published_products(day).filter(pk=pk).first()
    if product is None:
        return None
    shown = published.headline(published.public_certificates(pk, day))
    return Subject(
        code=code,
        product_id=product.pk,
        certificate_id=shown.id if shown else None,
        province_id=product.province_id,
        product_name=product.name,
        producer_name=product.producer.name,
        province_name=product.province.name if product.province_id else "",
        certificate_code=shown.code if shown else "",
        star=product.public_star,
        status=product.public_status,
        status_label=str(published.STATUS_LABELS.get(product.public_status, "")),
    )


def resolve(text: str, day: dt.date | None = None) -> Subject:
    """The product and certificate behind a certificate code, an OCOP product code or a GTIN.

    Only what the public pages publish is used (published products, certificates in effect), so
    the form tells a reporter nothing the verification page would not.
    """
    day = day or clock.today()
    raw = _normal_code(text)
    if not raw:
        return Subject(code="")
    normal, problem = published.check_code(raw)
    if not problem:
        return _certificate_subject(normal, day) or Subject(code=normal)
    kind, product_code = published.find_product_code(raw)
    if kind:
        ids = published.products_with_code(kind, product_code, raw, day)
        if len(ids) == 1:
            return _product_subject(product_code, ids[0], day) or Subject(code=product_code)
        return Subject(code=product_code)
    if raw.isascii() and raw.isdigit():
        try:
            full = gs1.parse_gtin(raw)
        except gs1.GtinError:
            return Subject(code=raw)
        ids = published.products_with_gtin(full, day)
        if ids:
            return _product_subject(raw, ids[0], day) or Subject(code=raw)
    return Subject(code=raw)


def province_for(subject: Subject, where_province: Unit | None) -> int | None:
    """The province that handles the report: the product's, else where it was bought."""
    if subject.province_id is not None:
        return subject.province_id
    return where_province.pk if where_province is not None else None


# --- spam -----------------------------------------------------------------------------------------


def issue_token(at: float | None = None) -> str:
    """The signed moment the form was shown (a hidden field)."""
    return signing.dumps(int(at if at is not None else time.time()), salt=TOKEN_SALT)


def token_problem(token: str, now: float | None = None) -> str:
    """Why the form's timestamp is refused ("" when it is fine)."""
    now = now if now is not None else time.time()
    try:
        shown = int(signing.loads(token or "", salt=TOKEN_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return _("Biểu mẫu không hợp lệ hoặc đã bị sửa. Hãy tải lại trang rồi gửi lại.")
    age = now - shown
    if age < MIN_SECONDS:
        return _("Bạn gửi quá nhanh. Hãy đọc lại nội dung rồi bấm gửi sau vài giây.")
    if age > MAX_SECONDS:
        return _("Trang đã mở quá 2 giờ. Hãy tải lại trang (nội dung bạn đã nhập được giữ lại) rồi gửi lại.")
    return ""


def reusable_token(token: str, now: float | None = None) -> str:
    """The token to put back in a form shown again after an error: the same while it is
    genuine and not too old (the time since it was first shown still counts), else a new one."""
    now = now if now is not None else time.time()
    try:
        shown = int(signing.loads(token or "", salt=TOKEN_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return issue_token(now)
    return token if now - shown <= MAX_SECONDS else issue_token(now)


def _digest(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _client_key(request: HttpRequest, now: float) -> str:
    return f"{_CACHE_PREFIX}:client:{_digest(client_ip(request) or '-')}:{int(now // 3600)}"


def _code_key(code: str, day: dt.date) -> str:
    return f"{_CACHE_PREFIX}:code:{_digest(code.upper())}:{day.isoformat()}"


def rate_problem(request: HttpRequest, code: str, now: float | None = None) -> str:
    """Why one more report from this client (or about this code) is refused now ("" when not)."""
    now = now if now is not None else time.time()
    if (cache.get(_client_key(request, now)) or 0) >= PER_CLIENT_PER_HOUR:
        return _(
            "Bạn đã gửi %(count)s phản ánh trong giờ này. Hãy gửi tiếp sau ít phút, hoặc liên hệ trực tiếp "
            "cơ quan quản lý OCOP của tỉnh."
        ) % {"count": PER_CLIENT_PER_HOUR}
    if code and (cache.get(_code_key(code, clock.today())) or 0) >= PER_CODE_PER_DAY:
        return _(
            "Hôm nay đã có rất nhiều phản ánh về mã này; cơ quan quản lý đã nhận được. "
            "Hãy gửi lại vào ngày mai."
        )
    return ""


def _bump(key: str, seconds: int) -> None:
    if not cache.add(key, 1, seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, seconds)


def count_submission(request: HttpRequest, code: str, now: float | None = None) -> None:
    now = now if now is not None else time.time()
    _bump(_client_key(request, now), 3600)
    if code:
        _bump(_code_key(code, clock.today()), 24 * 3600)


# --- photo ----------------------------------------------------------------------------------------


def photo_max_mb() -> int:
    return int(getattr(settings, "OCOP_REPORT_PHOTO_MAX_MB", DEFAULT_PHOTO_MAX_MB))


@dataclass(frozen=True)
class Photo:
    content: bytes
    kind: filetypes.Kind


def check_photo(upload: UploadedFile) -> Photo:
    """An image (JPEG, PNG, WebP) under the size limit, re-encoded upright without its metadata;
    ValidationError with a message otherwise."""
    limit = photo_max_mb()
    if (upload.size or 0) > limit * 1024 * 1024:
        raise ValidationError(
            _("Ảnh quá lớn (%(size)s MB); tối đa %(limit)s MB.")
            % {"size": f"{(upload.size or 0) / 1048576:.1f}".replace(".", ","), "limit": limit},
            code="too_large",
        )
    checked = uploads.check_upload(upload)  # empty, content sniffed from the bytes, extension
    if checked.kind not in PHOTO_KINDS:
        raise ValidationError(_("Chỉ nhận ảnh JPEG, PNG hoặc WebP."), code="not_image")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            # The header is read, not the pixels: a small file may unpack to gigabytes.
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("Ảnh quá lớn (%(width)s × %(height)s điểm ảnh); hãy chụp hoặc lưu lại ở cỡ nhỏ hơn.")
                    % {"width": image.width, "height": image.height},
                    code="too_many_pixels",
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            buffer = io.BytesIO()
            fmt = _PIL_FORMATS[checked.kind]
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.save(buffer, format=fmt)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("Ảnh bị hỏng hoặc không đọc được."), code="corrupt") from None
    return Photo(buffer.getvalue(), checked.kind)


# --- the report -----------------------------------------------------------------------------------


def submit(
    subject: Subject,
    *,
    kind: str,
    description: str,
    where_bought: str = "",
    where_province: Unit | None = None,
    photo: Photo | None = None,
    contact_name: str = "",
    contact: str = "",
) -> ConsumerReport:
    """Record the report, route it and tell the officers who handle it (one transaction; a photo
    written for a report that then fails to save is removed again)."""
    report = ConsumerReport(
        code=subject.code,
        product_id=subject.product_id,
        certificate_id=subject.certificate_id,
        province_id=province_for(subject, where_province),
        kind=kind,
        description=description.strip(),
        where_bought=where_bought.strip(),
        where_province=where_province,
        contact_name=contact_name.strip(),
        contact=contact.strip(),
    )
    written = ""
    try:
        with transaction.atomic():
            if photo is not None:
                name = f"{secrets.token_hex(16)}{photo.kind.extensions[0]}"
                report.photo.save(name, ContentFile(photo.content), save=False)
                report.photo_type = photo.kind.content_type
                written = report.photo.name
            report.full_clean()
            report._change_reason = gettext_noop("Phản ánh gửi từ trang công khai")
            report.save()
            _notify(report, subject)
    except BaseException:
        if written:
            report.photo.storage.delete(written)
        raise
    return report


def recipients(report: ConsumerReport) -> Any:
    """The province's officers, or the national agency's when no province is known."""
    if report.province_id is not None:
        return officers(province_id=report.province_id)
    return officers(central=True)


def _msgid(label: Any) -> str:
    """The Vietnamese msgid of a lazy choice label (translated again when the notice is shown)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(label)


def _notify(report: ConsumerReport, subject: Subject) -> None:
    notify(
        recipients(report),
        kind=NOTICE_KIND,
        subject=gettext_noop("Phản ánh mới %(receipt)s: %(about)s"),
        message=gettext_noop("Loại phản ánh: %(kind)s. Mã trên sản phẩm: %(code)s."),
        params={
            "receipt": report.receipt_code,
            "about": subject.product_name or report.code or "—",
            "kind": phrase(_msgid(ReportKind(report.kind).label)),
            "code": report.code or "—",
        },
        url=report.get_absolute_url(),
    )
