"""History import (registry issue, point 6): star ratings recognised under earlier rules.

One module although ~715 lines: one kind of file (the certification history), whose columns,
cell readers, importer (~300 lines) and export change together.

Each row is one certificate of one product: its star, the recognition decision (number, date,
issuing authority, level, legal basis) and the certificate (number, issue date). Rows become
`Decision` + `Certificate` records, so the current star, the expiry (36 months) and the status
are right from day one.

Public API (the `ocop import history FILE` command and the web pages call it):

    HISTORY_SPEC                                                   the columns
    import_file(file, filename, user, *, dry_run=False, progress=None) -> ImportResult
    write_template(stream)                                         the .xlsx template
    export_queryset(queryset, stream, fmt="xlsx")                  certificates, same columns

A file with any invalid row imports nothing (one transaction); ImportResult.errors lists
row / column / value / message in Vietnamese. Re-importing the same rows updates, never
duplicates: a row is identified by product + certificate issue date + decision number. The
same decision (number, date, authority) on several rows is one `Decision`.

With a user, every product must be visible to them and every certificate within what they may
add or change (province officers in their province, national roles everywhere); without one
(the CLI) the import runs with national scope.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from ocop.certification.rules import certificate_expiry
from ocop.core.scoping import ADD, CHANGE, VIEW, can, restrict
from ocop.core.tabular import Column, ImportResult, RowError, Spec, parse_day
from ocop.core.text import fold
from ocop.registry import codes as registry_codes
from ocop.registry.classification import LegalBasis
from ocop.registry.io import CellError, Locator, unit_label
from ocop.registry.models import Producer, Product, normalize_tax_code

from . import codes as certificate_codes
from .models import (
    AuthorityLevel,
    Certificate,
    CertificateCodeCounter,
    Decision,
    DecisionKind,
    RevocationGround,
    Star,
    legal_basis_on,
)

__all__ = ["HISTORY_SPEC", "export_queryset", "import_file", "write_template"]


# --- columns ---------------------------------------------------------------------------------------


class _HistorySpec(Spec):
    """Columns built on first use: headers and help are translated in the active language."""

    @property  # type: ignore[override]
    def columns(self) -> list[Column]:
        return _columns()

    @property  # type: ignore[override]
    def title(self) -> str:
        return _("Mẫu nhập lịch sử công nhận sản phẩm OCOP (quyết định và giấy chứng nhận)")

    @property  # type: ignore[override]
    def instructions(self) -> list[str]:
        return [
            _("Mỗi dòng là một giấy chứng nhận của một sản phẩm; dòng 1 là tiêu đề cột, không đổi tên cột."),
            _("Dòng 2 là ví dụ: hãy xoá hoặc ghi đè trước khi nhập."),
            _(
                "Sản phẩm phải có sẵn trong hệ thống: ghi mã sản phẩm OCOP (tỉnh-xã-STT-năm) hoặc mã cũ "
                "(tỉnh-huyện-xã-STT-năm); nếu không có mã, ghi đúng tên sản phẩm cùng mã số thuế (số đăng "
                "ký hộ kinh doanh, CCCD) hoặc tên chủ thể, và địa bàn nếu có chủ thể cùng tên."
            ),
            _(
                "Nhiều giấy chứng nhận có thể cùng một quyết định công nhận hay thu hồi: mỗi quyết định "
                "(số, ngày, cơ quan) chỉ được ghi một lần."
            ),
            _(
                "Giấy chứng nhận đã bị thu hồi: điền Ngày thu hồi, Căn cứ thu hồi và quyết định thu hồi "
                "(số, ngày, cơ quan)."
            ),
            _("Chỉ sản phẩm 3, 4, 5 sao có giấy chứng nhận; sản phẩm 1–2 sao không nhập ở đây."),
            _(
                "Hiệu lực 36 tháng kể từ ngày cấp được hệ thống tự tính; trạng thái (còn hiệu lực, "
                "hết hiệu lực) cũng vậy."
            ),
            _("Ngày ghi theo dạng ngày/tháng/năm, ví dụ 16/06/2025."),
            _(
                "Nhập lại cùng tệp không tạo bản ghi trùng: dòng có cùng sản phẩm, ngày cấp và số quyết "
                "định sẽ được cập nhật."
            ),
            _(
                "Chỉ cần một dòng sai là cả tệp không được nhập; hệ thống trả về bảng lỗi "
                "(dòng, cột, giá trị, lỗi)."
            ),
        ]

    @property  # type: ignore[override]
    def example(self) -> dict[str, str]:
        return {
            "product_code": "83-829-28780-3-2022",
            "producer_name": "Hợp tác xã Nông nghiệp Ví Dụ",
            "product_name": "Mật ong hoa cà phê Ví Dụ",
            "star": "3",
            "certificate_number": "125/GCN-UBND",
            "decision_number": "1887/QĐ-UBND",
            "decision_date": "16/06/2025",
            "authority": "UBND huyện Đắk Song",
            "authority_level": AuthorityLevel.DISTRICT.value,
            "issue_date": "16/06/2025",
            "legal_basis": LegalBasis.QD148.value,
            "potential_5_star": "Không",
        }


def _columns() -> list[Column]:
    product_when = _("Khi không có Mã sản phẩm")
    producer_when = _("Khi không có Mã sản phẩm: một trong hai cột Mã số thuế chủ thể, Tên chủ thể")
    return [
        Column(
            _("Mã giấy chứng nhận"),
            "certificate_code",
            help=_(
                "Mã tra cứu OCOP-TT-NNNN-SSSSSS-K do hệ thống cấp. Để trống khi nhập lần đầu; tệp xuất "
                "ghi mã này, nhập lại thì giữ nguyên mã (kể cả sang một hệ thống khác)."
            ),
            width=24,
        ),
        Column(
            _("Mã sản phẩm"),
            "product_code",
            help=_(
                "Mã sản phẩm OCOP (ví dụ 82-28756-12-2026) hoặc mã cũ (ví dụ 83-829-28780-3-2022). "
                "Để trống thì tìm sản phẩm theo chủ thể và tên sản phẩm."
            ),
            width=22,
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
            help=_(
                "Đúng tên chủ thể đã nhập (danh sách công bố thường chỉ có tên). Nếu có nhiều chủ thể "
                "cùng tên, chủ thể ở Địa bàn của dòng được chọn."
            ),
            width=32,
        ),
        Column(
            _("Tên sản phẩm"),
            "product_name",
            when=product_when,
            help=_("Khi không có mã sản phẩm: đúng tên đã đăng ký."),
            width=36,
        ),
        Column(
            _("Địa bàn"),
            "place",
            help=_(
                "Xã, (huyện), tỉnh của chủ thể như ghi trong danh sách, kể cả tên cũ trước 01/07/2025; "
                "chỉ dùng để phân biệt các chủ thể cùng tên."
            ),
            width=36,
        ),
        Column(
            _("Hạng sao"),
            "star",
            required=True,
            choices=[(str(s.value), str(s.label)) for s in Star],
            help=_("3, 4 hoặc 5. “4 sao – tiềm năng 5 sao” ghi 4 và đánh dấu cột “Tiềm năng 5 sao”."),
            width=10,
        ),
        Column(_("Số giấy chứng nhận"), "certificate_number", help=_("Như in trên giấy; có thể để trống.")),
        Column(_("Số quyết định"), "decision_number", required=True, help=_("Ví dụ 1887/QĐ-UBND."), width=18),
        Column(_("Ngày quyết định"), "decision_date", required=True, help=_("ngày/tháng/năm"), width=14),
        Column(
            _("Cơ quan ban hành"),
            "authority",
            help=_(
                "Như ghi trên quyết định, kể cả cơ quan nay không còn (ví dụ UBND huyện Đắk Song). Để "
                "trống: sản phẩm 5 sao là Bộ Nông nghiệp (và Phát triển nông thôn trước 01/03/2025, và "
                "Môi trường từ ngày đó), sản phẩm 3–4 sao là UBND tỉnh nơi sản xuất."
            ),
            width=32,
        ),
        Column(
            _("Cấp ban hành"),
            "authority_level",
            choices=[(c.value, str(c.label)) for c in AuthorityLevel],
            help=_(
                "central: Bộ (5 sao); province: UBND tỉnh/thành phố; district: UBND huyện (trước "
                "01/07/2025, chỉ 3 sao). Để trống: suy ra từ cơ quan ban hành."
            ),
            width=14,
        ),
        Column(
            _("Ngày cấp giấy chứng nhận"),
            "issue_date",
            help=_("ngày/tháng/năm; để trống: bằng ngày quyết định. Hiệu lực 36 tháng từ ngày này."),
            width=14,
        ),
        Column(
            _("Căn cứ pháp lý"),
            "legal_basis",
            choices=[(b.value, b.label) for b in LegalBasis],
            help=_("Quy định đã áp dụng khi công nhận. Để trống: quy định có hiệu lực vào ngày quyết định."),
            width=16,
        ),
        Column(
            _("Tiềm năng 5 sao"),
            "potential_5_star",
            choices=[("Có", _("Có")), ("Không", _("Không"))],
            help=_("“Có” với sản phẩm 4 sao được ghi nhận là tiềm năng 5 sao."),
            width=12,
        ),
        Column(_("Người ký"), "signer", help=_("Có thể để trống."), width=20),
        Column(
            _("Ngày thu hồi"),
            "revoked_on",
            when=_("Khi có Căn cứ thu hồi hoặc Số quyết định thu hồi"),
            help=_("Chỉ với giấy chứng nhận đã bị thu hồi (Điều 8): ngày/tháng/năm."),
            width=14,
        ),
        Column(
            _("Căn cứ thu hồi"),
            "revocation_ground",
            when=_("Khi có Ngày thu hồi"),
            choices=[(g.value, str(g.label)) for g in RevocationGround],
            help=_("Điểm a–e (có “đ”) khoản 1 Điều 8."),
            width=12,
        ),
        Column(
            _("Số quyết định thu hồi"),
            "revocation_number",
            when=_("Khi có Ngày quyết định thu hồi"),
            help=_("Nhiều giấy chứng nhận có thể cùng một quyết định thu hồi."),
            width=18,
        ),
        Column(
            _("Ngày quyết định thu hồi"),
            "revocation_date",
            when=_("Khi có Số quyết định thu hồi"),
            help=_("ngày/tháng/năm"),
            width=14,
        ),
        Column(
            _("Cơ quan thu hồi"),
            "revocation_authority",
            help=_("Như ghi trên quyết định thu hồi. Để trống: như cơ quan ban hành mặc định (xem trên)."),
            width=32,
        ),
        Column(
            _("Được thay thế bởi (mã giấy chứng nhận)"),
            "superseded_by",
            help=_(
                "Mã giấy chứng nhận mới của cùng sản phẩm sau khi nâng hạng hoặc đánh giá lại (trong tệp "
                "này hoặc đã có trong hệ thống)."
            ),
            width=24,
        ),
    ]


HISTORY_SPEC = _HistorySpec()


# --- text → values -------------------------------------------------------------------------------


class _CellError(Exception):
    """A value that cannot be read; the message is Vietnamese."""


def _parse_date(value: str) -> dt.date | None:
    try:
        return parse_day(value)
    except ValueError:
        raise _CellError(
            _("Ngày không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 16/06/2025.")
        ) from None


def _parse_star(value: str) -> tuple[int, bool]:
    """(star, potential 5★): "4", "4 sao", "4★", "4 sao - tiềm năng 5 sao"."""
    folded = fold(value)
    match = re.match(r"(\d)\s*(sao|\*|★)?", folded)
    if not match or len(re.findall(r"\d+", folded.split("tiem nang")[0])) != 1:
        raise _CellError(_("Hạng sao phải là 3, 4 hoặc 5."))
    star = int(match.group(1))
    if star in (1, 2):
        raise _CellError(_("Sản phẩm 1–2 sao không được công nhận và không có giấy chứng nhận."))
    if star not in (3, 4, 5):
        raise _CellError(_("Hạng sao phải là 3, 4 hoặc 5."))
    return star, "tiem nang" in folded


_YES = {"co", "x", "1", "true", "yes", "dung", "y"}
_NO = {"khong", "0", "false", "no", "sai", "n", ""}


def _parse_bool(value: str) -> bool:
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise _CellError(_("Hãy ghi “Có” hoặc “Không”."))


def _parse_level(value: str) -> str:
    folded = fold(value)
    for level in AuthorityLevel:
        if folded in (level.value, fold(str(level.label))):
            return level.value
    if "huyen" in folded or "district" in folded:
        return AuthorityLevel.DISTRICT.value
    if "trung uong" in folded or folded.startswith("bo") or "central" in folded:
        return AuthorityLevel.CENTRAL.value
    if "tinh" in folded or "thanh pho" in folded or "province" in folded:
        return AuthorityLevel.PROVINCE.value
    raise _CellError(_("Cấp ban hành phải là central (Bộ), province (tỉnh) hoặc district (huyện)."))


def _level_from_authority(authority: str) -> str | None:
    """The level an authority's name implies ("UBND huyện …" → district), or None."""
    folded = fold(authority)
    if re.search(r"\bhuyen\b", folded) or re.search(r"\bthi xa\b", folded):
        return AuthorityLevel.DISTRICT.value
    if folded.startswith(("bo ", "bo truong")) or "nong nghiep va" in folded:
        return AuthorityLevel.CENTRAL.value
    if re.search(r"\b(tinh|thanh pho)\b", folded) or "ubnd" in folded or "uy ban nhan dan" in folded:
        return AuthorityLevel.PROVINCE.value
    return None


def _parse_legal_basis(value: str) -> str | None:
    if not value:
        return None
    folded = fold(value).replace(" ", "")
    for basis in LegalBasis:
        if folded in (fold(basis.value).replace(" ", ""), fold(basis.label).replace(" ", "")):
            return basis.value
    numbers = set(re.findall(r"\d+", folded))
    if "26" in numbers and "2026" in numbers or folded in ("26", "qd26"):
        return LegalBasis.QD26_2026.value
    if "1489" in numbers:
        return LegalBasis.QD148_1489.value
    if "148" in numbers:
        return LegalBasis.QD148.value
    if "781" in numbers:
        return LegalBasis.QD1048_781.value
    if numbers & {"1048", "490"}:
        return LegalBasis.QD490_1048.value
    allowed = ", ".join(b.value for b in LegalBasis)
    raise _CellError(_("Căn cứ pháp lý không rõ; hãy chọn một trong: %(allowed)s.") % {"allowed": allowed})


# --- rows ------------------------------------------------------------------------------------------


def _parse_ground(value: str) -> str:
    """A revocation ground: "b", "b)", "điểm b", or the ground's text."""
    if not value:
        return ""
    text = value.strip()
    folded = fold(text)
    for ground in RevocationGround:
        if folded == fold(str(ground.label)) or fold(text.replace("điểm", "").strip(" )")) == fold(
            ground.value
        ):
            return ground.value
    match = re.match(r"(?:diem\s+)?([a-e]|đ|dd)\b", text.lower().replace("điểm", "").strip())
    if match:
        letter = match.group(1)
        return "đ" if letter in ("đ", "dd") else letter
    raise _CellError(_("Căn cứ thu hồi phải là một điểm a, b, c, d, đ hoặc e (khoản 1 Điều 8)."))


def _default_authority(star: int, day: dt.date, product: Product) -> tuple[str, str]:
    """(authority, level) of a decision whose authority the list does not name.

    5★: the Ministry (named as it was on that day); 3–4★: the People's Committee of the province
    where the product is made (the former province when the product is recorded under it).
    """
    if star == Star.FIVE:
        name = (
            "Bộ Nông nghiệp và Môi trường"
            if day >= MINISTRY_MERGED
            else "Bộ Nông nghiệp và Phát triển nông thôn"
        )
        return name, AuthorityLevel.CENTRAL.value
    province = product.province
    unit = product.unit
    if unit is not None and unit.structure == "former":
        while unit.parent is not None:
            unit = unit.parent
        province = unit
    name = province.name if province is not None else ""
    return f"UBND {name[:1].lower()}{name[1:]}", AuthorityLevel.PROVINCE.value


# The Ministry of Agriculture and Rural Development became the Ministry of Agriculture and Environment.
MINISTRY_MERGED = dt.date(2025, 3, 1)


# --- rows ------------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    product: Product | None = None
    decision: Decision | None = None
    certificate: Certificate | None = None
    existing: bool = False
    changed: bool = True  # False: an existing certificate the row leaves as it is
    adopted_code: certificate_codes.CertificateCode | None = None
    successor_code: str = ""


# Model field → column key, to put a model's validation message on the right cell.
_CERTIFICATE_FIELDS = {
    "star": "star",
    "potential_5_star": "potential_5_star",
    "number": "certificate_number",
    "issue_date": "issue_date",
    "legal_basis": "legal_basis",
    "decision": "decision_number",
    "revoked_on": "revoked_on",
    "revocation_ground": "revocation_ground",
    "revocation_decision": "revocation_number",
    "superseded_by": "superseded_by",
}
_DECISION_FIELDS = {
    "number": "decision_number",
    "date": "decision_date",
    "authority": "authority",
    "authority_level": "authority_level",
    "legal_basis": "legal_basis",
    "signer": "signer",
}
_REVOCATION_FIELDS = {
    "number": "revocation_number",
    "date": "revocation_date",
    "authority": "revocation_authority",
    "authority_level": "revocation_authority",
    "legal_basis": "revocation_date",
}


class _Importer:
    def __init__(self, user: Any | None, filename: str) -> None:
        self.user = user
        self.reason = _("Nhập lịch sử công nhận từ tệp %(name)s") % {"name": filename}
        self.headers = {c.key: str(c.header) for c in HISTORY_SPEC.columns}
        self.decisions: dict[tuple[str, str, dt.date, str], Decision] = {}
        self.decision_rows: dict[tuple[str, str, dt.date, str], int] = {}
        self.seen: dict[tuple[int, dt.date, str], int] = {}
        self.seen_codes: dict[str, int] = {}
        self.locator = Locator()

    # helpers

    def error(self, row: _Row, key: str, message: str) -> None:
        row.errors.append(
            RowError(row.number, self.headers.get(key, ""), row.values.get(key, ""), str(message))
        )

    def parse(self, row: _Row, key: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        try:
            return parser(row.values.get(key, ""))
        except _CellError as error:
            self.error(row, key, str(error))
            return default

    def validation(self, row: _Row, error: ValidationError, fields: dict[str, str]) -> None:
        for name, messages in error.message_dict.items():
            key = fields.get(name)
            for message in messages:
                if key is None or name == NON_FIELD_ERRORS:
                    row.errors.append(RowError(row.number, "", "", message))
                else:
                    self.error(row, key, message)

    # look-ups

    def prepare(self, rows: list[_Row]) -> None:
        visible = (
            Product.objects.all() if self.user is None else restrict(Product.objects.all(), self.user, VIEW)
        )
        self.products = visible.select_related("province", "commune", "producer", "unit__parent__parent")
        wanted_codes: set[str] = set()
        for row in rows:
            text = row.values.get("product_code", "")
            if not text:
                continue
            wanted_codes.add(text.strip())
            for parse in (registry_codes.parse_product_code, registry_codes.parse_legacy_code):
                with contextlib.suppress(ValueError):
                    wanted_codes.add(str(parse(text)))
        self.by_code = {p.code: p for p in self.products.filter(code__in=wanted_codes)}
        self.by_legacy: dict[str, list[Product]] = {}
        for product in self.products.filter(legacy_code__in=wanted_codes):
            self.by_legacy.setdefault(product.legacy_code, []).append(product)
        numbers = {
            row.values.get(key, "").strip()
            for row in rows
            for key in ("decision_number", "revocation_number")
        } - {""}
        self.existing_decisions = {
            (d.kind, d.number, d.date, fold(d.authority)): d
            for d in Decision.objects.filter(number__in=numbers)
        }
        self.decision_values = {d.pk: _decision_values(d) for d in self.existing_decisions.values()}
        self.existing_certificates = {
            (c.product_id, c.issue_date, c.decision.number): c
            for c in Certificate.objects.filter(decision__number__in=numbers).select_related(
                "decision", "product__province", "superseded_by"
            )
        }
        codes = set()
        for row in rows:
            for key in ("certificate_code", "superseded_by"):
                if text := row.values.get(key, "").strip():
                    with contextlib.suppress(ValueError):
                        codes.add(str(certificate_codes.normalize(text)))
        self.by_certificate_code = {
            c.code: c
            for c in Certificate.objects.filter(code__in=codes).select_related(
                "decision", "product__province"
            )
        }

    def find_producers(self, row: _Row) -> list[Producer] | None:
        """The producers the row names (by tax code, household number, or name within the place)."""
        tax = row.values.get("producer_tax_code", "").strip()
        name = row.values.get("producer_name", "").strip()
        visible = (
            Producer.objects.all() if self.user is None else restrict(Producer.objects.all(), self.user, VIEW)
        )
        if tax:
            try:
                found = [visible.get(tax_code=normalize_tax_code(tax))]
            except (ValidationError, Producer.DoesNotExist):
                household = None
                with contextlib.suppress(ValueError):
                    household = registry_codes.validate_household_id(tax)
                found = list(visible.filter(household_id=household)) if household else []
                if not found:
                    self.error(
                        row,
                        "producer_tax_code",
                        _("Không có chủ thể nào mang mã số thuế (hoặc số đăng ký hộ kinh doanh / CCCD) này."),
                    )
                    return None
            return found
        wanted = fold(name)
        found = [p for p in visible.filter(search_text__startswith=wanted) if fold(p.name) == wanted]
        if not found:
            found = [p for p in visible.only("id", "name", "province", "commune") if fold(p.name) == wanted]
        if not found:
            self.error(row, "producer_name", _("Không có chủ thể nào có tên này (trong phạm vi của bạn)."))
            return None
        if len(found) > 1 and row.values.get("place", "").strip():
            try:
                located = self.locator.by_text(row.values["place"])
            except CellError as error:
                self.error(row, "place", str(error))
                return None
            if located.commune is not None:
                found = [p for p in found if p.commune_id == located.commune.pk]
            elif located.province is not None:
                found = [p for p in found if p.province_id == located.province.pk]
            if not found:
                self.error(row, "place", _("Không có chủ thể nào có tên này ở địa bàn này."))
                return None
        if len(found) > 1:
            self.error(
                row,
                "producer_name",
                _("Có %(count)s chủ thể cùng tên; hãy ghi Địa bàn (xã, huyện, tỉnh) hoặc mã số thuế.")
                % {"count": len(found)},
            )
            return None
        return found

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
            if len(found) > 1:
                self.error(
                    row, "product_code", _("Có nhiều sản phẩm cùng mã cũ này; hãy dùng mã sản phẩm OCOP.")
                )
            else:
                self.error(
                    row, "product_code", _("Không tìm thấy sản phẩm có mã cũ này (trong phạm vi của bạn).")
                )
            return None
        name = row.values.get("product_name", "").strip()
        if not name or not (
            row.values.get("producer_tax_code", "").strip() or row.values.get("producer_name", "").strip()
        ):
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

    # one row

    def build(self, row: _Row) -> None:
        product = self.find_product(row)
        star, potential_in_star = self.parse(row, "star", _parse_star, (None, False))
        potential = self.parse(row, "potential_5_star", _parse_bool, False) or potential_in_star
        number = row.values.get("decision_number", "").strip()
        decision_date = self.parse(row, "decision_date", _parse_date)
        issue_date = self.parse(row, "issue_date", _parse_date) or decision_date
        authority = " ".join(row.values.get("authority", "").split())
        basis = self.parse(row, "legal_basis", _parse_legal_basis)
        level_text = row.values.get("authority_level", "")
        level = self.parse(row, "authority_level", _parse_level) if level_text else None
        for key in ("decision_number", "decision_date"):
            if not row.values.get(key, "").strip():
                self.error(row, key, _("Bắt buộc."))
        revoked_on = self.parse(row, "revoked_on", _parse_date)
        ground = self.parse(row, "revocation_ground", _parse_ground, "")
        revocation_number = row.values.get("revocation_number", "").strip()
        revocation_date = self.parse(row, "revocation_date", _parse_date)
        revocation_authority = " ".join(row.values.get("revocation_authority", "").split())
        if (ground or revocation_number or revocation_authority) and not row.values.get("revoked_on"):
            self.error(row, "revoked_on", _("Hãy ghi ngày thu hồi."))
        if revoked_on is not None and not ground and not row.values.get("revocation_ground"):
            self.error(row, "revocation_ground", _("Hãy ghi căn cứ thu hồi (điểm a–e khoản 1 Điều 8)."))
        if revocation_number and revocation_date is None and not row.values.get("revocation_date"):
            self.error(row, "revocation_date", _("Hãy ghi ngày của quyết định thu hồi."))
        if revocation_date is not None and not revocation_number:
            self.error(row, "revocation_number", _("Hãy ghi số quyết định thu hồi."))
        code_text = row.values.get("certificate_code", "").strip()
        code = None
        if code_text:
            try:
                code = certificate_codes.parse(code_text)
            except ValueError as error:
                self.error(row, "certificate_code", str(error))
            else:
                if first := self.seen_codes.get(str(code)):
                    self.error(
                        row,
                        "certificate_code",
                        _("Mã giấy chứng nhận trùng với dòng %(row)s.") % {"row": first},
                    )
                self.seen_codes[str(code)] = row.number
        successor = row.values.get("superseded_by", "").strip()
        if successor:
            try:
                row.successor_code = str(certificate_codes.parse(successor))
            except ValueError as error:
                self.error(row, "superseded_by", str(error))
        if row.errors or product is None or star is None:
            return
        row.product = product
        if not authority:
            authority, implied = _default_authority(star, decision_date, product)
            level = level or implied
        if level is None and not level_text:
            level = _level_from_authority(authority) or (
                AuthorityLevel.CENTRAL.value if star == Star.FIVE else AuthorityLevel.PROVINCE.value
            )
        if basis is None and decision_date is not None and not row.values.get("legal_basis"):
            basis = legal_basis_on(decision_date).value

        decision = self.decision_for(
            row,
            DecisionKind.RECOGNITION,
            number,
            decision_date,
            authority,
            level,
            basis,
            product,
            _DECISION_FIELDS,
        )
        if decision is None:
            return
        revocation = None
        if revocation_number:
            if not revocation_authority:
                revocation_authority, revocation_level = _default_authority(star, revocation_date, product)
            else:
                revocation_level = _level_from_authority(revocation_authority) or (
                    AuthorityLevel.CENTRAL.value if star == Star.FIVE else AuthorityLevel.PROVINCE.value
                )
            revocation = self.decision_for(
                row,
                DecisionKind.REVOCATION,
                revocation_number,
                revocation_date,
                revocation_authority,
                revocation_level,
                legal_basis_on(revocation_date).value,
                product,
                _REVOCATION_FIELDS,
            )
            if revocation is None:
                return
        key = (product.pk, issue_date, number)
        if key in self.seen:
            row.errors.append(
                RowError(
                    row.number,
                    "",
                    "",
                    _("Trùng với dòng %(row)s (cùng sản phẩm, ngày cấp và số quyết định).")
                    % {"row": self.seen[key]},
                )
            )
            return
        self.seen[key] = row.number

        existing = self.existing_certificates.get(key)
        if code is not None:
            by_code = self.by_certificate_code.get(str(code))
            if by_code is not None:
                if existing is not None and existing.pk != by_code.pk or by_code.product_id != product.pk:
                    self.error(
                        row,
                        "certificate_code",
                        _("Mã này là của một giấy chứng nhận khác (%(product)s).")
                        % {"product": by_code.product},
                    )
                    return
                existing = by_code
            elif existing is not None:
                self.error(
                    row,
                    "certificate_code",
                    _("Giấy chứng nhận này đã có mã %(code)s.") % {"code": existing.code},
                )
                return
            elif product.province is None or code.province != product.province.code:
                self.error(
                    row,
                    "certificate_code",
                    _("Mã giấy chứng nhận phải mang mã tỉnh của sản phẩm (%(code)s).")
                    % {"code": product.province.code if product.province else ""},
                )
                return
            else:
                row.adopted_code = code
        certificate = existing if existing is not None else Certificate(product=product)
        row.existing = existing is not None
        before = _certificate_values(certificate)
        certificate.product = product
        certificate.decision = decision
        certificate.star = star
        certificate.potential_5_star = bool(potential)
        certificate.number = row.values.get("certificate_number", "").strip()
        certificate.issue_date = issue_date
        certificate.legal_basis = basis
        if revoked_on is not None or not row.existing:  # an import never lifts a revocation
            certificate.revoked_on = revoked_on
            certificate.revocation_ground = ground
            certificate.revocation_decision = revocation
        if row.adopted_code is not None:
            certificate.code = str(row.adopted_code)
        try:
            certificate.full_clean(
                exclude=["product", "decision", "revocation_decision", "superseded_by", "code", "expiry"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self.validation(row, error, _CERTIFICATE_FIELDS)
        if self.user is not None:
            action = CHANGE if row.existing else ADD
            if not can(self.user, action, certificate):
                row.errors.append(
                    RowError(
                        row.number, "", "", _("Bạn không có quyền ghi giấy chứng nhận cho sản phẩm này.")
                    )
                )
        row.certificate = certificate
        row.changed = (
            not row.existing
            or decision._changed
            or (revocation is not None and revocation._changed)
            or _certificate_values(certificate) != before
        )

    def link(self, rows: list[_Row]) -> None:
        """ "Được thay thế bởi": the successor, in the file or the database, of the same product."""
        in_file = {
            str(r.certificate.code): r.certificate
            for r in rows
            if r.certificate is not None and r.certificate.code
        }
        for row in rows:
            certificate = row.certificate
            if certificate is None or row.errors:
                continue
            before = certificate.superseded_by_id if row.existing else None
            if not row.successor_code:
                continue  # a link made by the workflow (or an earlier file) stays
            successor = in_file.get(row.successor_code) or self.by_certificate_code.get(row.successor_code)
            if successor is None:
                self.error(
                    row,
                    "superseded_by",
                    _("Không có giấy chứng nhận nào mang mã này (trong tệp hoặc trong hệ thống)."),
                )
                continue
            if successor.product_id != certificate.product_id:
                self.error(row, "superseded_by", _("Giấy chứng nhận thay thế phải của cùng sản phẩm."))
                continue
            if successor.issue_date < certificate.issue_date:
                self.error(row, "superseded_by", _("Giấy chứng nhận thay thế phải được cấp sau giấy này."))
                continue
            certificate.superseded_by = successor
            if successor.pk is None or successor.pk != before:
                row.changed = True

    def decision_for(
        self,
        row: _Row,
        kind: str,
        number: str,
        day: dt.date,
        authority: str,
        level: str | None,
        basis: str | None,
        product: Product,
        fields: dict[str, str],
    ) -> Decision | None:
        key = (kind, number, day, fold(authority))
        number_key = fields["number"]
        decision = self.decisions.get(key)
        if decision is not None:  # already met on an earlier row of this file
            if (decision.authority_level, decision.legal_basis) != (level, basis):
                self.error(
                    row,
                    number_key,
                    _("Quyết định này đã có ở dòng %(row)s với cấp ban hành hoặc căn cứ pháp lý khác.")
                    % {"row": self.decision_rows[key]},
                )
                return None
            return decision
        other = DecisionKind.REVOCATION if kind == DecisionKind.RECOGNITION else DecisionKind.RECOGNITION
        if (other, number, day, fold(authority)) in self.existing_decisions or (
            other,
            number,
            day,
            fold(authority),
        ) in self.decisions:
            self.error(
                row,
                number_key,
                _("Số quyết định này là một quyết định thu hồi, không phải công nhận.")
                if kind == DecisionKind.RECOGNITION
                else _("Số quyết định này là một quyết định công nhận, không phải thu hồi."),
            )
            return None
        decision = self.existing_decisions.get(key)
        signer = row.values.get("signer", "").strip() if kind == DecisionKind.RECOGNITION else ""
        if decision is None:
            decision = Decision(
                number=number,
                date=day,
                authority=authority,
                kind=kind,
                province=None if level == AuthorityLevel.CENTRAL else product.province,
            )
        may_change = decision.pk is None or self.user is None or can(self.user, CHANGE, decision)
        if may_change:
            decision.authority_level = level
            decision.legal_basis = basis
            if signer:
                decision.signer = signer
        elif (decision.authority_level, decision.legal_basis) != (level, basis):
            self.error(row, number_key, _("Quyết định này đã có với thông tin khác; bạn không được sửa."))
            return None
        decision._changed = may_change and (  # type: ignore[attr-defined]
            decision.pk is None or self.decision_values[decision.pk] != _decision_values(decision)
        )
        try:
            decision.full_clean(exclude=["province"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.validation(row, error, fields)
            return None
        self.decisions[key] = decision
        self.decision_rows[key] = row.number
        return decision

    def preview(self, row: _Row) -> dict:
        certificate = row.certificate
        values: dict[str, Any] = {
            "row": row.number,
            "action": ("update" if row.changed else "unchanged") if row.existing else "create",
            **row.values,
        }
        if certificate is not None and not row.errors:
            values["product"] = str(row.product)
            values["expiry"] = certificate_expiry(certificate.issue_date).strftime("%d/%m/%Y")
            values["status"] = str(certificate.status_label) if certificate.superseded_by is None else ""
        return values

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        for decision in self.decisions.values():
            if decision._changed:  # type: ignore[attr-defined]
                decision._change_reason = self.reason
                decision._history_user = self.user
                decision.save()
        # Codes carried by the file: each counter moves past them before new codes are drawn.
        adopted: dict[tuple[str, int], int] = {}
        for row in rows:
            if row.adopted_code is not None:
                counter = (row.adopted_code.province, row.adopted_code.year)
                adopted[counter] = max(adopted.get(counter, 0), row.adopted_code.sequence)
        for (province, year), sequence in adopted.items():
            CertificateCodeCounter.objects.get_or_create(province_code=province, year=year)
            CertificateCodeCounter.objects.filter(province_code=province, year=year).update(
                last=Greatest(F("last"), sequence)
            )
        # A certificate may only point to a saved successor: linked once every certificate is saved.
        pending = [row for row in rows if row.changed]
        for index, row in enumerate(pending, start=1):
            certificate = row.certificate
            successor = certificate.superseded_by
            if successor is not None and successor.pk is None:
                certificate.superseded_by = None
                row.relink = successor  # type: ignore[attr-defined]
            certificate._change_reason = self.reason
            certificate._history_user = self.user
            certificate.save()
            if index % 200 == 0:
                progress(index)
        for row in pending:
            successor = getattr(row, "relink", None)
            if successor is not None:
                row.certificate.superseded_by = successor
                row.certificate.save(update_fields=["superseded_by", "updated"])
        progress(len(rows))


def _decision_values(decision: Decision) -> tuple:
    return (decision.authority_level, decision.legal_basis, decision.signer)


def _certificate_values(certificate: Certificate) -> tuple:
    return (
        certificate.decision_id,
        certificate.star,
        certificate.potential_5_star,
        certificate.number,
        certificate.issue_date,
        certificate.legal_basis,
        certificate.revoked_on,
        certificate.revocation_ground,
        certificate.revocation_decision_id,
        certificate.superseded_by_id,
    )


def import_file(
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
    called as rows are validated, then written (total = 2 × rows; it ends at 100 % in every case).
    With `dry_run` nothing is written; the result says what would be created, updated or left
    unchanged (a re-imported row that changes nothing writes nothing, not even history).
    """
    # A cell breaking the text rule (NUL…) is already an error of its row (core.tabular).
    rows = [_Row(n, values, errors=list(values.errors)) for n, values in HISTORY_SPEC.read(file, filename)]
    report = progress or (lambda done, total: None)
    total = 2 * len(rows)
    importer = _Importer(user, filename)
    importer.prepare(rows)
    result = ImportResult(dry_run=dry_run)
    for index, row in enumerate(rows, start=1):
        importer.build(row)
        if index % 200 == 0:
            report(index, total)
    importer.link(rows)
    for row in rows:
        result.errors.extend(row.errors)
    report(len(rows), total)
    result.preview = [importer.preview(row) for row in rows]  # all: the wizard pages through them
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
    """The .xlsx history import template (drop-down lists, an example row, instructions)."""
    HISTORY_SPEC.write_template(stream)


def certificate_row(certificate: Certificate) -> dict[str, str]:
    """A certificate in the template's columns (an export re-imports unchanged, code included)."""
    decision, product = certificate.decision, certificate.product
    producer = product.producer
    revocation = certificate.revocation_decision
    coded = bool(product.code or product.legacy_code)
    return {
        "certificate_code": certificate.code,
        "product_code": product.code or product.legacy_code,
        "producer_tax_code": "" if coded else (producer.tax_code or producer.household_id),
        "producer_name": producer.name,
        "product_name": product.name,
        "place": unit_label(producer.unit) if producer.unit_id else "",
        "star": str(certificate.star),
        "certificate_number": certificate.number,
        "decision_number": decision.number,
        "decision_date": decision.date.strftime("%d/%m/%Y"),
        "authority": decision.authority,
        "authority_level": decision.authority_level,
        "issue_date": certificate.issue_date.strftime("%d/%m/%Y"),
        "legal_basis": certificate.legal_basis,
        "potential_5_star": "Có" if certificate.potential_5_star else "Không",
        "signer": decision.signer,
        "revoked_on": certificate.revoked_on.strftime("%d/%m/%Y") if certificate.revoked_on else "",
        "revocation_ground": certificate.revocation_ground,
        "revocation_number": revocation.number if revocation else "",
        "revocation_date": revocation.date.strftime("%d/%m/%Y") if revocation else "",
        "revocation_authority": revocation.authority if revocation else "",
        "superseded_by": certificate.superseded_by.code if certificate.superseded_by_id else "",
    }


def export_queryset(queryset: models.QuerySet, stream: IO[bytes], fmt: str = "xlsx") -> None:
    """Certificates (already restricted by the caller) in the history template's columns: decisions,
    revocations and the certificate that replaced each one, so that the file re-imports as it was."""
    rows = (
        certificate_row(c)
        for c in queryset.select_related(
            "decision",
            "revocation_decision",
            "superseded_by",
            "product__producer__unit__parent__parent",
            "product__producer__unit__current_province",
        )
        .order_by("issue_date", "pk")
        .iterator(chunk_size=2000)
    )
    HISTORY_SPEC.write_rows(rows, stream, fmt)
