"""The columns of the registry's spreadsheets: `PRODUCER_SPEC` and `PRODUCT_SPEC` (headers, help
texts, drop-down choices, the template's example row and instructions), built on first use so the
labels follow the active language, and `write_template`, the .xlsx import template of a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ocop.core.tabular import Column, Spec

from ..classification import ProducerType, ProductStatus
from ..models import Ethnicity, Gender, LegalForm, ProducerStatus, classification_choices

KINDS = ("producers", "products")

_UNIT_HELP = gettext_lazy(
    "Mã xã/phường/đặc khu hiện hành (5 chữ số, ví dụ 00004) theo Quyết định 19/2025/QĐ-TTg, hoặc mã "
    "tỉnh (2 chữ số) nếu chỉ biết tỉnh. Cột này được ưu tiên hơn mã cũ và địa chỉ."
)
_PLACE_WHEN = gettext_lazy(
    "Khi thêm mới: một trong ba cột Địa chỉ, Mã đơn vị hành chính (hiện hành), Mã đơn vị hành chính cũ"
)
_FORMER_UNIT_HELP = gettext_lazy(
    "Chỉ điền khi không có mã hiện hành: mã xã (5 chữ số), huyện (3 chữ số) hoặc tỉnh (2 chữ số) "
    "trước ngày 01/07/2025."
)


def _choices(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    return [(str(code), str(label)) for code, label in pairs]


class _LazySpec(Spec):
    """A Spec whose columns are built on first use (labels are translated, choices come from data)."""

    def __init__(
        self, build: Callable[[], tuple[list[Column], dict[str, str]]], title: Any, instructions: Any
    ):
        self._build = build
        self._title = title
        self._instructions = instructions
        # Per language: the headers and the choices' labels are the active language's.
        self._built: dict[str, tuple[list[Column], dict[str, str]]] = {}

    def _get(self) -> tuple[list[Column], dict[str, str]]:
        language = get_language() or ""
        if language not in self._built:
            self._built[language] = self._build()
        return self._built[language]

    @property  # type: ignore[override]
    def columns(self) -> list[Column]:
        return self._get()[0]

    @property  # type: ignore[override]
    def example(self) -> dict[str, str]:
        return self._get()[1]

    @property  # type: ignore[override]
    def title(self) -> str:
        return str(self._title)

    @property  # type: ignore[override]
    def instructions(self) -> list[str]:
        return [str(text) for text in self._instructions()]


def _common_instructions() -> list[str]:
    return [
        _("Mỗi dòng là một bản ghi; dòng 1 là tiêu đề cột, không đổi tên hay xoá cột bắt buộc."),
        _("Dòng 2 là ví dụ: hãy xoá hoặc ghi đè trước khi nhập."),
        _("Các cột có danh sách chọn: chọn mã trong danh sách (bảng mã ở cuối trang này)."),
        _("Ngày ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2024."),
        _(
            "Chỉ cần một dòng sai là cả tệp không được nhập; hệ thống trả về bảng lỗi "
            "(dòng, cột, giá trị, lỗi)."
        ),
        _(
            "Địa bàn: điền mã đơn vị hành chính hiện hành nếu biết; nếu không, hệ thống đối chiếu địa chỉ "
            "(kể cả địa chỉ cũ theo xã, huyện, tỉnh) với đơn vị hiện hành. Địa chỉ không rõ ràng sẽ được "
            "báo lỗi kèm các gợi ý, không bao giờ tự đoán."
        ),
    ]


def _producer_columns() -> tuple[list[Column], dict[str, str]]:
    columns = [
        Column(
            _("Mã chủ thể (ID)"), "id", help=_("Để trống khi thêm mới; giữ nguyên mã khi cập nhật."), width=12
        ),
        Column(_("Tên chủ thể"), "name", required=True, help=_("Tên đầy đủ theo đăng ký."), width=40),
        Column(
            _("Loại hình chủ thể"),
            "producer_type",
            when=_("Khi tên chủ thể không cho biết loại hình"),
            choices=_choices(ProducerType.choices()),
            help=_(
                "Mã loại hình (xem bảng mã). Để trống thì suy ra từ tên: “Hợp tác xã…”/“HTX…”, “Tổ hợp "
                "tác…”, “Công ty…”/“Doanh nghiệp…”, “Trang trại…”, “Hộ kinh doanh…”/“Hộ…”/“Cơ sở…”."
            ),
        ),
        Column(
            _("Loại hình doanh nghiệp"),
            "legal_form",
            choices=_choices(LegalForm.choices),
            help=_("Chỉ với doanh nghiệp nhỏ và vừa."),
        ),
        Column(
            _("Tỷ lệ vốn góp của cộng đồng (%)"),
            "community_capital_share",
            help=_("Chỉ với doanh nghiệp nhỏ và vừa; số từ 0 đến 100."),
        ),
        Column(
            _("Mã số thuế"),
            "tax_code",
            help=_("10 chữ số, hoặc 10 chữ số - 3 chữ số với chi nhánh. Mã đã có thì dòng là cập nhật."),
            width=16,
        ),
        Column(
            _("Số đăng ký hộ kinh doanh / CCCD"),
            "household_id",
            help=_(
                "Chỉ với hộ kinh doanh: số định danh cá nhân (CCCD, 12 chữ số) của chủ hộ hoặc số giấy "
                "chứng nhận đăng ký hộ kinh doanh. Số đã có thì dòng là cập nhật."
            ),
            width=16,
        ),
        Column(_("Ngày thành lập"), "registration_date", help=_("ngày/tháng/năm"), width=14),
        Column(_("Người đại diện theo pháp luật"), "representative_name", width=28),
        Column(_("Chức vụ"), "representative_position"),
        Column(_("Giới tính người đại diện"), "representative_gender", choices=_choices(Gender.choices)),
        Column(
            _("Dân tộc người đại diện"),
            "representative_ethnicity",
            choices=_choices(Ethnicity.choices),
            help=_("Mã dân tộc 2 chữ số (01 = Kinh; 99 = Khác, ghi rõ ở cột sau)."),
        ),
        Column(_("Dân tộc (khác)"), "representative_ethnicity_other"),
        Column(
            _("Người đại diện là người khuyết tật"),
            "representative_disability",
            choices=[("Có", _("Có")), ("Không", _("Không"))],
        ),
        Column(
            _("Địa chỉ"),
            "address",
            when=_PLACE_WHEN,
            help=_("Số nhà, thôn/ấp, xã, (huyện), tỉnh: dùng để xác định xã khi không có mã đơn vị."),
            width=45,
        ),
        Column(
            _("Mã đơn vị hành chính (hiện hành)"), "unit_code", when=_PLACE_WHEN, help=_UNIT_HELP, width=14
        ),
        Column(
            _("Mã đơn vị hành chính cũ"),
            "former_unit_code",
            when=_PLACE_WHEN,
            help=_FORMER_UNIT_HELP,
            width=14,
        ),
        Column(_("Điện thoại"), "phone", width=14),
        Column(_("Thư điện tử"), "email", width=24),
        Column(_("Tổng số lao động"), "workforce_total", width=10),
        Column(_("Lao động tại địa phương"), "workforce_local", width=10),
        Column(
            _("Tình trạng"),
            "status",
            choices=_choices(ProducerStatus.choices),
            help=_("Để trống: đang hoạt động."),
        ),
    ]
    example = {
        "name": _("Hợp tác xã Nông nghiệp Ví Dụ"),
        "producer_type": ProducerType.HTX.value,
        "tax_code": "0100109106",
        "registration_date": "15/03/2019",
        "representative_name": "Nguyễn Văn A",
        "representative_position": _("Giám đốc"),
        "representative_gender": Gender.MALE.value,
        "representative_ethnicity": Ethnicity.KINH.value,
        "representative_disability": "Không",
        "address": _("Thôn 1, xã Mỹ Hiệp, huyện Cao Lãnh, tỉnh Đồng Tháp"),
        "phone": "0277 3 123 456",
        "workforce_total": "25",
        "workforce_local": "20",
        "status": ProducerStatus.ACTIVE.value,
    }
    return columns, example


def _product_columns() -> tuple[list[Column], dict[str, str]]:
    columns = [
        Column(
            _("Mã sản phẩm OCOP"),
            "code",
            help=_(
                "Để trống khi thêm mới (hệ thống cấp mã tỉnh-xã-STT-năm). Mã đã có thì dòng là cập nhật; "
                "mã chưa có được giữ nguyên."
            ),
            width=20,
        ),
        Column(_("Tên sản phẩm"), "name", required=True, width=40),
        Column(_("Tên tiếng Anh"), "name_en", width=30),
        Column(
            _("Mã số thuế chủ thể"),
            "producer_tax_code",
            when=_("Khi không có Tên chủ thể"),
            help=_(
                "Xác định chủ thể sản xuất: mã số thuế, hoặc với hộ kinh doanh số đăng ký hộ kinh doanh / "
                "CCCD của chủ hộ. Nếu không có thì để trống và ghi đúng tên chủ thể."
            ),
            width=16,
        ),
        Column(
            _("Tên chủ thể"),
            "producer_name",
            when=_("Khi không có Mã số thuế chủ thể"),
            help=_(
                "Đúng tên chủ thể đã có trong hệ thống. Nếu có nhiều chủ thể cùng tên, chủ thể ở địa bàn "
                "sản xuất của dòng được chọn."
            ),
            width=36,
        ),
        Column(
            _("Bộ sản phẩm"),
            "classification_set",
            when=_("Khi không có Phân loại cũ"),
            choices=classification_choices(),
            help=_("Mã bộ sản phẩm B01–B26 theo Quyết định 26/2026/QĐ-TTg."),
            width=12,
        ),
        Column(
            _("Phân loại cũ"),
            "legacy_classification",
            when=_("Khi không có Bộ sản phẩm"),
            help=_(
                "Với sản phẩm công nhận theo quy định trước đây: tên ngành, nhóm hoặc bộ sản phẩm theo "
                "QĐ 1048/QĐ-TTg (6 ngành hàng: Thực phẩm, Đồ uống, Thảo dược, Vải và may mặc, Lưu niệm – "
                "nội thất – trang trí, Dịch vụ du lịch nông thôn, bán hàng) hoặc QĐ 148/QĐ-TTg; nhiều cấp "
                "ghi cách nhau bằng “/”, ví dụ “Thực phẩm / Chế biến từ thủy, hải sản”. Tên không có trong "
                "danh mục bị báo lỗi."
            ),
        ),
        Column(_("Mã sản phẩm cũ"), "legacy_code", help=_("Ví dụ 83-829-28780-3-2022."), width=20),
        Column(_("Mô tả"), "description", width=40),
        Column(_("Câu chuyện sản phẩm"), "story", width=40),
        Column(_("Nguyên liệu"), "raw_materials", width=30),
        Column(_("Nguồn gốc nguyên liệu"), "raw_material_origin", width=30),
        Column(_("Tiêu chuẩn áp dụng"), "standards", width=24),
        Column(_("Quy cách đóng gói"), "packaging", width=24),
        Column(
            _("Nơi bán"), "where_to_buy", help=_("Mỗi nơi một dòng hoặc cách nhau bằng dấu “;”."), width=30
        ),
        Column(_("Mã GTIN (mã vạch)"), "gtin", help=_("13 hoặc 14 chữ số; để trống nếu chưa có."), width=16),
        Column(
            _("Tình trạng"),
            "status",
            choices=_choices(ProductStatus.choices()),
            help=_("Để trống: tiềm năng."),
            width=14,
        ),
        Column(
            _("Địa bàn sản xuất"),
            "place",
            help=_(
                "Xã, (huyện), tỉnh nơi sản xuất, kể cả tên cũ trước 01/07/2025; để trống cùng các cột mã "
                "thì lấy địa bàn của chủ thể."
            ),
            width=40,
        ),
        Column(_("Mã đơn vị hành chính (hiện hành)"), "unit_code", help=_UNIT_HELP, width=14),
        Column(_("Mã đơn vị hành chính cũ"), "former_unit_code", help=_FORMER_UNIT_HELP, width=14),
    ]
    example = {
        "name": _("Mật ong hoa nhãn Ví Dụ"),
        "where_to_buy": _("Điểm bán sản phẩm OCOP tỉnh; sàn thương mại điện tử"),
        "producer_tax_code": "0100109106",
        "producer_name": _("Hợp tác xã Nông nghiệp Ví Dụ"),
        "classification_set": "B07",
        "packaging": _("Chai thủy tinh 500 ml"),
        "status": ProductStatus.POTENTIAL.value,
    }
    return columns, example


PRODUCER_SPEC: Spec = _LazySpec(
    _producer_columns,
    gettext_lazy("Mẫu nhập danh sách chủ thể OCOP"),
    lambda: [
        *_common_instructions(),
        _("Chủ thể có mã số thuế đã có trong hệ thống (hoặc có Mã chủ thể) được cập nhật, không tạo mới."),
    ],
)
PRODUCT_SPEC: Spec = _LazySpec(
    _product_columns,
    gettext_lazy("Mẫu nhập danh sách sản phẩm OCOP"),
    lambda: [
        *_common_instructions(),
        _("Chủ thể phải có sẵn trong hệ thống (nhập danh sách chủ thể trước)."),
        _(
            "Sản phẩm trùng tên với một sản phẩm đã có của cùng chủ thể sẽ bị báo lỗi; để cập nhật, hãy "
            "điền Mã sản phẩm OCOP của sản phẩm đó."
        ),
    ],
)


def _spec(kind: str) -> Spec:
    if kind == "producers":
        return PRODUCER_SPEC
    if kind == "products":
        return PRODUCT_SPEC
    raise ValueError(f"Unknown kind {kind!r}; expected one of {KINDS}.")


def write_template(kind: str, stream: IO[bytes]) -> None:
    """The .xlsx import template of `kind`, in the platform's language (the file format)."""
    with translation.override(settings.LANGUAGE_CODE):
        _spec(kind).write_template(stream)
