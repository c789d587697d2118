"""Which files an evidence upload may be, told from the bytes themselves (pure Python, no Django).

Accepted (the papers of an OCOP dossier are scans, office documents and photos):

    PDF                  %PDF-                                   application/pdf            shown inline
    JPEG                 FF D8 FF                                image/jpeg                 shown inline
    PNG                  89 50 4E 47 0D 0A 1A 0A                 image/png                  shown inline
    WebP                 RIFF....WEBP                            image/webp                 shown inline
    DOCX                 ZIP with [Content_Types].xml + word/document.xml
    XLSX                 ZIP with [Content_Types].xml + xl/workbook.xml
    ODT / ODS            ZIP whose `mimetype` entry names the OpenDocument text / spreadsheet type

Refused: everything else, including legacy .doc/.xls (OLE containers that carry macros; save as
DOCX/XLSX/PDF), macro-enabled office files (a vbaProject.bin, or Basic/Scripts in OpenDocument),
executables whatever their name, and any file whose extension does not match its content (a
"giay-phep.pdf" that is really a PNG is a mistake the user should see, an "x.pdf" that is an .exe
is an attack). The browser's content type is never consulted.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]  # lower case, with the dot; the first is the canonical one
    inline: bool  # safe to show in the browser (PDF, images); everything else is an attachment


PDF = Kind("pdf", "PDF", "application/pdf", (".pdf",), True)
JPEG = Kind("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), True)
PNG = Kind("png", "PNG", "image/png", (".png",), True)
WEBP = Kind("webp", "WebP", "image/webp", (".webp",), True)
DOCX = Kind(
    "docx",
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
    False,
)
XLSX = Kind(
    "xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), False
)
ODT = Kind("odt", "ODT", "application/vnd.oasis.opendocument.text", (".odt",), False)
ODS = Kind("ods", "ODS", "application/vnd.oasis.opendocument.spreadsheet", (".ods",), False)

KINDS: tuple[Kind, ...] = (PDF, JPEG, PNG, WEBP, DOCX, XLSX, ODT, ODS)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}
ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(ext for kind in KINDS for ext in kind.extensions)

# Why a file was refused (the Django layer turns these into Vietnamese messages).
EXECUTABLE, MACRO, CORRUPT, UNKNOWN = "executable", "macro", "corrupt", "unknown"

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE (.exe, .dll, .scr)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.msi
_ZIP = (b"PK\x03\x04",)
_MAX_ZIP_ENTRIES = 20_000  # real office files have tens to a few thousand
_ODF_TYPES = {ODT.content_type.encode(): ODT, ODS.content_type.encode(): ODS}


@dataclass(frozen=True)
class Detection:
    kind: Kind | None
    problem: str = ""  # EXECUTABLE, MACRO, CORRUPT or UNKNOWN when kind is None


def detect(stream: BinaryIO) -> Detection:
    """What `stream` really is (read from the start; the position is restored to 0)."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return Detection(PDF)
        if head.startswith(b"\xff\xd8\xff"):
            return Detection(JPEG)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return Detection(PNG)
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return Detection(WEBP)
        if head.startswith(_ZIP):
            return _detect_zip(stream)
        if head.startswith(_EXECUTABLE_MAGIC):
            return Detection(None, EXECUTABLE)
        if head.startswith(_OLE):
            return Detection(None, MACRO)
        return Detection(None, UNKNOWN)
    finally:
        stream.seek(0)


def _detect_zip(stream: BinaryIO) -> Detection:
    # Only the directory and the tiny `mimetype` entry are read: nothing is decompressed in bulk.
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_ENTRIES:
                return Detection(None, UNKNOWN)
            names = {info.filename for info in infos}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return Detection(None, MACRO)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return Detection(DOCX)
                if "xl/workbook.xml" in names:
                    return Detection(XLSX)
                return Detection(None, UNKNOWN)
            if "mimetype" in names:
                if any(name.startswith(("Basic/", "Scripts/")) for name in names):
                    return Detection(None, MACRO)
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return Detection(None, UNKNOWN)
                with archive.open(info) as entry:
                    kind = _ODF_TYPES.get(entry.read(100).strip())
                return Detection(kind, "" if kind else UNKNOWN)
            return Detection(None, UNKNOWN)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        return Detection(None, CORRUPT)


def extension(name: str) -> str:
    """The lower-case extension of a file name, with its dot ("" when there is none)."""
    base = name.rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return "." + base.rsplit(".", 1)[-1].lower()


_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
_SPACES = re.compile(r"\s+")
MAX_NAME = 150


def clean_filename(name: str, kind: Kind | None = None) -> str:
    """A display/download name safe anywhere: no path, no control or bidi characters, bounded length.

    Vietnamese letters are kept (NFC). The stored file never uses this name (see storage paths).
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf/Co/Cs/Cn: control characters, bidi overrides ("gpj.exe" tricks), private use.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _SPACES.sub(" ", _UNSAFE.sub("_", name)).strip(" ._")
    ext = extension(name)
    if kind is not None and ext not in kind.extensions:
        ext = kind.extensions[0]
        name = f"{name}{ext}" if name else ""
    stem = name[: len(name) - len(ext)] if ext else name
    stem = stem[: MAX_NAME - len(ext)].rstrip(" ._")
    if not stem:
        stem = "tai-lieu"
    return stem + ext
