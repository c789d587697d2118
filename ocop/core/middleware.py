"""Request-level audit context: an optional reason travels with every change of a request."""

import re
from collections.abc import Callable
from contextlib import suppress
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
API_PREFIX = "/api/"


def header_text(value: str) -> str:
    """The text of a header sent as UTF-8 bytes or percent-encoded UTF-8 ("S%E1%BB%ADa").

    WSGI hands header values over as Latin-1 strings (PEP 3333), so "Sửa" arrives as "Sá»\\xada";
    its bytes are decoded again as UTF-8 when they are valid UTF-8 (a real Latin-1 "é" is not).
    """
    # Fails on text already decoded (characters beyond Latin-1: a test client) or real Latin-1.
    with suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    if _PERCENT_ESCAPE.search(value):
        value = unquote(value, encoding="utf-8", errors="replace")
    return value


class AuditReasonMiddleware:
    """Reads the reason for a change from the form field `_reason` or the `X-Audit-Reason` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = header_text(request.headers.get("X-Audit-Reason", ""))
        # Only HTML forms carry `_reason`. Reading request.POST of an API call would consume a
        # multipart body before django-ninja reads request.body (RawPostDataException, a 500).
        if request.method == "POST" and not reason and not request.path.startswith(API_PREFIX):
            reason = request.POST.get("_reason", "")
        request.audit_reason = reason.strip()[:500]
        return self.get_response(request)


class LanguageMiddleware:
    """Vietnamese unless the user chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer on an
    English-language browser would land in English; the platform's working language is Vietnamese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        # override(), not activate(): the thread's language is restored after the response, so a
        # request in English never leaks into work the same thread does next (tasks, tests).
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
