"""`ocop score FILE.json`: score one product's council sheets with the engine and print the result.

Input: ``{"sheet": "B01", "version": "26-2026", "members": [{"answers": {"1.1": 3, …}}, …],
"consensus": {…optional agreed answers…}, "knockouts": [ids], "council_size": N (optional),
"level": "province" | "central" (optional)}``; each answer is the 1-based position of the chosen
option as printed. Output: the result as JSON on stdout; at province level a total of 90 or more
is ``"outcome": "potential_five_star"`` with ``"recognised": false`` (the Ministry decides, Art.
7.3.e; ``OCOP_FIVE_STAR_REFERRAL`` chooses the reading). Any error (unreadable file, unknown
sheet or criterion, missing answer, position out of range) is one line naming it, exit status 2.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocop.evaluation import criteria, scoring


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def score_document(document: Any) -> scoring.Result:
    """The engine's result for a parsed ``ocop score`` document; ValueError naming what is wrong."""
    if not isinstance(document, dict):
        raise ValueError("Tệp phải chứa một đối tượng JSON {…}.")
    version = criteria.get_version(str(document.get("version") or criteria.CURRENT_VERSION))
    if "sheet" not in document:
        raise ValueError("Thiếu “sheet” (mã phiếu, ví dụ B01).")
    sheet = criteria.get_sheet(version.id, str(document["sheet"]))
    members = document.get("members")
    if not isinstance(members, list) or not members:
        raise ValueError('“members” phải là danh sách phiếu chấm, mỗi phiếu {"answers": {…}}.')
    answers = []
    for number, member in enumerate(members, 1):
        if not isinstance(member, dict) or not isinstance(member.get("answers"), dict):
            raise ValueError(f"Thành viên {number}: thiếu “answers” {{mã tiêu chí: lựa chọn}}.")
        answers.append(member["answers"])
    knockouts = document.get("knockouts") or []
    if not isinstance(knockouts, list):
        raise ValueError('“knockouts” phải là danh sách mã điều kiện loại, ví dụ ["K1"].')
    council = None
    if document.get("council_size") is not None:
        size = document["council_size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < len(answers):
            raise ValueError("“council_size” phải là số nguyên, không nhỏ hơn số phiếu chấm.")
        council = scoring.Council(size=size)
    level = document.get("level") or scoring.PROVINCE
    if level not in (scoring.PROVINCE, scoring.CENTRAL):
        raise ValueError("“level” phải là province hoặc central.")
    consensus = document.get("consensus")
    if consensus is not None and not isinstance(consensus, dict):
        raise ValueError("“consensus” phải là bảng {mã tiêu chí: lựa chọn}.")
    return scoring.evaluate(
        sheet,
        version,
        answers,
        consensus=consensus,
        knockouts=[str(k) for k in knockouts],
        council=council,
        level=level,
        settings=scoring.Settings(referral=settings.OCOP_FIVE_STAR_REFERRAL),
    )


class Command(BaseCommand):
    help = "Chấm điểm một sản phẩm theo phiếu đánh giá (JSON) và in kết quả / Score one product."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp JSON (hoặc - để đọc từ stdin)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            if path == "-":
                document = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as stream:
                    document = json.load(stream)
        except OSError as error:
            raise _fail(f"Không đọc được tệp {path}: {error.strerror or error}.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise _fail(f"Tệp {path} không phải JSON hợp lệ: {error}.") from None
        try:
            result = score_document(document)
        except ValueError as error:  # CriteriaError and AnswerError are ValueErrors
            raise _fail(str(error)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
