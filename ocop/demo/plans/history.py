"""Hà Nội's and Hải Phòng's producers, products and certificates from 2019 to 2026 (see the package)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ocop.registry.classification import ProducerType, ProductStatus
from ocop.registry.models import KINH, Ethnicity, Gender, LegalForm

from ..data import (
    DEMO_REASON,
    DemoContext,
    DemoProducer,
    DemoProduct,
    _demo_decision,
    demo_gtin,
    demo_tax_code,
    load_producers,
    load_products,
)

# --- producers and products -----------------------------------------------------------------------

# Tax-office prefixes: 01 Hà Nội, 02 Hải Phòng, 08 Hải Dương (now Hải Phòng); 80… a household's.
HISTORY_PRODUCERS: list[DemoProducer] = [
    # --- Hà Nội ---
    DemoProducer(
        "Công ty TNHH Gốm sứ Kim Lan",
        ProducerType.DN_SME,
        "00577",
        demo_tax_code("01", 7_315_442),
        ("Nguyễn Văn Vinh", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Bình gốm men lam vẽ vàng Kim Lan",
                "B21",
                "Bình gốm men lam vẽ tay, viền vàng 24K.",
                "Hộp gỗ lót nhung",
                demo_gtin(100_001_011),
            ),
            DemoProduct(
                "Lọ hoa men rạn đắp nổi Kim Lan",
                "B21",
                "Lọ hoa men rạn cổ, họa tiết đắp nổi.",
                "Hộp gỗ",
                demo_gtin(100_001_028),
            ),
            DemoProduct(
                "Bộ ấm chén men ngọc Kim Lan", "B21", "Ấm chén men ngọc nung 1.300 °C.", "Hộp 1 ấm 6 chén"
            ),
        ),
        legal_form=LegalForm.LLC,
        registration_date=dt.date(2008, 5, 12),
        workforce=(55, 48),
        address="Thôn 3, xã Bát Tràng",
    ),
    DemoProducer(
        "Hợp tác xã Nón lá làng Chuông",
        ProducerType.HTX,
        "10114",
        demo_tax_code("01", 7_402_118),
        ("Lê Thị Nguyệt", "Giám đốc", Gender.FEMALE, KINH),
        (
            DemoProduct("Nón lá làng Chuông", "B21", "Nón lá ba lớp, khâu tay bằng cước.", "Túi vải"),
            DemoProduct(
                "Nón bài thơ làng Chuông", "B21", "Nón lồng tranh và thơ giữa hai lớp lá.", "Túi vải"
            ),
        ),
        registration_date=dt.date(2017, 3, 20),
        workforce=(40, 40),
        address="Làng Chuông, xã Thanh Oai",
    ),
    DemoProducer(
        "Hợp tác xã Miến dong Cự Đà",
        ProducerType.HTX,
        "10126",
        demo_tax_code("01", 7_126_905),
        ("Vũ Văn Hưng", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Miến dong Cự Đà",
                "B06",
                "Miến dong phơi nắng, không chất tẩy trắng.",
                "Gói 500 g",
                demo_gtin(100_001_035),
            ),
            DemoProduct("Tương nếp Cự Đà", "B09", "Tương nếp ủ chum sành.", "Chai 500 ml"),
        ),
        registration_date=dt.date(2014, 9, 9),
        workforce=(30, 28),
        address="Làng Cự Đà, xã Bình Minh",
    ),
    DemoProducer(
        "Công ty Cổ phần Chè Ba Vì",
        ProducerType.DN_SME,
        "09694",
        demo_tax_code("01", 5_208_731),
        ("Đinh Thị Hòa", "Tổng giám đốc", Gender.FEMALE, Ethnicity.MUONG),
        (
            DemoProduct(
                "Chè xanh Ba Trại",
                "B11",
                "Chè búp xanh sao suốt từ đồi chè Ba Vì.",
                "Hộp 200 g",
                demo_gtin(100_001_042),
            ),
            DemoProduct(
                "Hồng trà Ba Vì",
                "B11",
                "Hồng trà lên men từ búp chè trung du.",
                "Hộp 100 g",
                demo_gtin(100_001_059),
            ),
        ),
        legal_form=LegalForm.JSC,
        community_capital_share=Decimal("20.00"),
        registration_date=dt.date(2010, 2, 25),
        workforce=(65, 60),
        address="Thôn Ba Trại, xã Suối Hai",
    ),
    DemoProducer(
        "Hợp tác xã Bò sữa Tản Viên",
        ProducerType.HTX,
        "09706",
        demo_tax_code("01", 6_018_224),
        ("Phùng Văn Tiến", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Sữa chua nếp cẩm Ba Vì",
                "B08",
                "Sữa chua từ sữa bò tươi Ba Vì và nếp cẩm.",
                "Lốc 4 hộp 100 g",
                demo_gtin(100_001_066),
            ),
            DemoProduct(
                "Sữa tươi thanh trùng Ba Vì",
                "B02",
                "Sữa bò tươi thanh trùng trong ngày.",
                "Chai 1 lít",
                demo_gtin(100_001_073),
            ),
        ),
        registration_date=dt.date(2012, 6, 18),
        workforce=(48, 46),
        address="Xã Yên Bài",
    ),
    DemoProducer(
        "Hộ kinh doanh Giò chả Ước Lễ Nguyễn Văn Bảo",
        ProducerType.HO_SX,
        "10180",
        demo_tax_code("80", 4_416_027),
        ("Nguyễn Văn Bảo", "Chủ hộ", Gender.MALE, KINH),
        (DemoProduct("Giò lụa Ước Lễ", "B08", "Giò lụa giã tay, gói lá chuối.", "Cây 1 kg"),),
        registration_date=dt.date(2018, 4, 2),
        workforce=(9, 9),
        address="Làng Ước Lễ, xã Dân Hòa",
    ),
    DemoProducer(
        "Hợp tác xã Mây tre đan Phú Vinh",
        ProducerType.HTX,
        "10030",
        demo_tax_code("01", 4_907_356),
        ("Đặng Thị Thanh", "Giám đốc", Gender.FEMALE, KINH),
        (
            DemoProduct(
                "Giỏ mây đan Phú Vinh", "B21", "Giỏ mây đan khít, kiểu dáng xuất khẩu.", "Bộ 3 chiếc"
            ),
            DemoProduct("Đèn mây tre Phú Vinh", "B21", "Chụp đèn mây tre đan thủ công.", "Hộp giấy"),
        ),
        registration_date=dt.date(2009, 11, 11),
        workforce=(120, 115),
        address="Làng Phú Vinh, xã Phú Nghĩa",
    ),
    DemoProducer(
        "Tổ hợp tác Bánh chưng Tranh Khúc",
        ProducerType.THT,
        "00640",
        demo_tax_code("01", 8_930_142),
        ("Nguyễn Thị Sen", "Tổ trưởng", Gender.FEMALE, KINH),
        (
            DemoProduct(
                "Bánh chưng Tranh Khúc",
                "B06",
                "Bánh chưng nếp cái hoa vàng, luộc củi mười giờ.",
                "Chiếc 1 kg",
            ),
        ),
        registration_date=dt.date(2019, 7, 1),
        workforce=(14, 14),
        address="Làng Tranh Khúc, xã Thanh Trì",
    ),
    DemoProducer(
        "Hộ kinh doanh Kẹo lạc Đường Lâm Hà Thị Lụa",
        ProducerType.HO_SX,
        "09574",
        demo_tax_code("80", 4_528_610),
        ("Hà Thị Lụa", "Chủ hộ", Gender.FEMALE, KINH),
        (
            DemoProduct("Kẹo lạc Đường Lâm", "B07", "Kẹo lạc mật mía, lạc rang củi.", "Gói 300 g"),
            DemoProduct("Kẹo dồi Đường Lâm", "B07", "Kẹo dồi vừng, lạc và gừng.", "Gói 250 g"),
        ),
        registration_date=dt.date(2017, 10, 10),
        workforce=(6, 6),
        address="Làng cổ Đường Lâm, phường Sơn Tây",
    ),
    DemoProducer(
        "Hợp tác xã Hương Quảng Phú Cầu",
        ProducerType.HTX,
        "10369",
        demo_tax_code("01", 9_115_803),
        ("Trần Văn Đoàn", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Hương vòng trầm Quảng Phú Cầu",
                "B20",
                "Hương vòng bột trầm, tăm tre Quảng Phú Cầu.",
                "Hộp 12 vòng",
            ),
        ),
        registration_date=dt.date(2021, 3, 15),
        workforce=(35, 33),
    ),
    # --- Hải Phòng (with former Hải Dương) ---
    DemoProducer(
        "Hợp tác xã Dịch vụ nghề cá Cát Hải",
        ProducerType.HTX,
        "11914",
        demo_tax_code("02", 1_034_567),
        ("Hoàng Văn Đông", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Nước mắm Cát Hải",
                "B09",
                "Nước mắm cá cơm ủ chượp thùng gỗ, 30 độ đạm.",
                "Chai 500 ml",
                demo_gtin(100_001_080),
            ),
            DemoProduct(
                "Nước mắm cốt nhĩ Cát Hải", "B09", "Nước mắm nhĩ giọt đầu, 40 độ đạm.", "Chai 250 ml"
            ),
        ),
        registration_date=dt.date(2009, 8, 20),
        workforce=(32, 30),
        address="Khu 3, đặc khu Cát Hải",
    ),
    DemoProducer(
        "Công ty TNHH Thực phẩm Đất Cảng",
        ProducerType.DN_SME,
        "11383",
        demo_tax_code("02", 1_572_208),
        ("Phạm Minh Đức", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Bánh đa cua ăn liền Đất Cảng",
                "B05",
                "Bánh đa đỏ với gói nước dùng cua đồng.",
                "Gói 120 g",
                demo_gtin(100_001_097),
            ),
            DemoProduct("Bánh đa đỏ Đất Cảng", "B06", "Bánh đa đỏ sợi to, phơi nắng.", "Gói 500 g"),
        ),
        legal_form=LegalForm.LLC,
        registration_date=dt.date(2015, 4, 6),
        workforce=(40, 36),
    ),
    DemoProducer(
        "Hợp tác xã Nông nghiệp Kiến Thụy",
        ProducerType.HTX,
        "11680",
        demo_tax_code("02", 1_690_431),
        ("Đào Văn Quý", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Gạo ruộng rươi Kiến Thụy",
                "B03",
                "Gạo trồng trên ruộng rươi, không dùng thuốc diệt cỏ.",
                "Túi 5 kg",
            ),
            DemoProduct("Chả rươi Kiến Thụy", "B08", "Chả rươi với trứng, thịt và vỏ quýt.", "Hộp 500 g"),
        ),
        registration_date=dt.date(2016, 12, 12),
        workforce=(26, 26),
    ),
    DemoProducer(
        "Hộ kinh doanh Bánh đa Quý Cao Vũ Thị Hằng",
        ProducerType.HO_SX,
        "11146",
        demo_tax_code("80", 5_102_774),
        ("Vũ Thị Hằng", "Chủ hộ", Gender.FEMALE, KINH),
        (DemoProduct("Bánh đa Quý Cao", "B06", "Bánh đa gạo tráng tay, phơi trên phên nứa.", "Gói 500 g"),),
        registration_date=dt.date(2016, 5, 5),
        workforce=(7, 7),
        address="Làng Quý Cao, xã Nguyên Giáp",
    ),
    DemoProducer(
        "Hợp tác xã Vải thiều Thanh Hà",
        ProducerType.HTX,
        "10813",
        demo_tax_code("08", 1_218_590),
        ("Nguyễn Văn Thanh", "Giám đốc", Gender.MALE, KINH),
        (
            DemoProduct(
                "Vải thiều Thanh Hà",
                "B01",
                "Vải thiều có chỉ dẫn địa lý Thanh Hà.",
                "Thùng 5 kg",
                demo_gtin(100_001_103),
            ),
            DemoProduct("Vải thiều sấy khô Thanh Hà", "B07", "Vải thiều sấy lò, giữ nguyên vỏ.", "Túi 1 kg"),
        ),
        registration_date=dt.date(2013, 2, 28),
        workforce=(85, 85),
    ),
    DemoProducer(
        "Công ty TNHH Bánh gai Ninh Giang",
        ProducerType.DN_SME,
        "11203",
        demo_tax_code("08", 1_367_025),
        ("Lương Thị Hoa", "Giám đốc", Gender.FEMALE, KINH),
        (
            DemoProduct(
                "Bánh gai Ninh Giang",
                "B06",
                "Bánh gai lá gai, nhân đỗ xanh, dừa và mỡ.",
                "Túi 10 chiếc",
                demo_gtin(100_001_110),
            ),
        ),
        legal_form=LegalForm.LLC,
        registration_date=dt.date(2011, 9, 19),
        workforce=(50, 47),
    ),
    DemoProducer(
        "Tổ hợp tác Nuôi ong Chí Linh",
        ProducerType.THT,
        "10546",
        demo_tax_code("08", 1_480_319),
        ("Lê Văn Sáng", "Tổ trưởng", Gender.MALE, Ethnicity.SAN_DIU),
        (
            DemoProduct(
                "Mật ong hoa vải Chí Linh", "B04", "Mật ong hoa vải vùng đồi Chí Linh.", "Chai 500 ml"
            ),
        ),
        registration_date=dt.date(2020, 3, 2),
        workforce=(12, 12),
    ),
]


# --- certificates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    name: str
    level: str  # "province", "district" (before 01/07/2025, 3★ only) or "central" (5★ only)


HA_NOI = Authority("UBND thành phố Hà Nội", "province")
HAI_PHONG = Authority("UBND thành phố Hải Phòng", "province")
HAI_DUONG = Authority("UBND tỉnh Hải Dương", "province")  # merged into Hải Phòng on 01/07/2025
# QĐ 148/QĐ-TTg (24/02/2023 until the districts went on 01/07/2025): the district recognised 3★.
THANH_OAI = Authority("UBND huyện Thanh Oai", "district")
CHUONG_MY = Authority("UBND huyện Chương Mỹ", "district")
SON_TAY = Authority("UBND thị xã Sơn Tây", "district")
TU_KY = Authority("UBND huyện Tứ Kỳ", "district")
KIEN_THUY = Authority("UBND huyện Kiến Thụy", "district")
LE_CHAN = Authority("UBND quận Lê Chân", "district")
# 5★: the Minister; the two ministries merged on 01/03/2025.
MARD = Authority("Bộ Nông nghiệp và Phát triển nông thôn", "central")
MAE = Authority("Bộ Nông nghiệp và Môi trường", "central")


@dataclass(frozen=True)
class Issue:
    """One recognition of a product: the day of the decision, the star, who recognised it."""

    day: dt.date
    star: int
    by: Authority
    potential_5_star: bool = False


@dataclass(frozen=True)
class Revocation:
    day: dt.date
    ground: str  # Art. 8.1, a–e
    reason: str


@dataclass(frozen=True)
class History:
    """A product's certificates in order. One issued while the previous is still valid supersedes it
    (re-evaluation or upgrade); one issued after the previous expired is a new first recognition."""

    product: str
    issues: tuple[Issue, ...]
    revocation: Revocation | None = None  # of the last certificate


# The authorities' recognition rounds (one decision per authority and day, see data._demo_decision).
HN_2019 = dt.date(2019, 12, 20)
HN_2020 = dt.date(2020, 11, 16)
HN_2021 = dt.date(2021, 12, 10)
HN_2022 = dt.date(2022, 11, 25)
HN_2023 = dt.date(2023, 10, 20)
HN_2024 = dt.date(2024, 11, 15)
HN_2025 = dt.date(2025, 10, 24)
HN_2026_AUG = dt.date(2026, 8, 14)
HN_2026_SEP = dt.date(2026, 9, 25)
HP_2019 = dt.date(2019, 12, 26)
HP_2020 = dt.date(2020, 12, 15)
HP_2021 = dt.date(2021, 12, 17)
HP_2022 = dt.date(2022, 12, 9)
HP_2023 = dt.date(2023, 11, 24)
HP_2025 = dt.date(2025, 11, 14)
HP_2026_APR = dt.date(2026, 4, 17)
HP_2026_OCT = dt.date(2026, 10, 16)
HD_2020 = dt.date(2020, 6, 12)
HD_2021 = dt.date(2021, 11, 26)
HD_2022 = dt.date(2022, 12, 2)
HD_2023 = dt.date(2023, 5, 26)

HISTORY: list[History] = [
    # --- Hà Nội ---
    # 4★ tiềm năng 5 sao, then 5★ at the Ministry, re-evaluated 5★ before it lapsed.
    History(
        "Bình gốm men lam vẽ vàng Kim Lan",
        (
            Issue(HN_2019, 4, HA_NOI, True),
            Issue(dt.date(2021, 6, 18), 5, MARD),
            Issue(dt.date(2024, 5, 20), 5, MARD),
        ),
    ),
    History(
        "Lọ hoa men rạn đắp nổi Kim Lan",
        (Issue(HN_2020, 4, HA_NOI), Issue(HN_2023, 4, HA_NOI, True), Issue(dt.date(2025, 9, 15), 5, MAE)),
    ),
    History(
        "Bộ ấm chén men ngọc Kim Lan", (Issue(HN_2021, 4, HA_NOI, True), Issue(HN_2024, 4, HA_NOI, True))
    ),
    # Re-evaluated 3★, then upgraded to 4★ at the next re-evaluation.
    History(
        "Nón lá làng Chuông",
        (Issue(HN_2019, 3, HA_NOI), Issue(HN_2022, 3, HA_NOI), Issue(HN_2025, 4, HA_NOI)),
    ),
    History("Nón bài thơ làng Chuông", (Issue(HN_2021, 3, HA_NOI),)),  # lapsed 10/12/2024
    # Upgraded 3★ → 4★ (nâng hạng) two years in, then re-evaluated.
    History(
        "Miến dong Cự Đà", (Issue(HN_2019, 3, HA_NOI), Issue(HN_2021, 4, HA_NOI), Issue(HN_2024, 4, HA_NOI))
    ),
    History("Tương nếp Cự Đà", (Issue(HN_2020, 3, HA_NOI),)),  # lapsed 16/11/2023
    History(
        "Chè xanh Ba Trại",
        (Issue(HN_2020, 4, HA_NOI), Issue(HN_2023, 4, HA_NOI), Issue(HN_2026_AUG, 4, HA_NOI)),
    ),
    History("Hồng trà Ba Vì", (Issue(HN_2022, 4, HA_NOI), Issue(HN_2025, 4, HA_NOI))),
    History(
        "Sữa chua nếp cẩm Ba Vì",
        (Issue(HN_2020, 3, HA_NOI), Issue(HN_2022, 4, HA_NOI), Issue(HN_2025, 4, HA_NOI)),
    ),
    History("Sữa tươi thanh trùng Ba Vì", (Issue(HN_2023, 4, HA_NOI), Issue(HN_2026_AUG, 4, HA_NOI))),
    History("Giò lụa Ước Lễ", (Issue(HN_2021, 3, HA_NOI), Issue(dt.date(2024, 11, 8), 3, THANH_OAI))),
    History("Giỏ mây đan Phú Vinh", (Issue(HN_2022, 4, HA_NOI, True), Issue(HN_2025, 4, HA_NOI))),
    History("Đèn mây tre Phú Vinh", (Issue(dt.date(2024, 11, 8), 3, CHUONG_MY),)),
    History(
        "Bánh chưng Tranh Khúc",
        (Issue(HN_2022, 3, HA_NOI), Issue(HN_2025, 3, HA_NOI)),
        Revocation(
            dt.date(2026, 9, 18),
            "c",
            "Kết luận của Chi cục An toàn vệ sinh thực phẩm: lô bánh kiểm tra không đạt chỉ tiêu vi sinh.",
        ),
    ),
    # Re-evaluated at the former town (3★, QĐ 148), then lapsed on 18/10/2026 without re-evaluation.
    History("Kẹo lạc Đường Lâm", (Issue(HN_2020, 3, HA_NOI), Issue(dt.date(2023, 10, 18), 3, SON_TAY))),
    History("Kẹo dồi Đường Lâm", (Issue(HN_2021, 3, HA_NOI),)),  # lapsed 10/12/2024
    History("Hương vòng trầm Quảng Phú Cầu", (Issue(HN_2026_SEP, 3, HA_NOI),)),  # new in 2026
    # --- Hải Phòng (former Hải Dương's products were recognised by UBND tỉnh Hải Dương) ---
    History(
        "Nước mắm Cát Hải",
        (Issue(HP_2019, 4, HAI_PHONG), Issue(HP_2022, 4, HAI_PHONG), Issue(HP_2025, 4, HAI_PHONG, True)),
    ),
    # Upgraded to 4★, then lapsed on 09/12/2025 without re-evaluation.
    History("Nước mắm cốt nhĩ Cát Hải", (Issue(HP_2020, 3, HAI_PHONG), Issue(HP_2022, 4, HAI_PHONG))),
    History(
        "Bánh đa cua ăn liền Đất Cảng",
        (Issue(HP_2021, 3, HAI_PHONG), Issue(HP_2023, 4, HAI_PHONG), Issue(HP_2026_OCT, 4, HAI_PHONG)),
    ),
    # Lapsed on 15/12/2023 and recognised again only in 2024: a new certificate, not a re-evaluation.
    History("Bánh đa đỏ Đất Cảng", (Issue(HP_2020, 3, HAI_PHONG), Issue(dt.date(2024, 6, 14), 3, LE_CHAN))),
    History(
        "Gạo ruộng rươi Kiến Thụy",
        (Issue(HP_2019, 3, HAI_PHONG), Issue(HP_2022, 3, HAI_PHONG), Issue(HP_2025, 3, HAI_PHONG)),
    ),
    History("Chả rươi Kiến Thụy", (Issue(dt.date(2023, 11, 17), 3, KIEN_THUY),)),  # lapsed 17/11/2026
    History(
        "Bánh đa Quý Cao",
        (
            Issue(HD_2020, 3, HAI_DUONG),
            Issue(dt.date(2023, 5, 19), 3, TU_KY),
            Issue(HP_2026_APR, 3, HAI_PHONG),
        ),
    ),
    History(
        "Vải thiều Thanh Hà",
        (Issue(HD_2020, 4, HAI_DUONG), Issue(HD_2023, 4, HAI_DUONG), Issue(HP_2026_APR, 4, HAI_PHONG)),
    ),
    History("Vải thiều sấy khô Thanh Hà", (Issue(HD_2021, 3, HAI_DUONG),)),  # lapsed 26/11/2024
    History(
        "Bánh gai Ninh Giang",
        (Issue(HD_2020, 4, HAI_DUONG), Issue(HD_2023, 4, HAI_DUONG), Issue(HP_2026_APR, 4, HAI_PHONG)),
    ),
    History("Mật ong hoa vải Chí Linh", (Issue(HD_2022, 3, HAI_DUONG), Issue(HP_2025, 3, HAI_PHONG))),
]

# Who revokes for the province (Art. 8: 3–4★ by the province's chair, through its OCOP office).
PROVINCE_OFFICES = {"01": "tinh.hanoi", "31": "tinh.haiphong"}
REVOCATION_SIGNER = "Phó Chủ tịch UBND thành phố"


def load_history(ctx: DemoContext) -> None:
    """The history producers and products, then their certificates (a product that has any is left alone)."""
    load_producers(ctx, HISTORY_PRODUCERS)
    load_products(ctx, HISTORY_PRODUCERS)
    from ocop.demo.scale import evaluation_models

    if evaluation_models() is None:  # the evaluation app has no certificates yet
        return
    from ocop.certification.models import Certificate, DecisionKind, legal_basis_on
    from ocop.certification.revocation import revoke

    today = timezone.localdate()
    products = {h.product: ctx.products[h.product] for h in HISTORY}
    certified = set(
        Certificate.objects.filter(product__in=products.values()).values_list("product_id", flat=True)
    )
    for history in HISTORY:
        product = products[history.product]
        if product.pk in certified:
            continue
        previous = None
        for issue in history.issues:
            if issue.day > today:  # no decision is dated in the future
                break
            decision = _demo_decision(
                ctx, DecisionKind.RECOGNITION, issue.by.name, issue.by.level, issue.day, product
            )
            certificate = Certificate(
                product=product, decision=decision, star=issue.star, issue_date=issue.day,
                legal_basis=legal_basis_on(issue.day).value, potential_5_star=issue.potential_5_star,
            )  # fmt: skip
            certificate.full_clean()
            certificate._change_reason = DEMO_REASON
            certificate.save()
            ctx.count("certificates")
            if previous is not None and issue.day <= previous.expiry:
                previous.superseded_by = certificate
                previous.full_clean()
                previous._change_reason = DEMO_REASON
                previous.save(update_fields=["superseded_by"])
            previous = certificate
        revocation = history.revocation
        if previous is not None and revocation is not None and revocation.day <= today:
            province = product.province
            revoke(
                ctx.users[PROVINCE_OFFICES[province.code]],
                previous,
                ground=revocation.ground,
                number=f"{revocation.day.timetuple().tm_yday * 7 + 3}/QĐ-UBND",
                date=revocation.day,
                authority=f"UBND {province.name[:1].lower()}{province.name[1:]}",
                signer=REVOCATION_SIGNER,
                reason=revocation.reason,
            )
            ctx.count("decisions")
        # The star and the status come from the certificates; the stored stage is just "registered".
        if previous is not None and product.status == ProductStatus.POTENTIAL:
            product.status = ProductStatus.REGISTERED.value
            product.full_clean()
            product._change_reason = DEMO_REASON
            product.save(update_fields=["status"])
