"""Shared by the consumer-report tests: the public catalogue (products in Hà Nội with valid,
expired and revoked certificates, one in TP HCM), accounts of every role, and a helper posting
the public form as a person would (the form shown more than a few seconds ago)."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from ocop.oversight import intake
from ocop.oversight.models import ConsumerReport, Inspection, InspectionPlan, PlanStatus
from ocop.public.tests.conftest import (  # noqa: F401 (fixtures)
    TODAY,
    Catalogue,
    catalogue,
    empty_cache,
    fixed_today,
    media_in_tmp,
    world,
)

FORM_URL = "/phan-anh/"


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def photo(name: str = "anh.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else png_bytes(), content_type="image/png")


def form_data(code: str = "", **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "kind": "expired_sold",
        "description": "Cửa hàng vẫn dán tem OCOP 4 sao dù giấy chứng nhận đã hết hạn.",
        "where_bought": "Chợ Đồng Xuân, quầy 12",
        "where_province": "",
        "contact_name": "Trần Văn Mua",
        "contact": "0987 654 321",
        "website": "",
        "token": intake.issue_token(time.time() - 30),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def post_report(client: Client, code: str = "", ip: str = "203.0.113.7", **fields: Any) -> Any:
    return client.post(FORM_URL, form_data(code, **fields), REMOTE_ADDR=ip)


def make_report(**fields: Any) -> ConsumerReport:
    values: dict[str, Any] = {"kind": "quality", "description": "Sản phẩm bị mốc."}
    values.update(fields)
    report = ConsumerReport(**values)
    report.save()
    return report


def make_plan(province: Any, **fields: Any) -> InspectionPlan:
    values: dict[str, Any] = {
        "province": province,
        "year": TODAY.year,
        "title": f"Kiểm tra định kỳ {TODAY.year}",
        "starts_on": TODAY - dt.timedelta(days=30),
        "ends_on": TODAY + dt.timedelta(days=60),
        "status": PlanStatus.ACTIVE,
    }
    values.update(fields)
    plan = InspectionPlan(**values)
    plan.full_clean()
    plan.save()
    return plan


def make_inspection(plan: InspectionPlan, producer: Any, **fields: Any) -> Inspection:
    inspection = Inspection(plan=plan, producer=producer, scheduled_on=TODAY, **fields)
    inspection.save()
    return inspection
