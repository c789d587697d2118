#!/usr/bin/env python3
"""Derive the OCOP product classification from the text of QĐ 26/2026/QĐ-TTg.

Usage: scripts/extract_classification.py PATH/TO/qd-26-2026-qd-ttg.html [OUTPUT.json]

Reads (standard library only):
- Phụ lục I, "Danh mục phân loại sản phẩm": ngành (I–VI) → nhóm (1, 2, …) → phân nhóm (a, b, …)
  with the managing ministry ("Cơ quan chủ trì quản lý");
- the table of contents of Phụ lục II: the 26 "Bộ sản phẩm" in sheet order (1–26 → B01–B26);
- Art. 2.2, whose list of the 6 product kinds gives the sector names in sentence case.

Each leaf of Phụ lục I (a phân nhóm, or a nhóm without phân nhóm) is one bộ sản phẩm; leaves and
Phụ lục II entries are paired by position, and the script refuses to write anything unless the
counts (6 / 17 / 26), the numbering of the 26 sheet headings and the sector names all agree.
The output is committed and reviewed by hand against ocop-rules.md §4; rerun this script only
to regenerate it from a corrected transcription. The default output is
ocop/registry/data/classification-26-2026.json.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "ocop/registry/data/classification-26-2026.json"

ROMAN = ("I", "II", "III", "IV", "V", "VI")
MINISTRIES = {
    # Full names as printed; the split on ";" gives one ministry per entry.
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Công Thương",
    "Bộ Y tế",
    "Bộ Văn hóa, Thể thao và Du lịch",
}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


class Blocks(HTMLParser):
    """Flatten the document into top-level blocks: ("p", text) or ("table", [[cell text, …], …])."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, object]] = []
        self.table_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.para: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.table_depth += 1
            if self.table_depth == 1:
                self.rows = []
        elif tag == "tr" and self.table_depth == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self.table_depth == 1:
            self.cell = []
        elif tag == "p" and self.table_depth == 0:
            self.para = []
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.table_depth -= 1
            if self.table_depth == 0:
                self.blocks.append(("table", self.rows))
        elif tag in ("td", "th") and self.table_depth == 1 and self.cell is not None:
            self.rows[-1].append(squash("".join(self.cell)))
            self.cell = None
        elif tag == "p" and self.para is not None:
            self.blocks.append(("p", squash("".join(self.para))))
            self.para = None
        elif tag == "sup" and self.cell is not None:
            # Footnote markers ("quản lý¹") would otherwise glue onto the text.
            self.cell.append(" ")

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        elif self.para is not None:
            self.para.append(data)


def first_table_after(blocks: list[tuple[str, object]], heading: str) -> list[list[str]]:
    for index, (kind, value) in enumerate(blocks):
        if kind == "p" and value == heading:
            for kind2, value2 in blocks[index + 1 :]:
                if kind2 == "table":
                    return value2  # type: ignore[return-value]
    raise SystemExit(f"Không tìm thấy bảng sau “{heading}”.")


def sentence_case(text: str) -> str:
    lower = text.lower()
    return lower[:1].upper() + lower[1:]


def split_ministries(text: str) -> list[str]:
    names = [squash(part) for part in text.split(";") if squash(part)]
    unknown = [name for name in names if name not in MINISTRIES]
    if unknown:
        raise SystemExit(f"Cơ quan chủ trì không nhận ra: {unknown}")
    return names


def extract(html: str) -> dict[str, object]:
    parser = Blocks()
    parser.feed(html)
    blocks = parser.blocks

    # Art. 2.2: "… bao gồm 06 nhóm sản phẩm: thực phẩm; đồ uống; …. Danh mục phân loại …"
    article = next(v for k, v in blocks if k == "p" and "06 nhóm sản phẩm:" in str(v))
    listed = str(article).split("06 nhóm sản phẩm:", 1)[1].split(". Danh mục", 1)[0]
    article_names = [squash(name) for name in listed.split(";")]

    sectors: list[dict[str, str]] = []
    groups: list[dict[str, str]] = []
    leaves: list[dict[str, object]] = []
    for row in first_table_after(blocks, "PHỤ LỤC I")[1:]:  # skip the header row
        if len(row) != 3:
            raise SystemExit(f"Dòng Phụ lục I không có 3 cột: {row}")
        number, label, ministry = row
        if number in ROMAN:
            if not label.startswith("SẢN PHẨM "):
                raise SystemExit(f"Tên ngành lạ: {label}")
            sectors.append({"code": number, "name": sentence_case(label.removeprefix("SẢN PHẨM "))})
        elif number.isdigit():
            sector = sectors[-1]["code"]
            code = f"{sector}.{number}"
            name = label.removeprefix("Nhóm:").strip()
            groups.append({"code": code, "sector": sector, "name": name})
            if ministry:  # a nhóm with its own ministry has no phân nhóm: it is a leaf itself
                leaves.append(
                    {
                        "annex_code": code,
                        "group": code,
                        "sector": sector,
                        "annex_name": name,
                        "ministries": split_ministries(ministry),
                    }
                )
        elif re.fullmatch(r"[a-zđ]", number):
            group = groups[-1]
            if leaves and leaves[-1]["annex_code"] == group["code"]:
                raise SystemExit(f"Nhóm {group['code']} vừa có cơ quan chủ trì vừa có phân nhóm.")
            leaves.append(
                {
                    "annex_code": f"{group['code']}.{number}",
                    "group": group["code"],
                    "sector": group["sector"],
                    "annex_name": label.removeprefix("Phân nhóm:").strip(),
                    "ministries": split_ministries(ministry),
                }
            )
        else:
            raise SystemExit(f"STT lạ trong Phụ lục I: {row}")

    toc = first_table_after(blocks, "PHỤ LỤC II")[1:]
    sheet_names = []
    for expected, (number, content) in enumerate(toc, start=1):
        if number != str(expected) or not content.startswith("Bộ sản phẩm:"):
            raise SystemExit(f"Mục lục Phụ lục II lạ: {number!r} {content!r}")
        sheet_names.append(content.removeprefix("Bộ sản phẩm:").strip())

    # The sheets themselves start with "N. Bộ sản phẩm: …" or "N. Sản phẩm …": check their order.
    # A heading is followed by its "(Sản phẩm: …)" line, which tells it apart from numbered clauses.
    paragraphs = [str(v) for k, v in blocks if k == "p" and v]
    headings = [
        int(m.group(1))
        for text, following in zip(paragraphs, paragraphs[1:], strict=False)
        if following.startswith("(Sản phẩm:")
        and (m := re.match(r"(\d{1,2})\.\s*(?:Bộ sản phẩm:|Sản phẩm )", text))
    ]
    if headings != list(range(1, 27)):
        raise SystemExit(f"Tiêu đề các phiếu trong Phụ lục II không theo thứ tự 1–26: {headings}")

    problems = []
    if [s["name"] for s in sectors] != [sentence_case(n) for n in article_names]:
        problems.append(f"Tên ngành khác Điều 2.2: {[s['name'] for s in sectors]} / {article_names}")
    if (len(sectors), len(groups), len(leaves), len(sheet_names)) != (6, 17, 26, 26):
        problems.append(
            f"Số lượng: {len(sectors)} ngành, {len(groups)} nhóm, {len(leaves)} phân loại, "
            f"{len(sheet_names)} bộ"
        )
    if problems:
        raise SystemExit("\n".join(problems))

    sets = [
        {
            "code": f"B{index:02d}",
            "annex_code": leaf["annex_code"],
            "group": leaf["group"],
            "sector": leaf["sector"],
            "name": name,
            "annex_name": leaf["annex_name"],
            "ministries": leaf["ministries"],
        }
        for index, (leaf, name) in enumerate(zip(leaves, sheet_names, strict=True), start=1)
    ]
    return {
        "legal_basis": "QD26/2026",
        "source": "Quyết định 26/2026/QĐ-TTg ngày 22/5/2026, Phụ lục I (phân loại) và mục lục Phụ lục II "
        "(bộ sản phẩm, phiếu 1–26); tên ngành theo Điều 2.2",
        "notes": [
            "Luật không đặt mã máy: mã ngành (I–VI), nhóm (I.1) và phân loại (I.1.a) lấy theo STT của "
            "Phụ lục I; mã bộ B01–B26 theo số thứ tự phiếu trong Phụ lục II.",
            "name là tên bộ sản phẩm trong Phụ lục II; annex_name là tên phân nhóm (hoặc nhóm) trong "
            "Phụ lục I. Hai tên khác nhau ở một số bộ (ví dụ B10, B11, B12, B17, B21).",
            "Cơ quan chủ trì quản lý theo Nghị định 15/2018/NĐ-CP (chú thích 1 của Phụ lục I).",
        ],
        "sectors": sectors,
        "groups": groups,
        "sets": sets,
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    data = extract(Path(argv[1]).read_text(encoding="utf-8"))
    output = Path(argv[2]) if len(argv) == 3 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"Đã ghi {output}: {len(data['sectors'])} ngành, {len(data['groups'])} nhóm, "
        f"{len(data['sets'])} bộ sản phẩm."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
