"""`{% load dossiers %}`: the "Hồ sơ đánh giá" tab of a product page and the dossier status badge.

A template tag rather than registry view code (as the evidence tab does), so the registry views
stay untouched: the tab fetches its own scoped dossiers only when it is the one being shown.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from ocop.core.scoping import ADD, VIEW, can, restrict

from ..models import Dossier
from ..tables import commune_deadline_text, dossier_status_badge

register = template.Library()


def _visible(product: Any, user: Any) -> QuerySet[Dossier]:
    return restrict(Dossier.objects.filter(product=product), user, VIEW)


@register.inclusion_tag("evaluation/includes/product_dossiers.html", takes_context=True)
def product_dossiers_tab(context: template.Context, product: Any) -> dict[str, Any]:
    user = context["request"].user
    dossiers = _visible(product, user).select_related("round__province").order_by("-created", "-pk")
    return {
        "product": product,
        "dossiers": list(dossiers),
        "can_add": can(user, ADD, Dossier(product=product)),
        "add_url": f"{reverse('evaluation:dossier_add')}?product={product.pk}",
    }


@register.simple_tag(takes_context=True)
def dossier_count(context: template.Context, product: Any) -> int:
    """How many dossiers the tab would list (for the tab's badge)."""
    return _visible(product, context["request"].user).count()


@register.simple_tag
def dossier_status(dossier: Dossier) -> str:
    """The status badge: words on a colour (the same as in the dossier list)."""
    return dossier_status_badge(dossier)


@register.simple_tag
def dossier_deadline(dossier: Dossier) -> str:
    """The commune's deadline as dd/mm/yyyy, red with "quá hạn" when it has passed."""
    return commune_deadline_text(dossier)


# --- the product page's tab (ocop.registry.extensions), registered by EvaluationConfig.ready() ---


def product_tab_count(product: Any, user: Any) -> int:
    return _visible(product, user).count()


def product_tab_render(request: Any, product: Any) -> tuple[str, int]:
    context = product_dossiers_tab(template.Context({"request": request}), product)
    html = render_to_string("evaluation/includes/product_dossiers.html", context, request=request)
    return html, len(context["dossiers"])
