"""`ocop demo --scale national`: a national-size synthetic registry for benchmarks and trials.

One module although ~700 lines: one generator (`Generator`, ~450 lines) whose steps share its
random state and the rows made so far; a split would only pass that state between modules.

NEVER on a production database: the data is invented (names, tax codes, GTINs, decisions), and it
is written in bulk. It exists so that list pages, searches, imports and statistics can be measured
and tried at the size of the real programme: all 34 provinces, ~10,000 chủ thể, ~20,000 products
and five years of ratings (certificates 2021–2026: mostly 3★, fewer 4★, ~1% 5★; some expired,
revoked, or superseded by an upgrade or a re-evaluation).

Speed: rows are made in Python and written with bulk_create in batches inside one transaction,
so save() does not run. Every field save() would derive is therefore computed here with the
models' own code: `locate()` (current province/commune from the unit), `refresh_search()` (folded
search column and sort key), product codes from codes.format_product_code with the per-commune
sequence continued from ProductCodeCounter (whose rows are then moved forward, so products created
later continue the sequence), certificate expiry/legal basis/code the way Certificate.save() makes
them (CertificateCodeCounter moved forward too). History gets one "created" row per record, as the
normal path would write. The same seed on the same day gives the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.management.base import CommandError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.certification.rules import add_months, certificate_expiry
from ocop.geo.models import Level, Structure, Unit, UnitSuccession
from ocop.geo.sources import short_name
from ocop.registry import codes
from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import (
    KINH,
    Ethnicity,
    Gender,
    LegalForm,
    Producer,
    ProducerStatus,
    Product,
    ProductCodeCounter,
)

SCALES = {"national": {"producers": 10_000, "products": 20_000}}
DEFAULT_SEED = 2026
BATCH = 2_000
# Every generated producer's e-mail ends with this: it marks the data as generated (see
# `generated_exists`) and never reaches anyone (.invalid is a reserved top-level domain).
MARK_DOMAIN = "scale.ocop.invalid"
REASON = "Dữ liệu quy mô quốc gia (ocop demo --scale national), chỉ để đo hiệu năng và dùng thử"
FIRST_YEAR = 2021

# --- vocabulary ---------------------------------------------------------------------------------
# fmt: off

SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4),
    ("Vũ", 4), ("Võ", 4), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 1),
    ("Lý", 1), ("Đinh", 1), ("Lương", 1), ("Trịnh", 1), ("Mai", 1),
]
MIDDLE = {Gender.MALE: ["Văn", "Minh", "Quang", "Đức", "Hữu", "Thanh", "Công"],
          Gender.FEMALE: ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh"]}
GIVEN = {
    Gender.MALE: ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Quân",
                  "Sơn", "Tài", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Lộc"],
    Gender.FEMALE: ["Anh", "Chi", "Dung", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
                    "Ngọc", "Oanh", "Phương", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Xuân"],
}
MINORITIES = [Ethnicity.TAY, Ethnicity.THAI, Ethnicity.MUONG, Ethnicity.KHMER, Ethnicity.HMONG,
              Ethnicity.NUNG, Ethnicity.DAO, Ethnicity.E_DE, Ethnicity.CO_HO, Ethnicity.HOA]
STEMS = ["Nông nghiệp", "Dịch vụ nông nghiệp", "Nông sản sạch", "Sản xuất và Thương mại", "Chế biến nông sản",
         "Thủy sản", "Chăn nuôi", "Làng nghề", "Dược liệu", "Thực phẩm", "Xanh", "Hữu cơ"]
BRANDS = ["Phú Quý", "An Khang", "Hưng Thịnh", "Tâm Đức", "Việt Xanh", "Kim Ngân", "Thiên Phú", "Hòa Bình",
          "Sao Mai", "Phúc Lộc", "Đại Nam", "Hồng Phát", "Minh Tiến", "Quê Hương"]

# (share of producers, type); tourism organisations only make B26 products.
PRODUCER_TYPES = [
    (34, ProducerType.HTX), (30, ProducerType.DN_SME), (28, ProducerType.HO_SX), (4, ProducerType.THT),
    (3, ProducerType.TRANG_TRAI), (1, ProducerType.TOURISM_ORG),
]

# Product set → (share, kinds of product); the shares follow the programme's mix (mostly food).
PRODUCT_KINDS: dict[str, tuple[int, list[str]]] = {
    "B01": (9, ["Bưởi da xanh", "Xoài cát", "Cam sành", "Nhãn lồng", "Vải thiều", "Sầu riêng", "Thanh long",
                "Chuối", "Dừa xiêm", "Măng cụt", "Mít", "Rau sạch", "Khoai lang", "Bơ"]),
    "B02": (3, ["Trứng gà ta", "Thịt lợn đen", "Gà đồi", "Tôm càng xanh", "Cá lóc", "Sữa bò tươi"]),
    "B03": (7, ["Gạo ST25", "Gạo thơm", "Gạo lứt", "Gạo nếp cái hoa vàng", "Gạo tám",
                "Gạo séng cù", "Gạo hữu cơ"]),
    "B04": (5, ["Mật ong", "Mật ong rừng", "Tinh bột nghệ", "Đông trùng hạ thảo", "Mật hoa dừa"]),
    "B05": (1, ["Bánh mì chà bông", "Xúc xích", "Chả cá"]),
    "B06": (8, ["Bánh tráng", "Bún khô", "Miến dong", "Phở khô", "Bánh phồng", "Bánh đa", "Cốm",
                "Bánh chưng"]),
    "B07": (10, ["Mứt gừng", "Xoài sấy dẻo", "Chuối sấy", "Hạt điều rang muối", "Lạc rang", "Măng khô",
                 "Mít sấy", "Hạt sen sấy", "Dưa muối", "Mắc ca"]),
    "B08": (9, ["Chả lụa", "Lạp xưởng", "Khô cá lóc", "Nem chua", "Tôm khô", "Mắm tôm chua", "Ruốc",
                "Khô bò", "Bánh phồng tôm"]),
    "B09": (5, ["Nước mắm", "Nước mắm nhĩ", "Tương bần", "Mắm ruốc", "Nước tương"]),
    "B10": (3, ["Muối tôm", "Tiêu đen", "Tỏi cô đơn", "Ớt bột", "Hành tím"]),
    "B11": (6, ["Chè Shan tuyết", "Chè búp", "Trà xanh", "Trà ô long", "Hồng trà"]),
    "B12": (4, ["Trà atiso", "Trà tim sen", "Trà hoa cúc", "Trà gạo lứt", "Trà mãng cầu"]),
    "B13": (4, ["Cà phê rang xay", "Cà phê Robusta", "Cà phê Arabica", "Ca cao", "Cà phê chồn"]),
    "B14": (4, ["Rượu nếp", "Rượu ngô", "Rượu cần", "Rượu đế"]),
    "B15": (1, ["Rượu vang sim", "Rượu mơ", "Rượu chuối hột"]),
    "B16": (1, ["Nước uống đóng chai", "Nước khoáng"]),
    "B17": (2, ["Nước cốt dừa", "Nước ép thanh long", "Siro chanh dây"]),
    "B18": (4, ["Cao atiso", "Viên nghệ mật ong", "Cao dược liệu", "Sâm dây"]),
    "B19": (1, ["Dầu gội bồ kết", "Xà phòng thảo dược", "Son dầu dừa"]),
    "B20": (2, ["Tinh dầu sả chanh", "Tinh dầu quế", "Tinh dầu tràm", "Hương trầm"]),
    "B21": (6, ["Gốm", "Mây tre đan", "Nón lá", "Chiếu cói", "Đồ gỗ mỹ nghệ", "Tranh thêu"]),
    "B22": (2, ["Lụa tơ tằm", "Thổ cẩm", "Khăn dệt"]),
    "B23": (1, ["Hoa lan", "Hoa cúc", "Hoa hồng"]),
    "B24": (1, ["Bonsai", "Mai vàng", "Cây kiểng"]),
    "B25": (1, ["Cá cảnh", "Chim cảnh"]),
    "B26": (0, ["Điểm du lịch cộng đồng", "Du lịch sinh thái", "Làng nghề truyền thống"]),
}
UNCERTIFIED_STATUSES = [(5, ProductStatus.POTENTIAL), (3, ProductStatus.REGISTERED),
                        (1, ProductStatus.EVALUATING), (1, ProductStatus.DISCONTINUED)]
PACKAGING = ["Túi 200 g", "Túi 500 g", "Hộp 250 g", "Hộp 1 kg", "Chai 500 ml", "Thùng 5 kg", "Hũ 300 g", ""]
# fmt: on


def _weighted(rng: random.Random, pairs: list[tuple[int, Any]]) -> Any:
    return rng.choices([v for _w, v in pairs], weights=[w for w, _v in pairs])[0]


# --- places --------------------------------------------------------------------------------------


@dataclass
class Place:
    """A current commune with what the generator needs to name things and write old-style records."""

    unit: Unit
    short: str
    province_short: str
    # A former commune it was made from: (former province code, district code, commune code,
    # former province name, former district name), for legacy codes and pre-2025 authorities.
    former: tuple[str, str, str, str, str] | None


def load_places() -> dict[int, list[Place]]:
    """Current communes grouped by current province id (every province, in code order)."""
    communes = list(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE)
        .select_related("current_province")
        .order_by("code")
    )
    if not communes:
        raise CommandError(_("Chưa có đơn vị hành chính: hãy chạy `ocop load-units` trước."))
    former: dict[int, tuple[str, str, str, str, str]] = {}
    links = (
        UnitSuccession.objects.filter(
            current__structure=Structure.CURRENT, current__level=Level.COMMUNE, former__level=Level.COMMUNE
        )
        .order_by("current_id", "former__code")
        .values_list(
            "current_id",
            "former__parent__parent__code",
            "former__parent__code",
            "former__code",
            "former__parent__parent__name",
            "former__parent__name",
        )
    )
    for current_id, *parts in links:
        if current_id not in former and all(parts):
            former[current_id] = tuple(parts)  # type: ignore[assignment]
    by_province: dict[int, list[Place]] = defaultdict(list)
    for unit in communes:
        by_province[unit.current_province_id].append(
            Place(unit, short_name(unit.name), short_name(unit.current_province.name), former.get(unit.id))
        )
    return dict(sorted(by_province.items(), key=lambda item: item[1][0].unit.current_province.code))


# --- result --------------------------------------------------------------------------------------


@dataclass
class ScaleResult:
    producers: int = 0
    products: int = 0
    decisions: int = 0
    certificates: int = 0
    provinces: int = 0
    seconds: float = 0.0
    counts_by_star: dict[int, int] = field(default_factory=dict)


def generated_exists() -> bool:
    return Producer.objects.filter(email__endswith=f"@{MARK_DOMAIN}").exists()


def evaluation_models() -> tuple[type[models.Model], type[models.Model]] | None:
    """(Decision, Certificate) when the evaluation app has them, else None (then no ratings)."""
    try:
        return apps.get_model("certification", "Decision"), apps.get_model("certification", "Certificate")
    except LookupError:
        return None


# --- the generator -------------------------------------------------------------------------------


class Generator:
    def __init__(self, producers: int, products: int, seed: int, today: dt.date | None = None) -> None:
        if producers < 1 or products < 1:
            raise CommandError(_("Số chủ thể và số sản phẩm phải là số nguyên dương."))
        self.n_producers = producers
        self.n_products = products
        self.seed = seed
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.taken_tax = set(Producer.objects.exclude(tax_code="").values_list("tax_code", flat=True))
        self.taken_gtin = set(Product.objects.exclude(gtin="").values_list("gtin", flat=True))
        self.names = set(Producer.objects.values_list("name", flat=True))
        self.product_names: dict[int, set[str]] = defaultdict(set)  # per producer: names are unique

    # names

    def person(self) -> tuple[str, str]:
        rng = self.rng
        gender = Gender.FEMALE if rng.random() < 0.42 else Gender.MALE
        surname = _weighted(rng, [(w, s) for s, w in SURNAMES])
        return f"{surname} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}", gender

    def tax_code(self, prefix: str) -> str:
        while True:
            first9 = f"{prefix}{self.rng.randrange(1, 10_000_000):07d}"
            check = codes.tax_code_check_digit(first9)
            if check is not None and (code := f"{first9}{check}") not in self.taken_tax:
                self.taken_tax.add(code)
                return code

    def gtin(self) -> str:
        while True:
            body = f"893{self.rng.randrange(10**9):09d}"
            code = f"{body}{codes.gtin_check_digit(body)}"
            if code not in self.taken_gtin:
                self.taken_gtin.add(code)
                return code

    def producer(self, index: int, place: Place) -> Producer:
        rng = self.rng
        kind = _weighted(rng, PRODUCER_TYPES)
        rep_name, gender = self.person()
        stem, brand = rng.choice(STEMS), rng.choice(BRANDS)
        legal_form, capital, position = "", None, "Giám đốc"
        if kind == ProducerType.HTX:
            name = f"Hợp tác xã {stem} {place.short}"
        elif kind == ProducerType.THT:
            name, position = f"Tổ hợp tác {stem} {place.short}", "Tổ trưởng"
        elif kind == ProducerType.DN_SME:
            legal_form = _weighted(rng, [(6, LegalForm.LLC), (2, LegalForm.JSC), (2, LegalForm.PRIVATE)])
            prefix = {
                LegalForm.LLC: "Công ty TNHH",
                LegalForm.JSC: "Công ty Cổ phần",
                LegalForm.PRIVATE: "Doanh nghiệp tư nhân",
            }[legal_form]
            name = f"{prefix} {stem} {brand}"
            if legal_form == LegalForm.JSC:
                capital = Decimal(rng.randrange(0, 10_001)) / 100
        elif kind == ProducerType.TRANG_TRAI:
            name, position = f"Trang trại {brand} {place.short}", "Chủ trang trại"
        elif kind == ProducerType.HO_SX:
            name, position = f"Hộ kinh doanh {rep_name}", "Chủ hộ"
        else:
            name, position = f"Ban quản lý điểm du lịch {place.short}", "Trưởng ban"
        if kind == ProducerType.HO_SX:
            tax = self.tax_code(rng.choice(["80", "81"])) if rng.random() < 0.8 else ""
        else:
            tax = self.tax_code(place.unit.current_province.code) if rng.random() < 0.97 else ""
        minority = rng.random() < 0.15
        total = rng.randrange(3, 200)
        # A chủ thể without a tax code is found by its name (imports, searches): names are kept unique.
        if name in self.names:
            name = f"{name} ({place.short})"
        base, number = name, 2
        while name in self.names:
            name, number = f"{base} {number}", number + 1
        self.names.add(name)
        producer = Producer(
            producer_type=kind,
            legal_form=legal_form,
            community_capital_share=capital,
            name=name,
            tax_code=tax,
            registration_date=dt.date(rng.randrange(1995, 2025), rng.randrange(1, 13), rng.randrange(1, 29)),
            representative_name=rep_name,
            representative_position=position,
            representative_gender=gender,
            representative_ethnicity=rng.choice(MINORITIES) if minority else KINH,
            representative_disability=rng.random() < 0.02,
            address=f"Thôn {rng.randrange(1, 15)}, {place.unit.name}",
            phone=f"0{rng.choice([9, 8, 3, 7])}{rng.randrange(10**8):08d}",
            email=f"chuthe{self.seed}.{index:06d}@{MARK_DOMAIN}",
            workforce_total=total,
            workforce_local=rng.randrange(0, total + 1),
            status=_weighted(
                rng,
                [(97, ProducerStatus.ACTIVE), (2, ProducerStatus.SUSPENDED), (1, ProducerStatus.DISSOLVED)],
            ),
            unit=place.unit,
        )
        producer.locate()
        producer.refresh_search()
        return producer

    def product_name(self, set_code: str, place: Place) -> str:
        kind = self.rng.choice(PRODUCT_KINDS[set_code][1])
        where = place.short if self.rng.random() < 0.75 else place.province_short
        name = f"{kind} {where}"
        return f"{name} {self.rng.choice(BRANDS)}" if self.rng.random() < 0.3 else name

    # ratings

    def rating_history(self) -> list[dict[str, Any]]:
        """Certificates of one product, oldest first: dicts with star, issue, revoked_on, successor index."""
        rng = self.rng
        if rng.random() >= 0.8:
            return []
        years = list(range(FIRST_YEAR, self.today.year + 1))
        weights = [20, 20, 20, 17, 15, 8][: len(years)] + [8] * max(0, len(years) - 6)
        year = rng.choices(years, weights=weights)[0]
        issue = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
        if issue > self.today:
            issue = self.today - dt.timedelta(days=rng.randrange(1, 120))
        roll = rng.random()
        star = 5 if roll < 0.006 else 4 if roll < 0.2 else 3
        history: list[dict[str, Any]] = []
        while True:
            cert = {"star": star, "issue": issue, "revoked_on": None, "successor": None}
            history.append(cert)
            expiry = certificate_expiry(issue)
            if rng.random() < 0.025:  # revoked while valid (Art. 8): the story ends
                last = min(expiry, self.today)
                if (last - issue).days > 60:
                    cert["revoked_on"] = issue + dt.timedelta(days=rng.randrange(60, (last - issue).days + 1))
                    return history
            if star < 5 and rng.random() < (0.08 if star == 3 else 0.02):  # upgrade (Art. 7.5)
                upgrade = add_months(issue, rng.randrange(12, 30))
                if upgrade <= self.today and upgrade < expiry:
                    cert["successor"] = len(history)
                    issue, star = upgrade, star + 1
                    continue
            if expiry >= self.today:
                return history
            if rng.random() < 0.6:  # re-evaluated at expiry (Art. 7.6), usually in time
                renewal = expiry + dt.timedelta(days=rng.randrange(-45, 40))
                if renewal > self.today:
                    return history
                if renewal <= expiry:
                    cert["successor"] = len(history)
                roll = rng.random()
                star = min(5, star + 1) if roll < 0.04 else max(3, star - 1) if roll < 0.1 else star
                issue = renewal
                continue
            return history

    # the run

    def run(self, write: Callable[[str], None] = lambda line: None) -> ScaleResult:
        started = time.perf_counter()
        result = ScaleResult()
        places = load_places()
        province_ids = list(places)
        result.provinces = len(province_ids)
        all_places = [place for province in province_ids for place in places[province]]
        rng = self.rng

        with transaction.atomic():
            # Producers: spread over every commune of every province, at least one per province.
            producers: list[Producer] = []
            for index in range(self.n_producers):
                if index < len(province_ids):
                    place = rng.choice(places[province_ids[index]])
                else:
                    place = rng.choice(all_places)
                producers.append(self.producer(index, place))
            _bulk(Producer, producers)
            result.producers = len(producers)
            write(_("Chủ thể: %(n)d") % {"n": len(producers)})

            # Products: one per producer first, then the rest at random producers.
            owners = producers[: self.n_products] + [
                rng.choice(producers) for _i in range(self.n_products - len(producers))
            ]
            place_of = {p.unit.id: p for p in all_places}
            sets = [(w, code) for code, (w, _kinds) in PRODUCT_KINDS.items() if w]
            counters = dict(ProductCodeCounter.objects.values_list("commune_id", "last"))
            used_counters: dict[int, int] = {}
            legacy_seq: dict[tuple[str, int], int] = defaultdict(int)
            histories: list[list[dict[str, Any]]] = []
            products: list[Product] = []
            year = timezone.localdate().year  # as Product.assign_code
            for owner in owners:
                place = place_of[owner.unit_id]
                if rng.random() < 0.1:  # made in another commune of the same province
                    place = rng.choice(places[place.unit.current_province_id])
                set_code = "B26" if owner.producer_type == ProducerType.TOURISM_ORG else _weighted(rng, sets)
                history = self.rating_history()
                name, attempt = self.product_name(set_code, place), 1
                while name in self.product_names[id(owner)]:
                    attempt += 1
                    name = (
                        f"{self.product_name(set_code, place)} {attempt}"
                        if attempt > 3
                        else (self.product_name(set_code, place))
                    )
                self.product_names[id(owner)].add(name)
                product = Product(
                    name=name,
                    producer=owner,
                    unit=place.unit,
                    classification_set=set_code,
                    packaging=rng.choice(PACKAGING) if set_code != "B26" else "",
                    gtin=self.gtin() if set_code != "B26" and rng.random() < 0.4 else "",
                    status=self.product_status(history),
                )
                product.locate()
                commune_id = product.commune_id
                sequence = used_counters.get(commune_id, counters.get(commune_id, 0)) + 1
                used_counters[commune_id] = sequence
                product.code = codes.format_product_code(
                    product.province.code, product.commune.code, sequence, year
                )
                product.code_sequence, product.code_year = sequence, year
                # Certified before the two-level reform: the record keeps its code of that time.
                if history and history[0]["issue"] < dt.date(2025, 7, 1) and place.former:
                    prov, district, commune, *_names = place.former
                    first = history[0]["issue"].year
                    legacy_seq[(commune, first)] += 1
                    product.legacy_code = (
                        f"{prov}-{district}-{commune}-{legacy_seq[(commune, first)]}-{first}"
                    )
                product.refresh_search()
                products.append(product)
                histories.append(history)
            _bulk(Product, products)
            self.advance_product_counters(counters, used_counters)
            result.products = len(products)
            write(_("Sản phẩm: %(n)d") % {"n": len(products)})

            models_ = evaluation_models()
            if models_ is not None:
                result.decisions, result.certificates, result.counts_by_star = self.write_ratings(
                    models_, products, histories, places
                )
                write(
                    _("Quyết định: %(d)d; giấy chứng nhận: %(c)d")
                    % {"d": result.decisions, "c": result.certificates}
                )
        result.seconds = time.perf_counter() - started
        return result

    def product_status(self, history: list[dict[str, Any]]) -> str:
        """The stored stage; a certified product's star and status come from its certificates."""
        if not history:
            return _weighted(self.rng, UNCERTIFIED_STATUSES).value
        return ProductStatus.REGISTERED.value

    @staticmethod
    def advance_product_counters(before: dict[int, int], used: dict[int, int]) -> None:
        """Move every commune's counter to its last generated sequence, so save() continues after it."""
        new = [ProductCodeCounter(commune_id=c, last=last) for c, last in used.items() if c not in before]
        old = [
            ProductCodeCounter(pk=pk, commune_id=c, last=used[c])
            for pk, c in ProductCodeCounter.objects.filter(commune_id__in=used).values_list(
                "pk", "commune_id"
            )
        ]
        ProductCodeCounter.objects.bulk_create(new, batch_size=BATCH)
        ProductCodeCounter.objects.bulk_update(old, ["last"], batch_size=BATCH)

    def write_ratings(
        self,
        models_: tuple[type[models.Model], type[models.Model]],
        products: list[Product],
        histories: list[list[dict[str, Any]]],
        places: dict[int, list[Place]],
    ) -> tuple[int, int, dict[int, int]]:
        from ocop.certification import codes as certificate_codes
        from ocop.certification.models import (
            DISTRICTS_ABOLISHED,
            AuthorityLevel,
            CertificateCodeCounter,
            DecisionKind,
            RevocationGround,
            legal_basis_on,
        )
        from ocop.registry.classification import LegalBasis

        Decision, Certificate = models_  # noqa: N806 - model classes
        rng = self.rng
        province_units = {pid: ps[0].unit.current_province for pid, ps in places.items()}
        place_of = {p.unit.id: p for ps in places.values() for p in ps}
        ministry_rename = dt.date(2025, 3, 1)  # Bộ NN&PTNT + Bộ TN&MT → Bộ Nông nghiệp và Môi trường

        decisions: dict[tuple[str, dt.date, str], Any] = {}
        numbers: dict[tuple[str, int], int] = defaultdict(int)

        def decision(kind: str, level: str, authority: str, day: dt.date, province: Unit | None) -> Any:
            # Recognitions come in batches: one decision per authority and day.
            key = (authority, day, kind)
            if key not in decisions:
                numbers[(authority, day.year)] += rng.randrange(3, 40)
                suffix = (
                    "QĐ-BNN-KTHT"
                    if level == AuthorityLevel.CENTRAL and day < ministry_rename
                    else ("QĐ-BNNMT" if level == AuthorityLevel.CENTRAL else "QĐ-UBND")
                )
                basis = legal_basis_on(day)
                decisions[key] = Decision(
                    number=f"{numbers[(authority, day.year)]}/{suffix}",
                    date=day,
                    kind=kind,
                    authority=authority,
                    authority_level=level,
                    signer=self.person()[0],
                    legal_basis=basis.value,
                    province=province,
                )
            return decisions[key]

        def batch_day(day: dt.date) -> dt.date:
            # Authorities sign recognitions in batches, about every two months: the 15th of an even month.
            snapped = dt.date(day.year, day.month + day.month % 2, 15)
            if snapped < day:
                snapped = add_months(snapped, 2)
            return min(snapped, self.today)

        certificates: list[Any] = []
        chains: list[list[Any]] = []
        counts: dict[int, int] = defaultdict(int)
        for product, history in zip(products, histories, strict=True):
            if not history:
                continue
            place = place_of.get(product.commune_id) if product.commune_id else None
            province = province_units[product.province_id]
            chain = []
            for item in history:
                day = batch_day(item["issue"])
                star = item["star"]
                before_merger = day < DISTRICTS_ABOLISHED and place is not None and place.former is not None
                province_name = place.former[3] if before_merger else province.name
                if star == 5:
                    ministry = (
                        "Bộ Nông nghiệp và Phát triển nông thôn"
                        if day < ministry_rename
                        else ("Bộ Nông nghiệp và Môi trường")
                    )
                    dec = decision(DecisionKind.RECOGNITION, AuthorityLevel.CENTRAL, ministry, day, None)
                elif (
                    star == 3
                    and before_merger
                    and day >= LegalBasis.QD148.effective_from
                    and rng.random() < 0.5
                ):  # QĐ 148: districts recognised 3★
                    dec = decision(
                        DecisionKind.RECOGNITION,
                        AuthorityLevel.DISTRICT,
                        _authority(place.former[4]),
                        day,
                        province,
                    )
                else:
                    dec = decision(
                        DecisionKind.RECOGNITION,
                        AuthorityLevel.PROVINCE,
                        _authority(province_name),
                        day,
                        province,
                    )
                cert = Certificate(
                    product=product,
                    decision=dec,
                    star=star,
                    potential_5_star=star == 4 and rng.random() < 0.03,
                    number=f"{rng.randrange(1, 999)}/GCN-OCOP",
                    issue_date=day,
                    expiry=certificate_expiry(day),
                    legal_basis=legal_basis_on(day).value,
                )
                cert.freeze()  # what was recognised, as Certificate.save() records it (bulk_create skips it)
                if item["revoked_on"] is not None:
                    revoked = max(item["revoked_on"], day)
                    cert.revoked_on = revoked
                    cert.revocation_ground = rng.choice(
                        [RevocationGround.B, RevocationGround.C, RevocationGround.DD, RevocationGround.DD]
                    )
                    cert.revocation_decision = decision(
                        DecisionKind.REVOCATION,
                        AuthorityLevel.PROVINCE,
                        _authority(province.name)
                        if revoked >= DISTRICTS_ABOLISHED or place is None or place.former is None
                        else _authority(place.former[3]),
                        revoked,
                        province,
                    )
                chain.append(cert)
            # Snapped dates can collide inside one chain: keep issue dates strictly increasing.
            for earlier, later in zip(chain, chain[1:], strict=False):
                if later.issue_date <= earlier.issue_date:
                    later.issue_date = earlier.issue_date + dt.timedelta(days=1)
                    later.expiry = certificate_expiry(later.issue_date)
                    later.legal_basis = legal_basis_on(later.issue_date).value
                    if later.revoked_on is not None and later.revoked_on < later.issue_date:
                        later.revoked_on = later.issue_date
                    if later.issue_date > self.today:
                        chain = chain[: chain.index(later)]
                        break
            for position, item in enumerate(history[: len(chain)]):
                if item["successor"] is not None and item["successor"] < len(chain):
                    chain[position].superseded_by = chain[item["successor"]]
            certificates.extend(chain)
            chains.append(chain)
            for cert in chain:
                counts[cert.star] += 1

        decision_list = sorted(decisions.values(), key=lambda d: (d.date, d.authority, d.kind))
        _bulk(Decision, decision_list)
        # Codes: per current province and issue year, continuing CertificateCodeCounter.
        counters = {
            (p, y): last
            for p, y, last in CertificateCodeCounter.objects.values_list("province_code", "year", "last")
        }
        used: dict[tuple[str, int], int] = {}
        certificates.sort(key=lambda c: (c.issue_date, c.product.code))
        for cert in certificates:
            key = (cert.product.province.code, cert.issue_date.year)
            used[key] = used.get(key, counters.get(key, 0)) + 1
            cert.code = certificate_codes.format_code(key[0], key[1], used[key])
        # A certificate points at its successor, so successors are written first.
        depth: dict[int, int] = {}
        for chain in chains:
            level = 0
            for cert in reversed(chain):
                level = level + 1 if cert.superseded_by is not None else 0
                depth[id(cert)] = level
        for level in sorted(set(depth.values())):
            _bulk(Certificate, [c for c in certificates if depth[id(c)] == level])
        CertificateCodeCounter.objects.bulk_create(
            [
                CertificateCodeCounter(province_code=p, year=y, last=last)
                for (p, y), last in used.items()
                if (p, y) not in counters
            ],
            batch_size=BATCH,
        )
        for (p, y), last in used.items():
            if (p, y) in counters:
                CertificateCodeCounter.objects.filter(province_code=p, year=y).update(last=last)
        return len(decision_list), len(certificates), dict(sorted(counts.items()))


def _authority(unit_name: str) -> str:
    """ "Tỉnh Đồng Tháp" → "UBND tỉnh Đồng Tháp", as decisions write it."""
    return f"UBND {unit_name[:1].lower()}{unit_name[1:]}"


def _bulk(model: type[models.Model], objs: list[Any]) -> None:
    """bulk_create in batches, then one "created" history row each (as the normal save path writes)."""
    for start in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[start : start + BATCH], batch_size=BATCH)
    history = getattr(model, "history", None)
    if history is not None and objs:
        history.bulk_history_create(objs, batch_size=BATCH, default_change_reason=REASON)


def generate(
    scale: str = "national",
    *,
    producers: int | None = None,
    products: int | None = None,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    write: Callable[[str], None] = lambda line: None,
) -> ScaleResult:
    """Generate the dataset; refuses when generated data is already there (run it on a fresh database)."""
    if scale not in SCALES:
        raise CommandError(_("Quy mô không hợp lệ: %(scale)s.") % {"scale": scale})
    if generated_exists():
        raise CommandError(
            _("Cơ sở dữ liệu đã có dữ liệu quy mô quốc gia: hãy dùng một cơ sở dữ liệu mới để tạo lại.")
        )
    counts = SCALES[scale]
    generator = Generator(
        producers if producers is not None else counts["producers"],
        products if products is not None else counts["products"],
        seed,
        today,
    )
    return generator.run(write)
