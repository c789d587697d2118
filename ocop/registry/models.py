"""Registry: OCOP subjects (chủ thể, `Producer`) and their products (`Product`).

Both are `Located` (their unit may be a current or a former administrative unit; the current
province and commune are derived) and scoped by `ocop.core.scoping`: officers see what lies in
their area, a producer account only its own organisation (`owner`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.scoping import RestrictedManager, RestrictedQuerySet, ScopePaths
from ocop.core.text import fold, sort_key
from ocop.geo.models import Located

from . import classification, codes, extensions
from .classification import ProducerType, ProductStatus

# --- choices ---

KINH = "01"


class Ethnicity(models.TextChoices):
    """The 54 ethnic groups of Vietnam, coded as in the GSO list (Danh mục các dân tộc Việt Nam).

    Criterion 3.2 of the scoring sheets gives a point when the legal representative belongs to an
    ethnic minority; "Kinh" (01) is the majority. "Khác" takes a free-text name (foreigners...).
    """

    KINH = "01", _("Kinh")
    TAY = "02", _("Tày")
    THAI = "03", _("Thái")
    HOA = "04", _("Hoa")
    KHMER = "05", _("Khơ-me")
    MUONG = "06", _("Mường")
    NUNG = "07", _("Nùng")
    HMONG = "08", _("Hmông (Mông)")
    DAO = "09", _("Dao")
    GIA_RAI = "10", _("Gia-rai")
    NGAI = "11", _("Ngái")
    E_DE = "12", _("Ê-đê")
    BA_NA = "13", _("Ba-na")
    XO_DANG = "14", _("Xơ-đăng")
    SAN_CHAY = "15", _("Sán Chay")
    CO_HO = "16", _("Cơ-ho")
    CHAM = "17", _("Chăm")
    SAN_DIU = "18", _("Sán Dìu")
    HRE = "19", _("Hrê")
    MNONG = "20", _("Mnông")
    RA_GLAI = "21", _("Ra-glai")
    XTIENG = "22", _("Xtiêng")
    BRU_VAN_KIEU = "23", _("Bru-Vân Kiều")
    THO = "24", _("Thổ")
    GIAY = "25", _("Giáy")
    CO_TU = "26", _("Cơ-tu")
    GIE_TRIENG = "27", _("Gié-Triêng")
    MA = "28", _("Mạ")
    KHO_MU = "29", _("Khơ-mú")
    CO = "30", _("Co")
    TA_OI = "31", _("Tà-ôi")
    CHO_RO = "32", _("Chơ-ro")
    KHANG = "33", _("Kháng")
    XINH_MUN = "34", _("Xinh-mun")
    HA_NHI = "35", _("Hà Nhì")
    CHU_RU = "36", _("Chu-ru")
    LAO = "37", _("Lào")
    LA_CHI = "38", _("La Chí")
    LA_HA = "39", _("La Ha")
    PHU_LA = "40", _("Phù Lá")
    LA_HU = "41", _("La Hủ")
    LU = "42", _("Lự")
    LO_LO = "43", _("Lô Lô")
    CHUT = "44", _("Chứt")
    MANG = "45", _("Mảng")
    PA_THEN = "46", _("Pà Thẻn")
    CO_LAO = "47", _("Cơ Lao")
    CONG = "48", _("Cống")
    BO_Y = "49", _("Bố Y")
    SI_LA = "50", _("Si La")
    PU_PEO = "51", _("Pu Péo")
    BRAU = "52", _("Brâu")
    O_DU = "53", _("Ơ Đu")
    RO_MAM = "54", _("Rơ-măm")
    OTHER = "99", _("Khác (ghi rõ)")


class Gender(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")
    OTHER = "other", _("Khác")


class LegalForm(models.TextChoices):
    """Legal form of a small or medium enterprise (DN_SME subjects only)."""

    LLC = "llc", _("Công ty trách nhiệm hữu hạn")
    PRIVATE = "private", _("Doanh nghiệp tư nhân")
    JSC = "jsc", _("Công ty cổ phần")


class ProducerStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngừng hoạt động")
    DISSOLVED = "dissolved", _("Đã giải thể")


def classification_choices() -> list[tuple[str, str]]:
    """Bộ sản phẩm of the current classification (26/2026): ("B07", "B07 · Chế biến từ rau…").

    Called again each time the choices are shown, so the names are in the active language.
    """
    return [(s.code, f"{s.code} · {s.label}") for s in classification.sets()]


CURRENT_CLASSIFICATION_VERSION = "26-2026"


# --- validators: ocop.registry.codes raises ValueError with a Vietnamese message ---

_TAX_SHAPE = re.compile(r"\d{10}(-\d{3})?")


def _as_validation_error(check: Callable[[str], object], value: str, code: str) -> object:
    try:
        return check(value)
    except ValueError as error:
        raise ValidationError(str(error), code=code) from None


def normalize_tax_code(value: str) -> str:
    """The tax code as stored: spaces dropped, checked by codes.validate_tax_code."""
    value = re.sub(r"\s+", "", value or "")
    if not value:
        return ""
    try:
        result = _as_validation_error(codes.validate_tax_code, value, "invalid_tax_code")
    except NotImplementedError:  # check digit still being researched in ocop.registry.codes
        if not _TAX_SHAPE.fullmatch(value):
            raise ValidationError(
                _("Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số: “%(value)s”.")
                % {"value": value},
                code="invalid_tax_code",
            ) from None
        return value
    return result if isinstance(result, str) and result else value


def normalize_gtin(value: str) -> str:
    """A GTIN in its canonical form: 13 digits when it has one, otherwise 14 (unique either way)."""
    value = (value or "").strip()
    if not value:
        return ""
    full = _as_validation_error(codes.validate_gtin, value, "invalid_gtin")
    return full[1:] if full.startswith("0") else full


def validate_tax_code(value: str) -> None:
    normalize_tax_code(value)


def validate_gtin(value: str) -> None:
    normalize_gtin(value)


def validate_legacy_code(value: str) -> None:
    if value:
        _as_validation_error(codes.parse_legacy_code, value, "invalid_legacy_code")


class Searchable(models.Model):
    """A folded copy of the searchable text (no diacritics, đ → d) and a Vietnamese sort key."""

    search_text = models.TextField(editable=False, blank=True, default="")
    sort_key = models.CharField(max_length=600, editable=False, blank=True, default="", db_index=True)

    class Meta:
        abstract = True

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def sort_name(self) -> str:
        raise NotImplementedError

    def refresh_search(self) -> None:
        self.search_text = " | ".join(fold(part) for part in self.search_parts() if part)
        self.sort_key = sort_key(self.sort_name())[:600]


class Producer(Searchable, Located):
    """A chủ thể OCOP: cooperative, SME, household business... (Art. 2.3 of 26/2026/QĐ-TTg)."""

    producer_type = models.CharField(_("loại hình chủ thể"), max_length=16, choices=ProducerType.choices())
    legal_form = models.CharField(
        _("loại hình doanh nghiệp"),
        max_length=8,
        choices=LegalForm.choices,
        blank=True,
        help_text=_("Chỉ với doanh nghiệp nhỏ và vừa."),
    )
    community_capital_share = models.DecimalField(
        _("tỷ lệ vốn góp của cộng đồng địa phương (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Chỉ với doanh nghiệp nhỏ và vừa (tiêu chí 3.1: công ty cổ phần có ≥ 51%)."),
    )
    name = models.CharField(_("tên chủ thể"), max_length=255)
    tax_code = models.CharField(
        _("mã số doanh nghiệp / mã số thuế"),
        max_length=14,
        blank=True,
        validators=[validate_tax_code],
        help_text=_("Số đăng ký kinh doanh hoặc mã số thuế: 10 chữ số, hoặc 10 chữ số - 3 chữ số."),
    )
    registration_date = models.DateField(_("ngày thành lập / đăng ký kinh doanh"), null=True, blank=True)

    representative_name = models.CharField(_("người đại diện theo pháp luật"), max_length=150, blank=True)
    representative_position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    representative_gender = models.CharField(
        _("giới tính người đại diện"), max_length=8, choices=Gender.choices, blank=True
    )
    representative_ethnicity = models.CharField(
        _("dân tộc người đại diện"), max_length=2, choices=Ethnicity.choices, blank=True
    )
    representative_ethnicity_other = models.CharField(_("dân tộc (khác)"), max_length=60, blank=True)
    representative_disability = models.BooleanField(_("người đại diện là người khuyết tật"), default=False)

    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    workforce_total = models.PositiveIntegerField(_("tổng số lao động"), null=True, blank=True)
    workforce_local = models.PositiveIntegerField(_("lao động tại địa phương"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ProducerStatus.choices, default=ProducerStatus.ACTIVE
    )

    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    scope = ScopePaths(province="province", commune="commune", owner="pk")
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["search_text", "sort_key", "created", "updated"])

    # Personal data: never in a public serializer or export (representative, contact details).
    PRIVATE_FIELDS = (
        "representative_name",
        "representative_position",
        "representative_gender",
        "representative_ethnicity",
        "representative_ethnicity_other",
        "representative_disability",
        "address",
        "phone",
        "email",
    )

    class Meta:
        verbose_name = _("chủ thể")
        verbose_name_plural = _("chủ thể")
        ordering = ["sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~Q(tax_code=""),
                name="registry_producer_tax_code_unique",
                violation_error_message=_("Mã số thuế này đã có trong sổ đăng ký."),
            ),
        ]
        indexes = [models.Index(fields=["province", "commune"], name="registry_producer_area")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.tax_code = re.sub(r"\s+", "", self.tax_code or "")
        self.refresh_search()
        if (fields := kwargs.get("update_fields")) is not None and {"name", "tax_code"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_text", "sort_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:producer_detail", args=[self.pk])

    def search_parts(self) -> list[str]:
        return [self.name, self.tax_code]

    def sort_name(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.producer_type != ProducerType.DN_SME:
            if self.legal_form:
                errors["legal_form"] = _("Chỉ doanh nghiệp nhỏ và vừa mới có loại hình doanh nghiệp.")
            if self.community_capital_share is not None:
                errors["community_capital_share"] = _(
                    "Chỉ doanh nghiệp nhỏ và vừa mới khai tỷ lệ vốn góp của cộng đồng."
                )
        if self.representative_ethnicity == Ethnicity.OTHER and not self.representative_ethnicity_other:
            errors["representative_ethnicity_other"] = _("Hãy ghi rõ tên dân tộc.")
        if (
            self.workforce_total is not None
            and self.workforce_local is not None
            and self.workforce_local > self.workforce_total
        ):
            errors["workforce_local"] = _("Lao động tại địa phương không thể nhiều hơn tổng số lao động.")
        if self.registration_date and self.registration_date > date.today():
            errors["registration_date"] = _("Ngày đăng ký không được ở tương lai.")
        try:
            self.tax_code = normalize_tax_code(self.tax_code)
        except ValidationError:
            pass  # already reported by the field validator
        else:
            # ~Q(tax_code="") matches the partial unique index's condition, so SQLite uses the index.
            taken = Producer.objects.filter(~Q(tax_code=""), tax_code=self.tax_code).exclude(pk=self.pk)
            if self.tax_code and taken.exists():
                errors["tax_code"] = _("Mã số thuế %(code)s đã có trong sổ đăng ký (chủ thể “%(name)s”).") % {
                    "code": self.tax_code,
                    "name": taken.first().name,
                }
        if errors:
            raise ValidationError(errors)

    @property
    def representative_is_ethnic_minority(self) -> bool | None:
        """True/False for a known group, None when unknown (criterion 3.2)."""
        code = self.representative_ethnicity
        if not code or code == Ethnicity.OTHER:
            return None
        return code != KINH


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

    scope = ScopePaths(province="province", commune="commune", owner="producer")
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
        indexes = [models.Index(fields=["province", "commune"], name="registry_product_area")]

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
        return reverse("registry:product_detail", args=[self.pk])

    def search_parts(self) -> list[str]:
        return [self.name, self.name_en, self.code or "", self.legacy_code, self.gtin]

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
        if self.status == ProductStatus.DISCONTINUED or self.pk is None:
            return self.status
        return extensions.certificates.get().programme_status_on(self, today)

    @property
    def programme_status_label(self) -> str:
        return str(ProductStatus(self.programme_status).label)

    @property
    def current_certificate(self) -> Any:
        """The valid certificate today (highest star, then latest issued), or None."""
        if self.pk is None:
            return None
        return extensions.certificates.get().current_certificate(self)

    @property
    def classification_label(self) -> str:
        return self.get_classification_set_display() if self.classification_set else ""

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.classification_set and not self.legacy_classification:
            errors["classification_set"] = _(
                "Hãy chọn bộ sản phẩm (hoặc ghi phân loại cũ với hồ sơ lịch sử)."
            )
        try:
            self.gtin = normalize_gtin(self.gtin)
        except ValidationError:
            pass  # already reported by the field validator
        else:
            same_gtin = Product.objects.filter(~Q(gtin=""), gtin=self.gtin).exclude(pk=self.pk)
            if self.gtin and same_gtin.exists():
                errors["gtin"] = _("Mã GTIN %(gtin)s đã được gán cho một sản phẩm khác.") % {
                    "gtin": self.gtin
                }
        if errors:
            raise ValidationError(errors)

    def assign_code(self) -> None:
        """T-X-STT-YYYY from the current province and commune codes, the commune's next STT and the year."""
        year = timezone.localdate().year
        sequence = ProductCodeCounter.next_for(self.commune_id)
        self.code = codes.format_product_code(self.province.code, self.commune.code, sequence, year)
        self.code_sequence, self.code_year = sequence, year


def _product_image_path(instance: ProductImage, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    return f"products/{instance.product_id}/{uuid.uuid4().hex}.{instance.format.lower()}"


class ProductImage(models.Model):
    """A photo of a product (packaging, label, the product itself) shown on its pages."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("ảnh"), upload_to=_product_image_path, max_length=200)
    format = models.CharField(_("định dạng"), max_length=8, editable=False)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    caption = models.CharField(_("chú thích"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    uploaded = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    scope = ScopePaths(province="product__province", commune="product__commune", owner="product__producer")
    objects = RestrictedManager()
    history = AuditedHistory()

    class Meta:
        verbose_name = _("ảnh sản phẩm")
        verbose_name_plural = _("ảnh sản phẩm")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or f"{self.product} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("registry:product_image", args=[self.pk])
