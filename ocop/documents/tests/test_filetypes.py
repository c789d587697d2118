"""What a file really is, from its bytes: the allowed kinds, and the disguises that are refused."""

import io

import pytest

from ocop.documents import filetypes
from ocop.documents.filetypes import clean_filename, detect, extension

from .conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, docx_bytes, zip_bytes


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, filetypes.PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, filetypes.JPEG),
        (PNG_BYTES, filetypes.PNG),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20, filetypes.WEBP),
        (docx_bytes(), filetypes.DOCX),
        (zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), filetypes.XLSX),
        (
            zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            filetypes.ODT,
        ),
        (
            zip_bytes(
                {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
            ),
            filetypes.ODS,
        ),
    ],
)
def test_allowed_kinds_are_recognised_by_content(content, kind):
    stream = io.BytesIO(content)
    stream.read(3)  # detection starts from the beginning whatever the position
    assert detect(stream).kind is kind
    assert stream.tell() == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (EXE_BYTES, filetypes.EXECUTABLE),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 30, filetypes.EXECUTABLE),
        (b"#!/bin/sh\nrm -rf /\n", filetypes.EXECUTABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30, filetypes.MACRO),  # legacy .doc / .xls
        (
            zip_bytes(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "word/document.xml": b"<w/>",
                    "word/vbaProject.bin": b"macro",
                }
            ),
            filetypes.MACRO,
        ),
        (
            zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "Basic/Standard/M.xml": b"x"}),
            filetypes.MACRO,
        ),
        (zip_bytes({"payload.exe": EXE_BYTES}), filetypes.UNKNOWN),  # a plain ZIP is not an office file
        (zip_bytes({"mimetype": b"application/epub+zip"}), filetypes.UNKNOWN),
        (b"PK\x03\x04 truncated", filetypes.CORRUPT),
        (b"<html><script>alert(1)</script></html>", filetypes.UNKNOWN),
        (b"GIF89a" + b"\x00" * 20, filetypes.UNKNOWN),
    ],
)
def test_everything_else_is_refused_with_a_reason(content, problem):
    detection = detect(io.BytesIO(content))
    assert detection.kind is None and detection.problem == problem


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("../../etc/passwd.pdf", filetypes.PDF, "passwd.pdf"),
        ("C:\\Users\\Lan\\Giấy phép ĐKKD.pdf", filetypes.PDF, "Giấy phép ĐKKD.pdf"),
        ("ha\u202egpj.exe", None, "hagpj.exe"),  # a right-to-left override hides ".exe"
        ("bao cao\x00\n.xlsx", filetypes.XLSX, "bao cao.xlsx"),
        ("   ", filetypes.PDF, "tai-lieu.pdf"),
        ("scan", filetypes.PDF, "scan.pdf"),
        ('a<b>c:"d"|e?*.docx', filetypes.DOCX, "a_b_c_d_e.docx"),
    ],
)
def test_file_names_are_cleaned(name, kind, expected):
    assert clean_filename(name, kind) == expected


def test_long_names_keep_their_extension():
    cleaned = clean_filename("Phiếu kiểm nghiệm " * 30 + ".pdf", filetypes.PDF)
    assert len(cleaned) <= filetypes.MAX_NAME and cleaned.endswith(".pdf")


def test_extension():
    assert extension("Ảnh.JPG") == ".jpg"
    assert extension("noext") == "" and extension(".hidden") == ""
    assert extension("dir.v2/file") == ""
