"""The producer importer: a row updates the producer whose id or tax code it carries (tax codes
may not repeat within the file), otherwise creates one; new producers are written in batches with
their history rows, updated ones saved one by one, keeping every model side effect.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _

from ocop.core.text import fold

from .. import codes
from ..classification import ProducerType
from ..models import LegalForm, Producer, ProducerStatus
from .common import _parse_bool, _parse_date, _parse_decimal, _parse_int, _valid
from .importer import _batches, _bulk_create, _copy, _filter_in, _Importer, _Row
from .specs import PRODUCER_SPEC

BATCH_SIZE = 500

# What a producer's name says of its type (published lists give only the name): folded prefixes.
_TYPE_BY_NAME = (
    (("hop tac xa", "htx"), ProducerType.HTX),
    (("to hop tac", "tht"), ProducerType.THT),
    (("trang trai",), ProducerType.TRANG_TRAI),
    (("cong ty", "cty", "doanh nghiep", "dntn"), ProducerType.DN_SME),
    (("ho kinh doanh", "hkd", "ho san xuat", "ho gia dinh", "co so", "ho "), ProducerType.HO_SX),
)
_FORM_BY_NAME = (
    (("cong ty co phan", "cty co phan", "cong ty cp", "cty cp"), LegalForm.JSC),
    (("cong ty tnhh", "cty tnhh", "cong ty trach nhiem huu han"), LegalForm.LLC),
    (("doanh nghiep tu nhan", "dntn"), LegalForm.PRIVATE),
)


def type_from_name(name: str) -> tuple[str, str]:
    """(producer type, legal form) a name implies ("HTX Nông nghiệp …" → HTX), ("", "") when it does not."""
    folded = " ".join(fold(name).replace(".", " ").split()) + " "
    for prefixes, producer_type in _TYPE_BY_NAME:
        if folded.startswith(tuple(prefix.rstrip() + " " for prefix in prefixes)):
            form = ""
            if producer_type == ProducerType.DN_SME:
                form = next(
                    (f.value for p, f in _FORM_BY_NAME if folded.startswith(tuple(x + " " for x in p))), ""
                )
            return producer_type.value, form
    return "", ""


class _ProducerImporter(_Importer):
    kind = "producers"
    model = Producer
    spec = PRODUCER_SPEC

    def prepare(self, rows: list[_Row]) -> None:
        ids = {int(r.values["id"]) for r in rows if r.values.get("id", "").isdigit()}
        self.by_id = Producer.objects.select_related("unit").in_bulk([i for i in ids if i < 2**31])
        taxes = {_valid(codes.validate_tax_code, r.values.get("tax_code", "")) for r in rows} - {None}
        self.by_tax = {p.tax_code: p for p in _filter_in(Producer.objects, "tax_code", taxes)}
        households = {_valid(codes.validate_household_id, r.values.get("household_id", "")) for r in rows}
        self.by_household = {
            p.household_id: p for p in _filter_in(Producer.objects, "household_id", households - {None})
        }
        self.seen_household: dict[str, int] = {}
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
        household_id = _valid(codes.validate_household_id, values.get("household_id", "")) or ""
        if household_id:
            if first := self.seen_household.get(household_id):
                self.error(
                    row,
                    "household_id",
                    _("Số đăng ký hộ kinh doanh / CCCD trùng với dòng %(row)s của tệp.") % {"row": first},
                )
            else:
                self.seen_household[household_id] = row.number
            holder = self.by_household.get(household_id)
            if holder is not None:
                if original is None and not values.get("id"):
                    original = holder  # a household's number is its identity, as a tax code is
                elif original is not None and holder.pk != original.pk:
                    self.error(
                        row,
                        "household_id",
                        _("Số này đã thuộc chủ thể “%(name)s” (mã %(id)s).")
                        % {"name": holder.name, "id": holder.pk},
                    )
        obj = _copy(original) if original is not None else Producer()
        row.existing = original is not None

        obj.name = values.get("name", "")
        obj.producer_type = self.choice(row, "producer_type")
        obj.legal_form = self.choice(row, "legal_form")
        if not values.get("producer_type"):
            obj.producer_type, implied_form = type_from_name(obj.name)
            if not obj.producer_type and obj.name:
                self.error(
                    row,
                    "producer_type",
                    _(
                        "Tên chủ thể không cho biết loại hình (HTX, tổ hợp tác, công ty, trang trại, hộ kinh "
                        "doanh): hãy điền cột Loại hình chủ thể."
                    ),
                )
            obj.legal_form = obj.legal_form or implied_form
        obj.community_capital_share = self.parse(row, "community_capital_share", _parse_decimal)
        obj.tax_code = values.get("tax_code", "")
        obj.household_id = values.get("household_id", "")
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
        # New producers in batches with their history rows (nothing refers to them yet: no public
        # page to refresh); an update is saved one by one, keeping every model side effect (the
        # public pages showing the producer are invalidated by its post_save).
        creates = [row.obj for row in rows if row.action == "create"]
        done = 0
        for batch in _batches(creates, BATCH_SIZE):
            for obj in batch:
                obj.tax_code = re.sub(r"\s+", "", obj.tax_code or "")  # as Producer.save()
                obj.refresh_search()
            _bulk_create(batch, self.user, self.reason)
            done += len(batch)
            progress(done)
        for row in rows:
            if row.action != "update":
                continue
            obj = row.obj
            obj._change_reason = self.reason
            if self.user is not None:
                obj._history_user = self.user
            obj.save()
            done += 1
            if done % 100 == 0:
                progress(done)
        progress(len(rows))
