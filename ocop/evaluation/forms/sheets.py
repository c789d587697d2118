"""Forms of the scoring page: the conflict-of-interest declaration, a member's score sheet (one
radio group per criterion, rendered from the criteria data) and the secretary's agreed sheet
with the knock-outs found.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ocop.core.forms import BootstrapFormMixin, CleanTextMixin

from .. import criteria
from .common import points_text


class DeclarationForm(BootstrapFormMixin, forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Bạn có xung đột lợi ích với chủ thể hoặc sản phẩm này không?"),
        choices=[("no", _("Không có xung đột lợi ích")), ("yes", _("Có xung đột lợi ích"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Giải trình (khi có xung đột)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def field_name(code: str) -> str:
    """The form field of a criterion: "1.1" → "c1_1" (no dots: ids stay usable as CSS selectors)."""
    return "c" + code.replace(".", "_")


class SheetForm(CleanTextMixin, forms.Form):
    """A scoring sheet: one radio group per criterion, in printed order.

    Incomplete sheets are valid here (a draft may be partial; a stop rule ends scoring early): the
    workflow decides whether a sheet can be sent.
    """

    def __init__(
        self,
        sheet: criteria.Sheet,
        *args: Any,
        answers: Mapping[str, int] | None = None,
        read_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.read_only = read_only
        for criterion in sheet.criteria:
            name = field_name(criterion.code)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{criterion.code}. {criterion.name}",
                choices=[(option.position, option.text) for option in criterion.options],
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                disabled=read_only,
            )
            if answers and criterion.code in answers:
                self.initial[name] = answers[criterion.code]

    def answers(self) -> dict[str, int]:
        """{criterion code: option position} of the answered criteria (call after is_valid())."""
        return {
            criterion.code: self.cleaned_data[field_name(criterion.code)]
            for criterion in self.sheet.criteria
            if self.cleaned_data.get(field_name(criterion.code)) is not None
        }

    def lenient_answers(self) -> dict[str, int]:
        """The answers as posted, skipping anything that is not an option (for live previews)."""
        answers = {}
        for criterion in self.sheet.criteria:
            raw = str(self.data.get(self.add_prefix(field_name(criterion.code)), "")).strip()
            if raw.isdigit() and 1 <= int(raw) <= len(criterion.options):
                answers[criterion.code] = int(raw)
        return answers

    def chosen(self) -> dict[str, int]:
        """The option ticked per criterion as the page shows it (posted data, else the saved answers)."""
        if self.is_bound:
            return self.lenient_answers()
        return {code: int(value) for code, value in self._initial_answers().items()}

    def _initial_answers(self) -> dict[str, Any]:
        return {
            criterion.code: self.initial[field_name(criterion.code)]
            for criterion in self.sheet.criteria
            if self.initial.get(field_name(criterion.code)) not in (None, "")
        }

    def layout(self) -> list[dict[str, Any]]:
        """Parts → sections → rows for the template: each row a criterion with its options."""
        chosen = self.chosen()
        knockouts_at: dict[str, list[criteria.Knockout]] = {}
        for knockout in self.sheet.knockouts:
            if knockout.criterion:
                knockouts_at.setdefault(knockout.criterion, []).append(knockout)
        parts = []
        for part in self.sheet.parts:
            sections = []
            for section in part.sections:
                rows = []
                for criterion in section.criteria:
                    bound = self[field_name(criterion.code)]
                    rows.append(
                        {
                            "criterion": criterion,
                            "name": bound.html_name,
                            "id": bound.auto_id,
                            "max": points_text(criterion.max),
                            "errors": bound.errors,
                            "knockouts": knockouts_at.get(criterion.code, []),
                            "options": [
                                {
                                    "option": option,
                                    "id": f"{bound.auto_id}_{option.position}",
                                    "points": points_text(option.points),
                                    "checked": chosen.get(criterion.code) == option.position,
                                    "stars": "★" * (option.min_star or 0),
                                    "knockout": self.sheet.knockout(option.knockout)
                                    if option.knockout
                                    else None,
                                }
                                for option in criterion.options
                            ],
                        }
                    )
                sections.append({"section": section, "max": points_text(section.max), "rows": rows})
            parts.append({"part": part, "max": points_text(part.max), "sections": sections})
        return parts


class ConsensusForm(SheetForm):
    """The secretary's agreed sheet (prefilled from the majority) and the knock-outs found."""

    def __init__(
        self,
        sheet: criteria.Sheet,
        *args: Any,
        answers: Mapping[str, int] | None = None,
        knockouts: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(sheet, *args, answers=answers, **kwargs)
        self.fields["knockouts"] = forms.MultipleChoiceField(
            label=_("Điều kiện loại phát hiện"),
            choices=[(knockout.id, knockout.text) for knockout in sheet.knockouts],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if knockouts:
            self.initial["knockouts"] = list(knockouts)

    def chosen_knockouts(self) -> list[str]:
        if self.is_bound:
            ids = {knockout.id for knockout in self.sheet.knockouts}
            return [value for value in self.data.getlist(self.add_prefix("knockouts")) if value in ids]
        return list(self.initial.get("knockouts") or [])

    def knockout_rows(self) -> list[dict[str, Any]]:
        chosen = set(self.chosen_knockouts())
        bound = self["knockouts"]
        return [
            {
                "knockout": knockout,
                "id": f"{bound.auto_id}_{index}",
                "name": bound.html_name,
                "checked": knockout.id in chosen,
            }
            for index, knockout in enumerate(self.sheet.knockouts)
        ]
