"""The checklist of an inspection (Art. 9.3), one ``Finding`` per line, built from what was evaluated.

For each product inspected:

- one line per criterion the council scored in the evaluation the product is checked against
  (``InspectedProduct.evaluation``, a closed ``evaluation.Evaluation``): the agreed sheet when the
  secretary recorded one, else the option most members chose (as the scoring engine judges
  minimums); criteria that did not apply (``applies_if``) are left out. ``evaluated`` says what the
  council gave ("Mức 2: 3/5 điểm — …") so the team can check "still as evaluated?";
- the mark and information items of Art. 9.3.b (label, stamp and QR use, product information,
  advertising, points of sale);
- without a known evaluation (certificates from before the platform), one general item instead of
  the criteria.

Building twice adds nothing: a line is identified by (inspection, product, code).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from ocop.core.formatting import format_number
from ocop.evaluation import criteria
from ocop.evaluation.models import Evaluation

from .models import Finding, FindingKind, InspectedProduct, Inspection

# Art. 9.3.b: the use of the OCOP mark and the information given about the product.
# Stored in Vietnamese (the msgid), shown translated (``shown_label``).
MARK_ITEMS: tuple[tuple[str, str], ...] = (
    ("M1", gettext_noop("Nhãn hàng hóa đúng quy định, đúng với hồ sơ đã đánh giá")),
    (
        "M2",
        gettext_noop("Sử dụng tem OCOP, mã QR đúng sản phẩm, đúng hạng sao, giấy chứng nhận còn hiệu lực"),
    ),
    (
        "M3",
        gettext_noop(
            "Thông tin sản phẩm công bố (bao bì, trang thông tin, sàn thương mại điện tử) chính xác"
        ),
    ),
    ("M4", gettext_noop("Quảng cáo, quảng bá sản phẩm OCOP đúng hạng sao, không gây nhầm lẫn")),
    ("M5", gettext_noop("Điểm bán sản phẩm: trưng bày, thông tin OCOP tại điểm bán đúng quy định")),
)
GENERAL_CODE = "G"
GENERAL_LABEL = gettext_noop("Tiêu chí chung theo hồ sơ (không có kết quả đánh giá trên hệ thống)")
# Room for one sheet's criteria (B07 has about 40) and the mark items in one product's block.
BLOCK = 1000


def labels() -> dict[str, str]:
    """The fixed items' labels in the user's language (stored labels are in Vietnamese)."""
    return {code: gettext(label) for code, label in (*MARK_ITEMS, (GENERAL_CODE, GENERAL_LABEL))}


def shown_label(finding: Finding) -> str:
    if finding.kind == FindingKind.MARK or finding.code == GENERAL_CODE:
        return labels().get(finding.code, finding.label)
    return finding.label


def judged_answers(evaluation: Evaluation) -> dict[str, int]:
    """What the council gave per criterion: the agreed sheet, else the members' majority."""
    if evaluation.consensus:
        return {str(code): int(position) for code, position in evaluation.consensus.items()}
    sheet = evaluation.get_sheet()
    sent = [s.answers or {} for s in evaluation.sheets.filter(submitted_at__isnull=False)]
    judged: dict[str, int] = {}
    for criterion in sheet.criteria:
        votes = Counter(answers[criterion.code] for answers in sent if criterion.code in answers)
        if not votes:
            continue
        best = max(votes.values())
        tied = [position for position, count in votes.items() if count == best]
        # A tie goes to the lower option, as the engine judges minimums.
        judged[criterion.code] = min(tied, key=lambda p: (criterion.option(p).points, p))
    return judged


def _applies(criterion: criteria.Criterion, sheet: criteria.Sheet, answers: Mapping[str, int]) -> bool:
    condition = criterion.applies_if
    if condition is None:
        return True
    chosen = answers.get(condition.criterion)
    if not chosen:
        return False
    try:
        return sheet.criterion(condition.criterion).option(chosen).points >= condition.min_points
    except criteria.CriteriaError:
        return False


def evaluated_text(criterion: criteria.Criterion, option: criteria.Option) -> str:
    points = gettext("Mức %(position)s: %(points)s/%(max)s điểm") % {
        "position": option.position,
        "points": format_number(criteria.points_json(option.points)),
        "max": format_number(criteria.points_json(criterion.max)),
    }
    text = f"{points} — {option.text}"
    return text if len(text) <= 255 else text[:254] + "…"


def criterion_items(evaluation: Evaluation) -> list[tuple[str, str, str]]:
    """(code, label, evaluated) of each scored criterion of a closed evaluation, in printed order."""
    try:
        sheet = evaluation.get_sheet()
    except criteria.CriteriaError:
        return []
    answers = judged_answers(evaluation)
    items = []
    for criterion in sheet.criteria:
        position = answers.get(criterion.code)
        if not position or not _applies(criterion, sheet, answers):
            continue
        try:
            option = criterion.option(position)
        except criteria.CriteriaError:
            continue
        items.append(
            (criterion.code, f"{criterion.code}. {criterion.name}", evaluated_text(criterion, option))
        )
    return items


def _product_items(item: InspectedProduct) -> list[tuple[str, str, str, str]]:
    """(kind, code, label, evaluated) of one product's lines."""
    lines: list[tuple[str, str, str, str]] = []
    evaluation = item.evaluation
    scored = criterion_items(evaluation) if evaluation is not None and evaluation.is_closed else []
    if scored:
        lines.extend((FindingKind.CRITERION, code, label, evaluated) for code, label, evaluated in scored)
    else:
        star = item.certificate.star if item.certificate_id else None
        evaluated = gettext("%(star)s sao") % {"star": star} if star else ""
        lines.append((FindingKind.CRITERION, GENERAL_CODE, GENERAL_LABEL, evaluated))
    lines.extend((FindingKind.MARK, code, label, "") for code, label in MARK_ITEMS)
    return lines


@transaction.atomic
def build(inspection: Inspection, items: Iterable[InspectedProduct] | None = None) -> list[Finding]:
    """Create the missing lines of the checklist; returns those created (none the second time)."""
    if items is None:
        items = inspection.inspected_products.select_related("product", "certificate", "evaluation").order_by(
            "product__sort_key", "pk"
        )
    existing = set(Finding.objects.filter(inspection=inspection).values_list("product_id", "code"))
    new = []
    for index, item in enumerate(items):
        with translation.override("vi"):  # stored text is Vietnamese, whoever builds it
            lines = _product_items(item)
        for offset, (kind, code, label, evaluated) in enumerate(lines):
            if (item.product_id, code) in existing:
                continue
            new.append(
                Finding(
                    inspection=inspection,
                    product_id=item.product_id,
                    kind=kind,
                    code=code,
                    label=label,
                    evaluated=evaluated,
                    position=index * BLOCK + offset,
                )
            )
    if new:
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(new, Finding)
    return new
