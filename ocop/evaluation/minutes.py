"""The council's minutes (biên bản họp hội đồng) as a PDF, rendered with WeasyPrint.

``minutes_pdf(round_, user)`` renders ``evaluation/round_minutes_pdf.html`` (A4 landscape): the
round and its dates, the council members and who took part, and per dossier the result, every
member's sheet (criterion, chosen option, points) and the agreed sheet. What it shows goes
through the same scoping and blind-scoring rules as the pages: evaluations restricted to the
user, sheets as ``workflow.visible_sheets`` allows and only once the session is closed.

Fonts are the bundled Noto Serif of ``ocop.certification.pdf`` (the certificate's @font-face list and
its URL fetcher that refuses everything outside the font folder), through the one include
``certification/includes/pdf_fonts.html``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import get_language

from ocop.certification import pdf
from ocop.core import clock
from ocop.core.scoping import VIEW, restrict

from . import workflow
from .forms import points_text
from .models import SCORING_ROLES, Round
from .results import result_summary

TEMPLATE = "evaluation/round_minutes_pdf.html"


def _member_name(member: Any) -> str:
    return member.user.get_full_name() or member.user.username


def minutes_context(round_: Round, user: Any) -> dict[str, Any]:
    members = list(restrict(round_.members.all(), user, VIEW).select_related("user").order_by("role", "pk"))
    took_part = set(
        round_.members.filter(
            Q(sheets__submitted_at__isnull=False, sheets__evaluation__round=round_)
            | Q(declarations__evaluation__round=round_)
        ).values_list("pk", flat=True)
    )
    member_rows = [
        {
            "member": member,
            "name": _member_name(member),
            "present": member.pk in took_part if member.role in SCORING_ROLES else None,
        }
        for member in members
    ]
    dossiers = []
    evaluations = (
        restrict(round_.evaluations.all(), user, VIEW)
        .select_related("round", "dossier__product__producer", "dossier__product__commune")
        .order_by("pk")
    )
    for item in evaluations:
        sheet = item.get_sheet()
        # Sheets only once the chair has closed: minutes never break the blind.
        sent = (
            [entry for entry in workflow.visible_sheets(user, item) if entry.is_submitted]
            if item.is_closed
            else []
        )
        columns = [_member_name(entry.member) for entry in sent]
        rows = []
        for criterion in sheet.criteria:
            cells = []
            for entry in [*(s.answers for s in sent), *([item.consensus] if item.consensus else [])]:
                position = (entry or {}).get(criterion.code)
                option = criterion.options[position - 1] if position else None
                cells.append({"option": option, "points": points_text(option.points) if option else ""})
            rows.append({"criterion": criterion, "cells": cells})
        dossiers.append(
            {
                "evaluation": item,
                "product": item.dossier.product,
                "sheet": sheet,
                "result": result_summary(item) if item.is_closed else None,
                "columns": columns,
                "has_consensus": bool(item.consensus),
                "rows": rows if sent else [],
                "totals": [entry.total for entry in sent],
                "advisory_review": item.dossier.advisory_review,
            }
        )
    return {
        "round": round_,
        "member_rows": member_rows,
        "dossiers": dossiers,
        "printed_on": clock.today(),
        "font_faces": pdf.font_faces(),
        "font_family": ", ".join(f"'{family}'" for family in pdf.FONT_FAMILIES),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


def minutes_pdf(round_: Round, user: Any) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

    html = render_to_string(TEMPLATE, minutes_context(round_, user))
    return HTML(string=html, base_url=pdf.FONT_DIR.as_uri() + "/", url_fetcher=pdf._fetcher()).write_pdf()
