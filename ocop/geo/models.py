"""Vietnam's administrative units, current (from 1 July 2025) and former, with their succession."""

from django.db import connections, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.core.audit import AuditedHistory
from ocop.core.text import fold, sort_key

from .places import PlaceUnit, place_texts
from .sources import short_name


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
    # Folded names search matches a record's place by (geo.places); refreshed by load-units and renames.
    place_text = models.TextField(editable=False, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # The current-structure province this unit belongs to (itself for a current province).
    current_province = models.ForeignKey(
        "self",
        verbose_name=_("tỉnh hiện hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Renames are audited; the bulk loader writes creations without history.
    history = AuditedHistory(excluded_fields=["name_folded", "sort_key", "place_text"])

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["sort_key"]
        constraints = [models.UniqueConstraint(fields=["structure", "code"], name="geo_unit_structure_code")]
        indexes = [models.Index(fields=["structure", "level", "parent"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_folded, self.sort_key = self.derived_fields(self.name)
        renamed = self.pk is None or not Unit.objects.filter(pk=self.pk, name=self.name).exists()
        super().save(*args, **kwargs)
        if renamed:  # the name shows in the place text of its children and successors too
            refresh_place_texts(using=kwargs.get("using") or self._state.db or "default")

    def get_absolute_url(self) -> str:
        return reverse("geo:unit_detail", args=[self.structure, self.code])

    @staticmethod
    def derived_fields(name: str) -> tuple[str, str]:
        """(name_folded, sort_key) for a name; lists sort on the name without its type ("Tỉnh")."""
        return fold(name), sort_key(short_name(name))

    @property
    def is_current(self) -> bool:
        return self.structure == Structure.CURRENT

    @property
    def short_name(self) -> str:
        return short_name(self.name)

    def successor_links(self) -> list[tuple["Unit", bool]]:
        """Current units this former unit went into, with the partial flag, in name order."""
        links = self.successions.select_related("current").order_by("current__sort_key", "current__code")
        return [(s.current, s.partial) for s in links]

    def predecessor_links(self) -> list[tuple["Unit", bool]]:
        """Former units this current unit was made from, with the partial flag, in name order."""
        links = self.predecessions.select_related("former").order_by("former__level", "former__sort_key")
        return [(s.former, s.partial) for s in links]


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


def resolve_current(unit: Unit) -> tuple[Unit | None, Unit | None]:
    """The current province and, when unambiguous, the current commune a unit stands for.

    A current commune is itself; a former unit resolves through its successions: exactly one
    current commune successor gives that commune, several (a split) give None. The province is
    always known (Unit.current_province, set by the loader).
    """
    if unit.structure == Structure.CURRENT:
        if unit.level == Level.PROVINCE:
            return unit, None
        return unit.current_province, unit
    prefetched = "successions" in getattr(unit, "_prefetched_objects_cache", {})
    successions = unit.successions.all() if prefetched else unit.successions.select_related("current")
    communes = [s.current for s in successions if s.current.level == Level.COMMUNE]
    return unit.current_province, communes[0] if len(communes) == 1 else None


def place_names() -> dict[str, F]:
    """Annotations of a Located queryset with the names a list shows of each record's place
    (``place_unit``, ``place_province``, ``place_commune``: None without a commune), read as three
    columns of the row instead of three Unit objects a record (a page of 50: 150 objects)."""
    return {
        "place_unit": F("unit__name"),
        "place_province": F("province__name"),
        "place_commune": F("commune__name"),
    }


class Located(models.Model):
    """A record with a location: `unit` may be current or former; `province`/`commune` are derived.

    Statistics and scoping filter on `province` (always a current province) and `commune` (a
    current commune, None when the unit is a province, a district or a former commune that split).
    """

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị hành chính"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    province = models.ForeignKey(
        Unit,
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        blank=True,
        limit_choices_to={"structure": Structure.CURRENT, "level": Level.PROVINCE},
    )
    commune = models.ForeignKey(
        Unit,
        verbose_name=_("xã/phường/đặc khu"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        null=True,
        blank=True,
        limit_choices_to={"structure": Structure.CURRENT, "level": Level.COMMUNE},
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if self.unit_id is not None and (fields is None or "unit" in fields):
            self.locate()
            if fields is not None:
                kwargs["update_fields"] = {*fields, "province", "commune"}
        super().save(*args, **kwargs)

    def locate(self) -> None:
        """Fill province and commune from unit (also useful after the units were reloaded)."""
        self.province, self.commune = resolve_current(self.unit)


def refresh_place_texts(using: str = "default") -> int:
    """Recomputes every unit's place_text (a rename reaches children and successors); returns the
    number of units changed. Whole table: ~14,000 units in 1–3 s, done on loads and renames."""
    units = Unit._base_manager.using(using)
    rows = list(units.values_list("id", "name", "parent_id", "current_province_id", "place_text"))
    successions = UnitSuccession.objects.using(using).values_list("former_id", "current_id")
    texts = place_texts(
        (PlaceUnit(pk, short_name(name), parent, province) for pk, name, parent, province, _ in rows),
        successions,
    )
    changed = [(texts[pk], pk) for pk, *_, old in rows if texts[pk] != old]
    if changed:
        # One plain UPDATE a row: bulk_update's CASE of 2,000 branches a batch took most of a load.
        connection = connections[using]
        names = (Unit._meta.db_table, "place_text", Unit._meta.pk.column)
        table, text, pk = (connection.ops.quote_name(name) for name in names)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {text} = %s WHERE {pk} = %s", changed)
    return len(changed)
