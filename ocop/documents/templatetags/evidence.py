"""`{% evidence_tab object %}`: the "Hồ sơ minh chứng" tab of a producer or product page.

A template tag rather than view code, so the registry views stay untouched: the tab fetches its
own (scoped) documents only when it is the one being shown.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from ocop.core.scoping import ADD, CHANGE, DELETE, VIEW, can, restrict
from ocop.registry.models import Producer, Product

from ..models import EvidenceDocument

register = template.Library()


def _of(owner: Producer | Product) -> QuerySet[EvidenceDocument]:
    """A product's documents plus its producer's general ones, or all of a producer's documents."""
    documents = EvidenceDocument.objects.all()
    if isinstance(owner, Product):
        return documents.filter(Q(product=owner) | Q(producer_id=owner.producer_id, product__isnull=True))
    return documents.filter(producer=owner)


def _rows(user: Any, documents: list[EvidenceDocument]) -> list[tuple[EvidenceDocument, bool, bool]]:
    return [(doc, can(user, CHANGE, doc), can(user, DELETE, doc)) for doc in documents]


@register.inclusion_tag("documents/_evidence_tab.html", takes_context=True)
def evidence_tab(context: template.Context, owner: Producer | Product) -> dict[str, Any]:
    user = context["request"].user
    documents = _of(owner).select_related("producer", "product")
    producer, product = (owner.producer, owner) if isinstance(owner, Product) else (owner, None)
    visible = list(restrict(documents, user, VIEW).order_by("doc_type", "-issue_date", "pk"))
    add_url = reverse("documents:add", args=[producer.pk])
    if product is not None:
        add_url += f"?product={product.pk}"
    return {
        "product": product,
        "own_rows": _rows(user, [d for d in visible if product is None or d.product_id == product.pk]),
        "general_rows": _rows(user, [d for d in visible if d.product_id is None]) if product else [],
        "can_add": can(user, ADD, EvidenceDocument(producer=producer)),
        "add_url": add_url,
    }


@register.simple_tag(takes_context=True)
def evidence_count(context: template.Context, owner: Producer | Product) -> int:
    """How many documents the tab would list (for the tab's badge)."""
    user = context["request"].user
    return restrict(_of(owner), user, VIEW).count()


# --- the product and producer pages' tab (ocop.registry.extensions), from DocumentsConfig.ready() ---


def tab_count(owner: Producer | Product, user: Any) -> int:
    return restrict(_of(owner), user, VIEW).count()


def tab_render(request: Any, owner: Producer | Product) -> tuple[str, int]:
    context = evidence_tab(template.Context({"request": request}), owner)
    html = render_to_string("documents/_evidence_tab.html", context, request=request)
    return html, len(context["own_rows"]) + len(context["general_rows"])
