"""Recognition decisions and OCOP certificates (QĐ 26/2026/QĐ-TTg Art. 4, 8, 12; ocop-rules.md §6.5–6.8).

A `Decision` is the legal act (quyết định công nhận / thu hồi) of an authority that may no longer
exist (a former district People's Committee). A `Certificate` (giấy chứng nhận kết quả phân hạng)
is what one product got from one recognition decision: 3★–5★ only, valid 36 months from issue
(`ocop.certification.rules.certificate_expiry`), under the rules it was issued under (Art. 12.1:
it keeps its `legal_basis` until it expires).

The status is never stored: it is computed from the dates and events (expiry, a revocation in
force, a later certificate that supersedes it) for a given day, in Python (`status_on`) and in
SQL (`CertificateQuerySet.with_status`, `valid_on`, `expiring_within`), identically on SQLite and
PostgreSQL. The evaluation workflow (rounds, councils, scores) creates the same records.

What was recognised is frozen at issue (a certificate is a legal document): the product's name,
the producer's name and address, the place (commune, province, as printed) and the bộ sản phẩm
are copied onto the certificate when it is created (``certified_*``, ``Certificate.freeze``) and
refused to change afterwards (``clean`` and ``save``, and ``CertificateQuerySet.update`` /
``bulk_update``, which bypass ``save``: ``FrozenFieldError``), whatever later happens to the
product or the producer. A field still empty may be filled once, as ``save`` allows. A deliberate
data repair goes around the rule in plain sight: ``models.QuerySet(Certificate)`` or SQL.
Certificates that existed before these fields took the values the product had at upgrade time
(migration 0002).

The tables keep the names they had when these models lived in the evaluation app
(`evaluation_certificate`, …): moving a model between apps must not move a single row.
"""

from __future__ import annotations

import contextvars
import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.audit import AuditedHistory
from ocop.core.choices import choice_label
from ocop.core.links import reverse_text
from ocop.core.records import related_or_none as _related
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
from ocop.registry import classification
from ocop.registry.classification import LegalBasis

from . import codes, rules

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
    C = (
        "c",
        _(
            "c) Sản phẩm OCOP vi phạm quy định pháp luật về chất lượng sản phẩm, an toàn thực phẩm, "
            "bảo vệ môi trường, sở hữu trí tuệ, ghi nhãn hàng hóa hoặc các quy định pháp luật khác có "
            "liên quan theo kết luận của cơ quan có thẩm quyền"
        ),
    )
    D = "d", _("d) Sử dụng nhãn hiệu chứng nhận OCOP không đúng, gây nhầm lẫn")
    DD = "đ", _("đ) Chủ thể dừng sản xuất sản phẩm")
    E = "e", _("e) Trường hợp khác theo kết luận của cơ quan có thẩm quyền")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Còn hiệu lực")
    EXPIRED = "expired", _("Hết hiệu lực")
    REVOKED = "revoked", _("Bị thu hồi")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    PENDING = "pending", _("Chưa có hiệu lực")  # issued after the day asked about


# A valid certificate past its printed expiry, by the extension of Art. 12.3.
EXTENDED_LABEL = _("Còn hiệu lực (gia hạn theo khoản 3 Điều 12)")

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


def _today(day: dt.date | None) -> dt.date:
    return day if day is not None else clock.today()


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
    history = AuditedHistory(
        excluded_fields=["created", "updated"], table_name="evaluation_historicaldecision"
    )

    class Meta:
        db_table = "evaluation_decision"
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
        db_table = "evaluation_certificatecodecounter"
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


def in_force_condition(today: dt.date, prefix: str = "") -> Q:
    """Q for "not past its validity on ``today``": the printed expiry, or the extension of Art. 12.3
    (``extended_until``). The one place both SQL definitions below take validity from."""
    return Q(**{f"{prefix}expiry__gte": today}) | Q(**{f"{prefix}extended_until__gte": today})


def status_expression(today: dt.date) -> Case:
    """SQL for the status on ``today``: revoked > superseded > expired > valid (pending before issue).

    A certificate valid only by the extension of Art. 12.3 is "valid" (``is_extended_on`` tells)."""
    return Case(
        When(issue_date__gt=today, then=Value(CertificateStatus.PENDING.value)),
        When(revoked_on__lte=today, then=Value(CertificateStatus.REVOKED.value)),
        When(superseded_by__issue_date__lte=today, then=Value(CertificateStatus.SUPERSEDED.value)),
        When(~in_force_condition(today), then=Value(CertificateStatus.EXPIRED.value)),
        default=Value(CertificateStatus.VALID.value),
        output_field=models.CharField(),
    )


def valid_condition(today: dt.date, prefix: str = "") -> Q:
    """Q for "valid on ``today``"; ``prefix`` e.g. "certificates__" from another model."""
    return (
        Q(**{f"{prefix}issue_date__lte": today})
        & in_force_condition(today, prefix)
        & (Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": today}))
        & (
            Q(**{f"{prefix}superseded_by__isnull": True})
            | Q(**{f"{prefix}superseded_by__issue_date__gt": today})
        )
    )


class FrozenFieldError(ValidationError):
    """An ``update()`` / ``bulk_update()`` would change a ``certified_*`` field of an issued certificate."""


# The fields frozen at issue (``Certificate.FROZEN_FIELDS``; here so the queryset sees them first).
FROZEN_FIELDS = (
    "certified_product_name",
    "certified_producer_name",
    "certified_producer_address",
    "certified_place",
    "certified_classification_set",
    "certified_classification",
)


def _frozen_error(model, names) -> FrozenFieldError:
    return FrozenFieldError(
        {
            name: _("Giấy chứng nhận đã cấp: “%(field)s” không được thay đổi.")
            % {"field": model._meta.get_field(name).verbose_name}
            for name in sorted(names)
        }
    )


# Set while bulk_update() writes the rows it has checked (Django's bulk_update calls update()).
_bulk_checked: contextvars.ContextVar[bool] = contextvars.ContextVar("bulk_checked", default=False)


class CertificateQuerySet(RestrictedQuerySet):
    # --- writes that bypass save(): the frozen fields are refused here too ---

    def update(self, **kwargs):
        """``QuerySet.update``, refused when it changes a ``certified_*`` value already stored."""
        frozen = {name: value for name, value in kwargs.items() if name in FROZEN_FIELDS}
        if not frozen or self.query.is_sliced or _bulk_checked.get():  # sliced: Django refuses it
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            changed = []
            for name, value in frozen.items():
                stored = self.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
                if isinstance(value, str):  # an expression cannot be compared here: any stored value
                    stored = stored.exclude(**{name: value})
                if stored.exists():
                    changed.append(name)
            if changed:
                raise _frozen_error(self.model, changed)
            return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        """``QuerySet.bulk_update``, refused when it changes a ``certified_*`` value already stored."""
        objs = list(objs)
        frozen = [name for name in fields if name in FROZEN_FIELDS]
        if frozen and objs:
            with transaction.atomic(using=self.db):
                plain = models.QuerySet(self.model, using=self.db)
                stored = {
                    row["pk"]: row for row in plain.filter(pk__in=[o.pk for o in objs]).values("pk", *frozen)
                }
                changed = {
                    name
                    for obj in objs
                    for name in frozen
                    if (old := stored.get(obj.pk, {}).get(name)) and getattr(obj, name) != old
                }
                if changed:
                    raise _frozen_error(self.model, changed)
                token = _bulk_checked.set(True)
                try:
                    return super().bulk_update(objs, fields, batch_size=batch_size)
                finally:
                    _bulk_checked.reset(token)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def with_status(self, today: dt.date | None = None) -> CertificateQuerySet:
        """Annotates ``status`` (a CertificateStatus value) as of ``today`` (default: the real date)."""
        day = _today(today)
        return self.annotate(
            status=status_expression(day), status_day=Value(day, output_field=models.DateField())
        )

    def with_status_in(self, statuses, today: dt.date | None = None) -> CertificateQuerySet:
        return self.with_status(today).filter(status__in=list(statuses))

    def valid_on(self, day: dt.date | None = None) -> CertificateQuerySet:
        return self.filter(valid_condition(_today(day)))

    def expiring_within(self, days: int, today: dt.date | None = None) -> CertificateQuerySet:
        """Valid today and expiring within ``days`` days (inclusive; not those already extended)."""
        day = _today(today)
        return self.valid_on(day).filter(expiry__gte=day, expiry__lte=day + dt.timedelta(days=days))

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
    extended_until = models.DateField(
        _("gia hạn hiệu lực đến ngày"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Khoản 3 Điều 12: đã nộp hồ sơ đánh giá lại, giấy chứng nhận còn hiệu lực đến khi có kết "
            "quả, không quá 180 ngày sau ngày hết hạn. Do quy trình đánh giá ghi, không sửa tay."
        ),
    )
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
        "evaluation.Evaluation",
        verbose_name=_("kết quả đánh giá"),
        on_delete=models.PROTECT,
        related_name="certificates",
        null=True,
        blank=True,
        editable=False,
        help_text=_("Phiên chấm của hội đồng mà giấy chứng nhận dựa vào (trống với hồ sơ lịch sử)."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    # What was recognised, as printed at issue: copied from the product when the certificate is
    # created and never changed after (``FROZEN_FIELDS``).
    certified_product_name = models.CharField(
        _("tên sản phẩm được công nhận"), max_length=255, blank=True, editable=False
    )
    certified_producer_name = models.CharField(
        _("tên chủ thể được công nhận"), max_length=255, blank=True, editable=False
    )
    certified_producer_address = models.CharField(
        _("địa chỉ chủ thể khi cấp"), max_length=255, blank=True, editable=False
    )
    certified_place = models.CharField(
        _("địa phương khi cấp"),
        max_length=255,
        blank=True,
        editable=False,
        help_text=_("Xã/phường, tỉnh/thành phố của chủ thể như in trên giấy chứng nhận."),
    )
    certified_classification_set = models.CharField(
        _("mã bộ sản phẩm khi cấp"), max_length=8, blank=True, editable=False
    )
    certified_classification = models.CharField(
        _("bộ sản phẩm khi cấp"), max_length=255, blank=True, editable=False
    )

    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    FROZEN_FIELDS = FROZEN_FIELDS

    scope = ScopePaths(
        province="product__province", commune="product__commune", owner="product__producer", policy=_POLICY
    )
    objects = CertificateQuerySet.as_manager()
    history = AuditedHistory(
        excluded_fields=["created", "updated"], table_name="evaluation_historicalcertificate"
    )

    class Meta:
        db_table = "evaluation_certificate"
        # Writes through the base manager (Certificate._base_manager) refuse frozen changes too.
        base_manager_name = "objects"
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
            models.Index(fields=["expiry"], name="evaluation_cert_expiry"),
            # The certificate list's default order (newest first): 50 rows read, not all sorted.
            models.Index(fields=["issue_date", "id"], name="evaluation_cert_issued"),
            # A product's certificates by issue date, and (covering) every column of "valid on a
            # day" and the star: the dashboard reads the valid certificates from the index alone
            # (docs/indexes.md). Replaces evaluation_cert_product (product, issue_date), its prefix.
            models.Index(
                fields=[
                    *("product", "issue_date", "expiry", "extended_until"),
                    *("revoked_on", "superseded_by", "star"),
                ],
                name="evaluation_cert_valid",
            ),
            # The superseding certificate's issue date (valid_condition), without reading the wide rows.
            models.Index(fields=["id", "issue_date"], name="evaluation_cert_supersede"),
            # Certificates revoked in a period or by a day (a few hundred of 22,000): the oversight
            # card's revocations by ground, the revoked products' set (docs/indexes.md).
            models.Index(fields=["revoked_on"], name="evaluation_cert_revoked"),
        ]

    def __str__(self) -> str:
        return f"{self.code or _('Giấy chứng nhận')} · {self.star}★"

    def save(self, *args, **kwargs) -> None:
        if errors := self.frozen_errors():
            raise ValidationError(errors)
        if self._state.adding:
            self.freeze()
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
        self._frozen = {name: getattr(self, name) for name in self.FROZEN_FIELDS}

    def get_absolute_url(self) -> str:
        return reverse_text("certification:certificate_detail", self.code)

    # --- what was recognised (frozen at issue) ---

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        instance = super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        loaded = instance.__dict__
        instance._frozen = {name: loaded[name] for name in cls.FROZEN_FIELDS if name in loaded}
        return instance

    def freeze(self) -> None:
        """Copy what is recognised from the product (only into the ``certified_*`` fields still empty)."""
        for name, value in certified_values(self.product).items():
            if not getattr(self, name):
                setattr(self, name, value)

    def frozen_errors(self) -> dict[str, str]:
        """A ``certified_*`` field changed after it was stored (set, and different from the stored value)."""
        stored = self.__dict__.get("_frozen", {})
        return {
            name: _("Giấy chứng nhận đã cấp: “%(field)s” không được thay đổi.")
            % {"field": self._meta.get_field(name).verbose_name}
            for name, old in stored.items()
            if old and getattr(self, name) != old
        }

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
        status = rules.certificate_status_on(self.issue_date, day, self.revoked_on, self.extended_until)
        if status == "revoked":
            return CertificateStatus.REVOKED.value
        successor = self.superseded_by
        if successor is not None and successor.issue_date <= day:
            return CertificateStatus.SUPERSEDED.value
        return status

    def is_extended_on(self, today: dt.date | None = None) -> bool:
        """Valid on the day only by the extension of Art. 12.3 (past its printed expiry)."""
        day = _today(today)
        return day > self.expiry and self.status_on(day) == CertificateStatus.VALID

    @property
    def is_extended(self) -> bool:
        """Today (or the day of ``with_status``): valid past its printed expiry (Art. 12.3)."""
        return (
            self.status == CertificateStatus.VALID
            and self.extended_until is not None
            and self.expiry < self.extended_until
            and (self.__dict__.get("status_day") or clock.today()) > self.expiry
        )

    @property
    def valid_until(self) -> dt.date:
        """The last possible day of validity: the extension's end, else the printed expiry."""
        return (
            self.extended_until if self.extended_until and self.extended_until > self.expiry else self.expiry
        )

    @property
    def status_label(self) -> str:
        if self.is_extended:
            return str(EXTENDED_LABEL)
        return choice_label(CertificateStatus, self.status)

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[CertificateStatus(self.status)]

    @property
    def legal_basis_label(self) -> str:
        return choice_label(LegalBasis, self.legal_basis) if self.legal_basis else ""

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
        errors.update(self.frozen_errors())
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


def certified_values(product) -> dict[str, str]:
    """What a certificate issued now would record of ``product`` (the ``certified_*`` fields)."""
    producer = product.producer
    place = ", ".join(unit.name for unit in (producer.commune, producer.province) if unit is not None)
    try:
        product_set = (
            classification.get_set(product.classification_set) if product.classification_set else None
        )
    except (KeyError, ValueError):
        product_set = None
    return {
        "certified_product_name": product.name,
        "certified_producer_name": producer.name,
        "certified_producer_address": producer.address,
        "certified_place": place,
        "certified_classification_set": product.classification_set,
        "certified_classification": product_set.name if product_set else product.legacy_classification,
    }


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
    history = AuditedHistory(
        excluded_fields=["created"], table_name="evaluation_historicalcertificatereminder"
    )

    class Meta:
        db_table = "evaluation_certificatereminder"
        verbose_name = _("nhắc việc giấy chứng nhận")
        verbose_name_plural = _("nhắc việc giấy chứng nhận")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "kind"], name="evaluation_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} · {self.get_kind_display()}"
