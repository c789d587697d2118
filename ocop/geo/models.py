"""Vietnam's administrative units, current (from 1 July 2025) and former, with their succession."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ocop.core.text import fold, sort_key


class Structure(models.TextChoices):
    CURRENT = "current", _("Hiện hành (từ 01/07/2025)")
    FORMER = "former", _("Trước 01/07/2025")


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Quận/huyện")
    COMMUNE = "commune", _("Xã/phường/đặc khu")


class Unit(models.Model):
    """One administrative unit, keyed on its official GSO/NSO code within its structure.

    Codes are strings: province 2 digits, district 3, commune 5.
    """

    structure = models.CharField(_("cấu trúc"), max_length=8, choices=Structure.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=Level.choices)
    code = models.CharField(_("mã"), max_length=5)
    name = models.CharField(_("tên"), max_length=120)
    division_type = models.CharField(_("loại đơn vị"), max_length=40, blank=True)
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)
    sort_key = models.CharField(max_length=600, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # The current-structure province this unit belongs to (itself for a current province).
    current_province = models.ForeignKey(
        "self", verbose_name=_("tỉnh hiện hành"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["sort_key"]
        constraints = [models.UniqueConstraint(fields=["structure", "code"], name="geo_unit_structure_code")]
        indexes = [models.Index(fields=["structure", "level", "parent"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_folded = fold(self.name)
        self.sort_key = sort_key(self.name)
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.structure == Structure.CURRENT


class UnitSuccession(models.Model):
    """A former unit's successor in the current structure; one former unit may have several."""

    former = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions")
    current = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessions")
    partial = models.BooleanField(_("sáp nhập một phần"), default=False)
    source = models.CharField(_("nguồn"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [models.UniqueConstraint(fields=["former", "current"], name="geo_succession_pair")]

    def __str__(self) -> str:
        return f"{self.former} → {self.current}"
