"""Spreadsheet import and export of the registry: producers (chủ thể) and products.

Public API (used by the `ocop import`/`ocop export` commands and the web pages):

    PRODUCER_SPEC, PRODUCT_SPEC                       the columns (ocop.core.tabular.Spec)
    import_file(kind, file, filename, user, *, dry_run=False, progress=None) -> ImportResult
    export_queryset(kind, queryset, stream, fmt)      same columns the template reads (products: plus
                                                      the status from the certificates, not imported)
    write_template(kind, stream)                      .xlsx template with drop-downs and instructions

kind is "producers" or "products". A file with any invalid row imports nothing (one
transaction); ImportResult.errors then lists row/column/value/message in Vietnamese. With a
user, every row must pass `can(user, "add" | "change", obj)`; without one (CLI) the import runs
with national scope.

Rows are validated by the models themselves (full_clean: field validators for tax code, GTIN
and legacy code, choices, the models' clean()); this module only turns text into values, finds
the unit, the producer and existing records, and checks what a single row cannot see
(duplicates inside the file). Only the foreign-key existence queries of full_clean are skipped:
the objects come from the database already.

Identity: a producer row updates the producer whose id ("Mã chủ thể (ID)") or tax code it
carries; a product row updates the product whose OCOP code it carries. A product row with a code
that is not in the database yet keeps that code (so an export re-imports unchanged, and codes
issued elsewhere survive a migration); the commune's counter is moved past it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.core.scoping import ADD, CHANGE, VIEW, can
from ocop.core.tabular import Column, ImportResult, RowError, Spec
from ocop.core.text import fold
from ocop.geo.models import Level, Structure, Unit, resolve_current

from . import classification, codes
from .classification import ProducerType, ProductStatus
from .models import (
    Ethnicity,
    Gender,
    LegalForm,
    Producer,
    ProducerStatus,
    Product,
    ProductCodeCounter,
    classification_choices,
)

__all__ = [
    "KINDS",
    "PRODUCER_SPEC",
    "PRODUCT_SPEC",
    "export_queryset",
    "import_file",
    "product_export_spec",
    "write_template",
]

KINDS = ("producers", "products")
PREVIEW_LIMIT = 200
BATCH_SIZE = 500

_YES = {"co", "x", "1", "true", "yes", "dung", "y"}
_NO = {"khong", "0", "false", "no", "sai", "n", ""}

_UNIT_HELP = gettext_lazy(
    "Mã xã/phường/đặc khu hiện hành (5 chữ số, ví dụ 00004) theo Quyết định 19/2025/QĐ-TTg, hoặc mã "
    "tỉnh (2 chữ số) nếu chỉ biết tỉnh. Cột này được ưu tiên hơn mã cũ và địa chỉ."
)
_FORMER_UNIT_HELP = gettext_lazy(
    "Chỉ điền khi không có mã hiện hành: mã xã (5 chữ số), huyện (3 chữ số) hoặc tỉnh (2 chữ số) "
    "trước ngày 01/07/2025."
)


# Free-text product columns, read as given.
TEXT_FIELDS = (
    "description",
    "story",
    "raw_materials",
    "raw_material_origin",
    "standards",
    "packaging",
    "where_to_buy",
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
        self._columns: list[Column] | None = None
        self._example: dict[str, str] = {}

    @property  # type: ignore[override]
    def columns(self) -> list[Column]:
        if self._columns is None:
            self._columns, self._example = self._build()
        return self._columns

    @property  # type: ignore[override]
    def example(self) -> dict[str, str]:
        self.columns  # noqa: B018 - builds the example too
        return self._example

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
            required=True,
            choices=_choices(ProducerType.choices()),
            help=_("Mã loại hình (xem bảng mã)."),
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
            help=_("Số nhà, thôn/ấp, xã, (huyện), tỉnh: dùng để xác định xã khi không có mã đơn vị."),
            width=45,
        ),
        Column(_("Mã đơn vị hành chính (hiện hành)"), "unit_code", help=_UNIT_HELP, width=14),
        Column(_("Mã đơn vị hành chính cũ"), "former_unit_code", help=_FORMER_UNIT_HELP, width=14),
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
            help=_(
                "Xác định chủ thể sản xuất; nếu chủ thể không có mã số thuế thì để trống và ghi đúng tên."
            ),
            width=16,
        ),
        Column(
            _("Tên chủ thể"),
            "producer_name",
            required=True,
            help=_("Tên chủ thể đã có trong hệ thống."),
            width=36,
        ),
        Column(
            _("Bộ sản phẩm"),
            "classification_set",
            choices=classification_choices(),
            help=_("Mã bộ sản phẩm B01–B26 theo Quyết định 26/2026/QĐ-TTg."),
            width=12,
        ),
        Column(
            _("Phân loại cũ"),
            "legacy_classification",
            help=_("Nhóm/phân nhóm theo quy định trước đây (chỉ với hồ sơ lịch sử)."),
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
            help=_("Xã, (huyện), tỉnh nơi sản xuất; để trống cùng các cột mã thì lấy địa bàn của chủ thể."),
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


# --- text → values -----------------------------------------------------------------------------


def _valid(check: Callable[[str], Any], value: str) -> Any:
    """check(value), or None when it raises ValueError (the row's own checks report it)."""
    try:
        return check(value)
    except ValueError:
        return None


class _CellError(Exception):
    """A value that cannot be read; message is Vietnamese."""


def _parse_choice(value: str, choices: list[tuple[str, str]]) -> str:
    if not value:
        return ""
    wanted = fold(value)
    for code, label in choices:
        # "HTX", "Hợp tác xã", "HTX · Hợp tác xã" and "htx" all mean HTX.
        if wanted in (fold(code), fold(label), fold(f"{code} · {label}")):
            return code
    head = fold(re.split(r"\s*[·\-–:]\s*", value, maxsplit=1)[0])
    for code, _label in choices:
        if head == fold(code):
            return code
    allowed = ", ".join(code for code, _label in choices[:30])
    raise _CellError(
        _("Giá trị không có trong danh sách; hãy chọn một trong: %(allowed)s.") % {"allowed": allowed}
    )


def _parse_date(value: str) -> dt.date | None:
    if not value:
        return None
    text = value.strip().split(" ")[0]
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _CellError(_("Ngày không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 15/03/2024."))


def _parse_int(value: str) -> int | None:
    if not value:
        return None
    text = re.sub(r"[\s.,](?=\d{3}\b)", "", value.strip())  # "1.200" / "1 200" → 1200
    if not re.fullmatch(r"\d+", text):
        raise _CellError(_("Phải là một số nguyên không âm."))
    return int(text)


def _parse_decimal(value: str) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise _CellError(_("Phải là một số, ví dụ 51 hoặc 51,5.")) from None
    if not number.is_finite():
        raise _CellError(_("Phải là một số, ví dụ 51 hoặc 51,5."))
    return number.quantize(Decimal("0.01"))


def _parse_bool(value: str) -> bool:
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise _CellError(_("Hãy ghi “Có” hoặc “Không”."))


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


# --- locations -----------------------------------------------------------------------------------


def _unit_label(unit: Unit) -> str:
    province = unit.current_province if unit.structure == Structure.CURRENT else None
    parts = [unit.name]
    parent = unit.parent
    while parent is not None:
        parts.append(parent.name)
        parent = parent.parent
    if province is not None and province.pk != unit.pk and province.name not in parts:
        parts.append(province.name)
    return ", ".join(parts)


def _code_candidates(value: str, widths: tuple[int, ...]) -> list[str]:
    """The official codes a typed code may stand for: Excel drops leading zeros ("00004" → "4")."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return []
    if len(text) in widths:
        return [text]  # an official width: taken as typed ("82" is a province, "00082" a commune)
    return [text.zfill(width) for width in widths if len(text) <= width]


@dataclass
class _Located:
    unit: Unit
    province: Unit | None
    commune: Unit | None


class _Locator:
    """Finds units by code or free text, caching everything (a file repeats the same places)."""

    def __init__(self) -> None:
        self._units: dict[tuple[str, str], Unit | None] = {}
        self._resolved: dict[int, tuple[Unit | None, Unit | None]] = {}
        self._matches: dict[str, Any] = {}

    def unit(self, structure: str, code: str) -> Unit | None:
        key = (structure, code)
        if key not in self._units:
            self._units[key] = (
                Unit.objects.select_related("current_province", "parent__parent")
                .prefetch_related("successions__current")
                .filter(structure=structure, code=code)
                .first()
            )
        return self._units[key]

    def locate(self, unit: Unit) -> _Located:
        if unit.pk not in self._resolved:
            self._resolved[unit.pk] = resolve_current(unit)
        province, commune = self._resolved[unit.pk]
        return _Located(unit, province, commune)

    def by_code(self, value: str, structure: str, widths: tuple[int, ...], not_found: str) -> _Located:
        units = [
            u for code in _code_candidates(value, widths) if (u := self.unit(structure, code)) is not None
        ]
        if not units:
            raise _CellError(not_found)
        if len(units) > 1:
            listing = "; ".join(f"{u.code} = {_unit_label(u)}" for u in units)
            raise _CellError(
                _("Mã này có thể là %(list)s. Hãy ghi đủ các số 0 ở đầu (định dạng ô là Văn bản).")
                % {"list": listing}
            )
        return self.locate(units[0])

    def by_current_code(self, value: str) -> _Located:
        return self.by_code(
            value, Structure.CURRENT, (2, 5), _("Không có đơn vị hành chính hiện hành nào có mã này.")
        )

    def by_former_code(self, value: str) -> _Located:
        return self.by_code(
            value,
            Structure.FORMER,
            (2, 3, 5),
            _("Không có đơn vị hành chính cũ (trước 01/07/2025) nào có mã này."),
        )

    def by_text(self, text: str) -> _Located:
        key = fold(text)
        if key not in self._matches:
            self._matches[key] = self._match(text)
        outcome = self._matches[key]
        if isinstance(outcome, _CellError):
            raise outcome
        return outcome

    def _match(self, text: str) -> _Located | _CellError:
        try:
            from ocop.geo.matching import match_address

            result = match_address(text)
            best = result.best
        except (ImportError, NotImplementedError):
            return _CellError(
                _(
                    "Chưa tự xác định được đơn vị hành chính từ địa chỉ; hãy điền cột “Mã đơn vị hành chính "
                    "(hiện hành)”."
                )
            )
        if best is None:
            suggestions = "; ".join(
                f"{_unit_label(c.unit)} → {c.current_commune or c.current_province} "
                f"({c.current_commune.code if c.current_commune else c.current_province.code})"
                for c in result.candidates[:5]
            )
            message = str(result.message or _("Không xác định chắc chắn được đơn vị hành chính từ địa chỉ."))
            if suggestions and suggestions not in message:
                message += " " + _("Gợi ý: %(suggestions)s.") % {"suggestions": suggestions}
            message += " " + _("Hãy điền cột “Mã đơn vị hành chính (hiện hành)”.")
            return _CellError(message)
        return _Located(best.unit, best.current_province, best.current_commune)


# --- import --------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    obj: models.Model | None = None
    existing: bool = False
    original: models.Model | None = None
    changed: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if not self.existing:
            return "create"
        return "update" if self.changed else "unchanged"

    adopted_code: codes.ProductCode | None = None
    adopted_commune: Unit | None = None
    errors: list[RowError] = field(default_factory=list)


# Derived or automatic: never a reason to rewrite a record.
_UNCOMPARED = {"id", "search_text", "sort_key", "created", "updated"}


class _Importer:
    kind: str
    model: type[models.Model]
    spec: Spec
    fk_fields: tuple[str, ...] = ("unit", "province", "commune")

    def __init__(self, user: Any | None) -> None:
        self.user = user
        self.locator = _Locator()
        self.headers = {c.key: str(c.header) for c in self.spec.columns}

    # helpers

    def error(self, row: _Row, key: str, message: str) -> None:
        column = self.headers.get(key, "")
        value = row.values.get(key, "") if key else ""
        row.errors.append(RowError(row.number, column, value, str(message)))

    def parse(self, row: _Row, key: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        try:
            return parser(row.values.get(key, ""))
        except _CellError as error:
            self.error(row, key, str(error))
            return default

    def choice(self, row: _Row, key: str) -> str:
        return self.parse(row, key, lambda v: _parse_choice(v, self.spec.column(key).choices or []), "")

    def location(self, row: _Row, text_key: str) -> _Located | None:
        for key, finder in (
            ("unit_code", self.locator.by_current_code),
            ("former_unit_code", self.locator.by_former_code),
            (text_key, self.locator.by_text),
        ):
            value = row.values.get(key, "")
            if value:
                try:
                    return finder(value)
                except _CellError as error:
                    self.error(row, key, str(error))
                    return None
        return None

    def place(self, obj: Any, located: _Located) -> None:
        obj.unit, obj.province, obj.commune = located.unit, located.province, located.commune

    def full_clean(self, row: _Row, obj: models.Model, exclude: Iterable[str] = ()) -> None:
        try:
            # Constraints off: the models' clean() checks the same uniqueness (tax code, GTIN) with a
            # better message, and the conditional constraint check costs queries even for blanks.
            obj.full_clean(exclude=[*self.fk_fields, *exclude], validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                key = name if name in self.headers else ""
                if name == NON_FIELD_ERRORS or not key:
                    for message in messages:
                        row.errors.append(RowError(row.number, "", "", message))
                    continue
                for message in messages:
                    self.error(row, key, message)

    def check_scope(self, row: _Row, obj: models.Model, original: models.Model | None) -> None:
        if self.user is None:
            return
        if original is not None and not can(self.user, CHANGE, original):
            row.errors.append(RowError(row.number, "", "", _("Bạn không có quyền sửa bản ghi này.")))
        elif not can(self.user, CHANGE if original is not None else ADD, obj):
            row.errors.append(
                RowError(
                    row.number,
                    "",
                    "",
                    _("Bản ghi nằm ngoài phạm vi quản lý của bạn (hoặc bạn không có quyền thêm)."),
                )
            )

    # steps

    def prepare(self, rows: list[_Row]) -> None:
        """Bulk look-ups before the per-row work."""

    def build(self, row: _Row) -> None:
        raise NotImplementedError

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        raise NotImplementedError

    def preview(self, row: _Row) -> dict:
        return {"row": row.number, "action": row.action, **row.values}

    def finish(self, row: _Row, obj: models.Model, original: models.Model | None) -> None:
        """After the row's own checks: the model's validation, the scope, and what would change."""
        self.full_clean(row, obj)
        self.check_scope(row, obj, original)
        row.obj, row.original = obj, original
        if original is not None:
            row.changed = [
                f.attname
                for f in obj._meta.concrete_fields
                if f.attname not in _UNCOMPARED and getattr(obj, f.attname) != getattr(original, f.attname)
            ]


def _change_reason(filename: str) -> str:
    return _("Nhập từ tệp %(name)s") % {"name": filename}


class _ProducerImporter(_Importer):
    kind = "producers"
    model = Producer
    spec = PRODUCER_SPEC

    def prepare(self, rows: list[_Row]) -> None:
        ids = {int(r.values["id"]) for r in rows if r.values.get("id", "").isdigit()}
        self.by_id = Producer.objects.select_related("unit").in_bulk([i for i in ids if i < 2**31])
        taxes = {_valid(codes.validate_tax_code, r.values.get("tax_code", "")) for r in rows} - {None}
        self.by_tax = {p.tax_code: p for p in Producer.objects.filter(tax_code__in=taxes)}
        self.seen_tax: dict[str, int] = {}
        self.seen_id: dict[int, int] = {}

    def build(self, row: _Row) -> None:
        values = row.values
        original = None
        if values.get("id"):
            if not values["id"].isdigit():
                self.error(row, "id", _("Mã chủ thể phải là số (để trống khi thêm mới)."))
            else:
                original = self.by_id.get(int(values["id"]))
                if original is not None and (first := self.seen_id.get(original.pk)):
                    self.error(row, "id", _("Trùng mã chủ thể với dòng %(row)s.") % {"row": first})
                elif original is not None:
                    self.seen_id[original.pk] = row.number
        tax_code = ""
        if values.get("tax_code"):
            try:
                tax_code = codes.validate_tax_code(values["tax_code"])
            except ValueError:
                tax_code = ""  # full_clean reports it with the model's message
        if tax_code:
            if first := self.seen_tax.get(tax_code):
                self.error(row, "tax_code", _("Mã số thuế trùng với dòng %(row)s của tệp.") % {"row": first})
            else:
                self.seen_tax[tax_code] = row.number
            holder = self.by_tax.get(tax_code)
            if holder is not None:
                if original is None and not values.get("id"):
                    original = holder  # the tax code is the producer's identity: update it
                elif original is not None and holder.pk != original.pk:
                    self.error(
                        row,
                        "tax_code",
                        _("Mã số thuế đã thuộc chủ thể “%(name)s” (mã %(id)s).")
                        % {"name": holder.name, "id": holder.pk},
                    )
        obj = _copy(original) if original is not None else Producer()
        row.existing = original is not None

        obj.name = values.get("name", "")
        obj.producer_type = self.choice(row, "producer_type")
        obj.legal_form = self.choice(row, "legal_form")
        obj.community_capital_share = self.parse(row, "community_capital_share", _parse_decimal)
        obj.tax_code = values.get("tax_code", "")
        obj.registration_date = self.parse(row, "registration_date", _parse_date)
        obj.representative_name = values.get("representative_name", "")
        obj.representative_position = values.get("representative_position", "")
        obj.representative_gender = self.choice(row, "representative_gender")
        obj.representative_ethnicity = self.choice(row, "representative_ethnicity")
        obj.representative_ethnicity_other = values.get("representative_ethnicity_other", "")
        obj.representative_disability = self.parse(row, "representative_disability", _parse_bool, False)
        obj.address = values.get("address", "")
        obj.phone = values.get("phone", "")
        obj.email = values.get("email", "")
        obj.workforce_total = self.parse(row, "workforce_total", _parse_int)
        obj.workforce_local = self.parse(row, "workforce_local", _parse_int)
        obj.status = self.choice(row, "status") or ProducerStatus.ACTIVE

        located = self.location(row, "address")
        if located is not None:
            self.place(obj, located)
        elif original is None and not any(
            row.values.get(k) for k in ("unit_code", "former_unit_code", "address")
        ):
            self.error(row, "unit_code", _("Thiếu địa bàn: hãy điền mã đơn vị hành chính hoặc địa chỉ."))
        if row.errors:
            return  # the model's checks on half-read values would only repeat them
        self.finish(row, obj, original)

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        # Producers are few (hundreds per province): save() one by one keeps every model side effect.
        for index, row in enumerate(rows, start=1):
            obj = row.obj
            if row.action == "unchanged":
                continue
            obj._change_reason = self.reason
            if self.user is not None:
                obj._history_user = self.user
            obj.save()
            if index % 100 == 0:
                progress(index)
        progress(len(rows))


def _copy(instance: models.Model) -> models.Model:
    """A detached copy of a saved instance (the scope check compares it with the original)."""
    clone = type(instance).from_db(
        instance._state.db,
        [f.attname for f in instance._meta.concrete_fields],
        [getattr(instance, f.attname) for f in instance._meta.concrete_fields],
    )
    return clone


class _ProductImporter(_Importer):
    kind = "products"
    model = Product
    spec = PRODUCT_SPEC
    fk_fields = ("unit", "province", "commune", "producer", "code")

    def prepare(self, rows: list[_Row]) -> None:
        parsed: dict[str, codes.ProductCode] = {}
        for r in rows:
            if r.values.get("code") and (code := _valid(codes.parse_product_code, r.values["code"])):
                parsed[r.values["code"]] = code
        self.parsed_codes = parsed
        self.by_code = {p.code: p for p in Product.objects.filter(code__in={str(c) for c in parsed.values()})}
        taxes = {_valid(codes.validate_tax_code, r.values.get("producer_tax_code", "")) for r in rows} - {
            None
        }
        producers = Producer.objects.select_related("unit__current_province").prefetch_related(
            "unit__successions__current"
        )
        self.producer_by_tax = {p.tax_code: p for p in producers.filter(tax_code__in=taxes)}
        names = {
            fold(r.values.get("producer_name", "")) for r in rows if not r.values.get("producer_tax_code")
        }
        visible = producers if self.user is None else producers.restrict(self.user, VIEW)
        self.producers_by_name: dict[str, list[Producer]] = defaultdict(list)
        if names:
            for producer in visible.filter(
                search_text__in=[f"{n}" for n in names] + [f"{n} | " for n in names]
            ):
                self.producers_by_name[fold(producer.name)].append(producer)
            missing = names - set(self.producers_by_name)
            if missing:  # search_text holds "name | tax": match on the folded name in Python
                for producer in visible.only(
                    "id", "name", "tax_code", "unit", "province", "commune"
                ).iterator():
                    if fold(producer.name) in missing:
                        self.producers_by_name[fold(producer.name)].append(producer)
        self.producer_ids = {p.pk for p in self.producer_by_tax.values()} | {
            p.pk for group in self.producers_by_name.values() for p in group
        }
        self.existing_names: dict[tuple[int, str], Product] = {}
        for product in Product.objects.filter(producer_id__in=self.producer_ids).only(
            "id", "name", "producer", "code"
        ):
            self.existing_names.setdefault((product.producer_id, fold(product.name)), product)
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[int, str], int] = {}
        self.seen_gtins: dict[str, int] = {}

    def find_producer(self, row: _Row) -> Producer | None:
        tax_value = row.values.get("producer_tax_code", "")
        name = row.values.get("producer_name", "")
        if tax_value:
            try:
                tax_code = codes.validate_tax_code(tax_value)
            except ValueError as error:
                self.error(row, "producer_tax_code", str(error))
                return None
            producer = self.producer_by_tax.get(tax_code)
            if producer is None:
                self.error(
                    row, "producer_tax_code", _("Không có chủ thể nào có mã số thuế này trong hệ thống.")
                )
            return producer
        if not name:
            self.error(row, "producer_name", _("Hãy ghi tên chủ thể (hoặc mã số thuế của chủ thể)."))
            return None
        found = self.producers_by_name.get(fold(name), [])
        if not found:
            self.error(row, "producer_name", _("Không tìm thấy chủ thể có tên này; hãy nhập chủ thể trước."))
            return None
        if len(found) > 1:
            listing = "; ".join(
                f"{p.name} (mã {p.pk}{', MST ' + p.tax_code if p.tax_code else ''})" for p in found[:5]
            )
            self.error(
                row,
                "producer_name",
                _("Có %(count)s chủ thể cùng tên: %(list)s. Hãy điền mã số thuế chủ thể.")
                % {"count": len(found), "list": listing},
            )
            return None
        return found[0]

    def build(self, row: _Row) -> None:
        values = row.values
        original = None
        if values.get("code"):
            code = self.parsed_codes.get(values["code"])
            if code is None:
                try:
                    codes.parse_product_code(values["code"])
                except ValueError as error:
                    self.error(row, "code", str(error))
            else:
                text = str(code)
                if first := self.seen_codes.get(text):
                    self.error(row, "code", _("Mã sản phẩm trùng với dòng %(row)s của tệp.") % {"row": first})
                self.seen_codes[text] = row.number
                original = self.by_code.get(text)
                if original is None:
                    row.adopted_code = code
        producer = self.find_producer(row)
        obj = _copy(original) if original is not None else Product()
        row.existing = original is not None
        obj.name = values.get("name", "")
        obj.name_en = values.get("name_en", "")
        set_code = values.get("classification_set", "")
        if set_code:
            try:
                obj.classification_set = classification.validate_set_code(set_code.split("·")[0].strip())
            except ValueError as error:
                self.error(row, "classification_set", str(error))
        else:
            obj.classification_set = ""
        obj.legacy_classification = values.get("legacy_classification", "")
        obj.legacy_code = values.get("legacy_code", "")
        for key in TEXT_FIELDS:
            setattr(obj, key, values.get(key, ""))
        obj.gtin = re.sub(r"\s+", "", values.get("gtin", ""))
        obj.status = self.choice(row, "status") or ProductStatus.POTENTIAL.value
        if producer is not None:
            obj.producer = producer
        located = self.location(row, "place")
        if located is not None:
            self.place(obj, located)
        elif (
            producer is not None
            and not any(values.get(k) for k in ("unit_code", "former_unit_code", "place"))
            and (original is None or original.producer_id != producer.pk)
        ):
            # No place given: where the producer is (an update keeps the product's own place).
            self.place(obj, self.locator.locate(producer.unit))
        if row.adopted_code is not None:
            commune = self.locator.unit(Structure.CURRENT, row.adopted_code.commune)
            if commune is None or commune.level != Level.COMMUNE:
                self.error(row, "code", _("Mã xã trong mã sản phẩm không phải mã xã/phường hiện hành."))
            else:
                obj.code = str(row.adopted_code)
                obj.code_sequence, obj.code_year = row.adopted_code.seq, row.adopted_code.year
                row.adopted_commune = commune
        if producer is not None:
            key = (producer.pk, fold(obj.name))
            if first := self.seen_names.get(key):
                self.error(
                    row,
                    "name",
                    _("Sản phẩm trùng tên, cùng chủ thể với dòng %(row)s của tệp.") % {"row": first},
                )
            self.seen_names[key] = row.number
            same = self.existing_names.get(key)
            if same is not None and (original is None or same.pk != original.pk):
                self.error(
                    row,
                    "name",
                    _(
                        "Chủ thể này đã có sản phẩm cùng tên (mã %(code)s). Để cập nhật sản phẩm đó, "
                        "hãy điền Mã sản phẩm OCOP."
                    )
                    % {"code": same.code or same.pk},
                )
        if obj.gtin:
            try:
                gtin = codes.validate_gtin(obj.gtin)
            except ValueError:
                pass  # full_clean reports it
            else:
                if first := self.seen_gtins.get(gtin):
                    self.error(row, "gtin", _("Mã GTIN trùng với dòng %(row)s của tệp.") % {"row": first})
                self.seen_gtins[gtin] = row.number
        if row.errors:
            return
        self.finish(row, obj, original)

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        now = timezone.now()
        # Codes carried by the file first: the counters move past them before new codes are drawn.
        adopted: dict[int, int] = {}
        for row in rows:
            if row.adopted_code is not None:
                commune_id = row.adopted_commune.pk
                adopted[commune_id] = max(adopted.get(commune_id, 0), row.adopted_code.seq)
        for commune_id, seq in adopted.items():
            ProductCodeCounter.objects.get_or_create(commune_id=commune_id)
            ProductCodeCounter.objects.filter(commune_id=commune_id).update(last=Greatest(F("last"), seq))
        needing: dict[int, list[Product]] = defaultdict(list)
        for row in rows:
            obj = row.obj
            if not obj.code and obj.commune_id is not None:
                needing[obj.commune_id].append(obj)
        year = timezone.localdate().year
        for commune_id, objs in needing.items():
            first = _reserve(commune_id, len(objs))
            for offset, obj in enumerate(objs):
                # As Product.assign_code: T-X-STT-YYYY from the current province and commune.
                sequence = first + offset
                obj.code = codes.format_product_code(obj.province.code, obj.commune.code, sequence, year)
                obj.code_sequence, obj.code_year = sequence, year
        creates, updates = [], []
        for row in rows:
            obj = row.obj
            if row.action == "unchanged":
                continue
            obj.refresh_search()
            obj.updated = now
            if row.existing:
                updates.append(row)
            else:
                obj.created = now
                creates.append(obj)
        done = 0
        for batch in _batches(creates, BATCH_SIZE):
            _bulk_create(batch, self.user, self.reason)
            done += len(batch)
            progress(done)
        # One UPDATE per changed row, of its changed fields only: bulk_update's CASE WHEN over every
        # field is quadratic in the batch size on SQLite (minutes for 20,000 rows).
        for batch in _batches(updates, BATCH_SIZE):
            for row in batch:
                fields = [*row.changed, "search_text", "sort_key", "updated"]
                Product.objects.filter(pk=row.obj.pk).update(
                    **{name: getattr(row.obj, name) for name in fields}
                )
            Product.history.bulk_history_create(
                [row.obj for row in batch],
                update=True,
                default_user=self.user,
                default_change_reason=self.reason,
            )
            done += len(batch)
            progress(done)


def _reserve(commune_id: int, count: int) -> int:
    """The first of `count` consecutive sequence numbers reserved in the commune's counter.

    Same counter as ProductCodeCounter.next_for (the row stays locked until the import commits).
    """
    ProductCodeCounter.objects.get_or_create(commune_id=commune_id)
    ProductCodeCounter.objects.filter(commune_id=commune_id).update(last=F("last") + count)
    last = ProductCodeCounter.objects.filter(commune_id=commune_id).values_list("last", flat=True).get()
    return last - count + 1


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_create(objs: list[models.Model], user: Any, reason: str) -> None:
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(objs, type(objs[0]), default_user=user, default_change_reason=reason)


_IMPORTERS: dict[str, type[_Importer]] = {"producers": _ProducerImporter, "products": _ProductImporter}


def import_file(
    kind: str,
    file: Any,
    filename: str,
    user: Any | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction (or nothing at all).

    Raises TabularError when the file itself is unreadable (wrong type, corrupt, empty, missing
    required columns); row problems come back in ImportResult.errors. `progress(done, total)` is
    called as rows are validated, then written (total = 2 × rows). With `dry_run` nothing is
    written; the result says what would be created/updated. `preview` holds the first rows
    (row number, "create"/"update", the values read).
    """
    rows = [_Row(number, values) for number, values in _spec(kind).read(file, filename)]
    importer = _IMPORTERS[kind](user)
    importer.reason = _change_reason(filename)
    report = progress or (lambda done, total: None)
    total = 2 * len(rows)
    importer.prepare(rows)
    result = ImportResult(dry_run=dry_run)
    for index, row in enumerate(rows, start=1):
        importer.build(row)
        result.errors.extend(row.errors)
        if index % 200 == 0:
            report(index, total)
    report(len(rows), total)
    result.preview = [importer.preview(row) for row in rows[:PREVIEW_LIMIT]]
    result.created = sum(1 for row in rows if row.action == "create")
    result.updated = sum(1 for row in rows if row.action == "update")
    result.unchanged = sum(1 for row in rows if row.action == "unchanged")
    if result.errors or dry_run:
        report(total, total)  # nothing to write: the job is done
        if result.errors:
            result.created = result.updated = result.unchanged = 0
        return result
    with transaction.atomic():
        importer.write(rows, lambda done: report(len(rows) + done, total))
    report(total, total)
    return result


# --- export ----------------------------------------------------------------------------------------


def _producer_row(producer: Producer) -> dict[str, str]:
    values = {
        c.key: _format(getattr(producer, c.key, ""))
        for c in PRODUCER_SPEC.columns
        if hasattr(producer, c.key)
    }
    values["id"] = str(producer.pk)
    values.update(_unit_columns(producer.unit))
    return values


def _unit_columns(unit: Unit) -> dict[str, str]:
    if unit.structure == Structure.CURRENT:
        return {"unit_code": unit.code, "former_unit_code": ""}
    return {"unit_code": "", "former_unit_code": unit.code}


def _product_row(product: Product) -> dict[str, str]:
    values = {
        c.key: _format(getattr(product, c.key, "")) for c in PRODUCT_SPEC.columns if hasattr(product, c.key)
    }
    values["code"] = product.code or ""
    values["programme_status"] = product.programme_status
    values["producer_tax_code"] = product.producer.tax_code
    values["producer_name"] = product.producer.name
    values["place"] = _unit_label(product.unit)
    values.update(_unit_columns(product.unit))
    return values


def export_queryset(kind: str, queryset: models.QuerySet, stream: IO[bytes], fmt: str = "xlsx") -> None:
    """Write the queryset (already restricted by the caller) with the template's columns.

    Personal data is part of the producer export: callers restrict to users who may view it.
    """
    spec = _spec(kind)
    if kind == "producers":
        rows = (_producer_row(p) for p in queryset.select_related("unit").iterator(chunk_size=2000))
    else:
        queryset = queryset.select_related("producer", "unit__parent__parent", "unit__current_province")
        if "programme_status" not in queryset.query.annotations:
            queryset = queryset.with_programme_status()
        rows = (_product_row(p) for p in queryset.iterator(chunk_size=2000))
        spec = product_export_spec()
    spec.write_rows(rows, stream, fmt)


def product_export_spec() -> Spec:
    """The import template's columns, then the status from the certificates (import ignores it).

    The template's "status" column keeps the stored stage, so an export imports back as it was.
    """
    current = Column(
        _("Tình trạng hiện tại (theo giấy chứng nhận)"),
        "programme_status",
        help=_("Chỉ để xem: tính từ giấy chứng nhận vào ngày xuất tệp; khi nhập tệp, cột này được bỏ qua."),
        width=16,
    )
    return Spec(columns=[*PRODUCT_SPEC.columns, current])


def write_template(kind: str, stream: IO[bytes]) -> None:
    """The .xlsx import template of `kind`."""
    _spec(kind).write_template(stream)
