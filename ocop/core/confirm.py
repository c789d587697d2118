"""Safe irreversible steps: a step that cannot be undone acts only on a POST that carries the
confirmation field. The first click (any form posting to the step) gets a server-rendered page
naming what will happen, with a "Xác nhận" button that posts the same fields again plus the
confirmation field. Nothing is written before that, so it works without JavaScript, and a stray
double-click or a replay of the first form only shows the confirmation page again.

A view calls ``confirmation_page`` when ``is_confirmed(request)`` is false (after checking its own
input, so errors show on the original form). An optional form (a required reason) is rendered on
the confirmation page; its fields are not copied as hidden inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "_confirmed"
CONFIRM_VALUE = "1"
TEMPLATE = "core/confirm.html"
# Never copied into the confirmation form: the token is rendered fresh, the field is added once.
_NOT_COPIED = frozenset({"csrfmiddlewaretoken", CONFIRM_FIELD})


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says: the step, what it acts on, and what will happen."""

    title: str  # the step, as the button that led here names it ("Kết thúc phiên chấm")
    subject: str  # what it acts on ("Hồ sơ “Gạo ST25” — Đợt 1/2026")
    consequences: Sequence[str]  # what happens once confirmed, one sentence each
    cancel_url: str  # back to the page the user came from; nothing is written
    warning: str = ""  # a fact that calls for care (a spread beyond the limit), shown highlighted
    details: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value) rows
    # A reversible way out that keeps the input (e.g. ("save", "Lưu nháp")): a button posting the
    # same fields with this name; the view must give it precedence over the irreversible step.
    alternative: tuple[str, str] | None = None


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, form: Any = None, status: int = 200
) -> HttpResponse:
    """The confirmation step: the posted fields carried as hidden inputs to the same URL, with the
    confirmation field. `form` (bound or not) is shown for input the step needs only now."""
    own = set()
    if form is not None:
        own = {form.add_prefix(name) for name in form.fields}
    hidden = [
        (name, value)
        for name in request.POST
        if name not in _NOT_COPIED and name not in own
        for value in request.POST.getlist(name)
    ]
    context = {
        "confirmation": confirmation,
        "form": form,
        "hidden": hidden,
        "action": request.path,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, TEMPLATE, context, status=status)
