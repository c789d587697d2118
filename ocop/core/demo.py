"""Demo data for `ocop demo`: a small, realistic dataset to try the platform with.

The data is a list of sections run in order inside one transaction. Each section reads what
earlier sections made from the shared `DemoContext` (units, users, …) and must be idempotent:
running `ocop demo` twice leaves the database as after one run. Later work adds sections
(producers, products, dossiers, …) by appending to SECTIONS.

Never load this on a production database: every demo account shares one published password.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts.models import Role, User
from ocop.geo.models import Level, Structure, Unit

# One password for every demo account, printed by `ocop demo --print-logins` and in the README.
DEMO_PASSWORD = "ocop-demo-2026"


@dataclass(frozen=True)
class DemoUnit:
    """A current-structure unit the demo needs; codes are the official NSO codes (QĐ 19/2025/QĐ-TTg)."""

    code: str
    level: str
    name: str


# Three provinces in different regions, with one commune each that has well-known OCOP products:
# Lấp Vò (Đồng Tháp: nem, bánh phồng), Lạc Dương (Lâm Đồng: cà phê Arabica), Bát Tràng (Hà Nội: gốm).
DEMO_UNITS: dict[str, DemoUnit] = {
    "82": DemoUnit("82", Level.PROVINCE, "Tỉnh Đồng Tháp"),
    "68": DemoUnit("68", Level.PROVINCE, "Tỉnh Lâm Đồng"),
    "01": DemoUnit("01", Level.PROVINCE, "Thành phố Hà Nội"),
    "30169": DemoUnit("30169", Level.COMMUNE, "Xã Lấp Vò"),
    "24848": DemoUnit("24848", Level.COMMUNE, "Xã Lạc Dương"),
    "00577": DemoUnit("00577", Level.COMMUNE, "Xã Bát Tràng"),
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit_code: str | None  # None: the whole country

    @property
    def email(self) -> str:
        return f"{self.username}@demo.ocop.invalid"


DEMO_USERS: list[DemoUser] = [
    DemoUser("quantri", "Nguyễn Văn An", Role.ADMIN, None),
    DemoUser("trunguong", "Trần Thị Bích Ngọc", Role.CENTRAL, None),
    DemoUser("tinh.dongthap", "Lê Minh Châu", Role.PROVINCE, "82"),
    DemoUser("tinh.lamdong", "Phạm Thị Dung", Role.PROVINCE, "68"),
    DemoUser("tinh.hanoi", "Đỗ Quang Huy", Role.PROVINCE, "01"),
    DemoUser("xa.lapvo", "Võ Thị Hạnh", Role.COMMUNE, "30169"),
    DemoUser("xa.lacduong", "Bùi Văn Khánh", Role.COMMUNE, "24848"),
    DemoUser("xa.battrang", "Ngô Thị Lan", Role.COMMUNE, "00577"),
    DemoUser("hoidong.dongthap", "Đặng Văn Minh", Role.COUNCIL, "82"),
    DemoUser("hoidong.lamdong", "Hồ Thị Thu Trang", Role.COUNCIL, "68"),
    DemoUser("chuthe.lapvo", "Huỳnh Văn Phúc", Role.PRODUCER, "30169"),
    DemoUser("chuthe.battrang", "Trịnh Thị Mai", Role.PRODUCER, "00577"),
    DemoUser("xem.hanoi", "Dương Văn Sơn", Role.VIEWER, "01"),
]


@dataclass
class DemoContext:
    """What the sections share: objects made so far and a writer for progress lines."""

    write: Callable[[str], None]
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, section: str, n: int = 1) -> None:
        self.created[section] = self.created.get(section, 0) + n


def load_units(ctx: DemoContext) -> None:
    """The demo's units must come from `ocop load-units`: the demo never invents administrative units."""
    found = {
        u.code: u
        for u in Unit.objects.filter(structure=Structure.CURRENT, code__in=DEMO_UNITS).select_related(
            "current_province"
        )
    }
    missing = [f"{d.name} ({code})" for code, d in DEMO_UNITS.items() if code not in found]
    if missing:
        raise CommandError(
            _("Thiếu đơn vị hành chính %(units)s: hãy chạy `ocop load-units` trước `ocop demo`.")
            % {"units": ", ".join(missing)}
        )
    for code, unit in found.items():
        if unit.level != DEMO_UNITS[code].level:
            raise CommandError(
                _("Đơn vị %(code)s (%(name)s) không phải cấp %(level)s như dữ liệu mẫu cần.")
                % {"code": code, "name": unit.name, "level": DEMO_UNITS[code].level}
            )
    ctx.units = found


def load_users(ctx: DemoContext) -> None:
    """One account per role and province, made by `ocop user add` itself so that the demo
    goes through exactly the same validation (role ↔ scope unit, password rules) as an operator."""
    existing = set(
        User.objects.filter(username__in=[d.username for d in DEMO_USERS]).values_list("username", flat=True)
    )
    for demo in DEMO_USERS:
        # Existing accounts are left alone: someone may have changed a password on purpose.
        if demo.username not in existing:
            out = StringIO()
            call_command(
                "user",
                "add",
                demo.username,
                role=demo.role,
                unit=demo.unit_code,
                password=DEMO_PASSWORD,
                email=demo.email,
                name=demo.full_name,
                stdout=out,
                stderr=out,
            )
            ctx.count("users")
    ctx.users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}


# (name, loader) in dependency order; later sections may use what earlier ones put in the context.
SECTIONS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("units", load_units),
    ("users", load_users),
]


def load_demo(write: Callable[[str], None] = print) -> DemoContext:
    ctx = DemoContext(write=write)
    with transaction.atomic():
        for _name, loader in SECTIONS:
            loader(ctx)
    return ctx


def demo_logins() -> list[tuple[str, str, str, str, str]]:
    """(username, password, role, scope, full name) of the demo accounts present in the database."""
    units = {u.code: u.name for u in Unit.objects.filter(structure=Structure.CURRENT, code__in=DEMO_UNITS)}
    present = set(
        User.objects.filter(username__in=[d.username for d in DEMO_USERS]).values_list("username", flat=True)
    )
    rows = []
    for demo in DEMO_USERS:
        if demo.username not in present:
            continue
        if demo.unit_code is None:
            scope = _("Toàn quốc")
        else:
            scope = f"{units.get(demo.unit_code, DEMO_UNITS[demo.unit_code].name)} ({demo.unit_code})"
        rows.append((demo.username, DEMO_PASSWORD, str(Role(demo.role).label), scope, demo.full_name))
    return rows
