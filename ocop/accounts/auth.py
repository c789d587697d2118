"""API authentication: `Authorization: Bearer <token>` or the browser's logged-in session.

Use `api_auth` as the NinjaAPI's default auth; the authenticated user lands on `request.auth`
(and `request.user`, so the audit history records who made a change through a token).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from ocop.accounts.models import ApiToken

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TokenOrSessionAuth(HttpBearer):
    """Bearer token first; without an Authorization header, the Django session (with CSRF)."""

    # Tells the docs page to send the CSRF token, so "Try it out" works with the browser's session.
    csrf = True

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header)
        if header:
            # A client that sends credentials gets judged on them, never on an ambient cookie.
            scheme, _, key = header.partition(" ")
            if scheme.lower() != self.openapi_scheme:
                return None
            return self.authenticate(request, key.strip())
        return self.authenticate_session(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user

    def authenticate_session(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        # The cookie is sent by the browser on its own, so unsafe methods must prove same-origin intent.
        unsafe = request.method in UNSAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and check_csrf(request) is not None:
            raise HttpError(403, str(_("Yêu cầu bị từ chối: thiếu hoặc sai mã CSRF.")))
        return user


api_auth = TokenOrSessionAuth()
