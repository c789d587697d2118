"""Request and response bodies of the registry API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import create_model

from ocop.core.api import MAX_ID, InputSchema

from ..models import Product, ProductImage

StructureName = Literal["current", "former"]

# --- schemas ---


class UnitRef(Schema):
    code: str
    name: str


class LocatedUnit(UnitRef):
    structure: StructureName
    level: str


class Message(Schema):
    detail: str


class ProducerRef(Schema):
    id: int
    name: str


class ProducerOut(Schema):
    id: int
    name: str
    producer_type: str
    legal_form: str
    community_capital_share: Decimal | None
    tax_code: str
    household_id: str
    registration_date: date | None
    status: str
    unit: LocatedUnit
    province: UnitRef
    commune: UnitRef | None
    address: str
    phone: str
    email: str
    representative_name: str
    representative_position: str
    representative_gender: str
    representative_ethnicity: str
    representative_ethnicity_other: str
    representative_disability: bool
    workforce_total: int | None
    workforce_local: int | None
    created: datetime
    updated: datetime


class LocatedIn(InputSchema):
    unit_code: str = Field(..., pattern=r"^\d{2,5}$", description="Mã xã/phường (5 chữ số) / unit code")
    unit_structure: StructureName = Field("current", description="current | former (hồ sơ lịch sử)")


class ProducerIn(LocatedIn):
    name: str = Field(..., min_length=1, max_length=255)
    producer_type: str = Field(..., description="HTX | THT | DN_SME | TRANG_TRAI | HO_SX | TOURISM_ORG")
    legal_form: str = Field("", description="llc | private | jsc (chỉ DN_SME)")
    community_capital_share: Decimal | None = Field(None, ge=0, le=100)
    tax_code: str = ""
    household_id: str = Field(
        "",
        description="Chỉ HO_SX: CCCD của chủ hộ (12 chữ số) hoặc số đăng ký hộ kinh doanh / "
        "household: personal ID (12 digits) or household business registration number",
    )
    registration_date: date | None = None
    status: str = "active"
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_position: str = ""
    representative_gender: str = ""
    representative_ethnicity: str = Field("", description="Mã dân tộc 01–54 (01 = Kinh), 99 = khác")
    representative_ethnicity_other: str = ""
    representative_disability: bool = False
    workforce_total: int | None = Field(None, ge=0)
    workforce_local: int | None = Field(None, ge=0)


class ProductImageOut(Schema):
    id: int
    caption: str
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj: ProductImage) -> str:
        return obj.get_absolute_url()


class ProductOut(Schema):
    id: int
    name: str
    name_en: str
    producer: ProducerRef
    classification_set: str
    classification_version: str
    legacy_classification: str
    code: str | None
    legacy_code: str
    gtin: str | None
    status: str = Field(
        ...,
        description=(
            "Tình trạng hiện tại, theo giấy chứng nhận: recognised (có giấy còn hiệu lực), revoked (giấy "
            "gần nhất bị thu hồi), expired; không có giấy: giai đoạn đã ghi (`stage`); discontinued giữ "
            "nguyên. / Current status from the certificates; without any, the recorded stage."
        ),
    )
    stage: str = Field(
        ...,
        description=(
            "Giai đoạn đã ghi (trường `status` khi gửi lên): potential | registered | evaluating | "
            "discontinued; hồ sơ nhập từ tệp cũ có thể ghi giá trị khác. / The recorded stage."
        ),
    )
    current_star: int | None = Field(None, description="Từ giấy chứng nhận còn hiệu lực (chưa có: null)")
    unit: LocatedUnit
    province: UnitRef
    commune: UnitRef | None
    description: str
    story: str
    raw_materials: str
    raw_material_origin: str
    standards: str
    packaging: str
    where_to_buy: str = Field("", description="Nơi bán: cửa hàng, điểm bán, sàn TMĐT (mỗi dòng một nơi)")
    images: list[ProductImageOut] = Field(
        default_factory=list, description="Ảnh sản phẩm (xem khi đăng nhập)"
    )
    created: datetime
    updated: datetime

    @staticmethod
    def resolve_images(obj: Product) -> list[ProductImage]:
        return list(obj.images.all())

    @staticmethod
    def resolve_gtin(obj: Product) -> str | None:
        return obj.gtin or None

    @staticmethod
    def resolve_status(obj: Product) -> str:
        return obj.programme_status

    @staticmethod
    def resolve_stage(obj: Product) -> str:
        return obj.status


class ProductIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=255)
    name_en: str = ""
    producer_id: int
    classification_set: str = Field("", description="B01–B26 (QĐ 26/2026)")
    legacy_classification: str = ""
    unit_code: str | None = Field(
        None, pattern=r"^\d{2,5}$", description="Mã xã nơi sản xuất; mặc định: địa bàn của chủ thể"
    )
    unit_structure: StructureName = "current"
    legacy_code: str = ""
    gtin: str | None = Field(None, description="GTIN-13 hoặc GTIN-14 (không tự sinh)")
    status: str = Field(
        "potential",
        description=(
            "Giai đoạn: potential | registered | evaluating | discontinued. Đạt sao, hết hạn, thu hồi "
            "tính từ giấy chứng nhận: gửi recognised/expired/revoked bị từ chối (422). / The stage; "
            "recognised, expired and revoked come from the certificates and are refused."
        ),
    )
    description: str = ""
    story: str = ""
    raw_materials: str = ""
    raw_material_origin: str = ""
    standards: str = ""
    packaging: str = ""
    where_to_buy: str = Field("", max_length=5000)


def _optional(schema: type[Schema], name: str) -> type[Schema]:
    """A PATCH body: every field of `schema` optional; only the fields sent are applied."""
    fields = {key: (field.annotation | None, None) for key, field in schema.model_fields.items()}
    return create_model(name, __base__=InputSchema, __doc__=f"Partial {schema.__name__}", **fields)


ProducerPatch = _optional(ProducerIn, "ProducerPatch")
ProductPatch = _optional(ProductIn, "ProductPatch")


class ProducerQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Tên, mã số thuế; không cần dấu")
    province: str | None = Field(None, description="Mã tỉnh hiện hành (2 chữ số)")
    commune: str | None = Field(None, description="Mã xã hiện hành (5 chữ số)")
    producer_type: str | None = None
    status: str | None = None


class ProductQuery(ProducerQuery):
    q: str | None = Field(None, max_length=100, description="Tên, mã sản phẩm, GTIN, chủ thể; không cần dấu")
    sector: str | None = Field(None, description="Ngành: I–VI")
    group: str | None = Field(None, description="Nhóm, ví dụ I.3")
    classification_set: str | None = Field(None, description="Bộ sản phẩm B01–B26")
    status: str | None = Field(
        None, description="Tình trạng hiện tại như trường `status` (theo giấy chứng nhận) / current status"
    )
    producer: int | None = Field(None, ge=1, le=MAX_ID, description="id chủ thể")
    star: Literal["3", "4", "5", "none"] | None = Field(
        None, description="Hạng sao hiện tại; none: chưa có sao"
    )
    year: int | None = Field(None, ge=2018, le=2100, description="Năm được cấp giấy chứng nhận")
