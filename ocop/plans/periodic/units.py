"""The units a user may make periodic reports for, as offered by the "Lập báo cáo" form and the API.

- the Ministry (central): the country;
- an administrator: the country and every province;
- a province office: its province and its communes;
- a commune office: its commune;
- other roles: none.

The codes are the units' current codes (2 digits: a province, 5 digits: a commune); the country
is ``COUNTRY``. Whatever is offered, the step checks the right again (``ocop.core.scoping``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ocop.core.scoping import ADMIN, CENTRAL, COMMUNE, PROVINCE
from ocop.geo.models import Level, Structure, Unit

COUNTRY = "country"


def _current() -> QuerySet[Unit]:
    return Unit.objects.filter(structure=Structure.CURRENT).select_related("current_province")


def choices(user: Any) -> list[tuple[str, str]]:
    """(code, label) of the units ``user`` may report on, the user's own unit first (two queries at most)."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    options: list[tuple[str, str]] = []
    if role in (ADMIN, CENTRAL):
        options.append((COUNTRY, _("Toàn quốc")))
    if role == ADMIN:
        provinces = _current().filter(level=Level.PROVINCE).order_by("sort_key", "code")
        options += [(unit.code, unit.name) for unit in provinces]
    elif role == PROVINCE and user.scope_province_id is not None:
        province = _current().filter(pk=user.scope_province_id).first()
        if province is not None:
            options.append((province.code, province.name))
            communes = _current().filter(level=Level.COMMUNE, current_province=province)
            options += [(unit.code, f"— {unit.name}") for unit in communes.order_by("sort_key", "code")]
    elif role == COMMUNE and user.scope_commune_id is not None:
        commune = _current().filter(pk=user.scope_commune_id).first()
        if commune is not None:
            options.append((commune.code, commune.name))
    return options


def unit_for(code: str) -> Unit | None:
    """The current province or commune with this code; None for ``COUNTRY`` (or an empty code).

    Raises Unit.DoesNotExist for a code that names no current province or commune.
    """
    code = (code or "").strip()
    if code in ("", COUNTRY):
        return None
    level = Level.PROVINCE if len(code) == 2 else Level.COMMUNE
    return _current().get(code=code, level=level)


def code_of(unit: Unit | None) -> str:
    return COUNTRY if unit is None else unit.code
