"""The form renderer: Django's own, with <select> and <input> written in Python.

Django renders every <option> through two included templates; a list page's filter form (100+
options for the product set alone) spent more time there than in its 50 rows, and each <input>
goes through three templates (text.html → input.html → attrs.html). The output is the same markup
as Django's templates (tests compare the two for every filter form).
"""

from __future__ import annotations

import html
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's widget templates that are nothing but {% include "django/forms/widgets/input.html" %}.
INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "hidden", "email", "url", "password", "date", "datetime", "time")
)


def escape(value: Any) -> str:
    """conditional_escape() without its per-call lazy-string check: the same output, for hot loops."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        text = escape(value)  # |stringformat:'s' keeps a safe string safe
        parts.append(f" {escape(name)}" if value is True else f' {escape(name)}="{text}"')
    return "".join(parts)


def render_select(widget: dict[str, Any]) -> SafeString | None:
    """select.html for `widget` (a Select's context), or None where its options are not the default."""
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in options:
            if option.get("template_name") != OPTION:
                return None
            parts.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{escape(option['label'])}</option>\n"  # the option template's final newline
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # DjangoTemplates.render() strips the template's final newline
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped)


def render_input(widget: dict[str, Any]) -> SafeString:
    """input.html for `widget` (an Input's context)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{escape(value)}"'
    kind, name = escape(widget["type"]), escape(widget["name"])
    return mark_safe(f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>')  # noqa: S308


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if "widget" in context:
            if template_name == SELECT:
                rendered = render_select(context["widget"])
                if rendered is not None:
                    return rendered
            elif template_name in INPUTS:
                return render_input(context["widget"])
        return super().render(template_name, context, request)
