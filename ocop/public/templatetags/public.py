"""Template helpers of the public pages."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language

from .. import extensions

register = template.Library()


@register.simple_tag
def other_languages() -> list[tuple[str, str]]:
    """(code, name) of the languages to switch to, each named in itself (settings.LANGUAGES)."""
    current = get_language()
    return [(code, name) for code, name in settings.LANGUAGES if code != current]


@register.filter
def stars(count: int | None) -> str:
    return "★" * int(count or 0)


@register.simple_tag
def page_actions(page: str, code: str | None) -> str:
    """The links apps above add to a public page of ``code`` (ocop.public.extensions)."""
    return extensions.render_page_actions(page, code or "")
