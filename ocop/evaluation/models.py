"""The evaluation workflow (Art. 5–7): dossiers → commune → province rounds → councils → results.

State changes live in ocop.evaluation.workflow (one place, transactional); models keep data and
the invariants that must hold whoever writes (immutability of closed results and sent sheets).
Decisions and certificates live in ocop.certification, which this app depends on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.certification.models import READ_ONLY, Certificate
from ocop.core import clock
from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.records import related_or_none as _related
from ocop.core.records import stored_value as _stored
from ocop.core.scoping import (
    COMMUNE,
    COUNCIL,
    PRODUCER,
    VIEW,
    VIEWER,
    RestrictedManager,
    ScopePaths,
)
from ocop.registry.classification import LegalBasis

from . import criteria, rules, scoring


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
# councils read; the state machine in ocop.evaluation.workflow decides which step each role may take.
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
        referral = settings.OCOP_FIVE_STAR_REFERRAL  # per installation, not per province (Art. 7.3.e)
        rules = cls.objects.filter(province_id=province_id).first()
        if rules is None:
            return scoring.Settings(referral=referral)
        return scoring.Settings(
            spread_limit=Fraction(str(rules.spread_limit)),
            quorum=Fraction(str(rules.quorum)),
            referral=referral,
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
    # "Trước ngày" (Art. 5): a dossier proposed on this day is too late for the round (rules.py).
    proposals_by = models.DateField(_("nhận hồ sơ đề nghị trước ngày"))
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
        return reverse_pk("evaluation:round_detail", self.pk)

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
    # Art. 12.2: the rules a dossier is evaluated under follow its filing date (set on submitting).
    legal_basis = models.CharField(
        _("căn cứ pháp lý"),
        max_length=16,
        choices=LegalBasis.choices(),
        blank=True,
        help_text=_("Quy định áp dụng theo ngày nộp hồ sơ (khoản 2 Điều 12 QĐ 26/2026/QĐ-TTg)."),
    )
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
        return reverse_pk("evaluation:dossier_detail", self.pk)

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
    def transition_deadline(self) -> dt.date | None:
        """Art. 12.2: the 60/30-day limit of a dossier filed before 22/05/2026 (under older rules)."""
        if not self.legal_basis:
            return None
        return rules.transition_deadline(self.kind, LegalBasis(self.legal_basis).effective_from)

    @property
    def missed_round_proposal_date(self) -> bool:
        """In a provincial round whose proposal date (Art. 5.1) the commune's proposal missed."""
        round_ = self.round
        return (
            round_ is not None
            and round_.level == Level.PROVINCE
            and self.forwarded_on is not None
            and rules.missed_proposal_date(self.forwarded_on, round_.proposals_by)
        )

    @property
    def commune_overdue(self) -> bool:
        return (
            self.status in (DossierStatus.SUBMITTED, DossierStatus.COMMUNE_REVIEW)
            and self.commune_deadline is not None
            and clock.today() > self.commune_deadline
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
    # Required when the members' totals differ beyond the round's limit ("cần thảo luận"): why the
    # chair closed anyway; printed in the minutes.
    close_reason = models.TextField(_("lý do kết thúc khi cần thảo luận"), blank=True, editable=False)
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
