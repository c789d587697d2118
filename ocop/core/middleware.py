"""Request-level audit context: an optional reason travels with every change of a request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class AuditReasonMiddleware:
    """Reads the reason for a change from the form field `_reason` or the `X-Audit-Reason` header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = request.headers.get("X-Audit-Reason", "")
        if request.method == "POST" and not reason:
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
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
