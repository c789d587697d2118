"""Demo data for `ocop demo`: a small, realistic dataset to try the platform with.

One module although ~820 lines: the demo world reads as one story, its sections in the order
they run, each using what the previous made; most of the lines are the data itself.

The data is a list of sections run in order inside one transaction. Each section reads what
earlier sections made from the shared `DemoContext` (units, users, …) and must be idempotent:
running `ocop demo` twice leaves the database as after one run. Later work adds sections
(dossiers, …) by appending to SECTIONS. Records go through the models' own validation
(full_clean) and save(), so the demo never holds data the UI would reject.

For a national-scale dataset (benchmarks, trials) see ocop.demo.scale.

Never load this on a production database: every demo account shares one published password.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts.models import Role, User
from ocop.certification.rules import add_months
from ocop.geo.models import Level, Structure, Unit
from ocop.registry import change_requests, codes
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import KINH, ChangeRequest, Ethnicity, Gender, LegalForm, Producer, Product

from .oversight import load_oversight

# One password for every demo account, printed by `ocop demo --print-logins` and in the README.
DEMO_PASSWORD = "ocop-demo-2026"


@dataclass(frozen=True)
class DemoUnit:
    """A current-structure unit the demo needs; codes are the official NSO codes (QĐ 19/2025/QĐ-TTg)."""

    code: str
    level: str
    name: str


# Four provinces in different regions, with one commune each that has well-known OCOP products:
# Lấp Vò (Đồng Tháp: nem, bánh phồng), Lạc Dương (Lâm Đồng: cà phê Arabica), Bát Tràng (Hà Nội: gốm),
# Cát Hải (Hải Phòng: nước mắm). The other communes are where the demo's other producers work (sen
# Tháp Mười, cà phê Cầu Đất…; in Hà Nội and Hải Phòng those of the years of history, ocop.demo.plans).
DEMO_UNITS: dict[str, DemoUnit] = {
    "82": DemoUnit("82", Level.PROVINCE, "Tỉnh Đồng Tháp"),
    "68": DemoUnit("68", Level.PROVINCE, "Tỉnh Lâm Đồng"),
    "01": DemoUnit("01", Level.PROVINCE, "Thành phố Hà Nội"),
    "31": DemoUnit("31", Level.PROVINCE, "Thành phố Hải Phòng"),
    "30169": DemoUnit("30169", Level.COMMUNE, "Xã Lấp Vò"),
    "24848": DemoUnit("24848", Level.COMMUNE, "Xã Lạc Dương"),
    "00577": DemoUnit("00577", Level.COMMUNE, "Xã Bát Tràng"),
    "28360": DemoUnit("28360", Level.COMMUNE, "Xã Cái Bè"),
    "29905": DemoUnit("29905", Level.COMMUNE, "Phường Sa Đéc"),
    "30037": DemoUnit("30037", Level.COMMUNE, "Xã Tháp Mười"),
    "24805": DemoUnit("24805", Level.COMMUNE, "Phường Xuân Trường - Đà Lạt"),
    "24823": DemoUnit("24823", Level.COMMUNE, "Phường 1 Bảo Lộc"),
    "00166": DemoUnit("00166", Level.COMMUNE, "Phường Cầu Giấy"),
    "09556": DemoUnit("09556", Level.COMMUNE, "Phường Hà Đông"),
    # Hà Nội's years of history (ocop.demo.plans): làng Chuông, Cự Đà, Ba Vì, Ước Lễ, Phú Vinh…
    "10114": DemoUnit("10114", Level.COMMUNE, "Xã Thanh Oai"),
    "10126": DemoUnit("10126", Level.COMMUNE, "Xã Bình Minh"),
    "09694": DemoUnit("09694", Level.COMMUNE, "Xã Suối Hai"),
    "09706": DemoUnit("09706", Level.COMMUNE, "Xã Yên Bài"),
    "10180": DemoUnit("10180", Level.COMMUNE, "Xã Dân Hòa"),
    "10030": DemoUnit("10030", Level.COMMUNE, "Xã Phú Nghĩa"),
    "00640": DemoUnit("00640", Level.COMMUNE, "Xã Thanh Trì"),
    "09574": DemoUnit("09574", Level.COMMUNE, "Phường Sơn Tây"),
    "10369": DemoUnit("10369", Level.COMMUNE, "Xã Ứng Thiên"),
    # Hải Phòng's, former Hải Dương included (merged on 01/07/2025): Cát Hải, Thanh Hà, Ninh Giang…
    "11914": DemoUnit("11914", Level.COMMUNE, "Đặc khu Cát Hải"),
    "11383": DemoUnit("11383", Level.COMMUNE, "Phường Lê Chân"),
    "11680": DemoUnit("11680", Level.COMMUNE, "Xã Kiến Thụy"),
    "11146": DemoUnit("11146", Level.COMMUNE, "Xã Nguyên Giáp"),
    "10813": DemoUnit("10813", Level.COMMUNE, "Xã Thanh Hà"),
    "11203": DemoUnit("11203", Level.COMMUNE, "Xã Ninh Giang"),
    "10546": DemoUnit("10546", Level.COMMUNE, "Phường Chí Linh"),
}

# A former commune (before 01/07/2025): xoài cát Hòa Lộc comes from Xã Hòa Hưng, Huyện Cái Bè, Tỉnh
# Tiền Giang, now part of Xã An Hữu, Đồng Tháp. Old records keep their old place; the demo shows one.
DEMO_FORMER_UNITS: dict[str, DemoUnit] = {
    "28432": DemoUnit("28432", Level.COMMUNE, "Xã Hòa Hưng"),
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
    DemoUser("tinh.haiphong", "Vũ Đức Thắng", Role.PROVINCE, "31"),
    DemoUser("xa.lapvo", "Võ Thị Hạnh", Role.COMMUNE, "30169"),
    DemoUser("xa.lacduong", "Bùi Văn Khánh", Role.COMMUNE, "24848"),
    DemoUser("xa.battrang", "Ngô Thị Lan", Role.COMMUNE, "00577"),
    DemoUser("hoidong.dongthap", "Đặng Văn Minh", Role.COUNCIL, "82"),
    DemoUser("hoidong.lamdong", "Hồ Thị Thu Trang", Role.COUNCIL, "68"),
    # The Đồng Tháp council of the demo round: chair, two more members and the secretary.
    DemoUser("chutich.dongthap", "Nguyễn Thành Long", Role.COUNCIL, "82"),
    DemoUser("hoidong2.dongthap", "Trương Thị Kim Yến", Role.COUNCIL, "82"),
    DemoUser("thuky.dongthap", "Phan Văn Lộc", Role.COUNCIL, "82"),
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
    producers: dict[str, Producer] = field(default_factory=dict)  # by tax code
    products: dict[str, Product] = field(default_factory=dict)  # by name
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


# --- producers and products ---------------------------------------------------------------------

# The history tab of every demo record says where it came from.
DEMO_REASON = "Dữ liệu mẫu (ocop demo)"


def demo_tax_code(prefix: str, number: int) -> str:
    """A well-formed tax code: 2-digit tax-office prefix, 7-digit sequence, the real check digit.

    A sequence whose check digit would be 10 has no valid code: the next sequence is taken instead.
    """
    while True:
        first9 = f"{prefix}{number:07d}"
        check = codes.tax_code_check_digit(first9)
        if check is not None:
            return f"{first9}{check}"
        number += 1


def demo_gtin(number: int) -> str:
    """A GTIN-13 under GS1 Việt Nam's prefix 893 with the real check digit."""
    body = f"893{number:09d}"
    return f"{body}{codes.gtin_check_digit(body)}"


@dataclass(frozen=True)
class DemoProduct:
    name: str
    classification_set: str
    description: str = ""
    packaging: str = ""
    gtin: str = ""
    # Made elsewhere than at the producer's seat, e.g. in a former commune (then former_unit=True).
    unit_code: str | None = None
    former_unit: bool = False
    legacy_code: str = ""


@dataclass(frozen=True)
class DemoProducer:
    name: str
    producer_type: str
    unit_code: str
    tax_code: str
    representative: tuple[str, str, str, str]  # name, position, gender, ethnicity code
    products: tuple[DemoProduct, ...]
    legal_form: str = ""
    community_capital_share: Decimal | None = None
    registration_date: date | None = None
    workforce: tuple[int, int] | None = None  # total, local
    address: str = ""
    account: str | None = None  # the demo `producer` account acting for this chủ thể


# Tax-office prefixes (N1N2 of a tax code): 01 Hà Nội, 12 Tiền Giang, 14 Đồng Tháp, 58 Lâm Đồng;
# 80… is a personal tax code (a household business). Every producer type appears at least once.
DEMO_PRODUCERS: list[DemoProducer] = [
    # --- Đồng Tháp ---
    DemoProducer(
        "Hợp tác xã Nông nghiệp Lấp Vò",
        ProducerType.HTX,
        "30169",
        demo_tax_code("14", 2_046_173),
        ("Huỳnh Văn Phúc", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Nem Lấp Vò",
                "B08",
                "Nem chua gói lá chuối, lên men tự nhiên.",
                "Gói 10 chiếc, 500 g",
                demo_gtin(100_000_011),
            ),
            DemoProduct(
                "Bánh phồng nếp Lấp Vò", "B06", "Bánh phồng nếp cái hoa vàng, phơi nắng.", "Túi 400 g"
            ),
            DemoProduct("Quýt hồng Lấp Vò", "B01", "Quýt hồng tươi, thu hoạch vụ Tết.", "Hộp 3 kg"),
        ),
        registration_date=date(2018, 3, 12),
        workforce=(42, 38),
        address="Ấp Bình Hiệp A, xã Lấp Vò",
        account="chuthe.lapvo",
    ),
    DemoProducer(
        "Hộ kinh doanh Nguyễn Thị Thu",
        ProducerType.HO_SX,
        "30169",
        demo_tax_code("80", 3_301_452),
        ("Nguyễn Thị Thu", "Chủ hộ", Gender.FEMALE, KINH),
        (DemoProduct("Mắm cá lóc Lấp Vò", "B09", "Mắm cá lóc ủ chượp sáu tháng.", "Hũ 500 g"),),
        registration_date=date(2020, 8, 1),
        workforce=(6, 6),
    ),
    DemoProducer(
        "Tổ hợp tác Sen Tháp Mười",
        ProducerType.THT,
        "30037",
        demo_tax_code("14", 2_118_905),
        ("Lê Thị Hồng", "Tổ trưởng", Gender.FEMALE, KINH),
        (
            DemoProduct("Trà tim sen Tháp Mười", "B12", "Tim sen sấy lạnh.", "Hộp 100 g"),
            DemoProduct(
                "Hạt sen sấy Tháp Mười", "B07", "Hạt sen sấy giòn.", "Túi 250 g", demo_gtin(100_000_028)
            ),
        ),
        registration_date=date(2019, 5, 20),
        workforce=(15, 15),
    ),
    DemoProducer(
        "Công ty Cổ phần Thực phẩm Sa Đéc",
        ProducerType.DN_SME,
        "29905",
        demo_tax_code("14", 57_219),
        ("Phan Minh Tâm", "Tổng giám đốc", Gender.MALE, Ethnicity.HOA),
        (
            DemoProduct(
                "Bánh phồng tôm Sa Giang",
                "B08",
                "Bánh phồng tôm từ tôm sú và bột năng.",
                "Hộp 200 g",
                demo_gtin(100_000_035),
            ),
            DemoProduct(
                "Hủ tiếu Sa Đéc", "B06", "Hủ tiếu khô từ gạo Đồng Tháp.", "Gói 500 g", demo_gtin(100_000_042)
            ),
        ),
        legal_form=LegalForm.JSC,
        community_capital_share=Decimal("12.50"),
        registration_date=date(2006, 1, 9),
        workforce=(180, 150),
    ),
    DemoProducer(
        "Hợp tác xã Xoài cát Hòa Lộc",
        ProducerType.HTX,
        "28360",
        demo_tax_code("12", 1_523_760),
        ("Trần Văn Lộc", "Giám đốc", Gender.MALE, KINH),
        (
            # Grown in former Xã Hòa Hưng (Huyện Cái Bè, Tiền Giang), now in Xã An Hữu: the record keeps
            # the old place and the old code it was certified under; the current commune is derived.
            DemoProduct(
                "Xoài cát Hòa Lộc",
                "B01",
                "Xoài cát Hòa Lộc, có chỉ dẫn địa lý.",
                "Thùng 5 kg",
                unit_code="28432",
                former_unit=True,
                legacy_code="82-819-28432-1-2021",
            ),
            DemoProduct("Xoài sấy dẻo Hòa Lộc", "B07", "Xoài cát sấy dẻo không đường.", "Túi 200 g"),
        ),
        registration_date=date(2015, 11, 3),
        workforce=(60, 58),
    ),
    # --- Lâm Đồng ---
    DemoProducer(
        "Hợp tác xã Cà phê Lạc Dương",
        ProducerType.HTX,
        "24848",
        demo_tax_code("58", 1_207_331),
        ("Kră Jăn Ha Ni", "Giám đốc", Gender.FEMALE, Ethnicity.CO_HO),
        (
            DemoProduct(
                "Cà phê Arabica Lạc Dương rang xay",
                "B13",
                "Arabica trồng dưới tán rừng Lang Biang.",
                "Túi 500 g",
                demo_gtin(100_000_059),
            ),
            DemoProduct("Cà phê Arabica Lang Biang nhân xanh", "B13", "Nhân xanh sơ chế ướt.", "Bao 30 kg"),
        ),
        registration_date=date(2017, 7, 14),
        workforce=(35, 33),
    ),
    DemoProducer(
        "Trang trại Dâu tây Lang Biang",
        ProducerType.TRANG_TRAI,
        "24848",
        demo_tax_code("58", 1_304_118),
        ("Bùi Thị Ngọc", "Chủ trang trại", Gender.FEMALE, KINH),
        (DemoProduct("Mứt dâu tây Lang Biang", "B07", "Mứt dâu tây Đà Lạt ít đường.", "Hũ 300 g"),),
        registration_date=date(2021, 2, 22),
        workforce=(12, 10),
    ),
    DemoProducer(
        "Công ty TNHH Cà phê Cầu Đất",
        ProducerType.DN_SME,
        "24805",
        demo_tax_code("58", 962_405),
        ("Nguyễn Hoàng Phi", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Cà phê Arabica Cầu Đất",
                "B13",
                "Arabica Cầu Đất rang mộc.",
                "Túi 250 g",
                demo_gtin(100_000_066),
            ),
            DemoProduct(
                "Trà atiso túi lọc Đà Lạt", "B12", "Trà atiso từ bông, lá và rễ atiso.", "Hộp 20 túi"
            ),
            DemoProduct("Cao atiso Đà Lạt", "B18", "Cao atiso đặc.", "Hũ 200 g"),
        ),
        legal_form=LegalForm.LLC,
        registration_date=date(2012, 4, 2),
        workforce=(48, 40),
    ),
    DemoProducer(
        "Doanh nghiệp tư nhân Trà Bảo Lộc",
        ProducerType.DN_SME,
        "24823",
        demo_tax_code("58", 401_276),
        ("Vũ Thị Phương", "Chủ doanh nghiệp", Gender.FEMALE, KINH),
        (
            DemoProduct(
                "Trà Ô long Bảo Lộc", "B11", "Trà ô long cuộn viên.", "Hộp 200 g", demo_gtin(100_000_073)
            ),
            DemoProduct("Hồng trà Bảo Lộc", "B11", "Hồng trà lên men toàn phần.", "Hộp 100 g"),
        ),
        legal_form=LegalForm.PRIVATE,
        registration_date=date(2009, 10, 19),
        workforce=(25, 22),
    ),
    # --- Hà Nội ---
    DemoProducer(
        "Hợp tác xã Gốm sứ Bát Tràng",
        ProducerType.HTX,
        "00577",
        demo_tax_code("01", 6_512_084),
        ("Trịnh Thị Mai", "Giám đốc", Gender.FEMALE, KINH),
        (
            DemoProduct("Bình gốm men rạn Bát Tràng", "B21", "Bình gốm men rạn cổ, vẽ tay.", "Hộp gỗ"),
            DemoProduct(
                "Bộ ấm chén men lam Bát Tràng",
                "B21",
                "Ấm chén gốm men lam.",
                "Hộp 1 ấm 6 chén",
                demo_gtin(100_000_080),
            ),
        ),
        registration_date=date(2011, 6, 6),
        workforce=(70, 64),
        address="Thôn Giang Cao, xã Bát Tràng",
        account="chuthe.battrang",
    ),
    DemoProducer(
        "Hội Gốm sứ Bát Tràng",
        ProducerType.TOURISM_ORG,
        "00577",
        demo_tax_code("01", 7_845_301),
        ("Lê Văn Cường", "Chủ tịch hội", Gender.MALE, KINH),
        (DemoProduct("Điểm du lịch làng gốm Bát Tràng", "B26", "Tham quan lò gốm, tự tay làm gốm."),),
        registration_date=date(2013, 9, 2),
    ),
    DemoProducer(
        "Hộ kinh doanh Cốm làng Vòng Nguyễn Thị Hòa",
        ProducerType.HO_SX,
        "00166",
        demo_tax_code("80", 2_117_936),
        ("Nguyễn Thị Hòa", "Chủ hộ", Gender.FEMALE, KINH),
        (
            DemoProduct("Cốm làng Vòng", "B06", "Cốm non giã tay, gói lá sen.", "Gói 500 g"),
            DemoProduct("Bánh cốm làng Vòng", "B06", "Bánh cốm nhân đỗ xanh.", "Hộp 6 chiếc"),
        ),
        registration_date=date(2016, 1, 15),
        workforce=(8, 8),
    ),
    DemoProducer(
        "Tổ hợp tác Dệt lụa Vạn Phúc",
        ProducerType.THT,
        "09556",
        demo_tax_code("01", 8_803_517),
        ("Triệu Văn Khoa", "Tổ trưởng", Gender.MALE, Ethnicity.DAO),
        (DemoProduct("Khăn lụa tơ tằm Vạn Phúc", "B22", "Khăn lụa dệt thủ công.", "Hộp 1 chiếc"),),
        registration_date=date(2019, 12, 1),
        workforce=(18, 16),
    ),
]


def _unit(code: str, structure: str = Structure.CURRENT) -> Unit:
    try:
        return Unit.objects.select_related("current_province").get(structure=structure, code=code)
    except Unit.DoesNotExist:
        raise CommandError(
            _("Thiếu đơn vị hành chính %(code)s: hãy chạy `ocop load-units` trước `ocop demo`.")
            % {"code": code}
        ) from None


def load_producers(ctx: DemoContext, producers: list[DemoProducer] = DEMO_PRODUCERS) -> None:
    """The demo chủ thể, keyed on their tax code; each is validated like a form would (full_clean)."""
    existing = {p.tax_code: p for p in Producer.objects.filter(tax_code__in=[d.tax_code for d in producers])}
    for demo in producers:
        producer = existing.get(demo.tax_code)
        if producer is None:
            rep_name, rep_position, rep_gender, rep_ethnicity = demo.representative
            total, local = demo.workforce or (None, None)
            producer = Producer(
                name=demo.name,
                producer_type=demo.producer_type,
                unit=ctx.units.get(demo.unit_code) or _unit(demo.unit_code),
                tax_code=demo.tax_code,
                legal_form=demo.legal_form,
                community_capital_share=demo.community_capital_share,
                registration_date=demo.registration_date,
                representative_name=rep_name,
                representative_position=rep_position,
                representative_gender=rep_gender,
                representative_ethnicity=rep_ethnicity,
                address=demo.address,
                email=f"lienhe.{demo.tax_code}@demo.ocop.invalid",
                workforce_total=total,
                workforce_local=local,
            )
            producer.full_clean()
            producer._change_reason = DEMO_REASON
            producer.save()
            ctx.count("producers")
        ctx.producers[demo.tax_code] = producer
        # A producer account acts for its chủ thể; an account someone already linked is left alone.
        user = ctx.users.get(demo.account) if demo.account else None
        if user is not None and user.producer_id is None:
            user.producer = producer
            user.full_clean()
            user._change_reason = DEMO_REASON
            user.save(update_fields=["producer"])


def load_products(ctx: DemoContext, producers: list[DemoProducer] = DEMO_PRODUCERS) -> None:
    """The demo products, keyed on (producer, name); their codes come from the commune counters."""
    for demo in producers:
        producer = ctx.producers[demo.tax_code]
        existing = {p.name: p for p in producer.products.all()}
        for item in demo.products:
            product = existing.get(item.name)
            if product is None:
                if item.unit_code is None:
                    unit = producer.unit
                elif item.former_unit:
                    unit = _unit(item.unit_code, Structure.FORMER)
                else:
                    unit = ctx.units.get(item.unit_code) or _unit(item.unit_code)
                product = Product(
                    name=item.name,
                    producer=producer,
                    unit=unit,
                    classification_set=item.classification_set,
                    description=item.description,
                    packaging=item.packaging,
                    gtin=item.gtin,
                    legacy_code=item.legacy_code,
                )
                product.full_clean()
                product._change_reason = DEMO_REASON
                product.save()
                ctx.count("products")
            ctx.products[item.name] = product


# --- certificates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCertificate:
    """A certificate of a demo product. Dates are months before the day the demo is loaded, so that
    every status is there whenever it is loaded (valid, expiring soon, expired, revoked, superseded)."""

    product: str
    star: int
    months_ago: int | None = None
    issue_date: date | None = None  # a fixed date for records made under the former units
    authority: str | None = None  # default: the UBND of the product's current province
    level: str = "province"
    revoked_months_ago: int | None = None
    revocation_ground: str = ""
    upgraded_to: tuple[int, int] | None = None  # (star, months ago) of the certificate replacing it
    potential_5_star: bool = False


DEMO_CERTIFICATES: list[DemoCertificate] = [
    DemoCertificate("Nem Lấp Vò", 4, months_ago=34),  # expires within about two months
    DemoCertificate("Bộ ấm chén men lam Bát Tràng", 3, months_ago=35),  # expires within a month
    DemoCertificate("Bánh phồng nếp Lấp Vò", 3, months_ago=40),  # expired
    DemoCertificate("Trà tim sen Tháp Mười", 3, months_ago=44),  # expired
    DemoCertificate("Hạt sen sấy Tháp Mười", 3, months_ago=20, revoked_months_ago=3, revocation_ground="b"),
    DemoCertificate("Bánh phồng tôm Sa Giang", 3, months_ago=26, upgraded_to=(4, 8)),  # nâng hạng
    # In its re-evaluation window (180–120 days before expiry): on the province's "Việc cần làm".
    DemoCertificate("Hủ tiếu Sa Đéc", 3, months_ago=31),
    # Removed from the programme by an inspection (ocop.demo.oversight).
    DemoCertificate("Xoài sấy dẻo Hòa Lộc", 3, months_ago=15),
    # Recognised by the former district (QĐ 148: districts recognised 3★ until 30/06/2025).
    DemoCertificate(
        "Xoài cát Hòa Lộc", 3, issue_date=date(2024, 6, 14), authority="UBND huyện Cái Bè", level="district"
    ),
    DemoCertificate(
        "Cà phê Arabica Cầu Đất", 5, months_ago=5, authority="Bộ Nông nghiệp và Môi trường", level="central"
    ),
    DemoCertificate("Cà phê Arabica Lạc Dương rang xay", 4, months_ago=14),
    DemoCertificate("Trà Ô long Bảo Lộc", 4, months_ago=10, potential_5_star=True),
    DemoCertificate("Trà atiso túi lọc Đà Lạt", 3, months_ago=18),
    DemoCertificate("Bình gốm men rạn Bát Tràng", 4, months_ago=6),
    DemoCertificate("Cốm làng Vòng", 3, months_ago=16),
    DemoCertificate("Điểm du lịch làng gốm Bát Tràng", 3, months_ago=9),
]


MINISTRY_MERGED = date(2025, 3, 1)


def _demo_decision(
    ctx: DemoContext, kind: str, authority: str, level: str, day: date, product: Product
) -> Any:
    """One decision per authority, day and kind, with a stable number (found again on a second run)."""
    from ocop.certification.models import Decision, legal_basis_on

    sequence = day.timetuple().tm_yday * 7 + (3 if kind == "revocation" else 0)
    # The Ministry: Bộ Nông nghiệp và Phát triển nông thôn until it merged into Bộ Nông nghiệp và Môi trường.
    ministry = "QĐ-BNN-VPĐP" if day < MINISTRY_MERGED else "QĐ-BNNMT"
    suffix = ministry if level == "central" else "QĐ-UBND"
    number = f"{sequence}/{suffix}"
    decision = Decision.objects.filter(number=number, date=day, authority=authority, kind=kind).first()
    if decision is None:
        decision = Decision(
            number=number,
            date=day,
            kind=kind,
            authority=authority,
            authority_level=level,
            legal_basis=legal_basis_on(day).value,
            province=None if level == "central" else product.province,
        )
        decision.full_clean()
        decision._change_reason = DEMO_REASON
        decision.save()
        ctx.count("decisions")
    return decision


def load_certificates(ctx: DemoContext) -> None:
    """Certificates of the demo products; a product that already has one is left alone."""
    from ocop.demo.scale import evaluation_models

    if evaluation_models() is None:  # the evaluation app has no certificates yet
        return
    from ocop.certification.models import Certificate, DecisionKind, legal_basis_on

    today = timezone.localdate()
    certified = set(
        Certificate.objects.filter(product__in=ctx.products.values()).values_list("product_id", flat=True)
    )

    def issue(item: DemoCertificate, product: Product, star: int, day: date, level: str, authority: str):
        decision = _demo_decision(ctx, DecisionKind.RECOGNITION, authority, level, day, product)
        certificate = Certificate(
            product=product, decision=decision, star=star, issue_date=day,
            legal_basis=legal_basis_on(day).value, potential_5_star=item.potential_5_star and star == 4,
        )  # fmt: skip
        certificate.full_clean()
        certificate._change_reason = DEMO_REASON
        certificate.save()
        ctx.count("certificates")
        return certificate

    for item in DEMO_CERTIFICATES:
        product = ctx.products.get(item.product)
        if product is None or product.pk in certified:
            continue
        province_authority = f"UBND {product.province.name[:1].lower()}{product.province.name[1:]}"
        day = item.issue_date or add_months(today, -item.months_ago)
        certificate = issue(item, product, item.star, day, item.level, item.authority or province_authority)
        last = certificate
        if item.upgraded_to is not None:
            star, months_ago = item.upgraded_to
            last = issue(item, product, star, add_months(today, -months_ago), "province", province_authority)
            certificate.superseded_by = last
            certificate.full_clean()
            certificate._change_reason = DEMO_REASON
            certificate.save(update_fields=["superseded_by"])
        if item.revoked_months_ago is not None:
            revoked = add_months(today, -item.revoked_months_ago)
            last.revoked_on = revoked
            last.revocation_ground = item.revocation_ground
            last.revocation_decision = _demo_decision(
                ctx, DecisionKind.REVOCATION, province_authority, "province", revoked, product
            )
            last.full_clean()
            last._change_reason = DEMO_REASON
            last.save(update_fields=["revoked_on", "revocation_ground", "revocation_decision"])
        # The star and the status come from the certificates; the stored stage is just "registered".
        if product.status == ProductStatus.POTENTIAL:
            product.status = ProductStatus.REGISTERED.value
            product.full_clean()
            product._change_reason = DEMO_REASON
            product.save(update_fields=["status"])


# --- evaluation workflow ---------------------------------------------------------------------------

# The Đồng Tháp round of this half-year, seated as the law wants it (chair, members by department,
# secretary): one product already recognised from it, one being scored blind right now (the chair
# has sent; the two members have not), and a re-evaluation dossier waiting at the commune.
DEMO_COUNCIL = (
    ("chutich.dongthap", "chair", "UBND tỉnh Đồng Tháp"),
    ("hoidong.dongthap", "member", "Sở Nông nghiệp và Môi trường"),
    ("hoidong2.dongthap", "member", "Sở Công Thương"),
    ("thuky.dongthap", "secretary", "Văn phòng Điều phối nông thôn mới tỉnh"),
)
DEMO_RECOGNISED = "Quýt hồng Lấp Vò"
DEMO_SCORING = "Mắm cá lóc Lấp Vò"
DEMO_AT_COMMUNE = "Nem Lấp Vò"


def _demo_answers(sheet: Any, target: int, shift: int = 0) -> dict[str, int]:
    """Best options, then unmarked criteria lowered one step at a time down to ``target`` points."""
    from ocop.evaluation.scoring import member_total

    answers = {c.code: max(c.options, key=lambda o: o.points).position for c in sheet.criteria}
    candidates = [c for c in sheet.criteria if not c.marks and c.applies_if is None]
    for criterion in candidates[shift:] + candidates[:shift]:
        while answers[criterion.code] > 1 and member_total(sheet, answers) > target:
            answers[criterion.code] -= 1
    return answers


def _forwarded_dossier(ctx: DemoContext, product: Product) -> Any:
    from ocop.evaluation import workflow

    commune = ctx.users["xa.lapvo"]
    # The producer's own account prepares its dossier; the commune registers it for those without one.
    producer_user = ctx.users["chuthe.lapvo"]
    if producer_user.organisation_id() != product.producer_id:
        producer_user = commune
    dossier = workflow.create_dossier(producer_user, product)
    workflow.update_forms(
        producer_user,
        dossier,
        registration={
            "product_name": product.name,
            "applicant": "Huỳnh Văn Phúc",
            "phone": "0277 3680 123",
            "output": "120 tấn/năm",
        },
        self_assessment={
            "summary": "Sản phẩm sản xuất ổn định từ năm 2019, vùng nguyên liệu đạt VietGAP.",
            "plan": "Mở rộng kênh thương mại điện tử và xuất khẩu sang Singapore.",
        },
    )
    workflow.submit(producer_user, dossier)
    workflow.receive(commune, dossier)
    workflow.assess_commune(
        commune,
        dossier,
        {
            "origin": {"text": "Nguyên liệu trồng tại xã Lấp Vò, có hợp đồng liên kết.", "meets": True},
            "labour": {"text": "Lao động địa phương chiếm trên 80%.", "meets": True},
            "idea": {"text": "Sản phẩm đặc trưng của địa phương.", "meets": True},
            "identity": {"text": "Gắn với làng nghề truyền thống Lấp Vò.", "meets": True},
            "conclusion": "Đề nghị UBND tỉnh tổ chức đánh giá, phân hạng.",
        },
    )
    workflow.forward(commune, dossier)
    return dossier


def load_evaluation(ctx: DemoContext) -> None:
    """A round in progress with its council, a recognised product and dossiers at each step."""
    from ocop.evaluation import workflow
    from ocop.evaluation.models import Round

    province = ctx.units["82"]
    office = ctx.users["tinh.dongthap"]
    today = timezone.localdate()
    number = 1 if today.month <= 6 else 2
    if Round.objects.filter(level="province", province=province, year=today.year, number=number).exists():
        return
    round_ = workflow.open_round(office, level="province", year=today.year, number=number, province=province)
    ctx.count("rounds")
    seats = {}
    for username, role, department in DEMO_COUNCIL:
        workflow.add_member(office, round_, ctx.users[username], role, department)
        seats[role if role != "member" else username] = ctx.users[username]
    scorers = [ctx.users[username] for username, role, _d in DEMO_COUNCIL if role != "secretary"]

    recognised = ctx.products[DEMO_RECOGNISED]
    evaluation = workflow.add_to_round(
        office, _forwarded_dossier(ctx, recognised), round_, "Hồ sơ đầy đủ, đã kiểm tra thực tế vùng trồng."
    )
    sheet = evaluation.get_sheet()
    for shift, (user, target) in enumerate(zip(scorers, (82, 80, 78), strict=True)):
        workflow.declare(user, evaluation, has_conflict=False)
        workflow.save_sheet(user, evaluation, _demo_answers(sheet, target, shift), submit=True)
    workflow.record_consensus(seats["secretary"], evaluation, _demo_answers(sheet, 80))
    workflow.close(seats["chair"], evaluation)
    evaluation.refresh_from_db()
    workflow.recognise(
        office,
        [evaluation],
        number=f"{today.timetuple().tm_yday * 7 + 1}/QĐ-UBND",
        date=today,
        authority="UBND tỉnh Đồng Tháp",
        signer="Phó Chủ tịch UBND tỉnh",
    )
    ctx.count("certificates")

    scoring = ctx.products[DEMO_SCORING]
    in_progress = workflow.add_to_round(office, _forwarded_dossier(ctx, scoring), round_)
    chair = seats["chair"]
    workflow.declare(chair, in_progress, has_conflict=False)
    workflow.save_sheet(chair, in_progress, _demo_answers(in_progress.get_sheet(), 74), submit=True)
    ctx.count("dossiers", 2)

    # A re-evaluation that came late: the 180–120-day window (Art. 7.6.a) had passed, so the
    # producer files a new first-time dossier while the certificate is still valid.
    nem = ctx.products[DEMO_AT_COMMUNE]
    producer_user = ctx.users["chuthe.lapvo"]
    dossier = workflow.create_dossier(producer_user, nem, kind="first")
    workflow.update_forms(
        producer_user,
        dossier,
        registration={"product_name": nem.name, "applicant": "Huỳnh Văn Phúc", "phone": "0277 3680 123"},
        self_assessment={"summary": "Cập nhật phiếu kiểm nghiệm định kỳ và bao bì mới."},
    )
    workflow.submit(producer_user, dossier)
    # The commune sent it back once for a missing test report, and the producer added it: the
    # "cần bổ sung" loop, with its notifications, as the officers and the producer will meet it.
    workflow.return_dossier(
        ctx.users["xa.lapvo"],
        dossier,
        "Phiếu kết quả kiểm nghiệm đã quá 12 tháng: bổ sung phiếu kiểm nghiệm chỉ tiêu vi sinh còn hiệu lực.",
    )
    workflow.update_forms(
        producer_user,
        dossier,
        self_assessment={"summary": "Cập nhật phiếu kiểm nghiệm định kỳ (đã bổ sung) và bao bì mới."},
    )
    workflow.submit(producer_user, dossier)
    ctx.count("dossiers")


def load_change_requests(ctx: DemoContext) -> None:
    """One pending change request for the officers' queue: Lấp Vò's producer asks for new packaging
    of its recognised product (made through the same rules as the page)."""
    user = ctx.users["chuthe.lapvo"]
    if ChangeRequest.objects.filter(requested_by=user).exists():
        return
    for product in Product.objects.filter(producer_id=user.producer_id).order_by("pk"):
        if product.current_certificate is not None:
            change_requests.submit(
                user,
                product,
                {"packaging": "Hộp giấy kraft 500 g, có cửa sổ nhìn sản phẩm"},
                "Đổi bao bì theo yêu cầu của nhà phân phối; thành phần và tiêu chuẩn giữ nguyên.",
            )
            ctx.count("change_requests")
            return


def load_history(ctx: DemoContext) -> None:
    """Years of certificates in Hà Nội and Hải Phòng (ocop.demo.plans, which builds on this module,
    hence imported here). Before oversight: the Ministry's 5★ plan takes in Hà Nội's 5★ producer."""
    from .plans import load_history as load

    load(ctx)


def load_plans(ctx: DemoContext) -> None:
    """Programme plans with their targets, and manual indicator values (ocop.demo.plans)."""
    from .plans import load_plans as load

    load(ctx)


# (name, loader) in dependency order; later sections may use what earlier ones put in the context.
def load_reports(ctx: DemoContext) -> None:
    """Hà Nội's six-month report, generated and filed (ocop.demo.plans.reports)."""
    from .plans.reports import load_reports as load

    load(ctx)


SECTIONS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("units", load_units),
    ("users", load_users),
    ("producers", load_producers),
    ("products", load_products),
    ("certificates", load_certificates),
    ("evaluation", load_evaluation),
    ("change_requests", load_change_requests),
    ("history", load_history),
    ("oversight", load_oversight),
    ("plans", load_plans),
    ("reports", load_reports),
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
