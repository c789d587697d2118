"""The product importer: finds the producer (by tax code, or by a name that must be unique in the
user's view), the place (or the producer's), the code (an OCOP code not yet in the database is
kept, and the commune's counter moved past it), catches duplicates within the file, then writes in
bulk: new codes numbered in memory from the communes' counters (locked and updated once per file,
whatever the number of communes), creations and their history rows in batches of `BATCH_SIZE`
(`ocop.core.bulk.insert_with_history`: bulk_create_with_history's rows), one UPDATE of the
changed fields per updated row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.core.scoping import VIEW
from ocop.core.text import fold
from ocop.geo.models import Level, Structure

from .. import classification, codes
from ..classification import ProductStatus
from ..models import Producer, Product, ProductCodeCounter, normalize_gtin
from .common import _Located, _valid
from .importer import _batches, _bulk_create, _copy, _filter_in, _Importer, _Row
from .specs import PRODUCT_SPEC

BATCH_SIZE = 500


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


class _ProductImporter(_Importer):
    kind = "products"
    model = Product
    spec = PRODUCT_SPEC
    # The producer and the code are found and checked in build(); so is the set: classification
    # .validate_set_code, where the model's validation would build its choices again for each row
    # (a second of a 20,000-row import).
    own_checks = ("unit", "province", "commune", "producer", "code", "classification_set")

    def prepare(self, rows: list[_Row]) -> None:
        super().prepare(rows)
        parsed: dict[str, codes.ProductCode] = {}
        for r in rows:
            if r.values.get("code") and (code := _valid(codes.parse_product_code, r.values["code"])):
                parsed[r.values["code"]] = code
        self.parsed_codes = parsed
        # The communes of the codes the file carries (a code not in the database yet is adopted).
        self.locator.prefetch(Structure.CURRENT, [c.commune for c in parsed.values()], (5,))
        carried = {str(c) for c in parsed.values()}
        self.by_code = {p.code: p for p in _filter_in(Product.objects, "code", carried)}
        taxes = {_valid(codes.validate_tax_code, r.values.get("producer_tax_code", "")) for r in rows} - {
            None
        }
        producers = Producer.objects.select_related("unit__current_province").prefetch_related(
            "unit__successions__current"
        )
        self.producer_by_tax = {p.tax_code: p for p in _filter_in(producers, "tax_code", taxes)}
        households = {
            _valid(codes.validate_household_id, value)
            for r in rows
            if (value := r.values.get("producer_tax_code", ""))
            and _valid(codes.validate_tax_code, value) not in self.producer_by_tax
        } - {None}
        self.producer_by_household = {
            p.household_id: p for p in _filter_in(producers, "household_id", households)
        }
        names = {
            fold(r.values.get("producer_name", "")) for r in rows if not r.values.get("producer_tax_code")
        }
        visible = producers if self.user is None else producers.restrict(self.user, VIEW)
        self.producers_by_name: dict[str, list[Producer]] = defaultdict(list)
        if names:
            for producer in _filter_in(visible, "search_text", [*names, *(f"{n} | " for n in names)]):
                self.producers_by_name[fold(producer.name)].append(producer)
            missing = names - set(self.producers_by_name)
            if missing:  # search_text holds "name | tax": match on the folded name in Python
                for producer in visible.only(
                    "id", "name", "tax_code", "unit", "province", "commune"
                ).iterator(chunk_size=2000):
                    if fold(producer.name) in missing:
                        self.producers_by_name[fold(producer.name)].append(producer)
        self.producer_ids = (
            {p.pk for p in self.producer_by_tax.values()}
            | {p.pk for p in self.producer_by_household.values()}
            | {p.pk for group in self.producers_by_name.values() for p in group}
        )
        # (producer, folded name) → (id, code) of a product already there: values, not model
        # instances (every product of the file's producers: 9,234 for 4,000 rows, 0.19 → 0.04 s).
        self.existing_names: dict[tuple[int, str], tuple[int, str | None]] = {}
        for pk, producer_id, name, code in _filter_in(
            Product.objects.values_list("id", "producer_id", "name", "code"), "producer_id", self.producer_ids
        ):
            self.existing_names.setdefault((producer_id, fold(name)), (pk, code))
        # Who holds each GTIN of the file (Product.clean would ask the database row by row).
        gtins = {_stored_gtin(r.values.get("gtin", "")) for r in rows} - {""}
        self.gtin_owners = {
            gtin: pk
            for chunk in _batches(sorted(gtins), BATCH_SIZE)
            for gtin, pk in Product.objects.filter(gtin__in=chunk).values_list("gtin", "pk")
        }
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[tuple[int, str], int] = {}
        self.seen_gtins: dict[str, int] = {}

    def find_producer(self, row: _Row, located: _Located | None) -> Producer | None:
        tax_value = row.values.get("producer_tax_code", "")
        name = row.values.get("producer_name", "")
        if tax_value:
            try:
                tax_code = codes.validate_tax_code(tax_value)
            except ValueError as error:
                tax_code, tax_error = None, str(error)
            if tax_code is not None and (producer := self.producer_by_tax.get(tax_code)) is not None:
                return producer
            household = _valid(codes.validate_household_id, tax_value)
            if household is not None and (producer := self.producer_by_household.get(household)) is not None:
                return producer
            if tax_code is None and household is None:
                self.error(row, "producer_tax_code", tax_error)
            else:
                self.error(
                    row,
                    "producer_tax_code",
                    _(
                        "Không có chủ thể nào có mã số thuế (hoặc số đăng ký hộ kinh doanh / CCCD) này trong "
                        "hệ thống."
                    ),
                )
            return None
        if not name:
            self.error(row, "producer_name", _("Hãy ghi tên chủ thể (hoặc mã số thuế của chủ thể)."))
            return None
        found = self.producers_by_name.get(fold(name), [])
        if not found:
            self.error(row, "producer_name", _("Không tìm thấy chủ thể có tên này; hãy nhập chủ thể trước."))
            return None
        if len(found) > 1 and located is not None:
            found = _within(found, located)
        if len(found) > 1:
            listing = "; ".join(
                f"{p.name} (mã {p.pk}{', MST ' + p.tax_code if p.tax_code else ''})" for p in found[:5]
            )
            self.error(
                row,
                "producer_name",
                _(
                    "Có %(count)s chủ thể cùng tên: %(list)s. Hãy điền mã số thuế chủ thể hoặc địa bàn "
                    "sản xuất."
                )
                % {"count": len(found), "list": listing},
            )
            return None
        if not found:
            self.error(row, "producer_name", _("Không có chủ thể nào có tên này ở địa bàn đã ghi trên dòng."))
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
        located = self.location(row, "place")
        producer = self.find_producer(row, located)
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
        obj.gtin_owners = self.gtin_owners
        obj.status = self.choice(row, "status") or ProductStatus.POTENTIAL.value
        if producer is not None:
            obj.producer = producer
        if located is not None:
            self.place(obj, located)
        elif (
            producer is not None
            and not any(values.get(k) for k in ("unit_code", "former_unit_code", "place"))
            and (original is None or original.producer_id != producer.pk)
        ):
            # No place given: where the producer is (an update keeps the product's own place).
            row.located = self.locator.locate(producer.unit)
            self.place(obj, row.located)
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
            if same is not None and (original is None or same[0] != original.pk):
                self.error(
                    row,
                    "name",
                    _(
                        "Chủ thể này đã có sản phẩm cùng tên (mã %(code)s). Để cập nhật sản phẩm đó, "
                        "hãy điền Mã sản phẩm OCOP."
                    )
                    % {"code": same[1] or same[0]},
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
        _allocate_codes(rows, timezone.localdate().year)
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


def _within(producers: list[Producer], located: _Located) -> list[Producer]:
    """The producers of the commune `located` names (or of its province when it names no commune)."""
    if located.commune is not None:
        return [p for p in producers if p.commune_id == located.commune.pk]
    if located.province is not None:
        return [p for p in producers if p.province_id == located.province.pk]
    return producers


def _stored_gtin(value: str) -> str:
    """The GTIN of a cell as Product.clean stores it ("" when it is not a valid GTIN)."""
    try:
        return normalize_gtin(re.sub(r"\s+", "", value))
    except ValidationError:
        return ""


def _allocate_codes(rows: list[_Row], year: int) -> None:
    """Give every new product without a code the next sequence numbers of its commune.

    A few queries per file, not per commune: the counters of every commune the file touches are
    locked at once (`_lock_counters`), the codes the file carries move them past their sequence,
    the new codes are numbered in memory, and the counters are written back in one bulk UPDATE.
    The locks (PostgreSQL row locks; SQLite's write lock, taken at BEGIN IMMEDIATE) last until the
    import commits, so two imports never hand out the same code.
    """
    adopted: dict[int, int] = {}
    for row in rows:
        if row.adopted_code is not None:
            commune_id = row.adopted_commune.pk
            adopted[commune_id] = max(adopted.get(commune_id, 0), row.adopted_code.seq)
    needing: dict[int, list[Product]] = defaultdict(list)
    for row in rows:
        obj = row.obj
        if not obj.code and obj.commune_id is not None:
            needing[obj.commune_id].append(obj)
    counters = _lock_counters(sorted(set(adopted) | set(needing)))
    changed = []
    for commune_id, counter in counters.items():
        start = max(counter.last, adopted.get(commune_id, 0))
        for offset, obj in enumerate(needing.get(commune_id, ()), start=1):
            # As Product.assign_code: T-X-STT-YYYY from the current province and commune.
            obj.code = codes.format_product_code(obj.province.code, obj.commune.code, start + offset, year)
            obj.code_sequence, obj.code_year = start + offset, year
        last = start + len(needing.get(commune_id, ()))
        if last != counter.last:
            counter.last = last
            changed.append(counter)
    # 2 parameters per row of the CASE plus one per id: within SQLite's limit on parameters.
    ProductCodeCounter.objects.bulk_update(changed, ["last"], batch_size=_COUNTER_BATCH)


_COUNTER_BATCH = 300


def _lock_counters(commune_ids: list[int]) -> dict[int, ProductCodeCounter]:
    """The counters of `commune_ids` (created when missing), locked until the transaction ends.

    Locked in commune order (SELECT … FOR UPDATE ORDER BY), so two imports sharing communes wait
    for each other instead of deadlocking; SQLite has no row locks, its transactions serialise.
    """
    locked = ProductCodeCounter.objects.select_for_update().order_by("commune_id")
    counters: dict[int, ProductCodeCounter] = {}
    for chunk in _batches(commune_ids, _COUNTER_BATCH * 3):
        counters.update((c.commune_id, c) for c in locked.filter(commune_id__in=chunk))
    missing = [pk for pk in commune_ids if pk not in counters]
    if missing:
        # Another import may create the same counters meanwhile: theirs stand, ours are skipped.
        ProductCodeCounter.objects.bulk_create(
            [ProductCodeCounter(commune_id=pk) for pk in missing],
            ignore_conflicts=True,
            batch_size=_COUNTER_BATCH * 3,
        )
        for chunk in _batches(missing, _COUNTER_BATCH * 3):
            counters.update((c.commune_id, c) for c in locked.filter(commune_id__in=chunk))
    return counters
