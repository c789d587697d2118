"""History import of past inspections and removals (issue 13, point 6), through the registry's import
pipeline (``ocop.registry.extensions.import_kinds``: the wizard /registry/import/inspections/ and
``ocop import inspections FILE``).

One module although ~850 lines: one kind of file, whose columns, cell readers and importer change
together (as ``ocop.certification.io``).

One row per inspected product: the plan (title, number, year, kind, level, province), the producer
(tax code, or name within the place), the product (OCOP code, or name), the inspection date and
the conclusion for that product (compliant, warning with corrective actions and a deadline,
revocation proposal on ground b/c/d of Art. 8.1, removal from the programme), with the date the
warning was resolved and a note.

Rows become ``InspectionPlan`` (created or reused: same province, year, title and number),
``Inspection`` (done, concluded on the inspection date; reused: same plan, producer and date, or
the producer's inspection of that plan not done yet) and ``InspectedProduct`` (same inspection
and product: updated). No checklist is made. A revocation proposal is tied to the certificate the
product held on the inspection date. Importing doesn't notify anyone or open revocations (they
are history); the revocation itself comes from the certificates' history import.

All or nothing: any invalid row imports nothing, the errors name row, column, value and message in
Vietnamese. Re-importing the same file changes nothing. With a user, every producer and product
must be visible to them and every plan, inspection and inspected product within what they may add
or change (a province office: its own province's plans); without one (the CLI) the import runs
with national scope.

Removal: the oversight outcome "removal" is recorded, and the product takes the registry's status
for removal (``ProductStatus.REMOVED``) where the registry has it; ``consequences.after_conclusion``
is not called for history (no notices).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.certification.models import Certificate
from ocop.core import clock
from ocop.core.scoping import ADD, CHANGE, VIEW, can, restrict
from ocop.core.tabular import Column, ImportResult, RowError, Spec, parse_day
from ocop.core.text import fold
from ocop.registry import codes as registry_codes
from ocop.registry.classification import ProductStatus
from ocop.registry.io import CellError, Locator
from ocop.registry.models import Producer, Product, normalize_tax_code

from .models import (
    InspectedProduct,
    Inspection,
    InspectionPlan,
    InspectionStatus,
    Outcome,
    PlanKind,
    PlanLevel,
    PlanStatus,
)
from .models.inspections import OUTCOME_ORDER, InspectionGround

__all__ = ["INSPECTION_SPEC", "import_file", "write_template"]


# --- columns ---------------------------------------------------------------------------------------


class _InspectionSpec(Spec):
    """Columns built on first use: headers and help are translated in the active language."""

    @property  # type: ignore[override]
    def columns(self) -> list[Column]:
        return _columns()

    @property  # type: ignore[override]
    def title(self) -> str:
        return _(
            "Mẫu nhập lịch sử kiểm tra, giám sát sản phẩm OCOP (kết luận kiểm tra, đưa ra khỏi chương trình)"
        )

    @property  # type: ignore[override]
    def instructions(self) -> list[str]:
        return [
            _("Mỗi dòng là một sản phẩm trong một cuộc kiểm tra; dòng 1 là tiêu đề cột, không đổi tên cột."),
            _("Dòng 2 là ví dụ: hãy xoá hoặc ghi đè trước khi nhập."),
            _(
                "Kế hoạch được nhận biết theo tỉnh, năm, tên và số kế hoạch: các dòng cùng kế hoạch ghi "
                "giống nhau; kế hoạch chưa có thì được tạo."
            ),
            _(
                "Cuộc kiểm tra được nhận biết theo kế hoạch, chủ thể và ngày kiểm tra: các sản phẩm của "
                "cùng một cuộc kiểm tra ghi cùng ngày."
            ),
            _(
                "Chủ thể và sản phẩm phải có sẵn trong hệ thống: ghi mã sản phẩm OCOP; nếu không có mã, "
                "ghi tên sản phẩm cùng mã số thuế hoặc tên chủ thể (và địa bàn nếu có chủ thể cùng tên)."
            ),
            _(
                "Kết luận: compliant (đạt), warning (cảnh báo: ghi yêu cầu khắc phục và hạn), revocation "
                "(đề nghị thu hồi: ghi căn cứ b, c hoặc d khoản 1 Điều 8), "
                "removal (đưa ra khỏi chương trình)."
            ),
            _(
                "Nhập lịch sử không gửi thông báo và không mở thủ tục thu hồi; việc thu hồi giấy chứng "
                "nhận được nhập qua mẫu “Lịch sử công nhận”."
            ),
            _("Ngày ghi theo dạng ngày/tháng/năm, ví dụ 16/06/2025."),
            _("Nhập lại cùng tệp không tạo bản ghi trùng: các dòng đã có được cập nhật."),
            _(
                "Chỉ cần một dòng sai là cả tệp không được nhập; hệ thống trả về bảng lỗi "
                "(dòng, cột, giá trị, lỗi)."
            ),
        ]

    @property  # type: ignore[override]
    def example(self) -> dict[str, str]:
        return {
            "plan_title": "Kiểm tra định kỳ sản phẩm OCOP năm 2025",
            "plan_number": "125/KH-SNN",
            "plan_year": "2025",
            "plan_kind": PlanKind.PERIODIC.value,
            "plan_level": PlanLevel.PROVINCE.value,
            "province": "01",
            "product_code": "01-00004-1-2025",
            "inspected_on": "16/06/2025",
            "conclusion": Outcome.WARNING.value,
            "corrective_actions": "Bổ sung hạn sử dụng trên nhãn",
            "deadline": "16/07/2025",
            "resolved_on": "10/07/2025",
        }


def _columns() -> list[Column]:
    producer_when = _("Khi không có Mã sản phẩm: một trong hai cột Mã số thuế chủ thể, Tên chủ thể")
    return [
        Column(
            _("Tên kế hoạch"),
            "plan_title",
            required=True,
            help=_("Như ghi trên kế hoạch kiểm tra."),
            width=36,
        ),
        Column(_("Số kế hoạch"), "plan_number", help=_("Ví dụ 125/KH-SNN; có thể để trống."), width=18),
        Column(
            _("Năm kế hoạch"),
            "plan_year",
            help=_("Để trống: năm của ngày kiểm tra."),
            width=10,
        ),
        Column(
            _("Loại kiểm tra"),
            "plan_kind",
            choices=[(k.value, str(k.label)) for k in PlanKind],
            help=_(
                "periodic: định kỳ; ad_hoc: đột xuất; evaluation_review: Bộ kiểm tra công tác đánh giá. "
                "Để trống: định kỳ."
            ),
            width=16,
        ),
        Column(
            _("Cấp kế hoạch"),
            "plan_level",
            choices=[(level.value, str(level.label)) for level in PlanLevel],
            help=_("province: kế hoạch của tỉnh; central: kế hoạch của Bộ. Để trống: cấp tỉnh."),
            width=12,
        ),
        Column(
            _("Tỉnh"),
            "province",
            help=_(
                "Mã (ví dụ 01) hoặc tên tỉnh của kế hoạch. Để trống: tỉnh của chủ thể "
                "(kế hoạch của Bộ: cả nước)."
            ),
            width=20,
        ),
        Column(
            _("Mã số thuế chủ thể"),
            "producer_tax_code",
            when=producer_when,
            help=_("Mã số thuế; với hộ kinh doanh: số đăng ký hộ kinh doanh hoặc CCCD của chủ hộ."),
            width=16,
        ),
        Column(
            _("Tên chủ thể"),
            "producer_name",
            when=producer_when,
            help=_("Đúng tên chủ thể đã nhập; nếu có nhiều chủ thể cùng tên, ghi Địa bàn."),
            width=32,
        ),
        Column(
            _("Địa bàn"),
            "place",
            help=_("Xã, tỉnh của chủ thể; chỉ dùng để phân biệt các chủ thể cùng tên."),
            width=30,
        ),
        Column(
            _("Mã sản phẩm"),
            "product_code",
            help=_("Mã sản phẩm OCOP (ví dụ 01-00004-1-2025) hoặc mã cũ. Để trống thì ghi Tên sản phẩm."),
            width=22,
        ),
        Column(
            _("Tên sản phẩm"),
            "product_name",
            when=_("Khi không có Mã sản phẩm"),
            help=_("Đúng tên đã đăng ký của sản phẩm của chủ thể."),
            width=32,
        ),
        Column(_("Ngày kiểm tra"), "inspected_on", required=True, help=_("ngày/tháng/năm"), width=14),
        Column(
            _("Kết luận"),
            "conclusion",
            required=True,
            choices=[(o.value, str(o.label)) for o in Outcome],
            help=_(
                "compliant, warning, revocation, removal "
                "(hoặc: đạt, cảnh báo, thu hồi, đưa ra khỏi chương trình)."
            ),
            width=16,
        ),
        Column(
            _("Căn cứ thu hồi"),
            "ground",
            when=_("Khi kết luận là đề nghị thu hồi"),
            choices=[(g.value, str(g.label)) for g in InspectionGround],
            help=_("Điểm b, c hoặc d khoản 1 Điều 8."),
            width=12,
        ),
        Column(
            _("Yêu cầu khắc phục"),
            "corrective_actions",
            when=_("Khi kết luận là cảnh báo"),
            help=_("Những việc chủ thể phải làm."),
            width=36,
        ),
        Column(
            _("Hạn khắc phục"),
            "deadline",
            when=_("Khi kết luận là cảnh báo"),
            help=_("ngày/tháng/năm"),
            width=14,
        ),
        Column(
            _("Ngày khắc phục xong"),
            "resolved_on",
            help=_("Khi chủ thể đã khắc phục xong cảnh báo: ngày/tháng/năm."),
            width=14,
        ),
        Column(_("Ghi chú"), "note", help=_("Ghi vào nhận xét chung của cuộc kiểm tra."), width=36),
    ]


INSPECTION_SPEC = _InspectionSpec()


# --- text → values -------------------------------------------------------------------------------

_OUTCOME_WORDS = {
    # Vietnamese words people write in their lists, folded (ocop.core.text.fold).
    Outcome.COMPLIANT: ("dat", "tuan thu", "dat yeu cau", "khong vi pham", "duy tri"),
    Outcome.WARNING: ("canh bao", "nhac nho", "yeu cau khac phuc", "khac phuc"),
    Outcome.REVOCATION: ("thu hoi", "de nghi thu hoi"),
    Outcome.REEVALUATION: ("danh gia lai", "de nghi danh gia lai"),
    Outcome.REMOVAL: ("dua ra khoi chuong trinh", "loai khoi chuong trinh", "ra khoi chuong trinh", "loai"),
}


def _parse_date(value: str) -> dt.date | None:
    try:
        return parse_day(value)
    except ValueError:
        raise CellError(_("Ngày không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 16/06/2025.")) from None


def _parse_outcome(value: str) -> str:
    folded = fold(value).strip(" .")
    if not folded:
        return ""  # the row says "Bắt buộc."
    for outcome in Outcome:
        if folded in (outcome.value, fold(str(outcome.label))):
            return outcome.value
    for outcome, words in _OUTCOME_WORDS.items():
        if folded in words:
            return outcome.value
    # Longer phrases: the gravest outcome they name ("đề nghị thu hồi giấy chứng nhận"); never
    # "compliant" from a phrase ("không duy trì…" is not).
    for outcome in reversed(OUTCOME_ORDER[1:]):
        if any(word in folded for word in _OUTCOME_WORDS[outcome] if len(word) > 4):
            return outcome.value
    raise CellError(
        _(
            "Kết luận phải là compliant (đạt), warning (cảnh báo), revocation (thu hồi) "
            "hoặc removal (đưa ra khỏi chương trình)."
        )
    )


def _parse_ground(value: str) -> str:
    if not value:
        return ""
    folded = fold(value)
    for ground in InspectionGround:
        if folded == fold(str(ground.label)):
            return ground.value
    match = re.fullmatch(r"(?:diem\s*)?([a-z])\)?\.?", folded.strip())
    if match and match.group(1) in {g.value for g in InspectionGround}:
        return match.group(1)
    raise CellError(_("Căn cứ thu hồi khi kiểm tra phải là điểm b, c hoặc d khoản 1 Điều 8."))


def _parse_choice(value: str, choices: type) -> str:
    if not value:
        return ""
    folded = fold(value)
    for choice in choices:
        if folded in (choice.value, fold(str(choice.label))):
            return choice.value
    head = fold(re.split(r"\s*[·\-–:]\s*", value, maxsplit=1)[0])
    for choice in choices:
        if head == choice.value:
            return choice.value
    allowed = ", ".join(choice.value for choice in choices)
    raise CellError(
        _("Giá trị không có trong danh sách; hãy chọn một trong: %(allowed)s.") % {"allowed": allowed}
    )


def _parse_year(value: str) -> int | None:
    if not value:
        return None
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise CellError(_("Năm phải gồm 4 chữ số, ví dụ 2025."))
    return int(text)


# --- rows ------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    inspected: InspectedProduct | None = None
    existing: bool = False
    changed: bool = True


# Model field → column key, to put a model's validation message on the right cell.
_FIELDS = {
    "outcome": "conclusion",
    "ground": "ground",
    "corrective_actions": "corrective_actions",
    "deadline": "deadline",
    "resolved_on": "resolved_on",
    "product": "product_code",
    "title": "plan_title",
    "number": "plan_number",
    "year": "plan_year",
    "kind": "plan_kind",
    "level": "plan_level",
    "province": "province",
    "inspected_on": "inspected_on",
}


def _ip_values(item: InspectedProduct) -> tuple:
    return (
        item.outcome,
        item.ground,
        item.corrective_actions,
        item.deadline,
        item.resolved_on,
        item.certificate_id,
    )


def _inspection_values(inspection: Inspection) -> tuple:
    return (
        inspection.status,
        inspection.inspected_on,
        inspection.concluded_on,
        inspection.conclusion,
        inspection.summary,
    )


class _Importer:
    def __init__(self, user: Any | None, filename: str) -> None:
        self.user = user
        self.reason = _("Nhập lịch sử kiểm tra, giám sát từ tệp %(name)s") % {"name": filename}
        self.headers = {c.key: str(c.header) for c in INSPECTION_SPEC.columns}
        self.locator = Locator()
        self.plans: dict[tuple, InspectionPlan] = {}
        self.inspections: dict[tuple, Inspection] = {}
        self.items: dict[tuple[int, int], _Row] = {}  # (inspection key id, product) → first row
        self.notes: dict[int, list[str]] = {}  # id(inspection) → notes of its rows
        self.before: dict[int, tuple] = {}  # id(inspection) → its values before the file
        self.by_id: dict[int, Inspection] = {}
        self.today = clock.today()

    def error(self, row: _Row, key: str, message: str) -> None:
        row.errors.append(
            RowError(row.number, self.headers.get(key, ""), row.values.get(key, ""), str(message))
        )

    def parse(self, row: _Row, key: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        try:
            return parser(row.values.get(key, ""))
        except CellError as error:
            self.error(row, key, str(error))
            return default

    def validation(self, row: _Row, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            key = _FIELDS.get(name)
            for message in messages:
                if key is None or name == NON_FIELD_ERRORS:
                    row.errors.append(RowError(row.number, "", "", message))
                else:
                    self.error(row, key, message)

    def visible(self, queryset: Any) -> Any:
        return queryset if self.user is None else restrict(queryset, self.user, VIEW)

    # look-ups

    def prepare(self, rows: list[_Row]) -> None:
        self.products = self.visible(Product.objects.all()).select_related("producer", "province")
        wanted: set[str] = set()
        for row in rows:
            text = row.values.get("product_code", "").strip()
            if not text:
                continue
            wanted.add(text)
            for parse in (registry_codes.parse_product_code, registry_codes.parse_legacy_code):
                with contextlib.suppress(ValueError):
                    wanted.add(str(parse(text)))
        self.by_code = {p.code: p for p in self.products.filter(code__in=wanted)}
        self.by_legacy: dict[str, list[Product]] = {}
        for product in self.products.filter(legacy_code__in=wanted):
            self.by_legacy.setdefault(product.legacy_code, []).append(product)
        self.producer_cache: dict[tuple[str, str, str], list[Producer] | str] = {}

    def find_producers(self, row: _Row) -> list[Producer] | None:
        tax = row.values.get("producer_tax_code", "").strip()
        name = row.values.get("producer_name", "").strip()
        place = row.values.get("place", "").strip()
        key = (tax, fold(name), fold(place))
        if key in self.producer_cache:
            cached = self.producer_cache[key]
            if isinstance(cached, str):
                column, message = cached.split("\x00", 1)
                self.error(row, column, message)
                return None
            return cached
        found, problem = self._producers(tax, name, place)
        if problem is not None:
            self.producer_cache[key] = "\x00".join(problem)
            self.error(row, *problem)
            return None
        self.producer_cache[key] = found
        return found

    def _producers(self, tax: str, name: str, place: str) -> tuple[list[Producer], tuple[str, str] | None]:
        visible = self.visible(Producer.objects.all())
        if tax:
            with contextlib.suppress(ValidationError):
                found = list(visible.filter(tax_code=normalize_tax_code(tax)))
                if found:
                    return found, None
            household = None
            with contextlib.suppress(ValueError):
                household = registry_codes.validate_household_id(tax)
            found = list(visible.filter(household_id=household)) if household else []
            if not found:
                return [], (
                    "producer_tax_code",
                    _(
                        "Không có chủ thể nào mang mã số thuế (hoặc số đăng ký hộ kinh doanh / CCCD) "
                        "này (trong phạm vi của bạn)."
                    ),
                )
            return found, None
        if not name:
            return [], (
                "producer_name",
                _("Hãy ghi mã sản phẩm, hoặc tên sản phẩm cùng mã số thuế hoặc tên chủ thể."),
            )
        wanted = fold(name)
        found = [p for p in visible.filter(search_text__startswith=wanted) if fold(p.name) == wanted]
        if not found:
            found = [p for p in visible.only("id", "name", "province", "commune") if fold(p.name) == wanted]
        if not found:
            return [], ("producer_name", _("Không có chủ thể nào có tên này (trong phạm vi của bạn)."))
        if len(found) > 1 and place:
            try:
                located = self.locator.by_text(place)
            except CellError as error:
                return [], ("place", str(error))
            if located.commune is not None:
                found = [p for p in found if p.commune_id == located.commune.pk]
            elif located.province is not None:
                found = [p for p in found if p.province_id == located.province.pk]
            if not found:
                return [], ("place", _("Không có chủ thể nào có tên này ở địa bàn này."))
        if len(found) > 1:
            return [], (
                "producer_name",
                _("Có %(count)s chủ thể cùng tên; hãy ghi Địa bàn (xã, tỉnh) hoặc mã số thuế.")
                % {"count": len(found)},
            )
        return found, None

    def find_product(self, row: _Row) -> Product | None:
        code = row.values.get("product_code", "").strip()
        if code:
            try:
                current = str(registry_codes.parse_product_code(code))
            except ValueError:
                current = None
            if current is not None:
                if current in self.by_code:
                    return self.by_code[current]
                self.error(
                    row, "product_code", _("Không tìm thấy sản phẩm có mã này (trong phạm vi của bạn).")
                )
                return None
            try:
                legacy = str(registry_codes.parse_legacy_code(code))
            except ValueError:
                self.error(
                    row,
                    "product_code",
                    _(
                        "Mã sản phẩm không hợp lệ: phải là mã tỉnh-xã-STT-năm "
                        "hoặc mã cũ tỉnh-huyện-xã-STT-năm."
                    ),
                )
                return None
            found = self.by_legacy.get(legacy, []) or self.by_legacy.get(code, [])
            if len(found) == 1:
                return found[0]
            if found:
                self.error(
                    row, "product_code", _("Có nhiều sản phẩm cùng mã cũ này; hãy dùng mã sản phẩm OCOP.")
                )
            else:
                self.error(
                    row, "product_code", _("Không tìm thấy sản phẩm có mã cũ này (trong phạm vi của bạn).")
                )
            return None
        name = row.values.get("product_name", "").strip()
        if not name:
            self.error(
                row,
                "product_code",
                _("Hãy ghi mã sản phẩm, hoặc tên sản phẩm cùng mã số thuế hoặc tên chủ thể."),
            )
            return None
        producers = self.find_producers(row)
        if producers is None:
            return None
        matches = [p for p in self.products.filter(producer__in=producers) if fold(p.name) == fold(name)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.error(
                row, "product_name", _("Chủ thể có nhiều sản phẩm cùng tên này; hãy dùng mã sản phẩm.")
            )
        else:
            self.error(
                row,
                "product_name",
                _("Chủ thể “%(producer)s” không có sản phẩm tên này (trong phạm vi của bạn).")
                % {"producer": producers[0].name},
            )
        return None

    def find_province(self, row: _Row) -> Any:
        text = row.values.get("province", "").strip()
        if not text:
            return None
        try:
            located = self.locator.by_current_code(text) if text.isdigit() else self.locator.by_text(text)
        except CellError as error:
            self.error(row, "province", str(error))
            return False
        if located.province is None or located.commune is not None:
            self.error(row, "province", _("Hãy ghi một tỉnh, thành phố (mã hoặc tên)."))
            return False
        return located.province

    # plans and inspections

    def plan_for(
        self, row: _Row, province: Any, level: str, kind: str, year: int, day: dt.date
    ) -> InspectionPlan | None:
        title = " ".join(row.values.get("plan_title", "").split())
        number = row.values.get("plan_number", "").strip()
        key = (province.pk if province is not None else None, year, fold(title), fold(number))
        plan = self.plans.get(key)
        if plan is None:
            plan = (
                InspectionPlan.objects.filter(
                    province=province, year=year, title__iexact=title, number__iexact=number
                )
                .order_by("pk")
                .first()
            )
            if plan is not None and (fold(plan.title), fold(plan.number)) != (fold(title), fold(number)):
                plan = None
            if plan is None:
                plan = InspectionPlan(
                    level=level,
                    kind=kind,
                    province=province,
                    year=year,
                    title=title,
                    number=number,
                    starts_on=dt.date(year, 1, 1),
                    ends_on=dt.date(year, 12, 31),
                    status=PlanStatus.CLOSED if year < self.today.year else PlanStatus.ACTIVE,
                    created_by=self.user,
                )
                try:
                    plan.full_clean(exclude=["members"], validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    self.validation(row, error)
                    return None
            self.plans[key] = plan
        if (plan.level, plan.kind) != (level, kind):
            self.error(
                row,
                "plan_kind",
                _("Kế hoạch này đã có (hoặc đã ghi ở dòng trước) với cấp hoặc loại kiểm tra khác."),
            )
            return None
        if plan.pk is None:  # a new plan covers every inspection the file gives it
            plan.starts_on = min(plan.starts_on, day)
            plan.ends_on = max(plan.ends_on, day)
        # An existing plan the user may only read still takes inspections its scope allows (below).
        may_write = can(self.user, CHANGE if plan.pk else ADD, plan) if self.user is not None else True
        if not may_write and (plan.pk is None or not can(self.user, VIEW, plan)):
            self.error(row, "plan_title", _("Bạn không có quyền ghi kế hoạch kiểm tra này."))
            return None
        return plan

    def inspection_for(
        self, row: _Row, plan: InspectionPlan, producer: Producer, day: dt.date
    ) -> Inspection | None:
        key = (id(plan), producer.pk, day)
        inspection = self.inspections.get(key)
        if inspection is None:
            if plan.pk is not None:
                candidates = list(
                    Inspection.objects.filter(plan=plan, producer=producer)
                    .exclude(status=InspectionStatus.CANCELLED)
                    .order_by("pk")
                )
                same_day = [
                    i for i in candidates if i.status == InspectionStatus.DONE and i.inspected_on == day
                ]
                taken = {other.pk for other in self.inspections.values()}
                open_ones = [
                    i for i in candidates if i.status == InspectionStatus.PLANNED and i.pk not in taken
                ]
                inspection = (same_day or open_ones or [None])[0]
            if inspection is None:
                inspection = Inspection(plan=plan, producer=producer, created_by=self.user)
            self.before[id(inspection)] = _inspection_values(inspection) if inspection.pk else ()
            inspection.status = InspectionStatus.DONE
            inspection.inspected_on = day
            inspection.concluded_on = inspection.concluded_on or day
            if inspection.pk is not None:
                inspection._outcomes = dict(  # type: ignore[attr-defined]
                    InspectedProduct.objects.filter(inspection=inspection).values_list(
                        "product_id", "outcome"
                    )
                )
            else:
                inspection._outcomes = {}  # type: ignore[attr-defined]
            self.inspections[key] = inspection
            self.by_id[id(inspection)] = inspection
            self.notes[id(inspection)] = []
            if self.user is not None:
                action = CHANGE if inspection.pk else ADD
                if not can(self.user, action, inspection):
                    self.error(row, "plan_title", _("Bạn không có quyền ghi cuộc kiểm tra này."))
                    return None
        return inspection

    # one row

    def build(self, row: _Row) -> None:
        v = row.values
        product = self.find_product(row)
        day = self.parse(row, "inspected_on", _parse_date)
        outcome = self.parse(row, "conclusion", _parse_outcome, "")
        ground = self.parse(row, "ground", _parse_ground, "")
        deadline = self.parse(row, "deadline", _parse_date)
        resolved_on = self.parse(row, "resolved_on", _parse_date)
        kind = (
            self.parse(row, "plan_kind", lambda text: _parse_choice(text, PlanKind), "")
            or PlanKind.PERIODIC.value
        )
        level = (
            self.parse(row, "plan_level", lambda text: _parse_choice(text, PlanLevel), "")
            or PlanLevel.PROVINCE.value
        )
        year = self.parse(row, "plan_year", _parse_year)
        province = self.find_province(row)
        for key in ("plan_title", "inspected_on", "conclusion"):
            if not v.get(key, "").strip():
                self.error(row, key, _("Bắt buộc."))
        if day is not None and day > self.today:
            self.error(row, "inspected_on", _("Ngày kiểm tra không thể sau hôm nay."))
        if resolved_on is not None and day is not None and resolved_on < day:
            self.error(row, "resolved_on", _("Ngày khắc phục xong không thể trước ngày kiểm tra."))
        if resolved_on is not None and outcome and outcome != Outcome.WARNING:
            self.error(row, "resolved_on", _("Ngày khắc phục xong chỉ ghi với kết luận cảnh báo."))
        if row.errors or product is None or day is None or province is False:
            return
        producer = product.producer
        if v.get("producer_tax_code", "").strip() or v.get("producer_name", "").strip():
            if not v.get("product_code", "").strip():
                pass  # the product was found through the producer
            else:
                producers = self.find_producers(row)
                if producers is None:
                    return
                if producer.pk not in {p.pk for p in producers}:
                    self.error(row, "product_code", _("Sản phẩm này không thuộc chủ thể đã ghi trên dòng."))
                    return
        if level == PlanLevel.PROVINCE:
            if province is None:
                province = producer.province
            if province is None or producer.province_id != province.pk:
                self.error(
                    row,
                    "province",
                    _(
                        "Chủ thể không ở tỉnh của kế hoạch "
                        "(kế hoạch cấp tỉnh chỉ kiểm tra chủ thể trong tỉnh)."
                    ),
                )
                return
        year = year or day.year
        plan = self.plan_for(row, province, level, kind, year, day)
        if plan is None:
            return
        inspection = self.inspection_for(row, plan, producer, day)
        if inspection is None:
            return
        key = (id(inspection), product.pk)
        if key in self.items:
            row.errors.append(
                RowError(
                    row.number,
                    "",
                    "",
                    _("Trùng với dòng %(row)s (cùng cuộc kiểm tra và sản phẩm).")
                    % {"row": self.items[key].number},
                )
            )
            return
        self.items[key] = row
        existing = None
        if inspection.pk is not None:
            existing = InspectedProduct.objects.filter(inspection=inspection, product=product).first()
        item = existing or InspectedProduct(inspection=inspection, product=product)
        row.existing = existing is not None
        before = _ip_values(item) if existing else None
        item.outcome = outcome
        item.ground = ground
        item.corrective_actions = v.get("corrective_actions", "").strip()
        item.deadline = deadline
        item.resolved_on = resolved_on
        if outcome == Outcome.REVOCATION and item.certificate_id is None:
            item.certificate = (
                Certificate.objects.filter(product=product, issue_date__lte=day)
                .order_by("-issue_date", "-pk")
                .first()
            )
        try:
            item.full_clean(
                exclude=["inspection", "certificate", "evaluation"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self.validation(row, error)
        if self.user is not None and not can(self.user, CHANGE if row.existing else ADD, item):
            row.errors.append(
                RowError(row.number, "", "", _("Bạn không có quyền ghi kết luận kiểm tra cho sản phẩm này."))
            )
        if (note := v.get("note", "").strip()) and note not in self.notes[id(inspection)]:
            self.notes[id(inspection)].append(note)
        inspection._outcomes[product.pk] = outcome  # type: ignore[attr-defined]
        row.inspected = item
        row.changed = not row.existing or _ip_values(item) != before

    def conclude(self) -> None:
        """Each inspection's conclusion is the gravest outcome of its products; its notes its summary."""
        for inspection in self.inspections.values():
            outcomes = [o for o in inspection._outcomes.values() if o]  # type: ignore[attr-defined]
            inspection.conclusion = max(outcomes, key=OUTCOME_ORDER.index) if outcomes else ""
            notes = self.notes.get(id(inspection)) or []
            if notes:
                inspection.summary = "\n".join(notes)
            inspection._changed = _inspection_values(inspection) != self.before.get(id(inspection))  # type: ignore[attr-defined]
        # A row whose inspection changes (done now, another conclusion or note) is an update.
        for (inspection_id, _product), row in self.items.items():
            inspection = self.by_id[inspection_id]
            if row.existing and inspection._changed:  # type: ignore[attr-defined]
                row.changed = True

    def preview(self, row: _Row) -> dict:
        values: dict[str, Any] = {
            "row": row.number,
            "action": ("update" if row.changed else "unchanged") if row.existing else "create",
            **row.values,
        }
        if row.inspected is not None and not row.errors:
            values["product"] = str(row.inspected.product)
        return values

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        for plan in {id(p): p for p in self.plans.values()}.values():
            if plan.pk is None:
                plan._change_reason = self.reason
                plan._history_user = self.user
                plan.save()
        for inspection in self.inspections.values():
            if inspection.pk is None or inspection._changed:  # type: ignore[attr-defined]
                inspection._change_reason = self.reason
                inspection._history_user = self.user
                if inspection.pk is None:
                    inspection.concluded_by = self.user
                inspection.save()
        for index, row in enumerate(rows, start=1):
            if row.changed and row.inspected is not None:
                item = row.inspected
                item._change_reason = self.reason
                item._history_user = self.user
                item.save()
            if index % 200 == 0:
                progress(index)
        self.remove_products(rows)
        progress(len(rows))

    def remove_products(self, rows: list[_Row]) -> None:
        """Products concluded "removal" leave the programme in the registry too, once it has the status.

        The registry's status for removal comes with the consequences part; until it is there only the
        oversight outcome is recorded (and counted). No notification: this is history.
        """
        removed = getattr(ProductStatus, "REMOVED", None)
        if removed is None:
            return
        for row in rows:
            item = row.inspected
            if item is None or item.outcome != Outcome.REMOVAL or item.product.status == removed:
                continue
            product = item.product
            product.status = str(removed)
            product._change_reason = self.reason
            product._history_user = self.user
            product.save()


def import_file(
    file: Any,
    filename: str,
    user: Any | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all of them in one transaction (or nothing at all).

    Raises TabularError when the file itself is unreadable; row problems come back in
    ImportResult.errors. ``progress(done, total)``: total = 2 × rows (checking, then writing).
    """
    rows = [_Row(n, values, errors=list(values.errors)) for n, values in INSPECTION_SPEC.read(file, filename)]
    report = progress or (lambda done, total: None)
    total = 2 * len(rows)
    importer = _Importer(user, filename)
    importer.prepare(rows)
    result = ImportResult(dry_run=dry_run)
    for index, row in enumerate(rows, start=1):
        importer.build(row)
        if index % 200 == 0:
            report(index, total)
    importer.conclude()
    for row in rows:
        result.errors.extend(row.errors)
    report(len(rows), total)
    result.preview = [importer.preview(row) for row in rows]
    if result.errors:
        report(total, total)
        return result
    result.created = sum(1 for row in rows if not row.existing)
    result.updated = sum(1 for row in rows if row.existing and row.changed)
    result.unchanged = len(rows) - result.created - result.updated
    if dry_run:
        report(total, total)
        return result
    with transaction.atomic():
        importer.write(rows, lambda done: report(len(rows) + done, total))
    report(total, total)
    return result


def write_template(stream: IO[bytes]) -> None:
    """The .xlsx template of the inspections' history import (drop-downs, example, instructions)."""
    INSPECTION_SPEC.write_template(stream)
