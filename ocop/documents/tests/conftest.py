"""Evidence tests: the registry's world of accounts, files in a temporary MEDIA_ROOT, sample files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.documents.models import EvidenceDocument, EvidenceType
from ocop.documents.uploads import check_upload, save_document
from ocop.registry.tests.conftest import make_producer, make_product, world  # noqa: F401 - fixture

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def make_document(
    producer, product=None, *, name="giay-phep.pdf", content=PDF_BYTES, **fields
) -> EvidenceDocument:
    values = {"doc_type": EvidenceType.BUSINESS_REGISTRATION, "title": "Giấy chứng nhận đăng ký HTX"}
    values.update(fields)
    document = EvidenceDocument(producer=producer, product=product, **values)
    document.full_clean(exclude=["file", "original_name", "size", "sha256", "content_type"])
    return save_document(document, check_upload(SimpleUploadedFile(name, content)))


@pytest.fixture
def hn1_producer(world):  # noqa: F811
    return make_producer(world.places["hn1"], name="HTX Chè Tân Cương")


@pytest.fixture
def hn1_product(hn1_producer):
    return make_product(hn1_producer, name="Chè búp Tân Cương")
