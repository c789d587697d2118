"""Whose figures: the whole country, a current province, a current commune or a producer's own
organisation (`Scope`), from the user's view scope (`Scope.of_user`) or a unit the user picks
within it (`scope_for`, the `?unit=<code>` of the dashboard and the API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from ocop.core import clock, scoping
from ocop.geo.models import Level, Structure, Unit

COUNTRY, PROVINCE, COMMUNE, PRODUCER, NOTHING = "country", "province", "commune", "producer", "none"


class UnknownUnit(ValueError):
    """`?unit=` names no current province or commune (the API answers 404)."""


@dataclass(frozen=True)
class Scope:
    """The area figures are counted for. Both units None: the whole country.

    ``producer`` (a registry Producer) is a producer account's own organisation; ``nothing`` an
    account that sees no figures (no unit, inactive): every count is zero.
    """

    province: Unit | None = None
    commune: Unit | None = None
    producer: Any = None
    nothing: bool = False

    @property
    def level(self) -> str:
        if self.nothing:
            return NOTHING
        if self.producer is not None:
            return PRODUCER
        if self.commune is not None:
            return COMMUNE
        if self.province is not None:
            return PROVINCE
        return COUNTRY

    @property
    def unit(self) -> Unit | None:
        return self.commune or self.province

    @property
    def label(self) -> str:
        level = self.level
        if level == COUNTRY:
            return _("Toàn quốc")
        if level == PROVINCE:
            return self.province.name
        if level == COMMUNE:
            if self.province is None:
                return self.commune.name
            return f"{self.commune.name}, {self.province.name}"
        if level == PRODUCER:
            return _("Chủ thể %(name)s") % {"name": self.producer.name}
        return "—"

    @property
    def key(self) -> tuple[str, int | None, int | None, int | None]:
        """What identifies the scope in a cache key (ocop.core.datacache)."""
        return (
            self.level,
            getattr(self.province, "pk", None),
            getattr(self.commune, "pk", None),
            getattr(self.producer, "pk", None),
        )

    @property
    def code(self) -> str:
        """The unit's code ("" for the whole country, a producer or nothing)."""
        unit = self.unit if self.level in (PROVINCE, COMMUNE) else None
        return unit.code if unit is not None else ""

    @classmethod
    def of_user(cls, user: Any) -> Scope:
        """The user's view scope, as `ocop.core.scoping` defines it for registry records."""
        area = area_of(user)
        if area == COUNTRY:
            return cls()
        if area == PRODUCER:
            producer = user.producer if user.organisation_id() is not None else None
            return cls(producer=producer) if producer is not None else cls(nothing=True)
        if area == COMMUNE:
            return cls(province=user.scope_province, commune=user.scope_unit)
        if area == PROVINCE:
            return cls(province=user.scope_province)
        return cls(nothing=True)

    def contains(self, unit: Unit) -> bool:
        """Whether ``unit`` (a current province or commune) lies within this scope."""
        level = self.level
        if level == COUNTRY:
            return True
        if level == PROVINCE:
            province_id = unit.pk if unit.level == Level.PROVINCE else unit.current_province_id
            return province_id == self.province.pk
        if level == COMMUNE:
            return unit.pk == self.commune.pk
        return False

    # --- filters on the records (one place for the snapshot, the flows and the yearly figures) ---

    def products(self, prefix: str = "") -> Q | None:
        """Q on Product (``prefix`` e.g. "product__" from a certificate); None: nothing."""
        level = self.level
        if level == NOTHING:
            return None
        if level == PRODUCER:
            return Q(**{f"{prefix}producer_id": self.producer.pk})
        if level == COMMUNE:
            return Q(**{f"{prefix}commune_id": self.commune.pk})
        if level == PROVINCE:
            return Q(**{f"{prefix}province_id": self.province.pk})
        return Q()

    def producers(self, prefix: str = "") -> Q | None:
        """Q on Producer (by the producer's own place; ``prefix`` e.g. "product__producer__" from a
        certificate); None: nothing."""
        level = self.level
        if level == NOTHING:
            return None
        if level == PRODUCER:
            return Q(**{f"{prefix}pk": self.producer.pk})
        if level == COMMUNE:
            return Q(**{f"{prefix}commune_id": self.commune.pk})
        if level == PROVINCE:
            return Q(**{f"{prefix}province_id": self.province.pk})
        return Q()


def area_of(user: Any) -> str:
    """The kind of area the user's view scope covers (a level of `Scope`), without a query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.role in scoping.NATIONAL_ROLES:
        return COUNTRY
    if user.role == scoping.COUNCIL and getattr(user, "scope_unit_id", 0) is None:
        return COUNTRY  # a member of the Ministry's council
    if user.role == scoping.PRODUCER:
        return PRODUCER
    if user.scope_commune_id is not None:
        return COMMUNE
    if user.scope_province_id is not None:
        return PROVINCE
    return NOTHING


def scope_for(user: Any, unit_code: str | None) -> Scope:
    """The scope of ``?unit=<code>``: a current province or commune within the user's own scope
    (none given: the user's scope). An unknown code raises `UnknownUnit`, a unit outside the
    user's scope (or any unit for a producer or an account without figures) `PermissionDenied`;
    both carry a Vietnamese message."""
    own = Scope.of_user(user)
    code = (unit_code or "").strip()
    if not code:
        return own
    unit = (
        Unit.objects.filter(structure=Structure.CURRENT, level__in=(Level.PROVINCE, Level.COMMUNE), code=code)
        .select_related("current_province")
        .first()
    )
    if unit is None:
        raise UnknownUnit(
            _("Không có tỉnh/thành phố hoặc xã/phường hiện hành mang mã “%(code)s”.") % {"code": code[:20]}
        )
    if not own.contains(unit):
        raise PermissionDenied(_("Địa bàn “%(name)s” ngoài phạm vi của bạn.") % {"name": unit.name})
    if unit.level == Level.PROVINCE:
        return Scope(province=unit)
    return Scope(province=unit.current_province, commune=unit)


def year_end(year: int) -> dt.date:
    """31/12 of ``year``, or today for the current year."""
    return min(dt.date(year, 12, 31), today())


def end_of(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the site's time zone (records created on ``day`` are before)."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def today() -> dt.date:
    return clock.today()


__all__ = ["Scope", "UnknownUnit", "scope_for"]
