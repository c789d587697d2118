"""Products: `Product` (a product of a producer, located where it is produced), its queryset
(`ProductQuerySet`: the current star and programme status as SQL annotations), the programme
status expression, the stages an officer records (`STAGES`), the classification choices, and
`ProductCodeCounter`, the per-commune sequence behind the product code T-X-STT-YYYY.

The star and the programme status come from the certificates through
`extensions.certificates`; the registry itself never imports the certification app.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ocop.core import clock
from ocop.core.audit import AuditedHistory
from ocop.core.choices import choice_label, display
from ocop.core.links import reverse_pk
from ocop.core.scoping import PRODUCER, RestrictedQuerySet, ScopePaths
from ocop.geo.models import Located

from .. import classification, codes, extensions
from ..classification import ProductStatus
from .common import Searchable, normalize_gtin, validate_gtin, validate_legacy_code
from .producers import Producer

_CHOICES_BY_LANGUAGE: dict[str | None, tuple[tuple[str, str], ...]] = {}


def classification_choices() -> list[tuple[str, str]]:
    """Bộ sản phẩm of the current classification (26/2026): ("B07", "B07 · Chế biến từ rau…").

    Called again each time the choices are shown (and by every model validation of the field), so
    the names are in the active language; they are translated once per language (an import
    validates the field on each of its thousands of rows).
    """
    language = get_language()
    if language not in _CHOICES_BY_LANGUAGE:
        _CHOICES_BY_LANGUAGE[language] = tuple(
            (s.code, f"{s.code} · {s.label}") for s in classification.sets()
        )
    return list(_CHOICES_BY_LANGUAGE[language])


CURRENT_CLASSIFICATION_VERSION = "26-2026"

# What a producer account asks an officer to change instead of changing it (a `ChangeRequest`):
# the product's identity always, and on a recognised product also what its score relied on.
REQUESTABLE = ("name", "classification_set", "unit", "standards", "packaging")
IDENTITY = frozenset({"name", "classification_set", "unit"})


def requested_fields(user: Any, product: Product) -> frozenset[str]:
    """ScopePaths.by_request of Product: the fields `user` changes on `product` only by request."""
    if user.role != PRODUCER:
        return frozenset()
    if product.pk is not None and product.current_certificate is not None:
        return frozenset(REQUESTABLE)
    return IDENTITY


class ProductCodeCounter(models.Model):
    """The last sequence number (STT) a commune gave to a product code; one row per current commune."""

    commune = models.OneToOneField(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã/phường/đặc khu")
    )
    last = models.PositiveIntegerField(_("số thứ tự cuối"), default=0)

    class Meta:
        verbose_name = _("bộ đếm mã sản phẩm")
        verbose_name_plural = _("bộ đếm mã sản phẩm")

    def __str__(self) -> str:
        return f"{self.commune}: {self.last}"

    @classmethod
    def next_for(cls, commune_id: int) -> int:
        """The commune's next sequence number, atomically: the UPDATE locks the row until commit."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    cls.objects.get_or_create(commune_id=commune_id)
            except IntegrityError:  # created concurrently by another transaction
                pass
            cls.objects.filter(commune_id=commune_id).update(last=F("last") + 1)
            return cls.objects.filter(commune_id=commune_id).values_list("last", flat=True).get()


# The stages an officer records; the other statuses come from the certificates (programme status).
STAGES = (
    ProductStatus.POTENTIAL,
    ProductStatus.REGISTERED,
    ProductStatus.EVALUATING,
    ProductStatus.DISCONTINUED,
)


# Stages that win over the certificates: the product is no longer followed (stopped producing, or
# removed from the programme by an inspection's conclusion, Art. 9).
LEFT_PROGRAMME = frozenset({ProductStatus.DISCONTINUED.value, ProductStatus.REMOVED.value})


def programme_status_expression(today: date | None = None) -> models.Expression:
    """SQL for `Product.programme_status` on ``today`` (default: ``clock.today()``).

    Defined by the app that issues certificates (`extensions.certificates`); without one, the
    recorded stage.
    """
    return extensions.certificates.get().programme_status(today)


class ProductQuerySet(RestrictedQuerySet):
    def with_current_star(self, today: date | None = None) -> ProductQuerySet:
        """Annotates ``current_star`` (star of the valid certificate on ``today``) with one subquery."""
        return self.annotate(current_star=extensions.certificates.get().current_star(today))

    def with_programme_status(self, today: date | None = None) -> ProductQuerySet:
        """Annotates ``programme_status`` (a ProductStatus value, see `programme_status_expression`)."""
        return self.annotate(programme_status=programme_status_expression(today))


# Annotated querysets of `listing`, never evaluated: templates to clone. Resolving the star and
# status subqueries costs ~0.6 ms a list or API call; a clone ~0.01 ms.
_LISTINGS: dict[tuple[Any, date, tuple[str, ...]], ProductQuerySet] = {}


def listing(*related: str, today: date | None = None) -> ProductQuerySet:
    """``Product.objects.select_related(*related).with_current_star().with_programme_status()``
    for ``today`` (default: ``clock.today()``), cloned from one built once a day."""
    day = today if today is not None else clock.today()
    key = (extensions.certificates.get(), day, related)
    template = _LISTINGS.get(key)
    if template is None:
        if len(_LISTINGS) > 16:  # yesterday's, another source's (tests)
            _LISTINGS.clear()
        template = Product.objects.all()
        if related:
            template = template.select_related(*related)
        template = template.with_current_star(day).with_programme_status(day)
        _LISTINGS[key] = template
    return template.all()


class Product(Searchable, Located):
    """A product of a chủ thể, located where it is produced; the star comes from its certificates."""

    name = models.CharField(_("tên sản phẩm"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    producer = models.ForeignKey(
        Producer, verbose_name=_("chủ thể"), on_delete=models.PROTECT, related_name="products"
    )
    classification_set = models.CharField(
        _("bộ sản phẩm"), max_length=3, choices=classification_choices, blank=True
    )
    classification_version = models.CharField(
        _("phiên bản phân loại"), max_length=16, default=CURRENT_CLASSIFICATION_VERSION, editable=False
    )
    legacy_classification = models.CharField(
        _("phân loại cũ (QĐ 1048/148)"),
        max_length=255,
        blank=True,
        help_text=_("Nhóm/phân nhóm theo quy định trước đây, chỉ để lưu hồ sơ lịch sử."),
    )
    code = models.CharField(_("mã sản phẩm OCOP"), max_length=32, unique=True, null=True, editable=False)
    code_sequence = models.PositiveIntegerField(_("số thứ tự"), null=True, editable=False)
    code_year = models.PositiveSmallIntegerField(_("năm cấp mã"), null=True, editable=False)
    legacy_code = models.CharField(
        _("mã sản phẩm cũ"),
        max_length=40,
        blank=True,
        validators=[validate_legacy_code],
        help_text=_("Mã theo quy định trước đây, ví dụ 83-829-28780-3-2022."),
    )
    description = models.TextField(_("mô tả"), blank=True)
    story = models.TextField(_("câu chuyện sản phẩm"), blank=True)
    raw_materials = models.TextField(_("nguyên liệu"), blank=True)
    raw_material_origin = models.TextField(_("nguồn gốc nguyên liệu"), blank=True)
    standards = models.CharField(_("tiêu chuẩn áp dụng"), max_length=255, blank=True)
    packaging = models.CharField(_("quy cách đóng gói"), max_length=255, blank=True)
    where_to_buy = models.TextField(
        _("nơi bán"),
        blank=True,
        help_text=_(
            "Cửa hàng, điểm bán OCOP, sàn thương mại điện tử…, mỗi dòng một nơi (hiện trên trang công khai)."
        ),
    )
    gtin = models.CharField(
        _("mã GTIN (mã vạch)"),
        max_length=14,
        blank=True,
        validators=[validate_gtin],
        help_text=_("GTIN-13 hoặc GTIN-14 đã đăng ký với GS1 Việt Nam; để trống nếu chưa có."),
    )
    # The recorded stage (STAGES; imports of old spreadsheets may hold any ProductStatus). What is
    # shown and filtered is `programme_status`, which follows the certificates.
    status = models.CharField(
        _("tình trạng trong chương trình"),
        max_length=16,
        choices=ProductStatus.choices(),
        default=ProductStatus.POTENTIAL.value,
    )

    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    # A producer account edits the description of its own products only; the name, classification,
    # codes, stage, producer and place are the officers' (see core.scoping). Codes are never typed in.
    scope = ScopePaths(
        province="province",
        commune="commune",
        owner="producer",
        place="unit",
        by_request=requested_fields,
        derived=frozenset(
            {
                "province",
                "commune",
                "code",
                "code_sequence",
                "code_year",
                "classification_version",
                "search_text",
                "sort_key",
                "created",
                "updated",
            }
        ),
        writable={
            PRODUCER: frozenset(
                {
                    "name_en",
                    "description",
                    "story",
                    "raw_materials",
                    "raw_material_origin",
                    "standards",
                    "packaging",
                    "where_to_buy",
                }
            )
        },
    )
    objects = ProductQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["search_text", "sort_key", "created", "updated"])

    class Meta:
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")
        ordering = ["sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gtin"],
                condition=~Q(gtin=""),
                name="registry_product_gtin_unique",
                violation_error_message=_("Mã GTIN này đã được gán cho một sản phẩm khác."),
            ),
        ]
        indexes = [
            models.Index(fields=["province", "commune"], name="registry_product_area"),
            # Dashboard counts by province × product set (and communes): read from the index alone
            # (status: a product removed from the programme by an inspection has no star there).
            models.Index(
                fields=["province", "classification_set", "commune", "status", "id"],
                name="registry_product_dash2",
            ),
            # A certificate's product by id with its producer and status, from the index alone: a
            # province's producers' figures (those with a certificate issued, or valid, by a day)
            # join each certificate of its producers to its product (docs/indexes.md).
            models.Index(fields=["id", "producer", "status"], name="registry_product_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.gtin = re.sub(r"\s+", "", self.gtin or "")
        if self.unit_id is not None:
            self.locate()
        # One transaction: a failed save gives its sequence number back (the counter row stays
        # locked until commit, so concurrent creations in a commune queue up instead of colliding).
        with transaction.atomic():
            if not self.code and self.commune_id is not None:
                self.assign_code()
                if (fields := kwargs.get("update_fields")) is not None:
                    kwargs["update_fields"] = {*fields, "code", "code_sequence", "code_year"}
            self.refresh_search()
            if (fields := kwargs.get("update_fields")) is not None:
                kwargs["update_fields"] = {*fields, "search_text", "sort_key"}
            super().save(*args, **kwargs)
        self.__dict__.pop("_programme_status", None)  # annotated before the change (the stage may differ)

    def get_absolute_url(self) -> str:
        return reverse_pk("registry:product_detail", self.pk)

    def search_parts(self) -> list[str]:
        # The description last: rank levels read the name at the start (registry.search).
        return [self.name, self.name_en, self.code or "", self.legacy_code, self.gtin, self.description]

    def sort_name(self) -> str:
        return self.name

    @property
    def current_star(self) -> int | None:
        """The star of the product's currently valid certificate (None without one).

        Derived from the certificates, never typed in. Lists use
        ``Product.objects.with_current_star()`` (one subquery, no N+1); its annotation wins here.
        """
        if "_current_star" in self.__dict__:
            return self.__dict__["_current_star"]
        certificate = self.current_certificate
        return certificate.star if certificate is not None else None

    @current_star.setter
    def current_star(self, value: int | None) -> None:  # set by ProductQuerySet.with_current_star()
        self.__dict__["_current_star"] = value

    @property
    def programme_status(self) -> str:
        """Where the product stands today (a ProductStatus value), following its certificates.

        Never stored: certificates expire with time. Lists use ``with_programme_status()`` (SQL,
        no N+1); its annotation wins here.
        """
        if "_programme_status" in self.__dict__:
            return self.__dict__["_programme_status"]
        return self.programme_status_on()

    @programme_status.setter
    def programme_status(self, value: str) -> None:  # set by ProductQuerySet.with_programme_status()
        self.__dict__["_programme_status"] = value

    def programme_status_on(self, today: date | None = None) -> str:
        """The programme status on ``today`` in Python: the rules of `programme_status_expression`."""
        if self.status in LEFT_PROGRAMME or self.pk is None:
            return self.status
        return extensions.certificates.get().programme_status_on(self, today)

    @property
    def programme_status_label(self) -> str:
        return choice_label(ProductStatus, self.programme_status)

    @property
    def current_certificate(self) -> Any:
        """The valid certificate today (highest star, then latest issued), or None."""
        if self.pk is None:
            return None
        return extensions.certificates.get().current_certificate(self)

    @property
    def classification_label(self) -> str:
        return display(self, "classification_set") if self.classification_set else ""

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.classification_set and not self.legacy_classification:
            errors["classification_set"] = _(
                "Hãy chọn bộ sản phẩm (hoặc ghi phân loại cũ với hồ sơ lịch sử)."
            )
        if self.legacy_classification:
            try:
                self.legacy_classification = classification.normalize_legacy_classification(
                    self.legacy_classification
                )
            except ValueError as error:
                errors["legacy_classification"] = str(error)
        try:
            self.gtin = normalize_gtin(self.gtin)
        except ValidationError:
            pass  # already reported by the field validator
        else:
            if self.gtin and self._gtin_taken():
                errors["gtin"] = _("Mã GTIN %(gtin)s đã được gán cho một sản phẩm khác.") % {
                    "gtin": self.gtin
                }
        if errors:
            raise ValidationError(errors)

    # GTIN → the id of the product holding it, looked up beforehand for many products at once (an
    # import sets it on each row's product); None: clean() asks the database.
    gtin_owners: dict[str, int] | None = None

    def _gtin_taken(self) -> bool:
        if self.gtin_owners is not None:
            owner = self.gtin_owners.get(self.gtin)
            return owner is not None and owner != self.pk
        return Product.objects.filter(~Q(gtin=""), gtin=self.gtin).exclude(pk=self.pk).exists()

    def assign_code(self) -> None:
        """T-X-STT-YYYY from the current province and commune codes, the commune's next STT and the year."""
        year = timezone.localdate().year
        sequence = ProductCodeCounter.next_for(self.commune_id)
        self.code = codes.format_product_code(self.province.code, self.commune.code, sequence, year)
        self.code_sequence, self.code_year = sequence, year
