"""The language of the public pages: the visitor's, not the officers' working language."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def browser_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The public page in the visitor's language: the switch's cookie, else the browser's
    Accept-Language, else Vietnamese.

    Officers' pages stay Vietnamese whatever the browser says (ocop.core.middleware); a consumer
    on an English-language phone reading a package's QR code should not have to find a switch.
    The cache keys carry the language (``_variant``), and the answer varies on both headers.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapped
