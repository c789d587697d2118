"""The indicators computed from the platform's records, as of a day D.

A product's star on D is the one the certification app defines (``registry.extensions
.certificates.get().current_star(D)``: the highest star among its certificates valid on D, none
once the product was removed from the programme); validity is ``Certificate.objects.valid_on(D)``
and its ordering ``current_for_products(D)``. Nothing here re-derives them.

Each builder returns the records of the whole country and, for a share, the condition of its
numerator; `ComputedIndicator` narrows them to the scope (by the record's current province or
commune) and counts them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocop.certification.models import Certificate
from ocop.geo.models import Level, Structure, Unit
from ocop.oversight.models import Inspection, InspectionStatus
from ocop.public.models import ScanCount, ScanSource
from ocop.registry import extensions
from ocop.registry.models import Producer, Product
from ocop.reports.dashboard import COOPERATIVE_OR_ENTERPRISE

from .base import (
    CERTIFICATE,
    COMMUNE,
    FLOW,
    HIGHER,
    INSPECTION,
    LEVEL,
    LOWER,
    PRODUCER,
    PRODUCT,
    ComputedIndicator,
)


def products_with_star(day: dt.date) -> QuerySet[Product]:
    """Every product, annotated with its star on ``day`` (``star``, None without a valid
    certificate) and whether its best valid certificate is a 4★ "tiềm năng 5 sao" (``potential``)."""
    best = Certificate.objects.current_for_products(day).filter(product=OuterRef("pk"))
    return Product.objects.annotate(
        star=extensions.certificates.get().current_star(day),
        potential=Subquery(best.values("potential_5_star")[:1]),
    )


def ocop_products(day: dt.date) -> QuerySet[Product]:
    """The OCOP products on ``day``: those with a star."""
    return products_with_star(day).filter(star__isnull=False)


# --- builders: (day, start) -> (records, hits) ------------------------------------------------------


def _recognised(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    return ocop_products(day), None


def _star(star: int, potential: bool | None = None) -> object:
    def build(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
        products = ocop_products(day).filter(star=star)
        if potential is True:
            products = products.filter(potential=True)
        elif potential is False:
            products = products.exclude(potential=True)
        return products, None

    return build


def _new_products(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    first = Certificate.objects.filter(product=OuterRef("pk")).order_by("issue_date", "pk")
    products = Product.objects.annotate(first_issued=Subquery(first.values("issue_date")[:1])).filter(
        first_issued__gte=start, first_issued__lte=day
    )
    return products, None


def _share_5_star(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    return ocop_products(day), Q(star=5)


def _cooperatives_enterprises(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    with_product = ocop_products(day).filter(producer=OuterRef("pk"))
    producers = Producer.objects.filter(Exists(with_product))
    return producers, Q(producer_type__in=[kind.value for kind in COOPERATIVE_OR_ENTERPRISE])


def _communes_with_ocop(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    communes = Unit.objects.filter(
        structure=Structure.CURRENT,
        level=Level.COMMUNE,
        pk__in=ocop_products(day).filter(commune__isnull=False).values("commune_id"),
    )
    return communes, None


def _reevaluated_on_time(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    renewed = Certificate.objects.filter(
        product=OuterRef("product"),
        issue_date__gt=OuterRef("issue_date"),
        issue_date__lte=OuterRef("expiry"),
    )
    certificates = (
        Certificate.objects.filter(expiry__gte=start, expiry__lte=day)
        # A certificate revoked before it expired had nothing to be re-evaluated.
        .exclude(revoked_on__lte=F("expiry"))
        .annotate(renewed=Exists(renewed))
    )
    return certificates, Q(renewed=True)


def _traceable(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    scanned = ScanCount.objects.filter(product=OuterRef("pk"), source=ScanSource.QR, day__lte=day)
    products = ocop_products(day).annotate(qr_scanned=Exists(scanned))
    return products, ~Q(gtin="") | Q(qr_scanned=True)


def _revocations(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    return Certificate.objects.filter(revoked_on__gte=start, revoked_on__lte=day), None


def _inspections(day: dt.date, start: dt.date) -> tuple[QuerySet, Q | None]:
    # The definitions of oversight's figures (ocop.oversight.stats) over the period start–D: planned
    # are the inspections (not cancelled) of the plans overlapping it and those done in it.
    done = Q(status=InspectionStatus.DONE, inspected_on__gte=start, inspected_on__lte=day)
    inspections = Inspection.objects.exclude(status=InspectionStatus.CANCELLED).filter(
        Q(plan__starts_on__lte=day, plan__ends_on__gte=start) | done
    )
    return inspections, done


INDICATORS: list[ComputedIndicator] = [
    ComputedIndicator(
        code="products_recognised",
        name=_("Sản phẩm OCOP còn hiệu lực"),
        unit=_("sản phẩm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Số sản phẩm có ít nhất một giấy chứng nhận OCOP còn hiệu lực tại ngày D (3 sao + 4 sao + "
            "4 sao tiềm năng 5 sao + 5 sao), theo nơi sản xuất hiện hành của sản phẩm."
        ),
        record_kind=PRODUCT,
        build=_recognised,
    ),
    ComputedIndicator(
        code="new_products",
        name=_("Sản phẩm OCOP mới công nhận (trong kỳ kế hoạch)"),
        unit=_("sản phẩm"),
        kind=FLOW,
        direction=HIGHER,
        definition=_(
            "Số sản phẩm có giấy chứng nhận OCOP ĐẦU TIÊN cấp từ ngày bắt đầu kế hoạch đến ngày D "
            "(đánh giá lại, nâng hạng không tính là sản phẩm mới)."
        ),
        record_kind=PRODUCT,
        build=_new_products,
    ),
    ComputedIndicator(
        code="products_3_star",
        name=_("Sản phẩm 3 sao"),
        unit=_("sản phẩm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_("Số sản phẩm hạng 3 sao tại ngày D."),
        record_kind=PRODUCT,
        build=_star(3),
    ),
    ComputedIndicator(
        code="products_4_star",
        name=_("Sản phẩm 4 sao"),
        unit=_("sản phẩm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Số sản phẩm hạng 4 sao tại ngày D, KHÔNG kể sản phẩm 4 sao tiềm năng 5 sao (như thống kê "
            "quốc gia: 3 sao + 4 sao + tiềm năng 5 sao + 5 sao = sản phẩm OCOP)."
        ),
        record_kind=PRODUCT,
        build=_star(4, potential=False),
    ),
    ComputedIndicator(
        code="products_potential_5_star",
        name=_("Sản phẩm 4 sao tiềm năng 5 sao"),
        unit=_("sản phẩm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Số sản phẩm mà giấy chứng nhận còn hiệu lực tốt nhất tại ngày D là 4 sao, ghi nhận "
            "“tiềm năng 5 sao”."
        ),
        record_kind=PRODUCT,
        build=_star(4, potential=True),
    ),
    ComputedIndicator(
        code="products_5_star",
        name=_("Sản phẩm 5 sao"),
        unit=_("sản phẩm"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_("Số sản phẩm hạng 5 sao tại ngày D."),
        record_kind=PRODUCT,
        build=_star(5),
    ),
    ComputedIndicator(
        code="share_5_star",
        name=_("Tỷ lệ sản phẩm 5 sao"),
        unit="%",
        kind=LEVEL,
        direction=HIGHER,
        definition=_("Số sản phẩm 5 sao chia cho số sản phẩm OCOP còn hiệu lực tại ngày D, tính theo %."),
        record_kind=PRODUCT,
        percent=True,
        build=_share_5_star,
    ),
    ComputedIndicator(
        code="share_cooperatives_enterprises",
        name=_("Tỷ lệ chủ thể là HTX, doanh nghiệp"),
        unit="%",
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Trong các chủ thể có ít nhất một sản phẩm OCOP còn hiệu lực tại ngày D, tỷ lệ chủ thể là "
            "hợp tác xã hoặc doanh nghiệp (HTX, DN), theo địa bàn hiện hành của chủ thể."
        ),
        record_kind=PRODUCER,
        percent=True,
        build=_cooperatives_enterprises,
    ),
    ComputedIndicator(
        code="communes_with_ocop",
        name=_("Số xã có sản phẩm OCOP"),
        unit=pgettext_lazy("unit of measure", "xã"),
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Số xã, phường, đặc khu hiện hành có ít nhất một sản phẩm OCOP còn hiệu lực tại ngày D."
        ),
        record_kind=COMMUNE,
        build=_communes_with_ocop,
        province_path="current_province_id",
        commune_path="pk",
    ),
    ComputedIndicator(
        code="reevaluated_on_time",
        name=_("Tỷ lệ sản phẩm đánh giá lại đúng hạn"),
        unit="%",
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Trong các giấy chứng nhận hết hạn từ ngày bắt đầu kế hoạch đến ngày D (trừ giấy bị thu hồi "
            "trước khi hết hạn), tỷ lệ giấy mà sản phẩm đã được cấp giấy chứng nhận mới vào hoặc trước "
            "ngày hết hạn."
        ),
        record_kind=CERTIFICATE,
        percent=True,
        windowed=True,
        build=_reevaluated_on_time,
        province_path="product__province_id",
        commune_path="product__commune_id",
    ),
    ComputedIndicator(
        code="traceable_products",
        name=_("Tỷ lệ sản phẩm OCOP truy xuất được nguồn gốc (GTIN hoặc tem QR)"),
        unit="%",
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Trong các sản phẩm OCOP còn hiệu lực tại ngày D, tỷ lệ sản phẩm có mã GTIN (như đang ghi "
            "trong hồ sơ) hoặc có tem QR đang lưu hành: mã QR của sản phẩm hoặc giấy chứng nhận đã được "
            "quét ít nhất một lần đến ngày D."
        ),
        record_kind=PRODUCT,
        percent=True,
        build=_traceable,
    ),
    ComputedIndicator(
        code="revocations",
        name=_("Số giấy chứng nhận bị thu hồi"),
        unit=_("giấy"),
        kind=FLOW,
        direction=LOWER,
        definition=_(
            "Số giấy chứng nhận có ngày thu hồi từ ngày bắt đầu kế hoạch đến ngày D; càng ít càng tốt."
        ),
        record_kind=CERTIFICATE,
        build=_revocations,
        province_path="product__province_id",
        commune_path="product__commune_id",
    ),
    ComputedIndicator(
        code="inspections_done",
        name=_("Tỷ lệ cuộc kiểm tra đã thực hiện so với kế hoạch"),
        unit="%",
        kind=LEVEL,
        direction=HIGHER,
        definition=_(
            "Trong các cuộc kiểm tra (không kể cuộc đã hủy) của các kế hoạch kiểm tra có thời gian giao "
            "với khoảng từ ngày bắt đầu kế hoạch đến ngày D, cùng các cuộc đã kiểm tra trong khoảng đó, "
            "tỷ lệ cuộc đã kiểm tra trong khoảng đó; theo địa bàn của chủ thể được kiểm tra."
        ),
        record_kind=INSPECTION,
        percent=True,
        windowed=True,
        build=_inspections,
        province_path="producer__province_id",
        commune_path="producer__commune_id",
    ),
]

__all__ = ["INDICATORS", "ocop_products", "products_with_star"]
