"""The steps of an inspection on site: recording what was found (a draft, any number of times) and
concluding it (once; the inspection is read-only afterwards).

Both are atomic and lock the inspection's row; both check ``can(user, "change", inspection)`` and
that its plan is active. A submission carries a ``submission_key`` (a UUID made when the form was
rendered): a retried POST (flaky network, double tap) with the key already recorded returns the
saved inspection instead of saving again, and a photo already attached (same SHA-256) is not
attached twice.

``data`` (from the phone form, ``forms.inspections.record_data``, or the API) holds only what is
sent; every key is optional::

    inspected_on, location, inspectors, inspected_person, summary: the visit
    signature: a PNG data URL drawn on the phone; signature_refused, refusal_note
    findings: {finding id: {"answer": …, "note": …}}
    products: {inspected-product id: {"outcome", "ground", "corrective_actions", "deadline"}}

``files``: {finding id or None (the inspection as a whole): [uploaded files]}.

Refusals are ``StepError`` (a ``ValidationError``): a message, or a dict whose keys name the
field (``inspected_on``, ``signature``, ``finding-<id>``, ``product-<id>-deadline``, ``files``…).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.certification.steps import StepError, allowed, fresh, require
from ocop.core import clock
from ocop.core.scoping import CHANGE
from ocop.documents import filetypes
from ocop.documents.uploads import check_upload

from . import checklist, consequences
from .models import (
    Answer,
    Attachment,
    InspectedProduct,
    Inspection,
    InspectionStatus,
    Outcome,
    PlanStatus,
)
from .models.inspections import OUTCOME_ORDER

__all__ = ["StepError", "conclude", "decode_signature", "save_record"]

# Photos and scanned papers only: what a team takes on site.
ATTACHMENT_KINDS = frozenset({filetypes.PDF, filetypes.JPEG, filetypes.PNG, filetypes.WEBP})
MAX_SIGNATURE_BYTES = 300 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_DATA_URL = re.compile(r"^data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")
TEXT_FIELDS = ("location", "inspectors", "inspected_person", "summary")
ANSWERS = frozenset(a.value for a in Answer if a.value)


def _check_key(inspection: Inspection, key: str | None) -> str | None:
    if not key:
        return None
    try:
        key = str(uuid.UUID(str(key)))
    except ValueError:
        raise StepError(_("Mã lần gửi không hợp lệ; hãy tải lại trang.")) from None
    if Inspection.objects.filter(submission_key=key).exclude(pk=inspection.pk).exists():
        raise StepError(_("Mã lần gửi đã dùng cho cuộc kiểm tra khác; hãy tải lại trang."))
    return key


def _replayed(inspection: Inspection, key: str | None) -> bool:
    return bool(key) and inspection.submission_key == key


def _open_for_changes(user: Any, inspection: Inspection) -> None:
    allowed(user, CHANGE, inspection)
    require(
        inspection.status != InspectionStatus.DONE,
        _("Cuộc kiểm tra đã kết luận: biên bản không sửa được nữa."),
    )
    require(inspection.status == InspectionStatus.PLANNED, _("Cuộc kiểm tra đã bị hủy."))
    require(
        inspection.plan.status == PlanStatus.ACTIVE,
        _("Kế hoạch kiểm tra chưa được triển khai hoặc đã kết thúc: không ghi được biên bản."),
    )


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a signature drawn on the phone; StepError unless it is a small, valid PNG."""
    match = _DATA_URL.match((data_url or "").strip())
    if match is None:
        raise StepError({"signature": _("Chữ ký phải là ảnh PNG vẽ trên màn hình.")})
    encoded = re.sub(r"\s+", "", match["data"])
    if len(encoded) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise StepError({"signature": _("Ảnh chữ ký quá lớn.")})
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise StepError({"signature": _("Ảnh chữ ký bị hỏng; hãy ký lại.")}) from None
    if len(content) > MAX_SIGNATURE_BYTES:
        raise StepError({"signature": _("Ảnh chữ ký quá lớn.")})
    if not content.startswith(PNG_MAGIC):
        raise StepError({"signature": _("Chữ ký phải là ảnh PNG vẽ trên màn hình.")})
    from PIL import Image  # Pillow: only when a signature arrives

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            if image.format != "PNG" or image.width > 4000 or image.height > 4000:
                raise ValueError
    except Exception:  # noqa: BLE001 - any decoder error means a damaged or forged PNG
        raise StepError({"signature": _("Ảnh chữ ký bị hỏng; hãy ký lại.")}) from None
    return content


def _checked_files(files: Mapping[Any, Sequence[Any]] | None) -> list[tuple[Any, Any]]:
    """(finding id or None, CheckedUpload) of every upload, all checked before anything is written."""
    checked = []
    errors: dict[str, list[str]] = {}
    for target, uploads in (files or {}).items():
        for upload in uploads or ():
            key = "files" if target is None else f"finding-{target}"
            try:
                result = check_upload(upload)
            except ValidationError as error:
                name = getattr(upload, "name", "") or ""
                errors.setdefault(key, []).extend(f"{name}: {message}" for message in error.messages)
                continue
            if result.kind not in ATTACHMENT_KINDS:
                errors.setdefault(key, []).append(
                    _("%(name)s: chỉ nhận ảnh (JPEG, PNG, WebP) hoặc PDF.") % {"name": result.original_name}
                )
                continue
            checked.append((target, result))
    if errors:
        raise StepError(errors)
    return checked


def _apply_products(
    inspection: Inspection, products: Mapping[Any, Mapping[str, Any]], *, reason: str
) -> list[InspectedProduct]:
    items = {item.pk: item for item in inspection.inspected_products.select_related("product")}
    errors: dict[str, list[str]] = {}
    changed = []
    for raw_pk, values in products.items():
        item = items.get(_int(raw_pk))
        if item is None:
            raise StepError(_("Sản phẩm %(id)s không thuộc cuộc kiểm tra này.") % {"id": raw_pk})
        for name in ("outcome", "ground", "corrective_actions"):
            if name in values:
                setattr(item, name, (values[name] or "").strip())
        if "deadline" in values:
            item.deadline = values["deadline"] or None
        # Only the fields of the chosen outcome are kept (a ground of an abandoned revocation is dropped).
        if item.outcome != Outcome.REVOCATION:
            item.ground = ""
        if item.outcome != Outcome.WARNING:
            item.corrective_actions, item.deadline = "", None
        if item.outcome and item.outcome not in Outcome.values:
            errors[f"product-{item.pk}-outcome"] = [_("Kết luận không hợp lệ.")]
            continue
        try:
            item.inspection = inspection
            item.full_clean(exclude=["inspection", "product", "certificate", "evaluation"])
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(f"product-{item.pk}-{name}", []).extend(messages)
            continue
        item._change_reason = reason
        changed.append(item)
    if errors:
        raise StepError(errors)
    return changed


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _apply_findings(
    inspection: Inspection, findings: Mapping[Any, Mapping[str, Any]], *, reason: str
) -> None:
    rows = {f.pk: f for f in inspection.findings.all()}
    errors: dict[str, list[str]] = {}
    for raw_pk, values in findings.items():
        finding = rows.get(_int(raw_pk))
        if finding is None:
            raise StepError(_("Mục kiểm tra %(id)s không thuộc cuộc kiểm tra này.") % {"id": raw_pk})
        answer = values.get("answer", finding.answer) or ""
        if answer and answer not in ANSWERS:
            errors[f"finding-{finding.pk}"] = [_("Kết quả kiểm tra không hợp lệ.")]
            continue
        note = (values.get("note", finding.note) or "").strip()
        if answer in (Answer.CHANGED, Answer.NOT_MET) and not note and "note" in values:
            errors[f"finding-{finding.pk}"] = [_("Hãy ghi rõ thay đổi hoặc vi phạm đã thấy.")]
            continue
        if (answer, note) != (finding.answer, finding.note):
            finding.answer, finding.note = answer, note
            finding._change_reason = reason
            finding.save(update_fields=["answer", "note"])
    if errors:
        raise StepError(errors)


def _store_files(
    user: Any, inspection: Inspection, checked: list[tuple[Any, Any]], written: list[str]
) -> int:
    """Attach the checked uploads (same content twice in the inspection: once); returns how many were new."""
    findings = set(inspection.findings.values_list("pk", flat=True))
    seen = set(inspection.attachments.values_list("sha256", flat=True))
    added = 0
    for target, upload in checked:
        finding_id = _int(target)
        if target is not None and finding_id not in findings:
            raise StepError(_("Mục kiểm tra %(id)s không thuộc cuộc kiểm tra này.") % {"id": target})
        if upload.sha256 in seen:
            continue
        attachment = Attachment(
            inspection=inspection,
            finding_id=finding_id,
            original_name=upload.original_name,
            size=upload.size,
            sha256=upload.sha256,
            content_type=upload.kind.content_type,
            uploaded_by=user if getattr(user, "pk", None) else None,
        )
        attachment.file.save(upload.original_name, upload.upload, save=False)
        written.append(attachment.file.name)
        attachment.save()
        seen.add(upload.sha256)
        added += 1
    return added


def _set_signature(inspection: Inspection, data: Mapping[str, Any], written: list[str]) -> list[str]:
    """Apply signature / refusal; returns the old signature files to delete once committed."""
    stale = []
    if "signature_refused" in data:
        inspection.signature_refused = bool(data["signature_refused"])
    if "refusal_note" in data:
        inspection.refusal_note = (data["refusal_note"] or "").strip()
    drawn = data.get("signature") or ""
    if drawn and not inspection.signature_refused:
        content = decode_signature(drawn)
        if inspection.signature:
            stale.append(inspection.signature.name)
        inspection.signature.save(f"{secrets.token_hex(16)}.png", ContentFile(content), save=False)
        written.append(inspection.signature.name)
    if inspection.signature_refused:
        inspection.signature_refused = True
        if inspection.signature:
            stale.append(inspection.signature.name)
            inspection.signature = ""
    else:
        inspection.refusal_note = ""
    return stale


def save_record(
    user: Any,
    inspection: Inspection,
    *,
    data: Mapping[str, Any],
    files: Mapping[Any, Sequence[Any]] | None = None,
    submission_key: str | None = None,
) -> Inspection:
    """Record what the team found (a draft: the inspection stays planned until concluded).

    ``inspection.replayed`` is True when this submission had already been saved.
    """
    written: list[str] = []
    storage = Inspection._meta.get_field("signature").storage
    try:
        with transaction.atomic():
            inspection = fresh(inspection)
            allowed(user, CHANGE, inspection)
            key = _check_key(inspection, submission_key)
            if _replayed(inspection, key):
                inspection.replayed = True
                return inspection
            _open_for_changes(user, inspection)
            checklist.build(inspection)
            reason = _("Ghi biên bản kiểm tra")
            checked = _checked_files(files)
            errors: dict[str, list[str]] = {}
            for step in (
                lambda: _apply_findings(inspection, data.get("findings") or {}, reason=reason),
                lambda: [
                    item.save()
                    for item in _apply_products(inspection, data.get("products") or {}, reason=reason)
                ],
            ):
                try:
                    step()
                except StepError as error:
                    if not hasattr(error, "error_dict"):
                        raise
                    for name, messages in error.message_dict.items():
                        errors.setdefault(name, []).extend(messages)
            if "inspected_on" in data:
                inspection.inspected_on = data["inspected_on"] or None
            for name in TEXT_FIELDS:
                if name in data:
                    setattr(inspection, name, (data[name] or "").strip())
            try:
                stale = _set_signature(inspection, data, written)
            except StepError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
                stale = []
            if inspection.inspected_on and inspection.inspected_on > clock.today():
                errors.setdefault("inspected_on", []).append(_("Ngày kiểm tra không thể sau hôm nay."))
            try:
                inspection.full_clean(exclude=["submission_key"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
            if errors:
                raise StepError(errors)
            _store_files(user, inspection, checked, written)
            inspection.submission_key = key or inspection.submission_key
            inspection._change_reason = reason
            inspection.save()
            for name in stale:
                transaction.on_commit(lambda name=name: storage.delete(name))
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
    inspection.replayed = False
    return inspection


def gravest(outcomes: Sequence[str]) -> str:
    return max(outcomes, key=OUTCOME_ORDER.index) if outcomes else ""


def conclusion_refusals(inspection: Inspection, items: Sequence[InspectedProduct]) -> dict[str, list[str]]:
    """Why the inspection cannot be concluded as it stands (empty: it can)."""
    errors: dict[str, list[str]] = {}
    if not items:
        errors.setdefault("__all__", []).append(_("Cuộc kiểm tra chưa có sản phẩm nào."))
    if inspection.inspected_on is None:
        errors.setdefault("inspected_on", []).append(_("Hãy ghi ngày kiểm tra."))
    if not inspection.signature and not inspection.signature_refused:
        errors.setdefault("signature", []).append(
            _("Cần chữ ký của đại diện chủ thể, hoặc ghi nhận chủ thể từ chối ký và lý do.")
        )
    unanswered = inspection.findings.filter(answer="").count()
    if unanswered:
        errors.setdefault("__all__", []).append(
            _("Còn %(count)s mục kiểm tra chưa có kết quả.") % {"count": unanswered}
        )
    not_met = set(inspection.findings.filter(answer=Answer.NOT_MET).values_list("product_id", flat=True))
    for item in items:
        if not item.outcome:
            errors.setdefault(f"product-{item.pk}-outcome", []).append(
                _("Hãy chọn kết luận cho sản phẩm này.")
            )
        elif item.outcome == Outcome.COMPLIANT and item.product_id in not_met:
            errors.setdefault(f"product-{item.pk}-outcome", []).append(
                _("Sản phẩm có mục “Không còn đáp ứng”: không thể kết luận đạt.")
            )
        if item.outcome == Outcome.WARNING and item.deadline and item.deadline <= clock.today():
            errors.setdefault(f"product-{item.pk}-deadline", []).append(
                _("Hạn khắc phục phải sau ngày kết luận.")
            )
    return errors


@transaction.atomic
def conclude(
    user: Any,
    inspection: Inspection,
    *,
    outcomes: Mapping[Any, Mapping[str, Any]] | None = None,
    submission_key: str | None = None,
) -> Inspection:
    """Conclude the inspection: each product's outcome, the inspection's conclusion (the gravest),
    then what follows (``consequences.after_conclusion``). Read-only afterwards."""
    inspection = fresh(inspection)
    allowed(user, CHANGE, inspection)
    key = _check_key(inspection, submission_key)
    if inspection.status == InspectionStatus.DONE and _replayed(inspection, key):
        inspection.replayed = True
        return inspection
    _open_for_changes(user, inspection)
    checklist.build(inspection)
    reason = _("Kết luận kiểm tra")
    for item in _apply_products(inspection, outcomes or {}, reason=reason):
        item.save()
    items = list(inspection.inspected_products.select_related("product").order_by("pk"))
    errors = conclusion_refusals(inspection, items)
    if errors:
        raise StepError(errors)
    inspection.conclusion = gravest([item.outcome for item in items])
    inspection.concluded_on = clock.today()
    inspection.concluded_by = user if getattr(user, "pk", None) else None
    inspection.status = InspectionStatus.DONE
    inspection.submission_key = key or inspection.submission_key
    inspection._change_reason = reason
    inspection.save()
    consequences.after_conclusion(user, inspection)
    inspection.replayed = False
    return inspection
