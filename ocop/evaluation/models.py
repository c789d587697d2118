"""Recognition decisions and OCOP certificates (QĐ 26/2026/QĐ-TTg Art. 4, 8, 12; ocop-rules.md §6.5–6.8).

A `Decision` is the legal act (quyết định công nhận / thu hồi) of an authority that may no longer
exist (a former district People's Committee). A `Certificate` (giấy chứng nhận kết quả phân hạng)
is what one product got from one recognition decision: 3★–5★ only, valid 36 months from issue
(`ocop.registry.rules.certificate_expiry`), under the rules it was issued under (Art. 12.1: it
keeps its `legal_basis` until it expires).

The status is never stored: it is computed from the dates and events (expiry, a revocation in
force, a later certificate that supersedes it) for a given day, in Python (`status_on`) and in
SQL (`CertificateQuerySet.with_status`, `valid_on`, `expiring_within`), identically on SQLite and
PostgreSQL. The evaluation workflow (rounds, councils, scores) will create the same records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import (
    COMMUNE,
    COUNCIL,
    PRODUCER,
    VIEW,
    VIEWER,
    RestrictedManager,
    RestrictedQuerySet,
    ScopePaths,
)
from ocop.registry import rules
from ocop.registry.classification import LegalBasis

from . import codes, criteria, scoring

# The day district People's Committees ceased to exist (two-level local government, NQ 202/2025/QH15).
DISTRICTS_ABOLISHED = dt.date(2025, 7, 1)

# Certificates and decisions are issued by the province or the Ministry: communes, councils,
# producers and viewers only read them (each in their own scope).
READ_ONLY = frozenset({VIEW})
_POLICY = {COMMUNE: READ_ONLY, COUNCIL: READ_ONLY, PRODUCER: READ_ONLY, VIEWER: READ_ONLY}


class AuthorityLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương (Bộ)")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/07/2025)")


class DecisionKind(models.TextChoices):
    RECOGNITION = "recognition", _("Công nhận kết quả đánh giá, phân hạng")
    REVOCATION = "revocation", _("Thu hồi giấy chứng nhận")


class Star(models.IntegerChoices):
    """Only 3★–5★ are recognised with a decision and a certificate (Art. 4.1.a)."""

    THREE = 3, _("3 sao")
    FOUR = 4, _("4 sao")
    FIVE = 5, _("5 sao")


class RevocationGround(models.TextChoices):
    """Art. 8.1 of QĐ 26/2026/QĐ-TTg, points a–e (with "đ")."""

    A = "a", _("a) Thông tin trong hồ sơ không trung thực, giả mạo")
    B = "b", _("b) Sản phẩm không còn đáp ứng tiêu chí theo kết luận kiểm tra")
    C = "c", _("c) Vi phạm pháp luật về chất lượng, an toàn thực phẩm, môi trường, sở hữu trí tuệ, nhãn mác")
    D = "d", _("d) Sử dụng nhãn hiệu chứng nhận OCOP không đúng, gây nhầm lẫn")
    DD = "đ", _("đ) Chủ thể dừng sản xuất sản phẩm")
    E = "e", _("e) Trường hợp khác theo kết luận của cơ quan có thẩm quyền")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    EXPIRED = "expired", _("Hết hiệu lực")
    REVOKED = "revoked", _("Bị thu hồi")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    PENDING = "pending", _("Chưa có hiệu lực")  # issued after the day asked about


STATUS_COLOURS = {
    CertificateStatus.VALID: "success",
    CertificateStatus.EXPIRED: "secondary",
    CertificateStatus.REVOKED: "danger",
    CertificateStatus.SUPERSEDED: "info",
    CertificateStatus.PENDING: "warning",
}


def legal_basis_on(day: dt.date) -> LegalBasis:
    """The rulebook in force on ``day`` (the latest that had taken effect); the oldest before 2019."""
    in_force = [basis for basis in LegalBasis if basis.effective_from <= day]
    return max(in_force, key=lambda basis: basis.effective_from) if in_force else LegalBasis.QD490_1048


def today() -> dt.date:
    """The day statuses are computed for when none is given: the real local date.

    Pages, the API and ``Product.current_star`` call it; tests replace it to fix "today".
    """
    return timezone.localdate()


def _today(day: dt.date | None) -> dt.date:
    return day if day is not None else today()


class Decision(models.Model):
    """A recognition or revocation decision, as issued (the authority may no longer exist)."""

    number = models.CharField(_("số quyết định"), max_length=60, help_text=_("Ví dụ: 1887/QĐ-UBND."))
    date = models.DateField(_("ngày ban hành"))
    kind = models.CharField(
        _("loại quyết định"), max_length=12, choices=DecisionKind.choices, default=DecisionKind.RECOGNITION
    )
    authority = models.CharField(
        _("cơ quan ban hành"),
        max_length=255,
        help_text=_("Như ghi trên quyết định, kể cả cơ quan nay không còn (ví dụ “UBND huyện Đắk Song”)."),
    )
    authority_level = models.CharField(_("cấp ban hành"), max_length=10, choices=AuthorityLevel.choices)
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=16, choices=LegalBasis.choices())
    province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_(
            "Tỉnh hiện hành của cơ quan ban hành cấp tỉnh hoặc huyện; để trống với quyết định của Bộ."
        ),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    # Provinces see their own decisions; others reach a decision through the certificates they see.
    scope = ScopePaths(province="province", policy=_POLICY)
    objects = RestrictedQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("quyết định")
        ordering = ["-date", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "date", "authority"],
                name="evaluation_decision_unique",
                violation_error_message=_("Quyết định này (số, ngày, cơ quan ban hành) đã có."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.date:%d/%m/%Y}, {self.authority})" if self.date else self.number

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("Ngày ban hành không được ở tương lai.")
        if self.authority_level == AuthorityLevel.DISTRICT and self.date and self.date >= DISTRICTS_ABOLISHED:
            errors["authority_level"] = _("Cấp huyện không còn ban hành quyết định từ ngày 01/07/2025.")
        if self.legal_basis and self.date and LegalBasis(self.legal_basis).effective_from > self.date:
            errors["legal_basis"] = _("%(basis)s chưa có hiệu lực vào ngày %(day)s.") % {
                "basis": LegalBasis(self.legal_basis).label,
                "day": f"{self.date:%d/%m/%Y}",
            }
        if errors:
            raise ValidationError(errors)


class CertificateCodeCounter(models.Model):
    """The last sequence number of certificate codes for one province and year."""

    province_code = models.CharField(_("mã tỉnh"), max_length=2)
    year = models.PositiveSmallIntegerField(_("năm"))
    last = models.PositiveIntegerField(_("số thứ tự cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã giấy chứng nhận")
        verbose_name_plural = _("bộ đếm mã giấy chứng nhận")
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year"], name="evaluation_code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province_code}/{self.year}: {self.last}"

    @classmethod
    def next_for(cls, province_code: str, year: int) -> int:
        """The next number, atomically (the UPDATE locks the row until the transaction commits)."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    cls.objects.get_or_create(province_code=province_code, year=year)
            except IntegrityError:  # created concurrently
                pass
            rows = cls.objects.filter(province_code=province_code, year=year)
            rows.update(last=F("last") + 1)
            return rows.values_list("last", flat=True).get()


def status_expression(today: dt.date) -> Case:
    """SQL for the status on ``today``: revoked > superseded > expired > valid (pending before issue)."""
    return Case(
        When(issue_date__gt=today, then=Value(CertificateStatus.PENDING.value)),
        When(revoked_on__lte=today, then=Value(CertificateStatus.REVOKED.value)),
        When(superseded_by__issue_date__lte=today, then=Value(CertificateStatus.SUPERSEDED.value)),
        When(expiry__lt=today, then=Value(CertificateStatus.EXPIRED.value)),
        default=Value(CertificateStatus.VALID.value),
        output_field=models.CharField(),
    )


def valid_condition(today: dt.date, prefix: str = "") -> Q:
    """Q for "valid on ``today``"; ``prefix`` e.g. "certificates__" from another model."""
    return (
        Q(**{f"{prefix}issue_date__lte": today, f"{prefix}expiry__gte": today})
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": today}))
        & (
            Q(**{f"{prefix}superseded_by__isnull": True})
            | Q(**{f"{prefix}superseded_by__issue_date__gt": today})
        )
    )


class CertificateQuerySet(RestrictedQuerySet):
    def with_status(self, today: dt.date | None = None) -> CertificateQuerySet:
        """Annotates ``status`` (a CertificateStatus value) as of ``today`` (default: the real date)."""
        return self.annotate(status=status_expression(_today(today)))

    def with_status_in(self, statuses, today: dt.date | None = None) -> CertificateQuerySet:
        return self.with_status(today).filter(status__in=list(statuses))

    def valid_on(self, day: dt.date | None = None) -> CertificateQuerySet:
        return self.filter(valid_condition(_today(day)))

    def expiring_within(self, days: int, today: dt.date | None = None) -> CertificateQuerySet:
        """Valid today and expiring within ``days`` days (inclusive)."""
        day = _today(today)
        return self.valid_on(day).filter(expiry__lte=day + dt.timedelta(days=days))

    def current_for_products(self, today: dt.date | None = None) -> CertificateQuerySet:
        """Valid certificates, best first: highest star, then the latest issued."""
        return self.valid_on(today).order_by("-star", "-issue_date", "-pk")


class Certificate(models.Model):
    """A giấy chứng nhận kết quả phân hạng sản phẩm OCOP (3★–5★)."""

    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="certificates"
    )
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("quyết định công nhận"),
        on_delete=models.PROTECT,
        related_name="certificates",
        limit_choices_to={"kind": DecisionKind.RECOGNITION},
    )
    star = models.PositiveSmallIntegerField(_("hạng sao"), choices=Star.choices)
    potential_5_star = models.BooleanField(
        _("4 sao – tiềm năng 5 sao"),
        default=False,
        help_text=_("Chỉ với hồ sơ lịch sử ghi nhận “4 sao – tiềm năng 5 sao”."),
    )
    number = models.CharField(
        _("số giấy chứng nhận"), max_length=60, blank=True, help_text=_("Như in trên giấy (có thể để trống).")
    )
    issue_date = models.DateField(_("ngày cấp"))
    expiry = models.DateField(_("hết hiệu lực sau ngày"), editable=False)
    legal_basis = models.CharField(
        _("căn cứ pháp lý"),
        max_length=16,
        choices=LegalBasis.choices(),
        help_text=_("Giấy chứng nhận giữ quy định đã cấp theo cho đến khi hết hiệu lực (Điều 12.1)."),
    )
    code = models.CharField(_("mã giấy chứng nhận"), max_length=32, unique=True, editable=False)

    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_ground = models.CharField(
        _("căn cứ thu hồi"), max_length=1, choices=RevocationGround.choices, blank=True
    )
    revocation_decision = models.ForeignKey(
        Decision,
        verbose_name=_("quyết định thu hồi"),
        on_delete=models.PROTECT,
        related_name="revoked_certificates",
        null=True,
        blank=True,
        limit_choices_to={"kind": DecisionKind.REVOCATION},
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("được thay thế bởi"),
        on_delete=models.PROTECT,
        related_name="supersedes",
        null=True,
        blank=True,
        help_text=_("Giấy chứng nhận mới sau khi nâng hạng hoặc đánh giá lại."),
    )
    evaluation = models.ForeignKey(
        "Evaluation",
        verbose_name=_("kết quả đánh giá"),
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
        editable=False,
        help_text=_("Phiên chấm của hội đồng mà giấy chứng nhận dựa vào (trống với hồ sơ lịch sử)."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(
        province="product__province", commune="product__commune", owner="product__producer", policy=_POLICY
    )
    objects = CertificateQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(star__gte=3, star__lte=5), name="evaluation_certificate_star"),
            models.CheckConstraint(
                condition=Q(potential_5_star=False) | Q(star=4), name="evaluation_certificate_potential_5"
            ),
            models.UniqueConstraint(
                fields=["product", "decision", "issue_date"],
                name="evaluation_certificate_unique",
                violation_error_message=_(
                    "Sản phẩm đã có giấy chứng nhận theo quyết định này, cùng ngày cấp."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["product", "issue_date"], name="evaluation_cert_product"),
            models.Index(fields=["expiry"], name="evaluation_cert_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.code or _('Giấy chứng nhận')} · {self.star}★"

    def save(self, *args, **kwargs) -> None:
        if self.issue_date:
            self.expiry = rules.certificate_expiry(self.issue_date)
        if not self.legal_basis and self.issue_date:
            self.legal_basis = legal_basis_on(self.issue_date).value
        with transaction.atomic():
            if not self.code:
                self.assign_code()
                if (fields := kwargs.get("update_fields")) is not None:
                    kwargs["update_fields"] = {*fields, "code"}
            if (fields := kwargs.get("update_fields")) is not None and "issue_date" in fields:
                kwargs["update_fields"] = {*fields, "expiry"}
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluation:certificate_detail", args=[self.code])

    # --- status ---

    @property
    def status(self) -> str:
        """The status today, or as annotated by ``with_status(day)`` (then for that day)."""
        annotated = self.__dict__.get("_status")
        return annotated if annotated is not None else self.status_on()

    @status.setter
    def status(self, value: str) -> None:  # set by QuerySet.with_status()
        self.__dict__["_status"] = value

    def status_on(self, today: dt.date | None = None) -> str:
        day = _today(today)
        if day < self.issue_date:
            return CertificateStatus.PENDING.value
        status = rules.certificate_status_on(self.issue_date, day, self.revoked_on)
        if status == "revoked":
            return CertificateStatus.REVOKED.value
        successor = self.superseded_by
        if successor is not None and successor.issue_date <= day:
            return CertificateStatus.SUPERSEDED.value
        return status

    @property
    def status_label(self) -> str:
        return str(CertificateStatus(self.status).label)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[CertificateStatus(self.status)]

    @property
    def legal_basis_label(self) -> str:
        return LegalBasis(self.legal_basis).label if self.legal_basis else ""

    @property
    def stars(self) -> str:
        return "★" * (self.star or 0)

    @property
    def star_label(self) -> str:
        text = f"{self.star} ★"
        return f"{text} ({_('tiềm năng 5 sao')})" if self.potential_5_star else text

    def assign_code(self) -> None:
        province = self.product.province
        sequence = CertificateCodeCounter.next_for(province.code, self.issue_date.year)
        self.code = codes.format_code(province.code, self.issue_date.year, sequence)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        today = timezone.localdate()
        decision = _related(self, "decision")
        if self.issue_date and self.issue_date > today:
            errors["issue_date"] = _("Ngày cấp không được ở tương lai.")
        if self.potential_5_star and self.star != Star.FOUR:
            errors["potential_5_star"] = _("Chỉ sản phẩm 4 sao mới có thể ghi “tiềm năng 5 sao”.")
        if (
            self.legal_basis
            and self.issue_date
            and LegalBasis(self.legal_basis).effective_from > self.issue_date
        ):
            errors["legal_basis"] = _("%(basis)s chưa có hiệu lực vào ngày cấp %(day)s.") % {
                "basis": LegalBasis(self.legal_basis).label,
                "day": f"{self.issue_date:%d/%m/%Y}",
            }
        if decision is not None:
            if decision.kind != DecisionKind.RECOGNITION:
                errors["decision"] = _("Giấy chứng nhận phải theo một quyết định công nhận.")
            elif self.issue_date and decision.date and self.issue_date < decision.date:
                errors["issue_date"] = _(
                    "Ngày cấp không thể trước ngày của quyết định công nhận (%(day)s)."
                ) % {"day": f"{decision.date:%d/%m/%Y}"}
            if self.star:
                errors.update(authority_errors(self.star, decision.authority_level))
        errors.update(self._revocation_errors())
        successor = _related(self, "superseded_by")
        if successor is not None:
            if successor is self or (self.pk is not None and successor.pk == self.pk):
                errors["superseded_by"] = _("Giấy chứng nhận không thể thay thế chính nó.")
            elif successor.product_id != self.product_id:
                errors["superseded_by"] = _("Giấy chứng nhận thay thế phải của cùng sản phẩm.")
            elif self.issue_date and successor.issue_date < self.issue_date:
                errors["superseded_by"] = _("Giấy chứng nhận thay thế phải được cấp sau giấy này.")
        if errors:
            raise ValidationError(errors)

    def _revocation_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        revoking = _related(self, "revocation_decision")
        if self.revoked_on is None and (self.revocation_ground or revoking is not None):
            errors["revoked_on"] = _("Hãy ghi ngày thu hồi.")
        if self.revoked_on is not None:
            if not self.revocation_ground:
                errors["revocation_ground"] = _("Hãy chọn căn cứ thu hồi (Điều 8, điểm a–e).")
            if self.issue_date and self.revoked_on < self.issue_date:
                errors["revoked_on"] = _("Ngày thu hồi không thể trước ngày cấp.")
            elif self.revoked_on > timezone.localdate():
                errors["revoked_on"] = _("Ngày thu hồi không được ở tương lai.")
        if revoking is not None and revoking.kind != DecisionKind.REVOCATION:
            errors["revocation_decision"] = _("Hãy chọn một quyết định thu hồi.")
        return errors


def _stored(obj: models.Model, field: str) -> object:
    """The value of ``field`` as stored (not on the instance): a record is frozen by its stored state."""
    return type(obj)._base_manager.filter(pk=obj.pk).values_list(field, flat=True).first()


def _related(obj: models.Model, name: str) -> models.Model | None:
    """A related object, saved or not (an importer validates before it writes anything)."""
    field = obj._meta.get_field(name)
    if field.is_cached(obj):
        return field.get_cached_value(obj)
    return getattr(obj, name) if getattr(obj, field.attname) is not None else None


def authority_errors(star: int, level: str) -> dict[str, str]:
    """Who may recognise which star: 5★ the Ministry only; a former district only 3★ (QĐ 148)."""
    if star == Star.FIVE and level != AuthorityLevel.CENTRAL:
        return {"star": _("Sản phẩm 5 sao do Bộ trưởng công nhận: quyết định phải của cấp trung ương.")}
    if star != Star.FIVE and level == AuthorityLevel.CENTRAL:
        return {"star": _("Cấp trung ương chỉ công nhận sản phẩm 5 sao; 3–4 sao do cấp tỉnh công nhận.")}
    if star != Star.THREE and level == AuthorityLevel.DISTRICT:
        return {"star": _("Cấp huyện chỉ công nhận sản phẩm 3 sao (QĐ 148/QĐ-TTg).")}
    return {}


# =================================================================================================
# The evaluation workflow (Art. 5–7): dossiers → commune → province rounds → councils → results.
# State changes live in ocop.evaluation.workflow (one place, transactional); models keep data and
# the invariants that must hold whoever writes (immutability of closed results and sent sheets).
# =================================================================================================


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    CENTRAL = "central", _("Cấp trung ương")


class DossierKind(models.TextChoices):
    FIRST = "first", _("Đánh giá, phân hạng lần đầu")
    UPGRADE = "upgrade", _("Đánh giá nâng hạng")
    REEVALUATION = "reevaluation", _("Đánh giá, phân hạng lại")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp UBND cấp xã")
    COMMUNE_REVIEW = "commune_review", _("UBND cấp xã đang xem xét")
    FORWARDED = "forwarded", _("Đã đề nghị lên tỉnh")
    RETURNED = "returned", _("Cần bổ sung")
    IN_ROUND = "in_round", _("Đang đánh giá tại hội đồng")
    SCORED = "scored", _("Đã có kết quả hội đồng")
    CENTRAL = "central", _("Đề nghị trung ương (tiềm năng 5 sao)")
    RECOGNISED = "recognised", _("Đã công nhận")
    NOT_RECOGNISED = "not_recognised", _("Không đạt")
    WITHDRAWN = "withdrawn", _("Đã rút")


# Producers prepare their own dossier (Art. 6.1) and communes register it on their behalf;
# councils read; the state machine in workflow.py decides which step each role may take.
_DOSSIER_POLICY = {
    PRODUCER: frozenset({VIEW, "add", "change"}),
    COMMUNE: frozenset({VIEW, "add", "change"}),
    COUNCIL: READ_ONLY,
    VIEWER: READ_ONLY,
}


class ProvinceRules(models.Model):
    """A council's own rules (its Quy chế hoạt động, Art. 7.3.b): spread limit and quorum."""

    province = models.OneToOneField(
        "geo.Unit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="ocop_rules",
        null=True,
        blank=True,
        help_text=_("Để trống: quy định của Hội đồng cấp trung ương."),
    )
    spread_limit = models.DecimalField(
        _("chênh lệch tối đa giữa các thành viên (điểm)"), max_digits=5, decimal_places=2, default=10
    )
    quorum = models.DecimalField(
        _("tỷ lệ thành viên tối thiểu dự họp"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.75"),
        help_text=_("Ví dụ 0,75 = ba phần tư số thành viên, có chủ tịch hội đồng."),
    )

    scope = ScopePaths(province="province", policy={COMMUNE: READ_ONLY, COUNCIL: READ_ONLY})
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("quy chế hội đồng")
        verbose_name_plural = _("quy chế hội đồng")
        constraints = [
            models.CheckConstraint(condition=Q(quorum__gt=0, quorum__lte=1), name="evaluation_rules_quorum"),
            models.CheckConstraint(condition=Q(spread_limit__gte=0), name="evaluation_rules_spread"),
        ]

    def __str__(self) -> str:
        return str(self.province or _("Trung ương"))

    @classmethod
    def settings_for(cls, province_id: int | None) -> scoring.Settings:
        rules = cls.objects.filter(province_id=province_id).first()
        if rules is None:
            return scoring.Settings()
        return scoring.Settings(
            spread_limit=Fraction(str(rules.spread_limit)), quorum=Fraction(str(rules.quorum))
        )


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã kết thúc")


class Round(models.Model):
    """An evaluation round (đợt đánh giá, phân hạng) of a province or of the Ministry (Art. 5)."""

    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    province = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="ocop_rounds",
        null=True,
        blank=True,
        limit_choices_to={"structure": "current", "level": "province"},
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.PositiveSmallIntegerField(_("đợt"), help_text=_("1, 2 theo Điều 5; từ 3 là đợt bổ sung."))
    name = models.CharField(_("tên đợt"), max_length=200, blank=True)
    proposals_by = models.DateField(_("nhận hồ sơ đề nghị đến ngày"))
    closes_by = models.DateField(_("hoàn thành trước ngày"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    scope = ScopePaths(
        province="province", policy={COMMUNE: READ_ONLY, COUNCIL: READ_ONLY, VIEWER: READ_ONLY}
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created"])

    class Meta:
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")
        ordering = ["-year", "-number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "province", "year", "number"],
                name="evaluation_round_unique",
                violation_error_message=_("Đợt đánh giá này đã có."),
            ),
            models.CheckConstraint(
                condition=(Q(level="province") & Q(province__isnull=False))
                | (Q(level="central") & Q(province__isnull=True)),
                name="evaluation_round_level_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.default_name()

    def get_absolute_url(self) -> str:
        return reverse("evaluation:round_detail", args=[self.pk])

    def default_name(self) -> str:
        where = self.province.name if self.province_id else _("Trung ương")
        return _("Đợt %(number)s/%(year)s — %(where)s") % {
            "number": self.number,
            "year": self.year,
            "where": where,
        }

    def clean(self) -> None:
        super().clean()
        if self.proposals_by and self.closes_by and self.closes_by < self.proposals_by:
            raise ValidationError({"closes_by": _("Hạn hoàn thành phải sau hạn nhận hồ sơ.")})

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def settings(self) -> scoring.Settings:
        return ProvinceRules.settings_for(self.province_id)


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chủ tịch hội đồng")
    VICE_CHAIR = "vice_chair", _("Phó chủ tịch hội đồng")
    MEMBER = "member", _("Thành viên")
    SECRETARY = "secretary", _("Thư ký")
    ADVISER = "adviser", _("Tổ tư vấn")


# Who scores: the chair, vice-chairs and members. The secretary records; the Tổ tư vấn reviews.
SCORING_ROLES = frozenset({MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.MEMBER})


class CouncilMember(models.Model):
    """A seat on the council of a round (Art. 7.3.b, 7.4.b)."""

    round = models.ForeignKey(
        Round, verbose_name=_("đợt đánh giá"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="council_seats",
    )
    role = models.CharField(_("vai trò trong hội đồng"), max_length=12, choices=MemberRole.choices)
    department = models.CharField(
        _("cơ quan"), max_length=200, blank=True, help_text=_("Ví dụ: Sở Công Thương, Sở Y tế.")
    )

    scope = ScopePaths(
        province="round__province",
        user="user",
        policy={COMMUNE: frozenset(), COUNCIL: READ_ONLY, PRODUCER: frozenset(), VIEWER: frozenset()},
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        ordering = ["round", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                name="evaluation_member_unique",
                violation_error_message=_("Người này đã có trong hội đồng của đợt."),
            ),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(role="chair"),
                name="evaluation_one_chair",
                violation_error_message=_("Hội đồng chỉ có một chủ tịch."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    @property
    def scores(self) -> bool:
        return self.role in SCORING_ROLES


class Dossier(models.Model):
    """A product's dossier for one evaluation (hồ sơ sản phẩm, Art. 6): Mẫu 01, 02, then 03."""

    product = models.ForeignKey(
        "registry.Product", verbose_name=_("sản phẩm"), on_delete=models.PROTECT, related_name="dossiers"
    )
    kind = models.CharField(
        _("loại hồ sơ"), max_length=12, choices=DossierKind.choices, default=DossierKind.FIRST
    )
    sheet = models.CharField(_("phiếu đánh giá (bộ sản phẩm)"), max_length=3)
    criteria_version = models.CharField(_("bộ tiêu chí"), max_length=16, default=criteria.CURRENT_VERSION)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    previous_certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("giấy chứng nhận đang có"),
        on_delete=models.PROTECT,
        related_name="follow_up_dossiers",
        null=True,
        blank=True,
        help_text=_("Với hồ sơ nâng hạng hoặc đánh giá lại."),
    )
    # Mẫu 01 (phiếu đăng ký) and Mẫu 02 (báo cáo tự đánh giá) as structured data.
    registration = models.JSONField(_("phiếu đăng ký (Mẫu 01)"), default=dict, blank=True)
    self_assessment = models.JSONField(_("báo cáo tự đánh giá (Mẫu 02)"), default=dict, blank=True)
    self_scores = models.JSONField(
        _("tự chấm điểm"), default=dict, blank=True, help_text=_("Tùy chọn: {mã tiêu chí: lựa chọn}.")
    )
    evidence = models.ManyToManyField(
        "documents.EvidenceDocument",
        verbose_name=_("hồ sơ minh chứng"),
        through="DossierEvidence",
        blank=True,
    )
    submitted_on = models.DateField(_("ngày nộp"), null=True, blank=True)
    received_on = models.DateField(_("ngày xã tiếp nhận"), null=True, blank=True)
    commune_deadline = models.DateField(_("hạn xã xử lý"), null=True, blank=True, editable=False)
    # Mẫu 03: the commune's assessment of its four items (Art. 7.2).
    commune_assessment = models.JSONField(_("báo cáo đánh giá của xã (Mẫu 03)"), default=dict, blank=True)
    forwarded_on = models.DateField(_("ngày xã đề nghị lên tỉnh"), null=True, blank=True)
    round = models.ForeignKey(
        Round,
        verbose_name=_("đợt đánh giá"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        null=True,
        blank=True,
    )
    advisory_review = models.TextField(_("ý kiến tổ tư vấn"), blank=True)
    return_comment = models.TextField(_("nội dung cần bổ sung"), blank=True)
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(
        province="product__province",
        commune="product__commune",
        owner="product__producer",
        policy=_DOSSIER_POLICY,
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created", "updated"])

    class Meta:
        verbose_name = _("hồ sơ đánh giá")
        verbose_name_plural = _("hồ sơ đánh giá")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status"], name="evaluation_dossier_status")]

    def __str__(self) -> str:
        return _("Hồ sơ %(kind)s — %(product)s") % {
            "kind": self.get_kind_display().lower(),
            "product": self.product,
        }

    def get_absolute_url(self) -> str:
        return reverse("evaluation:dossier_detail", args=[self.pk])

    def get_sheet(self) -> criteria.Sheet:
        return criteria.get_sheet(self.criteria_version, self.sheet)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.sheet:
            try:
                self.get_sheet()
            except criteria.CriteriaError as error:
                errors["sheet"] = str(error)
        else:
            errors["sheet"] = _("Hãy chọn bộ sản phẩm (phiếu đánh giá B01–B26).")
        if self.kind != DossierKind.FIRST and self.previous_certificate_id is None:
            errors["previous_certificate"] = _(
                "Hồ sơ nâng hạng hoặc đánh giá lại cần giấy chứng nhận đang có."
            )
        previous = _related(self, "previous_certificate")
        if previous is not None and self.product_id and previous.product_id != self.product_id:
            errors["previous_certificate"] = _("Giấy chứng nhận phải của chính sản phẩm này.")
        if errors:
            raise ValidationError(errors)

    @property
    def commune_overdue(self) -> bool:
        return (
            self.status in (DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW)
            and self.commune_deadline is not None
            and today() > self.commune_deadline
        )


class DossierEvidence(models.Model):
    """An evidence document on file, attached to a dossier for one criterion (reused, not re-uploaded)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="evidence_links")
    document = models.ForeignKey(
        "documents.EvidenceDocument", on_delete=models.PROTECT, related_name="dossier_links"
    )
    criterion = models.CharField(_("tiêu chí"), max_length=10, blank=True)

    scope = ScopePaths(
        province="dossier__product__province",
        commune="dossier__product__commune",
        owner="dossier__product__producer",
        policy=_DOSSIER_POLICY,
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("minh chứng của hồ sơ")
        verbose_name_plural = _("minh chứng của hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "document", "criterion"], name="evaluation_dossier_evidence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion or '—'}: {self.document}"


class EvaluationStatus(models.TextChoices):
    SCORING = "scoring", _("Đang chấm")
    CLOSED = "closed", _("Đã kết thúc phiên chấm")


class Evaluation(models.Model):
    """One dossier before the council of one round: the blind sheets, the agreed sheet, the result.

    Once the chair closes it the result is final: corrections go through a new, reasoned decision.
    """

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="evaluations"
    )
    round = models.ForeignKey(
        Round, verbose_name=_("đợt đánh giá"), on_delete=models.PROTECT, related_name="evaluations"
    )
    sheet = models.CharField(_("phiếu"), max_length=3, editable=False)
    criteria_version = models.CharField(_("bộ tiêu chí"), max_length=16, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.SCORING
    )
    consensus = models.JSONField(
        _("phiếu thống nhất của hội đồng"),
        null=True,
        blank=True,
        help_text=_("Thư ký ghi khi hội đồng thống nhất."),
    )
    knockouts = models.JSONField(_("điều kiện loại"), default=list, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ tịch kết thúc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # The result, stored at closing (the engine's answer; exact total kept as a fraction string).
    total = models.DecimalField(
        _("tổng điểm trung bình"), max_digits=5, decimal_places=2, null=True, editable=False
    )
    total_exact = models.CharField(_("tổng điểm (phân số)"), max_length=40, blank=True, editable=False)
    band = models.PositiveSmallIntegerField(_("khung điểm"), null=True, editable=False)
    star = models.PositiveSmallIntegerField(_("hạng sao"), null=True, editable=False)
    outcome = models.CharField(_("kết quả"), max_length=24, blank=True, editable=False)
    result = models.JSONField(_("kết quả chi tiết"), null=True, blank=True, editable=False)

    scope = ScopePaths(
        province="dossier__product__province",
        commune="dossier__product__commune",
        owner="dossier__product__producer",
        policy={
            COMMUNE: READ_ONLY,
            COUNCIL: frozenset({VIEW, "change"}),
            PRODUCER: READ_ONLY,
            VIEWER: READ_ONLY,
        },
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("phiên chấm hồ sơ")
        verbose_name_plural = _("phiên chấm hồ sơ")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "round"],
                name="evaluation_evaluation_unique",
                violation_error_message=_("Hồ sơ đã có trong đợt đánh giá này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier.product} · {self.round}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and _stored(self, "status") == EvaluationStatus.CLOSED:
            raise ValidationError(
                _("Phiên chấm đã kết thúc: kết quả không thể sửa (chỉ qua một quyết định mới).")
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluation:evaluation_detail", args=[self.pk])

    def get_sheet(self) -> criteria.Sheet:
        return criteria.get_sheet(self.criteria_version, self.sheet)

    @property
    def is_closed(self) -> bool:
        return self.status == EvaluationStatus.CLOSED


class ScoreSheet(models.Model):
    """One council member's blind sheet for one evaluation; final once sent."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("phiên chấm"), on_delete=models.PROTECT, related_name="sheets"
    )
    member = models.ForeignKey(
        CouncilMember, verbose_name=_("thành viên"), on_delete=models.PROTECT, related_name="sheets"
    )
    answers = models.JSONField(_("lựa chọn"), default=dict, blank=True)
    total = models.DecimalField(_("tổng điểm"), max_digits=5, decimal_places=2, null=True, editable=False)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True, editable=False)

    # A member sees their own sheet; others only after sending theirs (Evaluation.visible_sheets).
    scope = ScopePaths(
        province="evaluation__dossier__product__province",
        user="member__user",
        self_actions=frozenset({VIEW, "change"}),
        policy={COMMUNE: frozenset(), COUNCIL: frozenset(), PRODUCER: frozenset(), VIEWER: frozenset()},
    )
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("phiếu chấm")
        verbose_name_plural = _("phiếu chấm")
        ordering = ["evaluation", "member__role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "member"],
                name="evaluation_sheet_unique",
                violation_error_message=_("Thành viên đã có phiếu chấm cho hồ sơ này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.evaluation}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and _stored(self, "submitted_at") is not None:
            raise ValidationError(_("Phiếu chấm đã gửi: không thể sửa."))
        super().save(*args, **kwargs)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ConflictDeclaration(models.Model):
    """A member's declaration of interest for one product: a declared member does not score it."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("phiên chấm"), on_delete=models.PROTECT, related_name="declarations"
    )
    member = models.ForeignKey(
        CouncilMember, verbose_name=_("thành viên"), on_delete=models.PROTECT, related_name="declarations"
    )
    has_conflict = models.BooleanField(_("có xung đột lợi ích"))
    note = models.CharField(_("giải trình"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("khai lúc"), auto_now_add=True)

    scope = ScopePaths(
        province="evaluation__dossier__product__province",
        user="member__user",
        self_actions=frozenset({VIEW}),
        policy={COMMUNE: frozenset(), COUNCIL: READ_ONLY, PRODUCER: frozenset(), VIEWER: frozenset()},
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["declared_at"])

    class Meta:
        verbose_name = _("khai báo xung đột lợi ích")
        verbose_name_plural = _("khai báo xung đột lợi ích")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "member"],
                name="evaluation_declaration_unique",
                violation_error_message=_("Thành viên đã khai báo cho hồ sơ này."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member}: {'có' if self.has_conflict else 'không'}"


# =================================================================================================
# Re-evaluation reminders (Art. 7.6.a): a record per certificate and kind, so each goes out once.
# =================================================================================================


class ReminderKind(models.TextChoices):
    WINDOW_OPEN = "window_open", _("Mở thời hạn nộp hồ sơ đánh giá lại")
    WINDOW_CLOSING = "window_closing", _("Sắp hết thời hạn nộp hồ sơ đánh giá lại")
    EXPIRED = "expired", _("Giấy chứng nhận hết hiệu lực")


class CertificateReminder(models.Model):
    """A reminder sent about one certificate (written by `ocop remind`; deleting one lets it go again)."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("giấy chứng nhận"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("loại nhắc việc"), max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField(_("đến hạn ngày"))
    recipients = models.PositiveIntegerField(_("số người nhận"), default=0)
    created = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    scope = ScopePaths(
        province="certificate__product__province",
        commune="certificate__product__commune",
        owner="certificate__product__producer",
        policy=_POLICY,
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["created"])

    class Meta:
        verbose_name = _("nhắc việc giấy chứng nhận")
        verbose_name_plural = _("nhắc việc giấy chứng nhận")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "kind"], name="evaluation_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} · {self.get_kind_display()}"
