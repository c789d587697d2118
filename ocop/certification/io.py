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
from django.utils.translation import gettext as _

from ocop.certification.rules import certificate_expiry
from ocop.core.scoping import ADD, CHANGE, VIEW, can, restrict
from ocop.core.tabular import Column, ImportResult, RowError, Spec
from ocop.core.text import fold
from ocop.registry import codes as registry_codes
from ocop.registry.classification import LegalBasis
from ocop.registry.models import Producer, Product, normalize_tax_code

from .models import (
    AuthorityLevel,
    Certificate,
    Decision,
    DecisionKind,
    Star,
    legal_basis_on,
)

__all__ = ["HISTORY_SPEC", "export_queryset", "import_file", "write_template"]

PREVIEW_LIMIT = 200


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
                "(tỉnh-huyện-xã-STT-năm); nếu không có mã, ghi mã số thuế chủ thể và đúng tên sản phẩm."
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
    return [
        Column(
            _("Mã sản phẩm"),
            "product_code",
            help=_(
                "Mã sản phẩm OCOP (ví dụ 82-28756-12-2026) hoặc mã cũ (ví dụ 83-829-28780-3-2022). "
                "Để trống thì dùng mã số thuế chủ thể và tên sản phẩm."
            ),
            width=22,
        ),
        Column(_("Mã số thuế chủ thể"), "producer_tax_code", help=_("Khi không có mã sản phẩm."), width=16),
        Column(
            _("Tên sản phẩm"),
            "product_name",
            help=_("Khi không có mã sản phẩm: đúng tên đã đăng ký."),
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
            required=True,
            help=_("Như ghi trên quyết định, kể cả cơ quan nay không còn (ví dụ UBND huyện Đắk Song)."),
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
    ]


HISTORY_SPEC = _HistorySpec()


# --- text → values -------------------------------------------------------------------------------


class _CellError(Exception):
    """A value that cannot be read; the message is Vietnamese."""


def _parse_date(value: str) -> dt.date | None:
    if not value:
        return None
    text = value.strip().split(" ")[0]
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise _CellError(_("Ngày không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 16/06/2025."))


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


# Model field → column key, to put a model's validation message on the right cell.
_CERTIFICATE_FIELDS = {
    "star": "star",
    "potential_5_star": "potential_5_star",
    "number": "certificate_number",
    "issue_date": "issue_date",
    "legal_basis": "legal_basis",
    "decision": "decision_number",
}
_DECISION_FIELDS = {
    "number": "decision_number",
    "date": "decision_date",
    "authority": "authority",
    "authority_level": "authority_level",
    "legal_basis": "legal_basis",
    "signer": "signer",
}


class _Importer:
    def __init__(self, user: Any | None, filename: str) -> None:
        self.user = user
        self.reason = _("Nhập lịch sử công nhận từ tệp %(name)s") % {"name": filename}
        self.headers = {c.key: str(c.header) for c in HISTORY_SPEC.columns}
        self.decisions: dict[tuple[str, dt.date, str], Decision] = {}
        self.decision_rows: dict[tuple[str, dt.date, str], int] = {}
        self.seen: dict[tuple[int, dt.date, str], int] = {}

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
        self.products = visible.select_related("province", "commune", "producer")
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
        numbers = {row.values.get("decision_number", "").strip() for row in rows} - {""}
        self.existing_decisions = {
            (d.number, d.date, fold(d.authority)): d for d in Decision.objects.filter(number__in=numbers)
        }
        self.decision_values = {d.pk: _decision_values(d) for d in self.existing_decisions.values()}
        self.existing_certificates = {
            (c.product_id, c.issue_date, c.decision.number): c
            for c in Certificate.objects.filter(decision__number__in=numbers).select_related(
                "decision", "product__province"
            )
        }

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
        tax, name = (
            row.values.get("producer_tax_code", "").strip(),
            row.values.get("product_name", "").strip(),
        )
        if not tax or not name:
            self.error(
                row,
                "product_code",
                _("Hãy ghi mã sản phẩm, hoặc cả mã số thuế chủ thể và tên sản phẩm."),
            )
            return None
        try:
            tax = normalize_tax_code(tax)
        except ValidationError as error:
            self.error(row, "producer_tax_code", " ".join(error.messages))
            return None
        producer = Producer.objects.filter(tax_code=tax).first()
        if producer is None:
            self.error(row, "producer_tax_code", _("Không có chủ thể nào mang mã số thuế này."))
            return None
        matches = [p for p in self.products.filter(producer=producer) if fold(p.name) == fold(name)]
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
                % {"producer": producer.name},
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
        for key in ("decision_number", "decision_date", "authority"):
            if not row.values.get(key, "").strip():
                self.error(row, key, _("Bắt buộc."))
        if level is None and not level_text:
            level = _level_from_authority(authority) or (
                AuthorityLevel.CENTRAL.value if star == Star.FIVE else AuthorityLevel.PROVINCE.value
            )
        if basis is None and decision_date is not None and not row.values.get("legal_basis"):
            basis = legal_basis_on(decision_date).value
        if row.errors or product is None or star is None:
            return
        row.product = product

        decision = self.decision_for(row, number, decision_date, authority, level, basis, product)
        if decision is None:
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
        row.changed = not row.existing or decision._changed or _certificate_values(certificate) != before

    def decision_for(
        self,
        row: _Row,
        number: str,
        day: dt.date,
        authority: str,
        level: str | None,
        basis: str | None,
        product: Product,
    ) -> Decision | None:
        key = (number, day, fold(authority))
        decision = self.decisions.get(key)
        if decision is not None:  # already met on an earlier row of this file
            if (decision.authority_level, decision.legal_basis) != (level, basis):
                row.errors.append(
                    RowError(
                        row.number,
                        self.headers["decision_number"],
                        number,
                        _("Quyết định này đã có ở dòng %(row)s với cấp ban hành hoặc căn cứ pháp lý khác.")
                        % {"row": self.decision_rows[key]},
                    )
                )
                return None
            return decision
        decision = self.existing_decisions.get(key)
        signer = row.values.get("signer", "").strip()
        if decision is None:
            decision = Decision(
                number=number,
                date=day,
                authority=authority,
                kind=DecisionKind.RECOGNITION,
                province=None if level == AuthorityLevel.CENTRAL else product.province,
            )
        may_change = decision.pk is None or self.user is None or can(self.user, CHANGE, decision)
        if may_change:
            decision.authority_level = level
            decision.legal_basis = basis
            if signer:
                decision.signer = signer
        elif (decision.authority_level, decision.legal_basis) != (level, basis):
            self.error(
                row, "decision_number", _("Quyết định này đã có với thông tin khác; bạn không được sửa.")
            )
            return None
        decision._changed = may_change and (  # type: ignore[attr-defined]
            decision.pk is None or self.decision_values[decision.pk] != _decision_values(decision)
        )
        try:
            decision.full_clean(exclude=["province"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            self.validation(row, error, _DECISION_FIELDS)
            return None
        if decision.kind != DecisionKind.RECOGNITION:
            self.error(
                row,
                "decision_number",
                _("Số quyết định này là một quyết định thu hồi, không phải công nhận."),
            )
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
            values["status"] = str(certificate.status_label) if certificate.superseded_by_id is None else ""
        return values

    def write(self, rows: list[_Row], progress: Callable[[int], None]) -> None:
        for decision in self.decisions.values():
            if decision._changed:  # type: ignore[attr-defined]
                decision._change_reason = self.reason
                decision._history_user = self.user
                decision.save()
        for index, row in enumerate(rows, start=1):
            if not row.changed:
                continue
            certificate = row.certificate
            certificate._change_reason = self.reason
            certificate._history_user = self.user
            certificate.save()
            if index % 200 == 0:
                progress(index)
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
        result.errors.extend(row.errors)
        if index % 200 == 0:
            report(index, total)
    report(len(rows), total)
    result.preview = [importer.preview(row) for row in rows[:PREVIEW_LIMIT]]
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
    """A certificate in the template's columns (an export re-imports unchanged)."""
    decision, product = certificate.decision, certificate.product
    return {
        "product_code": product.code or product.legacy_code,
        "producer_tax_code": "" if product.code or product.legacy_code else product.producer.tax_code,
        "product_name": product.name,
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
    }


def export_queryset(queryset: models.QuerySet, stream: IO[bytes], fmt: str = "xlsx") -> None:
    """Certificates (already restricted by the caller) in the history template's columns."""
    rows = (
        certificate_row(c)
        for c in queryset.select_related("decision", "product__producer")
        .order_by("issue_date", "pk")
        .iterator()
    )
    HISTORY_SPEC.write_rows(rows, stream, fmt)
