"""What the public site shows, and nothing more: published products and certificate facts for "today".

A product is *published* once one of its certificates (3★–5★) has taken effect, whatever its
status today: an expired, revoked or superseded certificate must stay verifiable, and a printed
QR code must keep answering. A product that was never recognised does not exist publicly (404).

Only facts the law makes public leave this module (recognition decisions publish them): the
product's name, description, story and packaging, its codes (OCOP product code, GTIN), the
producer's *name*, the commune and province on the current map, and each certificate's code,
number, star, dates, status, issuing authority and revocation decision, and what it recognised
(the product's and producer's names, the place and the bộ sản phẩm as at issue: ``certified_*``,
shown in place of today's names, with today's product name beside it when it differs). Never the producer's
representative, phone, e-mail, address line or tax number (``Producer.PRIVATE_FIELDS`` and
``tax_code``), never evidence documents, notes or signers' names. The querysets load only the
fields listed here (``.only``), so a template that reaches for anything else costs a query, which
the query-count tests catch.

Statuses are computed for ``ocop.core.clock.today()`` (tests fix it), never stored.

This is the one place that does not go through ``ocop.core.scoping``: the public has no role and
no scope; its policy is "published facts only", defined here, the same for every visitor (the
pages are cached and shared, so a signed-in officer sees exactly what the public sees).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    PositiveSmallIntegerField,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.certification import codes as certificate_codes
from ocop.certification import models as certification
from ocop.certification.models import Certificate, RevocationGround, valid_condition
from ocop.certification.pdf import verification_path
from ocop.core import clock
from ocop.core.text import slugify_vi
from ocop.registry import codes as registry_codes
from ocop.registry import search as registry_search
from ocop.registry.classification import ProductStatus
from ocop.registry.models import Producer, Product, ProductImage

# --- statuses -------------------------------------------------------------------------------------

VALID, EXPIRED, REVOKED, SUPERSEDED, INVALID = "valid", "expired", "revoked", "superseded", "invalid"
# The product was taken out of the programme by an inspection's conclusion (Art. 9): not OCOP any
# more, whatever its certificate's dates say (registry ProductStatus.REMOVED).
REMOVED = "removed"

# The big word of the verification page, and the short label of lists (status filter).
STATUS_WORDS = {
    VALID: _("HỢP LỆ"),
    EXPIRED: _("HẾT HẠN"),
    REVOKED: _("ĐÃ BỊ THU HỒI"),
    SUPERSEDED: _("ĐÃ ĐƯỢC THAY THẾ"),
    INVALID: _("KHÔNG HỢP LỆ"),
    REMOVED: _("ĐÃ ĐƯA RA KHỎI CHƯƠNG TRÌNH OCOP"),
}
STATUS_LABELS = {
    VALID: _("Còn hiệu lực"),
    EXPIRED: _("Hết hạn"),
    REVOKED: _("Đã bị thu hồi"),
    SUPERSEDED: _("Đã được thay thế"),
    INVALID: _("Không hợp lệ"),
    REMOVED: _("Đã đưa ra khỏi chương trình OCOP"),
}
EXTENDED_LABEL = _("Còn hiệu lực (gia hạn theo khoản 3 Điều 12)")
# A product's status in lists: that of its best valid certificate, else of its latest one.
PRODUCT_STATUS_CHOICES = [(status, STATUS_LABELS[status]) for status in (VALID, EXPIRED, REVOKED, REMOVED)]

# Why a code is not valid (the JSON's "reason").
MALFORMED, MISTYPED, UNKNOWN = "malformed", "mistyped", "unknown"

# A well-formed certificate code apart from its check character (see ocop.certification.codes):
# a mismatch there is a typo, told apart from text that is not a code at all.
_CODE_SHAPE = re.compile(r"OCOP-\d{2}-\d{4}-\d{6,9}-[0-9A-Z*]")


def today() -> dt.date:
    return clock.today()


# --- fields that may be shown ---------------------------------------------------------------------

_UNIT_FIELDS = ("id", "code", "name")
PRODUCT_FIELDS = (
    "id",
    "name",
    "name_en",
    "code",
    "legacy_code",
    "gtin",
    "classification_set",
    "description",
    "story",
    "packaging",
    "where_to_buy",
    "status",
    "updated",
    "producer__id",
    "producer__name",
    *(f"province__{name}" for name in _UNIT_FIELDS),
    *(f"commune__{name}" for name in _UNIT_FIELDS),
)
PRODUCER_FIELDS = (
    "id",
    "name",
    "updated",
    *(f"province__{name}" for name in _UNIT_FIELDS),
    *(f"commune__{name}" for name in _UNIT_FIELDS),
)
IMAGE_FIELDS = ("id", "product", "image", "format", "width", "height", "caption", "position")
_DECISION_FIELDS = ("number", "date", "authority")
CERTIFICATE_FIELDS = (
    "id",
    "code",
    "number",
    "star",
    "potential_5_star",
    "issue_date",
    "expiry",
    "extended_until",
    "revoked_on",
    "revocation_ground",
    "product",
    "superseded_by__code",
    "superseded_by__issue_date",
    "certified_product_name",
    "certified_producer_name",
    "certified_place",
    "certified_classification_set",
    *(f"decision__{name}" for name in _DECISION_FIELDS),
    *(f"revocation_decision__{name}" for name in _DECISION_FIELDS),
)


def images_prefetch() -> Prefetch:
    """The product's photos, in their order, as ``product.public_images``."""
    return Prefetch(
        "images",
        queryset=ProductImage.objects.only(*IMAGE_FIELDS).order_by("position", "pk"),
        to_attr="public_images",
    )


# --- published products ---------------------------------------------------------------------------


def _issued(day: dt.date) -> QuerySet[Certificate]:
    """The certificates of the outer product that had taken effect by ``day``."""
    return Certificate.objects.filter(product=OuterRef("pk"), issue_date__lte=day)


def published_products(day: dt.date | None = None) -> QuerySet[Product]:
    """Products with a certificate in effect by ``day``, with ``public_star`` and ``public_status``.

    ``public_status`` is "removed" for a product taken out of the programme (no valid star), else
    "valid" when a certificate is valid on ``day`` (``public_star`` is then the best valid star),
    otherwise "revoked" or "expired" after the latest certificate (and its star).
    Three correlated subqueries, no N+1; ``product_status`` gives the same answer in Python.
    """
    day = day or today()
    issued = _issued(day)
    best_valid = issued.filter(valid_condition(day)).order_by("-star", "-issue_date", "-pk")
    latest = issued.order_by("-issue_date", "-pk")
    return (
        Product.objects.filter(Exists(issued))
        .select_related("producer", "province", "commune")
        .only(*PRODUCT_FIELDS)
        .annotate(
            valid_star=Case(
                When(status=ProductStatus.REMOVED.value, then=Value(None)),
                default=Subquery(best_valid.values("star")[:1]),
                output_field=PositiveSmallIntegerField(),
            ),
            latest_star=Subquery(latest.values("star")[:1]),
            latest_revoked_on=Subquery(latest.values("revoked_on")[:1]),
        )
        .annotate(
            public_star=Coalesce(F("valid_star"), F("latest_star")),
            public_status=Case(
                When(status=ProductStatus.REMOVED.value, then=Value(REMOVED)),
                When(valid_star__isnull=False, then=Value(VALID)),
                When(latest_revoked_on__lte=day, then=Value(REVOKED)),
                default=Value(EXPIRED),
                output_field=CharField(),
            ),
        )
    )


def valid_first(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """``published_products`` with the products valid today before the expired and revoked ones,
    otherwise in the queryset's order (name by default; a search's relevance still comes first)."""
    validity = Case(
        When(valid_star__isnull=False, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ordering = list(queryset.query.order_by) or ["sort_key", "pk"]
    lead = ordering[:1] if ordering[:1] == [registry_search.RANK] else []
    return queryset.order_by(*lead, validity, *ordering[len(lead) :])


def published_plain(day: dt.date | None = None) -> QuerySet[Product]:
    """Published products without the status annotations (sitemaps, subqueries)."""
    return Product.objects.filter(Exists(_issued(day or today())))


def published_product_ids(day: dt.date | None = None) -> QuerySet[Product]:
    return published_plain(day).values("pk")


def published_producers(day: dt.date | None = None) -> QuerySet[Producer]:
    """Producers with at least one published product."""
    day = day or today()
    products = Product.objects.filter(producer=OuterRef("pk")).filter(Exists(_issued(day)))
    return (
        Producer.objects.filter(Exists(products)).select_related("province", "commune").only(*PRODUCER_FIELDS)
    )


def is_published(product_id: int, day: dt.date | None = None) -> bool:
    return Certificate.objects.filter(product_id=product_id, issue_date__lte=day or today()).exists()


def search(queryset: QuerySet[Product], text: str, *, rank: bool = True) -> QuerySet[Product]:
    """Every folded word must appear in the product's search column or in its producer's name.

    The producer's search column also holds its tax number: a word without a letter (digits,
    dashes) is matched against the product only (codes, GTIN), so the public search can never
    confirm whose tax number a number is. Indexed and ranked like the registry (registry.search).
    """
    return registry_search.search_products(queryset, text, producer_numbers=False, rank=rank)


# --- certificates as shown ------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCertificate:
    """A certificate's public facts and its status on the day it was read."""

    id: int
    code: str
    number: str
    status: str  # valid | expired | revoked | superseded
    star: int
    potential_5_star: bool
    issued: dt.date
    expires: dt.date  # the last day it is valid as printed
    authority: str
    decision_number: str
    decision_date: dt.date | None
    revoked_on: dt.date | None
    revocation_ground: str
    revocation_number: str
    revocation_date: dt.date | None
    revocation_authority: str
    superseded_by: str
    superseded_by_issued: dt.date | None
    # what was recognised, as at issue
    product_name: str = ""
    producer_name: str = ""
    place: str = ""
    product_set: str = ""
    # Art. 12.3: valid past ``expires`` while its re-evaluation is decided, at most to this day.
    extended_until: dt.date | None = None

    @property
    def extended(self) -> bool:
        """Valid on the day read only by the extension of Art. 12.3."""
        return self.status == VALID and self.extended_until is not None and self.read_on > self.expires

    @property
    def valid_until(self) -> dt.date:
        """The last possible day of validity (the extension's end while extended)."""
        return self.extended_until if self.extended and self.extended_until else self.expires

    read_on: dt.date = dt.date.min  # the day the status is for

    @classmethod
    def of(cls, certificate: Certificate, day: dt.date, *, removed: bool = False) -> PublicCertificate:
        status = certificate.__dict__.get("_status") or certificate.status_on(day)  # with_status() sets it
        if status == certification.CertificateStatus.PENDING:
            status = INVALID  # not in effect yet: callers filter these out
        elif status == VALID and removed:
            status = REMOVED  # the product left the programme: its certificate no longer vouches for it
        decision, revoking, successor = (
            certificate.decision,
            certificate.revocation_decision,
            certificate.superseded_by,
        )
        return cls(
            id=certificate.pk,
            code=certificate.code,
            number=certificate.number,
            status=status,
            star=certificate.star,
            potential_5_star=certificate.potential_5_star,
            issued=certificate.issue_date,
            expires=certificate.expiry,
            authority=decision.authority,
            decision_number=decision.number,
            decision_date=decision.date,
            revoked_on=certificate.revoked_on,
            revocation_ground=certificate.revocation_ground,
            revocation_number=revoking.number if revoking else "",
            revocation_date=revoking.date if revoking else None,
            revocation_authority=revoking.authority if revoking else "",
            superseded_by=successor.code if successor else "",
            superseded_by_issued=successor.issue_date if successor else None,
            product_name=certificate.certified_product_name,
            producer_name=certificate.certified_producer_name,
            place=certificate.certified_place,
            product_set=certificate.certified_classification_set,
            extended_until=certificate.extended_until,
            read_on=day,
        )

    @property
    def stars(self) -> str:
        return "★" * self.star

    @property
    def path(self) -> str:
        return verification_path(self.code)

    @property
    def superseded_by_path(self) -> str:
        return verification_path(self.superseded_by) if self.superseded_by else ""

    @property
    def word(self) -> str:
        return str(STATUS_WORDS[self.status])

    @property
    def label(self) -> str:
        return str(EXTENDED_LABEL if self.extended else STATUS_LABELS[self.status])

    @property
    def ground_label(self) -> str:
        return str(RevocationGround(self.revocation_ground).label) if self.revocation_ground else ""


def public_certificates(product_id: int, day: dt.date, *, removed: bool = False) -> list[PublicCertificate]:
    """The product's certificates in effect by ``day``, newest first (one query); ``removed``: the
    product left the programme (its valid certificates show as "removed")."""
    rows = (
        Certificate.objects.filter(product_id=product_id, issue_date__lte=day)
        .select_related("decision", "revocation_decision", "superseded_by")
        .only(*CERTIFICATE_FIELDS)
        .with_status(day)
        .order_by("-issue_date", "-pk")
    )
    return [PublicCertificate.of(row, day, removed=removed) for row in rows]


def headline(certificates: list[PublicCertificate]) -> PublicCertificate | None:
    """The certificate a product is shown with: the best valid one, else the latest (as in SQL)."""
    valid = [c for c in certificates if c.status == VALID]
    if valid:
        return max(valid, key=lambda c: (c.star, c.issued, c.id))
    return max(certificates, key=lambda c: (c.issued, c.id), default=None)


def product_status(certificates: list[PublicCertificate], *, removed: bool = False) -> str:
    """The product's status as ``published_products`` annotates it: removed, valid, revoked or expired."""
    if removed and certificates:
        return REMOVED
    shown = headline(certificates)
    if shown is None:
        return INVALID
    if shown.status in (VALID, REVOKED):
        return shown.status
    return EXPIRED


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The answer to "is this certificate code genuine and in force today?"."""

    code: str  # as entered, normalised (upper case, hyphens)
    status: str  # valid | expired | revoked | superseded | invalid
    reason: str = ""  # for invalid: malformed | mistyped | unknown
    certificate: PublicCertificate | None = None
    product_id: int | None = None
    product_name: str = ""  # as recognised (frozen at issue)
    current_product_name: str = ""  # today's name, when it differs from the recognised one
    product_name_en: str = ""
    product_code: str = ""
    gtin: str = ""
    product_path: str = ""
    producer_name: str = ""  # as recognised
    current_producer_name: str = ""  # today's name, when it differs
    certified_place: str = ""  # commune, province as printed on the certificate
    producer_path: str = ""
    province_code: str = ""
    province_name: str = ""
    commune_name: str = ""

    @property
    def word(self) -> str:
        return str(STATUS_WORDS[self.status])


def check_code(text: str) -> tuple[str, str]:
    """(normalised code, "" if well-formed with a matching check character, else why not)."""
    code = certificate_codes.normalize(text)[:64]
    try:
        certificate_codes.parse(code)
    except ValueError:
        return code, MISTYPED if _CODE_SHAPE.fullmatch(code) else MALFORMED
    return code, ""


def verify(text: str, day: dt.date | None = None) -> Verification:
    """Look a certificate code up (one query; none for a malformed or mistyped code)."""
    day = day or today()
    code, problem = check_code(text)
    if problem:
        return Verification(code=code, status=INVALID, reason=problem)
    row = (
        Certificate.objects.filter(code=code, issue_date__lte=day)
        .select_related(
            "decision",
            "revocation_decision",
            "superseded_by",
            "product__producer",
            "product__province",
            "product__commune",
        )
        .only(*CERTIFICATE_FIELDS, *(f"product__{name}" for name in PRODUCT_FIELDS))
        .with_status(day)
        .first()
    )
    if row is None:
        return Verification(code=code, status=INVALID, reason=UNKNOWN)
    product = row.product
    certificate = PublicCertificate.of(row, day, removed=product.status == ProductStatus.REMOVED)
    return Verification(
        code=code,
        status=certificate.status,
        certificate=certificate,
        product_id=product.pk,
        product_name=certificate.product_name or product.name,
        current_product_name=product.name
        if product.name != (certificate.product_name or product.name)
        else "",
        product_name_en=product.name_en,
        product_code=product.code or product.legacy_code,
        gtin=product.gtin,
        product_path=product_path(product),
        producer_name=certificate.producer_name or product.producer.name,
        current_producer_name=product.producer.name
        if product.producer.name != (certificate.producer_name or product.producer.name)
        else "",
        certified_place=certificate.place,
        producer_path=producer_path(product.producer),
        province_code=product.province.code,
        province_name=product.province.name,
        commune_name=product.commune.name if product.commune_id else "",
    )


# --- permanent addresses --------------------------------------------------------------------------


def gtin14(stored: str) -> str:
    """The 14-digit form of a stored GTIN (the registry stores GTIN-13 without its leading 0).

    For addresses only (/01/<GTIN-14>, GS1 Digital Link's canonical form); people read
    ``gtin_shown``.
    """
    return stored.zfill(14) if stored else ""


def gtin_shown(gtin: str) -> str:
    """A GTIN as printed under the barcode and kept in the registry: 13 digits for a GTIN-13
    (EAN-13), 14 only for a real GTIN-14. Pages, JSON and open data show this form."""
    return gtin[1:] if len(gtin) == 14 and gtin.startswith("0") else gtin


def product_path(product: Product) -> str:
    """The canonical public address: /p/<OCOP code>, else /01/<GTIN-14>, else /san-pham/<id>/.

    Keyed on codes, never on names, so a printed address survives a rename. The OCOP code comes
    first: it never changes once assigned, while a GTIN may be corrected.
    """
    if product.code:
        return reverse("public:product_code", args=[product.code])
    if product.gtin:
        return reverse("public:gs1", args=[gtin14(product.gtin)])
    return reverse("public:product_id", args=[product.pk])


def producer_path(producer: Producer) -> str:
    return reverse("public:producer", args=[producer.pk])


def slug(text: str) -> str:
    return slugify_vi(text)[:80] or "-"


def find_product_code(text: str) -> tuple[str, str]:
    """("current" | "legacy" | "", the code in its normal form) for a /p/<code> address."""
    try:
        return "current", str(registry_codes.parse_product_code(text))
    except ValueError:
        pass
    try:
        return "legacy", str(registry_codes.parse_legacy_code(text))
    except ValueError:
        return "", text.strip()


def products_with_code(kind: str, code: str, raw: str, day: dt.date) -> list[int]:
    """Ids of published products carrying ``code`` (a legacy code may belong to several)."""
    published = Product.objects.filter(Exists(_issued(day)))
    if kind == "current":
        published = published.filter(code=code)
    else:
        published = published.filter(legacy_code__in={code, raw.strip()})
    return list(published.order_by("pk").values_list("pk", flat=True)[:50])


def products_with_gtin(full: str, day: dt.date) -> list[int]:
    stored = {full, full[1:]} if full.startswith("0") else {full}
    published = Product.objects.filter(Exists(_issued(day)), gtin__in=stored)
    return list(published.order_by("pk").values_list("pk", flat=True)[:2])
