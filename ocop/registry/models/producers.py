"""Producers (chủ thể OCOP): `Producer` and its choices (ethnic groups, gender, the legal form of
an SME, the producer's status).

A producer is `Located` (its unit may be a current or a former administrative unit) and scoped
by `ocop.core.scoping`: officers see the producers of their area, a producer account only its own
organisation (`owner`).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.links import reverse_pk
from ocop.core.scoping import PRODUCER, RestrictedManager, ScopePaths
from ocop.geo.models import Located

from ..classification import ProducerType
from .common import (
    Searchable,
    normalize_household_id,
    normalize_tax_code,
    validate_household_id,
    validate_tax_code,
)

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
    household_id = models.CharField(
        _("số đăng ký hộ kinh doanh / CCCD"),
        max_length=24,
        blank=True,
        validators=[validate_household_id],
        help_text=_(
            "Chỉ với hộ kinh doanh: số định danh cá nhân (CCCD, 12 chữ số) của chủ hộ, hoặc số giấy "
            "chứng nhận đăng ký hộ kinh doanh (ví dụ 41M8012345)."
        ),
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

    # A producer account edits its own organisation's contact, representative and workforce fields;
    # identity (name, type, tax code…), status and place are the officers' (see core.scoping).
    scope = ScopePaths(
        province="province",
        commune="commune",
        owner="pk",
        place="unit",
        derived=frozenset({"province", "commune", "search_text", "sort_key", "created", "updated"}),
        writable={
            PRODUCER: frozenset(
                {
                    "address",
                    "phone",
                    "email",
                    "representative_name",
                    "representative_position",
                    "representative_gender",
                    "representative_ethnicity",
                    "representative_ethnicity_other",
                    "representative_disability",
                    "workforce_total",
                    "workforce_local",
                }
            )
        },
    )
    objects = RestrictedManager()
    history = AuditedHistory(excluded_fields=["search_text", "sort_key", "created", "updated"])

    # Personal data: never in a public serializer or export (representative, contact details).
    PRIVATE_FIELDS = (
        "household_id",
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
        indexes = [
            models.Index(fields=["province", "commune"], name="registry_producer_area"),
            # Dashboard: producers by type in a province (or the country), from the index alone.
            models.Index(fields=["province", "producer_type", "status"], name="registry_producer_dash"),
            # A province's producers in id order: PostgreSQL joins them by producer to the records
            # scoped through their producer (inspections, the home page's oversight counts) without
            # walking every producer's primary key (docs/indexes.md).
            models.Index(fields=["province", "id"], name="registry_producer_scope"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.tax_code = re.sub(r"\s+", "", self.tax_code or "")
        self.refresh_search()
        if (fields := kwargs.get("update_fields")) is not None and {"name", "tax_code"} & set(fields):
            kwargs["update_fields"] = {*fields, "search_text", "sort_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse_pk("registry:producer_detail", self.pk)

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
        if self.household_id and self.producer_type != ProducerType.HO_SX:
            errors["household_id"] = _(
                "Chỉ hộ kinh doanh mới ghi số đăng ký hộ kinh doanh / CCCD; tổ chức ghi mã số thuế."
            )
        try:
            self.household_id = normalize_household_id(self.household_id)
        except ValidationError:
            pass  # already reported by the field validator
        else:
            same = Producer.objects.filter(~Q(household_id=""), household_id=self.household_id).exclude(
                pk=self.pk
            )
            if self.household_id and same.exists():
                errors["household_id"] = _(
                    "Số đăng ký hộ kinh doanh / CCCD %(number)s đã có trong sổ đăng ký (chủ thể “%(name)s”)."
                ) % {"number": self.household_id, "name": same.first().name}
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
