"""/api/v1/criteria/: the scoring sheets of Phụ lục II as data, public like the law they encode:
the criteria versions, their sheets (B01–B26), and one sheet as nested JSON (``sheet_json``).
"""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from .. import criteria

criteria_router = Router(tags=["criteria"], auth=None)


class BandOut(Schema):
    star: int
    min: int | float = Field(..., description="Điểm tối thiểu của hạng (khoảng nửa mở [min, hạng trên))")


class VersionOut(Schema):
    id: str = Field(..., description="Mã bộ tiêu chí, ví dụ 26-2026")
    legal_basis: str
    name: str
    effective_from: date
    parts: dict[str, int] = Field(..., description="Điểm tối đa phần A, B, C")
    bands: list[BandOut]
    sheets: list[str] = Field(..., description="Các phiếu đánh giá có dữ liệu (B01–B26), trống với bộ cũ")


class OptionOut(Schema):
    position: int = Field(..., description="Thứ tự in (1, 2, …): câu trả lời ghi số này")
    text: str
    points: int | float
    min_star: int | None = Field(None, description="3, 4, 5 nếu lựa chọn mang dấu ***, ****, *****")
    knockout: str | None = Field(None, description="Điều kiện loại mà lựa chọn này kích hoạt")


class ConditionOut(Schema):
    criterion: str
    min_points: int | float


class CriterionOut(Schema):
    code: str
    name: str
    max: int | float
    note: str | None
    applies_if: ConditionOut | None
    options: list[OptionOut]


class SectionOut(Schema):
    code: str
    name: str
    max: int | float
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    name: str
    max: int | float
    sections: list[SectionOut]


class KnockoutOut(Schema):
    id: str
    criterion: str | None = Field(None, description="Trống: điều kiện “Hồ sơ bị loại khi” của cả phiếu")
    effect: str = Field(..., description="exclude (bị loại) | stop (không đánh giá các bước tiếp theo)")
    text: str


class SheetSummaryOut(Schema):
    sheet: str
    title: str


class SheetOut(Schema):
    version: str
    sheet: str
    title: str
    source: str
    total: int | float
    parts: list[PartOut]
    knockouts: list[KnockoutOut]


def _version_out(version: criteria.Version) -> dict:
    return {
        "id": version.id,
        "legal_basis": version.legal_basis,
        "name": version.name,
        "effective_from": version.effective_from,
        "parts": dict(version.parts),
        "bands": [{"star": b.star, "min": criteria.points_json(b.min)} for b in version.bands],
        "sheets": list(criteria.sheet_codes(version.id)),
    }


def _version_or_404(version_id: str) -> criteria.Version:
    try:
        return criteria.get_version(version_id)
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


@criteria_router.get(
    "/",
    response=list[VersionOut],
    summary="Các bộ tiêu chí (phiên bản)",
)
def list_criteria_versions(request: HttpRequest) -> list[dict]:
    return [_version_out(version) for version in criteria.versions()]


@criteria_router.get(
    "/{version_id}",
    response=VersionOut,
    summary="Một bộ tiêu chí",
)
def get_criteria_version(request: HttpRequest, version_id: str) -> dict:
    return _version_out(_version_or_404(version_id))


@criteria_router.get(
    "/{version_id}/sheets/",
    response=list[SheetSummaryOut],
    summary="Các phiếu đánh giá của bộ tiêu chí",
)
def list_sheets(request: HttpRequest, version_id: str) -> list[dict]:
    version = _version_or_404(version_id)
    return [
        {"sheet": code, "title": criteria.get_sheet(version.id, code).title}
        for code in criteria.sheet_codes(version.id)
    ]


@criteria_router.get(
    "/{version_id}/sheets/{sheet}",
    response=SheetOut,
    summary="Một phiếu đánh giá",
)
def get_sheet(request: HttpRequest, version_id: str, sheet: str) -> dict:
    version = _version_or_404(version_id)
    try:
        return sheet_json(criteria.get_sheet(version.id, sheet))
    except criteria.CriteriaError as error:
        raise HttpError(404, str(error)) from None


def sheet_json(sheet: criteria.Sheet) -> dict:
    """A sheet as nested JSON: parts → sections → criteria → options; plus the knock-outs."""

    number = criteria.points_json

    return {
        "version": sheet.version,
        "sheet": sheet.code,
        "title": sheet.title,
        "source": sheet.source,
        "total": number(sheet.total),
        "parts": [
            {
                "code": part.code,
                "name": part.name,
                "max": number(part.max),
                "sections": [
                    {
                        "code": section.code,
                        "name": section.name,
                        "max": number(section.max),
                        "criteria": [
                            {
                                "code": c.code,
                                "name": c.name,
                                "max": number(c.max),
                                "note": c.note,
                                "applies_if": (
                                    {
                                        "criterion": c.applies_if.criterion,
                                        "min_points": number(c.applies_if.min_points),
                                    }
                                    if c.applies_if
                                    else None
                                ),
                                "options": [
                                    {
                                        "position": o.position,
                                        "text": o.text,
                                        "points": number(o.points),
                                        "min_star": o.min_star,
                                        "knockout": o.knockout,
                                    }
                                    for o in c.options
                                ],
                            }
                            for c in section.criteria
                        ],
                    }
                    for section in part.sections
                ],
            }
            for part in sheet.parts
        ],
        "knockouts": [
            {"id": k.id, "criterion": k.criterion, "effect": k.effect, "text": k.text}
            for k in sheet.knockouts
        ],
    }
