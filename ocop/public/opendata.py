"""Open data (/open-data/): every OCOP certificate in effect, with its status today, as CSV and JSON;
a DCAT-AP catalogue of the files; an Atom feed of new, expired and revoked certificates.

One row per certificate that has taken effect (issued on or before today), so a product appears
once per certificate it has held; its stable identifiers are the certificate code, the OCOP product
code (and legacy code) and the GTIN (as printed: 13 digits for a GTIN-13). Only what ``published``
may show: the producer's *name* and public page id, never its representative, contacts, address
line or tax number; no decision signer.

Deterministic: rows are ordered by certificate code, there is no generation time in the files, and
the ETag is a hash of the bytes, so a file downloaded twice is byte-identical when nothing changed
(statuses are computed for today, so a certificate expiring at midnight is a change). Last-Modified
is the latest edit of a row or status change on or before today. Built once per day, host and
data version (``ocop.public.cache``: invalidated by the same signals as the public pages).

Licence: Creative Commons Attribution 4.0 International (CC BY 4.0).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.certification.models import Certificate
from ocop.certification.pdf import verification_path
from ocop.core.cells import neutralise
from ocop.registry import classification

from . import cache, published

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
FEED_SIZE = 200
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
JSONLD_TYPE = "application/ld+json; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | integer | boolean | date | url
    description: Any  # lazy translation


COLUMNS: tuple[Column, ...] = (
    Column(
        "certificate_code",
        "text",
        gettext_lazy("Mã giấy chứng nhận OCOP, duy nhất và không đổi (ví dụ OCOP-82-2026-000123-X)."),
    ),
    Column("certificate_number", "text", gettext_lazy("Số giấy chứng nhận như in (có thể trống).")),
    Column(
        "status",
        "text",
        gettext_lazy(
            "Tình trạng hôm nay: valid (còn hiệu lực), expired (hết hạn), revoked (đã bị thu hồi), "
            "superseded (đã được thay thế bằng giấy chứng nhận mới), removed (sản phẩm đã bị đưa ra khỏi "
            "chương trình OCOP theo kết luận kiểm tra)."
        ),
    ),
    Column("star", "integer", gettext_lazy("Hạng sao: 3, 4 hoặc 5.")),
    Column("potential_5_star", "boolean", gettext_lazy("4 sao – tiềm năng 5 sao (true/false).")),
    Column("issued", "date", gettext_lazy("Ngày cấp (YYYY-MM-DD).")),
    Column("expires", "date", gettext_lazy("Ngày hết hạn in trên giấy chứng nhận (YYYY-MM-DD).")),
    Column(
        "extended",
        "boolean",
        gettext_lazy(
            "Còn hiệu lực (gia hạn theo khoản 3 Điều 12): đã quá ngày hết hạn, hồ sơ đánh giá lại đã nộp "
            "đúng hạn, hiệu lực kéo dài đến khi có kết quả (true/false)."
        ),
    ),
    Column(
        "valid_until",
        "date",
        gettext_lazy("Ngày cuối cùng có thể còn hiệu lực: expires, hoặc ngày cuối của gia hạn khi extended."),
    ),
    Column("revoked_on", "date", gettext_lazy("Ngày thu hồi có hiệu lực (chỉ khi status = revoked).")),
    Column(
        "revocation_ground",
        "text",
        gettext_lazy(
            "Căn cứ thu hồi: a, b, c, d, đ, e (Điều 8 QĐ 26/2026/QĐ-TTg; chỉ khi status = revoked)."
        ),
    ),
    Column("revocation_decision_number", "text", gettext_lazy("Số quyết định thu hồi.")),
    Column("revocation_decision_date", "date", gettext_lazy("Ngày ban hành quyết định thu hồi.")),
    Column(
        "superseded_by",
        "text",
        gettext_lazy("Mã giấy chứng nhận thay thế (chỉ khi status = superseded)."),
    ),
    Column("decision_number", "text", gettext_lazy("Số quyết định công nhận.")),
    Column("decision_date", "date", gettext_lazy("Ngày ban hành quyết định công nhận.")),
    Column("authority", "text", gettext_lazy("Cơ quan ra quyết định công nhận.")),
    Column(
        "product_code",
        "text",
        gettext_lazy("Mã sản phẩm OCOP (Mã tỉnh-Mã xã-STT-Năm), không đổi sau khi cấp; có thể trống."),
    ),
    Column("product_legacy_code", "text", gettext_lazy("Mã sản phẩm cũ (trước khi có mã mới), nếu có.")),
    Column(
        "gtin",
        "text",
        gettext_lazy("Mã vạch GTIN của sản phẩm như in trên bao bì (13 chữ số; 14 với GTIN-14), nếu có."),
    ),
    Column(
        "product_name", "text", gettext_lazy("Tên sản phẩm như được công nhận (ghi trên giấy chứng nhận).")
    ),
    Column("product_name_en", "text", gettext_lazy("Tên sản phẩm bằng tiếng Anh, nếu có.")),
    Column(
        "product_current_name",
        "text",
        gettext_lazy("Tên hiện nay của sản phẩm, nếu khác tên được công nhận."),
    ),
    Column(
        "product_set",
        "text",
        gettext_lazy("Mã bộ sản phẩm khi được công nhận (B01–B26, Phụ lục I QĐ 26/2026/QĐ-TTg)."),
    ),
    Column("sector", "text", gettext_lazy("Mã ngành (I–VI) của bộ sản phẩm.")),
    Column("producer_id", "integer", gettext_lazy("Mã chủ thể trên trang công khai (/chu-the/<mã>/).")),
    Column(
        "producer_name",
        "text",
        gettext_lazy("Tên chủ thể như được công nhận (không có thông tin cá nhân nào khác)."),
    ),
    Column("certified_place", "text", gettext_lazy("Xã/phường, tỉnh/thành phố như in trên giấy chứng nhận.")),
    Column("province_code", "text", gettext_lazy("Mã tỉnh/thành phố hiện hành (2 chữ số).")),
    Column("province_name", "text", gettext_lazy("Tên tỉnh/thành phố hiện hành.")),
    Column("commune_code", "text", gettext_lazy("Mã xã/phường hiện hành (5 chữ số), nếu có.")),
    Column("commune_name", "text", gettext_lazy("Tên xã/phường hiện hành, nếu có.")),
    Column("product_url", "url", gettext_lazy("Địa chỉ công khai lâu dài của sản phẩm.")),
    Column(
        "verification_url", "url", gettext_lazy("Trang kiểm tra giấy chứng nhận (địa chỉ in trong mã QR).")
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

_FIELDS = (
    "id",
    "product__status",
    "code",
    "number",
    "star",
    "potential_5_star",
    "issue_date",
    "expiry",
    "extended_until",
    "revoked_on",
    "revocation_ground",
    "decision__number",
    "decision__date",
    "decision__authority",
    "revocation_decision__number",
    "revocation_decision__date",
    "superseded_by__code",
    "superseded_by__issue_date",
    "certified_product_name",
    "certified_producer_name",
    "certified_place",
    "certified_classification_set",
    "product__id",
    "product__code",
    "product__legacy_code",
    "product__gtin",
    "product__name",
    "product__name_en",
    "product__classification_set",
    "product__producer__id",
    "product__producer__name",
    "product__province__code",
    "product__province__name",
    "product__commune__code",
    "product__commune__name",
)


def _sector_of() -> dict[str, str]:
    return {s.code: s.sector for s in classification.sets()}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class _Paths:
    """The public paths of many rows at once: reverse() once per kind, not once per row."""

    MARK = "00000000"

    def __init__(self) -> None:
        self.code = reverse("public:product_code", args=[self.MARK]).split(self.MARK)
        self.gtin = reverse("public:gs1", args=[self.MARK]).split(self.MARK)
        self.id = reverse("public:product_id", args=[self.MARK]).split(self.MARK)

    def product(self, row: dict[str, Any]) -> str:
        if row["product__code"]:
            prefix, suffix = self.code
            return prefix + quote(row["product__code"]) + suffix
        if row["product__gtin"]:
            prefix, suffix = self.gtin
            return prefix + published.gtin14(row["product__gtin"]) + suffix
        prefix, suffix = self.id
        return f"{prefix}{row['product__id']}{suffix}"


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _record(row: dict[str, Any], base: str, sectors: dict[str, str], paths: _Paths) -> dict[str, Any]:
    status = row["status"]
    if status == published.VALID and row["product__status"] == classification.ProductStatus.REMOVED.value:
        status = published.REMOVED  # out of the programme by an inspection: as /v/ says
    revoked = status == published.REVOKED
    extended = status == published.VALID and row["expiry"] < row["status_day"]  # Art. 12.3
    # what the certificate recognised (frozen at issue), today's product only where none was stored
    certified_name = row["certified_product_name"] or row["product__name"]
    product_set = row["certified_classification_set"] or row["product__classification_set"]
    return {
        "certificate_code": row["code"],
        "certificate_number": row["number"] or None,
        "status": status,
        "star": row["star"],
        "potential_5_star": bool(row["potential_5_star"]),
        "issued": _iso(row["issue_date"]),
        "expires": _iso(row["expiry"]),
        "extended": extended,
        "valid_until": _iso(row["extended_until"] if extended else row["expiry"]),
        "revoked_on": _iso(row["revoked_on"]) if revoked else None,
        "revocation_ground": (row["revocation_ground"] or None) if revoked else None,
        "revocation_decision_number": (row["revocation_decision__number"] or None) if revoked else None,
        "revocation_decision_date": _iso(row["revocation_decision__date"]) if revoked else None,
        "superseded_by": row["superseded_by__code"] if status == published.SUPERSEDED else None,
        "decision_number": row["decision__number"] or None,
        "decision_date": _iso(row["decision__date"]),
        "authority": row["decision__authority"] or None,
        "product_code": row["product__code"] or None,
        "product_legacy_code": row["product__legacy_code"] or None,
        "gtin": published.gtin_shown(row["product__gtin"]) or None,
        "product_name": certified_name,
        "product_name_en": row["product__name_en"] or None,
        "product_current_name": row["product__name"] if row["product__name"] != certified_name else None,
        "product_set": product_set or None,
        "sector": sectors.get(product_set) or None,
        "producer_id": row["product__producer__id"],
        "producer_name": row["certified_producer_name"] or row["product__producer__name"],
        "certified_place": row["certified_place"] or None,
        "province_code": row["product__province__code"],
        "province_name": row["product__province__name"],
        "commune_code": row["product__commune__code"],
        "commune_name": row["product__commune__name"],
        "product_url": base + paths.product(row),
        "verification_url": base + verification_path(row["code"]),
    }


def _last_modified(certificates: QuerySet[Certificate], day: dt.date) -> dt.datetime | None:
    """The latest edit of anything the rows show, or status change on or before ``day`` (one query)."""
    edits = ("updated", "decision__updated", "revocation_decision__updated", "product__updated")
    edits += ("product__producer__updated",)
    found = certificates.aggregate(
        **{f"edit_{i}": Max(name) for i, name in enumerate(edits)},
        issued=Max("issue_date"),
        expired=Max("expiry", filter=Q(expiry__lt=day)),
        extension_ended=Max("extended_until", filter=Q(extended_until__lt=day)),
        revoked=Max("revoked_on", filter=Q(revoked_on__lte=day)),
        superseded=Max("superseded_by__issue_date", filter=Q(superseded_by__issue_date__lte=day)),
    )
    moments = [found[f"edit_{i}"] for i in range(len(edits))]
    if found["expired"] is not None:  # it changed status the day after its last day
        found["expired"] += dt.timedelta(days=1)
    if found["extension_ended"] is not None:  # likewise after the last day of an extension
        found["expired"] = max(found["expired"], found["extension_ended"] + dt.timedelta(days=1))
    moments += [_midnight(found[key]) for key in ("issued", "expired", "revoked", "superseded") if found[key]]
    moments = [moment for moment in moments if moment is not None]
    return max(moments) if moments else None


@dataclass(frozen=True)
class Dataset:
    records: list[dict[str, Any]]
    last_modified: dt.datetime | None

    @property
    def count(self) -> int:
        return len(self.records)


def dataset(base: str, day: dt.date | None = None) -> Dataset:
    """Every certificate in effect by ``day``, as records (column → value), ordered by code."""
    day = day or published.today()
    certificates = Certificate.objects.filter(issue_date__lte=day)
    rows = certificates.with_status(day).order_by("code").values(*_FIELDS, "status", "status_day")
    sectors, paths = _sector_of(), _Paths()
    records = [_record(row, base, sectors, paths) for row in rows.iterator(chunk_size=2000)]
    return Dataset(records=records, last_modified=_last_modified(certificates, day))


# --- the files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class File:
    body: bytes
    content_type: str
    last_modified: dt.datetime | None
    count: int = 0  # rows or entries

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)  # a name a spreadsheet would run as a formula gets a "'" (OWASP)
    return str(value)


def csv_bytes(data: Dataset) -> bytes:
    """UTF-8 with a BOM (Excel reads the diacritics), comma-separated, CRLF line ends (RFC 4180)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    for record in data.records:
        writer.writerow([_csv_value(record[name]) for name in COLUMN_NAMES])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def json_bytes(data: Dataset) -> bytes:
    body = {"license": LICENSE_URL, "count": data.count, "columns": list(COLUMN_NAMES), "items": data.records}
    return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def products_file(base: str, fmt: str) -> File:
    """The CSV or JSON file for this public base URL (cached until the data or the day changes)."""
    day = published.today()

    def build() -> File:
        data = dataset(base, day)
        body = csv_bytes(data) if fmt == "csv" else json_bytes(data)
        return File(body, CSV_TYPE if fmt == "csv" else JSON_TYPE, data.last_modified, data.count)

    return cache.get_or_build(cache.LISTINGS, cache.ALL, ["open-data", fmt, day.isoformat(), base], build)


def last_modified(base: str) -> dt.datetime | None:
    return products_file(base, "csv").last_modified


# --- DCAT-AP catalogue ----------------------------------------------------------------------------

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_IANA = "https://www.iana.org/assignments/media-types/"
_EU = "http://publications.europa.eu/resource/authority/"


def _texts(vi: str, en: str) -> list[dict[str, str]]:
    return [{"@language": "vi", "@value": vi}, {"@language": "en", "@value": en}]


def _distribution(
    base: str, ident: str, url: str, media: str, file_type: str, title: tuple[str, str]
) -> dict:
    return {
        "@id": f"{base}{reverse('public:open_data')}#{ident}",
        "@type": "dcat:Distribution",
        "dct:title": _texts(*title),
        "dcat:downloadURL": {"@id": base + url},
        "dcat:accessURL": {"@id": base + reverse("public:open_data")},
        "dcat:mediaType": {"@id": _IANA + media},
        "dct:format": {"@id": _EU + "file-type/" + file_type},
        "dct:license": {"@id": LICENSE_URL},
    }


def catalog(base: str) -> dict[str, Any]:
    """The DCAT-AP description of the dataset and its files (JSON-LD)."""
    modified = last_modified(base)
    page = base + reverse("public:open_data")
    publisher = {
        "@type": "foaf:Agent",
        "foaf:name": _texts(
            "Chương trình Mỗi xã một sản phẩm (OCOP)", "One Commune One Product (OCOP) programme"
        ),
        "foaf:homepage": {"@id": base + "/"},
    }
    dataset_node = {
        "@id": page + "#products",
        "@type": "dcat:Dataset",
        "dct:identifier": "ocop-certified-products",
        "dct:title": _texts("Sản phẩm OCOP và giấy chứng nhận", "OCOP products and their certificates"),
        "dct:description": _texts(
            "Mọi giấy chứng nhận sản phẩm OCOP đã có hiệu lực, với tình trạng hôm nay (còn hiệu lực, "
            "hết hạn, đã bị thu hồi, đã được thay thế), sản phẩm, chủ thể và địa phương. "
            "Không có dữ liệu cá nhân.",
            "Every OCOP product certificate that has taken effect, with its status today (valid, expired, "
            "revoked, superseded), its product, producer and place. No personal data.",
        ),
        "dcat:keyword": [
            {"@language": "vi", "@value": "OCOP"},
            {"@language": "vi", "@value": "Mỗi xã một sản phẩm"},
            {"@language": "en", "@value": "One Commune One Product"},
            {"@language": "en", "@value": "certification"},
        ],
        "dct:publisher": publisher,
        "dct:license": {"@id": LICENSE_URL},
        "dct:language": [{"@id": _EU + "language/VIE"}, {"@id": _EU + "language/ENG"}],
        "dct:spatial": {"@id": _EU + "country/VNM"},
        "dct:accrualPeriodicity": {"@id": _EU + "frequency/DAILY"},
        "dcat:landingPage": {"@id": page},
        "dcat:distribution": [
            _distribution(
                base, "csv", reverse("public:open_data_csv"), "text/csv", "CSV", ("Tệp CSV", "CSV file")
            ),
            _distribution(
                base,
                "json",
                reverse("public:open_data_json"),
                "application/json",
                "JSON",
                ("Tệp JSON", "JSON file"),
            ),
            _distribution(
                base,
                "atom",
                reverse("public:open_data_feed"),
                "application/atom+xml",
                "ATOM",
                (
                    "Nguồn tin Atom: giấy chứng nhận mới, hết hạn, bị thu hồi",
                    "Atom feed: new, expired, revoked",
                ),
            ),
        ],
    }
    if modified is not None:
        day = timezone.localtime(modified).date().isoformat()
        dataset_node["dct:modified"] = {"@value": day, "@type": "xsd:date"}
    return {
        "@context": DCAT_CONTEXT,
        "@id": base + reverse("public:open_data_catalog"),
        "@type": "dcat:Catalog",
        "dct:title": _texts("Dữ liệu mở OCOP", "OCOP open data"),
        "dct:description": _texts("Dữ liệu mở của Nền tảng OCOP.", "Open data of the OCOP platform."),
        "dct:publisher": publisher,
        "dct:license": {"@id": LICENSE_URL},
        "foaf:homepage": {"@id": page},
        "dcat:dataset": [dataset_node],
    }


def catalog_file(base: str) -> File:
    def build() -> File:
        body = json.dumps(catalog(base), ensure_ascii=False, indent=2) + "\n"
        return File(body.encode("utf-8"), JSONLD_TYPE, last_modified(base))

    day = published.today().isoformat()
    return cache.get_or_build(cache.LISTINGS, cache.ALL, ["open-data-catalog", day, base], build)


# --- changes feed ---------------------------------------------------------------------------------

NEW, EXPIRED, REVOKED = "new", "expired", "revoked"
_EVENT_FIELDS = (
    "code",
    "star",
    "issue_date",
    "expiry",
    "revoked_on",
    "certified_product_name",
    "product__name",
    "product__province__name",
)


@dataclass(frozen=True)
class Event:
    kind: str  # new | expired | revoked
    day: dt.date  # when it happened (for "expired": the first day no longer valid)
    certificate: dict[str, Any]


def events(day: dt.date | None = None, limit: int = FEED_SIZE) -> list[Event]:
    """The latest certificate events on or before ``day``, newest first (three bounded queries)."""
    day = day or published.today()
    certificates = Certificate.objects.filter(issue_date__lte=day)
    new = certificates.order_by("-issue_date", "-code").values(*_EVENT_FIELDS)[:limit]
    revoked = (
        certificates.filter(revoked_on__lte=day)
        .order_by("-revoked_on", "-code")
        .values(*_EVENT_FIELDS)[:limit]
    )
    # Expired, not revoked or replaced first (those are other events, or none).
    expired = (
        certificates.filter(expiry__lt=day)
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=F("expiry")))
        .filter(Q(superseded_by__isnull=True) | Q(superseded_by__issue_date__gt=F("expiry")))
        .order_by("-expiry", "-code")
        .values(*_EVENT_FIELDS)[:limit]
    )
    found = [Event(NEW, row["issue_date"], row) for row in new]
    found += [Event(REVOKED, row["revoked_on"], row) for row in revoked]
    found += [Event(EXPIRED, row["expiry"] + dt.timedelta(days=1), row) for row in expired]
    found.sort(key=lambda e: (e.day, e.kind, e.certificate["code"]), reverse=True)
    return found[:limit]


def _event_title(event: Event) -> str:
    c = event.certificate
    values = {
        "product": c["certified_product_name"] or c["product__name"],
        "star": c["star"],
        "code": c["code"],
    }
    if event.kind == NEW:
        return _("Cấp mới: %(product)s – OCOP %(star)s sao (%(code)s)") % values
    if event.kind == REVOKED:
        return _("Thu hồi: %(product)s – OCOP %(star)s sao (%(code)s)") % values
    return _("Hết hạn: %(product)s – OCOP %(star)s sao (%(code)s)") % values


def feed_bytes(base: str, language: str, items: list[Event]) -> bytes:
    feed = feedgenerator.Atom1Feed(
        title=_("Dữ liệu mở OCOP: giấy chứng nhận mới, hết hạn, bị thu hồi"),
        link=base + reverse("public:open_data"),
        description=_("Các thay đổi mới nhất của giấy chứng nhận sản phẩm OCOP."),
        language=language,
        feed_url=base + reverse("public:open_data_feed"),
        feed_guid="urn:ocop:open-data:certificate-changes",
        feed_copyright=f"{LICENSE_NAME} {LICENSE_URL}",
    )
    for event in items:
        c = event.certificate
        moment = _midnight(event.day)
        feed.add_item(
            title=_event_title(event),
            link=base + verification_path(c["code"]),
            description=_("%(province)s. Ngày cấp %(issued)s, hiệu lực đến hết ngày %(expires)s.")
            % {
                "province": c["product__province__name"],
                "issued": f"{c['issue_date']:%d/%m/%Y}",
                "expires": f"{c['expiry']:%d/%m/%Y}",
            },
            unique_id=f"urn:ocop:certificate:{c['code']}:{event.kind}",
            unique_id_is_permalink=False,
            pubdate=moment,
            updateddate=moment,
            categories=[event.kind],
        )
    out = io.StringIO()
    feed.write(out, "utf-8")
    return out.getvalue().encode("utf-8")


def feed_file(base: str, language: str) -> File:
    def build() -> File:
        items = events()
        modified = _midnight(items[0].day) if items else None
        return File(feed_bytes(base, language, items), ATOM_TYPE, modified)

    day = published.today().isoformat()
    return cache.get_or_build(cache.LISTINGS, cache.ALL, ["open-data-feed", day, base, language], build)
