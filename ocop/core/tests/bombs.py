"""Hostile spreadsheets built at test time: a valid .xlsx/.ods whose one cell is `size` repeated
characters (deflate shrinks 60 MB of "A" to ~60 KB), and CSV files beyond the reader's bounds."""

from __future__ import annotations

import io
import zipfile

CHUNK = b"A" * 2**20


def _write_repeated(archive: zipfile.ZipFile, name: str, head: bytes, size: int, tail: bytes) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        member.write(head)
        left = size
        while left > 0:
            member.write(CHUNK[: min(left, len(CHUNK))])
            left -= len(CHUNK)
        member.write(tail)


def xlsx(size: int, header: str = "Tên") -> bytes:
    """A minimal .xlsx: a header cell and, under it, an inline-string cell of `size` × "A"."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    types = "application/vnd.openxmlformats"
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{types}-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{types}-officedocument.'
            'spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        head = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'
            f'<row r="1"><c r="A1" t="inlineStr"><is><t>{header}</t></is></c></row>'
            '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        ).encode()
        tail = b"</t></is></c></row></sheetData></worksheet>"
        _write_repeated(archive, "xl/worksheets/sheet1.xml", head, size, tail)
    return stream.getvalue()


def ods(size: int, header: str = "Tên") -> bytes:
    """A minimal .ods: a header cell and, under it, a cell of `size` × "A"."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
            'manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        head = (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
            f'<table:table-row><table:table-cell office:value-type="string"><text:p>{header}</text:p>'
            "</table:table-cell></table:table-row>"
            '<table:table-row><table:table-cell office:value-type="string"><text:p>'
        ).encode()
        tail = (
            b"</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
            b"</office:body></office:document-content>"
        )
        _write_repeated(archive, "content.xml", head, size, tail)
    return stream.getvalue()
