"""Dossier steps (Art. 6–7.2), taken by the producer and the commune: create the draft, fill in
Mẫu 01 / Mẫu 02 and attach evidence on file, submit, receive (the commune's 15 working days
start), assess (Mẫu 03), forward to the province, or return for additions; and which of these a
user may take now (``dossier_steps``), for pages to offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ocop.certification import rules as certificate_rules
from ocop.certification.models import Certificate, legal_basis_on
from ocop.certification.steps import StepError
from ocop.core import clock
from ocop.core.scoping import ADD, CHANGE, VIEW, can

from .. import criteria, notices, rules
from ..models import Dossier, DossierKind, DossierStatus
from .common import _allowed, _fresh, _is_office, _require, _role

# The four items the commune assesses in Mẫu 03 (Art. 7.2); labels translated where shown.
COMMUNE_ITEMS: tuple[tuple[str, str], ...] = (
    ("origin", gettext_noop("Nguồn gốc sản phẩm, nguyên liệu tại địa phương")),
    ("labour", gettext_noop("Sử dụng lao động địa phương")),
    ("idea", gettext_noop("Nguồn gốc ý tưởng sản phẩm")),
    ("identity", gettext_noop("Tri thức, bản sắc địa phương của sản phẩm")),
)
# Mẫu 01 fields a dossier cannot be submitted without.
REGISTRATION_REQUIRED: tuple[tuple[str, str], ...] = (
    ("product_name", gettext_noop("Tên sản phẩm đăng ký")),
    ("applicant", gettext_noop("Người đại diện đăng ký")),
    ("phone", gettext_noop("Số điện thoại liên hệ")),
)
# The narrative parts of Mẫu 02 (Phần III is the optional self-scoring); a report needs one.
SELF_ASSESSMENT_PARTS: tuple[tuple[str, str], ...] = (
    ("summary", gettext_noop("Phần I. Thông tin chung")),
    ("business_results", gettext_noop("Phần II. Kết quả thực hiện phương án sản xuất kinh doanh")),
    ("business_plan", gettext_noop("Phần IV. Kế hoạch sản xuất, kinh doanh")),
)
PRODUCER_STEPS_FROM = frozenset({DossierStatus.DRAFT, DossierStatus.RETURNED})
_FINAL = frozenset({DossierStatus.RECOGNISED, DossierStatus.NOT_RECOGNISED, DossierStatus.WITHDRAWN})


class FilingWindowError(StepError):
    """A re-evaluation filed outside its window (Art. 7.6.a); ``filing`` says which way, and
    ``filing.may_file_first_time`` whether a first-time dossier may be filed instead."""

    def __init__(self, message: str, filing: certificate_rules.Filing) -> None:
        super().__init__(message)
        self.filing = filing


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def filing_refusal(certificate: Certificate, day: dt.date) -> FilingWindowError | None:
    """Why a re-evaluation of ``certificate`` may not be filed on ``day`` (None: it may)."""
    filing = certificate_rules.reevaluation_filing(certificate.expiry, day)
    if filing.allowed:
        return None
    values = {
        "code": certificate.code,
        "expiry": _d(certificate.expiry),
        "opens": _d(filing.opens),
        "closes": _d(filing.closes),
        "today": _d(day),
    }
    if filing.verdict == "early":
        message = _(
            "Chưa đến thời hạn nộp hồ sơ đánh giá, phân hạng lại: giấy chứng nhận %(code)s hết hạn "
            "ngày %(expiry)s, hồ sơ được nộp từ ngày %(opens)s đến ngày %(closes)s (điểm a khoản 6 Điều 7)."
        )
    elif filing.verdict == "late":
        message = _(
            "Đã quá thời hạn nộp hồ sơ đánh giá, phân hạng lại (từ ngày %(opens)s đến ngày %(closes)s; "
            "giấy chứng nhận %(code)s hết hạn ngày %(expiry)s, điểm a khoản 6 Điều 7). Sản phẩm vẫn "
            "có thể đăng ký đánh giá, phân hạng lần đầu."
        )
    elif filing.opens is not None:
        message = _(
            "Giấy chứng nhận %(code)s đã hết hạn ngày %(expiry)s: không thể đánh giá, phân hạng lại "
            "(thời hạn nộp hồ sơ từ ngày %(opens)s đến ngày %(closes)s). Hãy đăng ký đánh giá, phân "
            "hạng lần đầu."
        )
    else:
        message = _(
            "Giấy chứng nhận %(code)s đã hết hạn ngày %(expiry)s: không thể đánh giá, phân hạng lại. "
            "Hãy đăng ký đánh giá, phân hạng lần đầu."
        )
    return FilingWindowError(message % values, filing)


def _check_filing_window(dossier: Dossier, day: dt.date) -> None:
    if dossier.kind != DossierKind.REEVALUATION or dossier.previous_certificate is None:
        return
    if (refusal := filing_refusal(dossier.previous_certificate, day)) is not None:
        raise refusal


@transaction.atomic
def create_dossier(
    user: Any,
    product: Any,
    kind: str = DossierKind.FIRST,
    sheet: str | None = None,
    previous_certificate: Certificate | None = None,
    registration: Mapping[str, Any] | None = None,
) -> Dossier:
    """A new draft dossier for a product (its bộ sản phẩm decides the sheet unless given)."""
    _allowed(user, VIEW, product)
    sheet = (sheet or product.classification_set or "").upper()
    if kind != DossierKind.FIRST and previous_certificate is None:
        previous_certificate = product.certificates.current_for_products().first()
    if kind == DossierKind.REEVALUATION and previous_certificate is None:
        # None valid: the latest one, so that the refusal names its expiry and window.
        previous_certificate = product.certificates.order_by("-issue_date", "-pk").first()
    open_statuses = [s for s in DossierStatus.values if s not in _FINAL]
    _require(
        not Dossier.objects.filter(product=product, status__in=open_statuses).exists(),
        _("Sản phẩm đã có một hồ sơ đang xử lý."),
    )
    dossier = Dossier(
        product=product,
        kind=kind,
        sheet=sheet,
        previous_certificate=previous_certificate,
        registration=dict(registration or {"product_name": product.name}),
    )
    _allowed(user, ADD, dossier)
    _check_filing_window(dossier, clock.today())
    dossier.full_clean()
    dossier.save()
    return dossier


@transaction.atomic
def update_forms(
    user: Any,
    dossier: Dossier,
    *,
    registration: Mapping[str, Any] | None = None,
    self_assessment: Mapping[str, Any] | None = None,
    self_scores: Mapping[str, int] | None = None,
) -> Dossier:
    """Fill in Mẫu 01 / Mẫu 02 (and optional self-scores) while the dossier is with its producer."""
    _fresh(dossier)
    _allowed(user, CHANGE, dossier)
    _require(
        dossier.status in PRODUCER_STEPS_FROM,
        _("Hồ sơ đã nộp: không thể sửa phiếu đăng ký, báo cáo tự đánh giá."),
    )
    if registration is not None:
        dossier.registration = dict(registration)
    if self_assessment is not None:
        dossier.self_assessment = dict(self_assessment)
    if self_scores is not None:
        sheet = dossier.get_sheet()
        cleaned = {}
        for code, position in self_scores.items():
            if position in (None, ""):
                continue
            try:
                sheet.criterion(str(code)).option(int(position))
            except (criteria.CriteriaError, TypeError, ValueError) as error:
                raise StepError(str(error)) from None
            cleaned[str(code)] = int(position)
        dossier.self_scores = cleaned
    dossier.save()
    return dossier


@transaction.atomic
def attach_evidence(user: Any, dossier: Dossier, document: Any, criterion: str = "") -> None:
    """Reuse an evidence document already on file for a criterion of the dossier."""
    _fresh(dossier)
    from ..models import DossierEvidence

    _allowed(user, CHANGE, dossier)
    _allowed(user, VIEW, document)
    _require(dossier.status in PRODUCER_STEPS_FROM, _("Hồ sơ đã nộp: không thể thay đổi minh chứng."))
    _require(document.producer_id == dossier.product.producer_id, _("Minh chứng phải của chính chủ thể này."))
    if criterion:
        try:
            dossier.get_sheet().criterion(criterion)
        except criteria.CriteriaError as error:
            raise StepError(str(error)) from None
    DossierEvidence.objects.get_or_create(dossier=dossier, document=document, criterion=criterion)


def submission_problems(dossier: Dossier) -> list[str]:
    """What still keeps a dossier from being submitted (empty when it can go)."""
    problems = [
        _("Phiếu đăng ký (Mẫu 01) thiếu: %(field)s.") % {"field": _(label)}
        for key, label in REGISTRATION_REQUIRED
        if not str(dossier.registration.get(key, "")).strip()
    ]
    if not any(str(value).strip() for value in dossier.self_assessment.values()):
        problems.append(
            _("Chưa có báo cáo tự đánh giá (Mẫu 02): %(parts)s đều để trống.")
            % {"parts": ", ".join(_(label) for _key, label in SELF_ASSESSMENT_PARTS)}
        )
    return problems


@transaction.atomic
def submit(user: Any, dossier: Dossier) -> Dossier:
    """The producer (or the commune for them) hands the dossier to the commune."""
    _fresh(dossier)
    _allowed(user, CHANGE, dossier)
    _require(dossier.status in PRODUCER_STEPS_FROM, _("Hồ sơ đã được nộp."))
    problems = submission_problems(dossier)
    _require(not problems, " ".join(problems))
    first_filing = dossier.status == DossierStatus.DRAFT  # a returned dossier was filed already
    if first_filing:
        _check_filing_window(dossier, clock.today())
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_on = clock.today()
    if first_filing or not dossier.legal_basis:  # Art. 12.2: the first filing's rules stay
        dossier.legal_basis = legal_basis_on(dossier.submitted_on)
    dossier.received_on = None
    dossier.commune_deadline = None
    dossier.save()
    if first_filing:
        extend_for_filing(dossier)
    notices.submitted(user, dossier, again=not first_filing)
    return dossier


def extend_for_filing(dossier: Dossier) -> None:
    """Art. 12.3: the certificate a filed re-evaluation follows stays valid after its expiry until
    the result, at most 180 days (``Certificate.extended_until``; audited with a reason)."""
    certificate = dossier.previous_certificate
    if dossier.kind != DossierKind.REEVALUATION or certificate is None or dossier.submitted_on is None:
        return
    end = certificate_rules.extension_end(certificate.expiry, dossier.submitted_on)
    if end is None or certificate.extended_until == end:
        return
    certificate.extended_until = end
    certificate._change_reason = _("Gia hạn theo khoản 3 Điều 12: đã nộp hồ sơ đánh giá lại ngày %(day)s") % {
        "day": _d(dossier.submitted_on)
    }
    certificate.save(update_fields=["extended_until", "updated"])


def end_extension(dossier: Dossier, result_on: dt.date | None, reason: str) -> None:
    """The result of a re-evaluation (or its withdrawal) ends the extension of Art. 12.3: the
    certificate is valid until the day before ``result_on`` (None: no extension at all)."""
    certificate = dossier.previous_certificate
    if dossier.kind != DossierKind.REEVALUATION or certificate is None:
        return
    if certificate.extended_until is None:
        return
    end = None
    if result_on is not None and dossier.submitted_on is not None:
        end = certificate_rules.extension_end(certificate.expiry, dossier.submitted_on, result_on)
    if end == certificate.extended_until:
        return
    certificate.extended_until = end
    certificate._change_reason = reason
    certificate.save(update_fields=["extended_until", "updated"])


# Who takes the commune's steps (the province office and the national agency may stand in).
OFFICER_ROLES = frozenset({"commune", "province", "central", "admin"})


def _commune_officer(user: Any, dossier: Dossier) -> None:
    _allowed(user, CHANGE, dossier)
    _require(
        _role(user) in OFFICER_ROLES,
        _("Chỉ cán bộ UBND cấp xã (hoặc cơ quan OCOP) thực hiện bước này."),
    )


@transaction.atomic
def receive(user: Any, dossier: Dossier, on: dt.date | None = None) -> Dossier:
    """The commune receives the dossier: the 15 working days of Art. 7.2 start."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.SUBMITTED, _("Chỉ tiếp nhận hồ sơ đã nộp."))
    dossier.status = DossierStatus.COMMUNE_REVIEW
    dossier.received_on = on or clock.today()
    dossier.commune_deadline = rules.add_working_days(
        dossier.received_on, rules.COMMUNE_WORKING_DAYS, settings.OCOP_HOLIDAYS
    )
    dossier.save()
    notices.received(user, dossier)
    return dossier


def assessment_problems(assessment: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, label in COMMUNE_ITEMS:
        item = assessment.get(key) or {}
        if not str(item.get("text", "")).strip() or item.get("meets") not in (True, False):
            problems.append(_("Mẫu 03 chưa đánh giá: %(item)s.") % {"item": _(label)})
    return problems


@transaction.atomic
def assess_commune(user: Any, dossier: Dossier, assessment: Mapping[str, Any]) -> Dossier:
    """Mẫu 03: the commune's assessment of its four items (text and whether each is met)."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.COMMUNE_REVIEW, _("Hãy tiếp nhận hồ sơ trước khi đánh giá."))
    cleaned: dict[str, Any] = {}
    for key, _label in COMMUNE_ITEMS:
        item = assessment.get(key) or {}
        cleaned[key] = {"text": str(item.get("text", "")).strip(), "meets": item.get("meets")}
    cleaned["conclusion"] = str(assessment.get("conclusion", "")).strip()
    dossier.commune_assessment = cleaned
    dossier.save()
    return dossier


@transaction.atomic
def forward(user: Any, dossier: Dossier, on: dt.date | None = None) -> Dossier:
    """The commune proposes the dossier to the province, with its Mẫu 03."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(dossier.status == DossierStatus.COMMUNE_REVIEW, _("Chỉ đề nghị lên tỉnh hồ sơ xã đang xem xét."))
    problems = assessment_problems(dossier.commune_assessment)
    _require(not problems, " ".join(problems))
    dossier.status = DossierStatus.FORWARDED
    dossier.forwarded_on = on or clock.today()
    dossier.save()
    notices.forwarded(user, dossier)
    return dossier


@transaction.atomic
def return_dossier(user: Any, dossier: Dossier, comment: str) -> Dossier:
    """ "Cần bổ sung": the commune or the province (Tổ tư vấn) sends the dossier back with comments."""
    _fresh(dossier)
    _commune_officer(user, dossier)
    _require(bool(comment.strip()), _("Hãy ghi rõ nội dung cần bổ sung."))
    allowed = {DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW}
    if _is_office(user, dossier.product.province_id):
        allowed |= {DossierStatus.FORWARDED, DossierStatus.IN_ROUND}
    _require(dossier.status in allowed, _("Không thể trả hồ sơ ở trạng thái này."))
    by_province = _role(user) != "commune"  # the province office (or the national agency) stands in
    if dossier.status == DossierStatus.IN_ROUND:
        evaluation = dossier.evaluations.filter(round=dossier.round).first()
        _require(
            evaluation is None or not evaluation.sheets.filter(submitted_at__isnull=False).exists(),
            _("Hội đồng đã chấm hồ sơ này: không thể trả lại."),
        )
        if evaluation is not None:
            evaluation.sheets.all().delete()
            evaluation.declarations.all().delete()
            evaluation.delete()
        dossier.round = None
    dossier.status = DossierStatus.RETURNED
    dossier.return_comment = comment.strip()
    dossier.save()
    notices.returned(user, dossier, by_province=by_province)
    return dossier


def dossier_steps(user: Any, dossier: Dossier) -> frozenset[str]:
    """The dossier steps ``user`` may take now, for pages to offer: "edit" (Mẫu 01/02, evidence),
    "submit", "receive", "assess" (Mẫu 03), "forward", "return". The steps still check everything."""
    if not can(user, CHANGE, dossier):
        return frozenset()
    steps = set()
    if dossier.status in PRODUCER_STEPS_FROM:
        steps |= {"edit", "submit"}
    if _role(user) in OFFICER_ROLES:
        if dossier.status == DossierStatus.SUBMITTED:
            steps.add("receive")
        if dossier.status == DossierStatus.COMMUNE_REVIEW:
            steps |= {"assess", "forward"}
        returnable = {DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW}
        if _is_office(user, dossier.product.province_id):
            returnable |= {DossierStatus.FORWARDED, DossierStatus.IN_ROUND}
        if dossier.status in returnable:
            steps.add("return")
    return frozenset(steps)
