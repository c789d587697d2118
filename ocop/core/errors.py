"""Clean errors everywhere: JSON `{"detail"}` for every error under /api/, an HTML page for people,
and 503 + Retry-After while the database is down or locked.

- `ErrorMiddleware` (first in MIDDLEWARE): refuses addresses and query strings holding NUL (400),
  answers 503 for a database error raised by a view, and turns any error response under /api/
  that is not JSON yet (Django's 405, a CSRF or lock-out page…) into `{"detail"}`.
- The error handlers of `ocop.urls` (400, 403, 404, 500) and `CSRF_FAILURE_VIEW`: JSON under
  /api/, the templates elsewhere; an oversized body is a 413, a database error raised by a
  middleware (the session, the user) a 503.

Messages are Vietnamese msgids, in the user's language like the rest of the API (`core.api`).
"""

import logging
import sys
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from .middleware import API_PREFIX
from .text import is_clean
from .validators import CLEAN_TEXT_MESSAGE

logger = logging.getLogger("ocop.errors")

# Seconds a client should wait before trying again after a 503 (the database down or locked).
RETRY_AFTER = 10

MESSAGES = {
    400: gettext_lazy("Yêu cầu không hợp lệ."),
    401: gettext_lazy("Cần đăng nhập: gửi Authorization: Bearer <token>."),
    403: gettext_lazy("Bạn không có quyền thực hiện thao tác này."),
    404: gettext_lazy("Không tìm thấy."),
    405: gettext_lazy("Phương thức này không được hỗ trợ ở địa chỉ này."),
    409: gettext_lazy("Xung đột với trạng thái hiện tại của dữ liệu."),
    412: gettext_lazy("Dữ liệu đã thay đổi kể từ lần đọc trước."),
    413: gettext_lazy("Dữ liệu gửi lên quá lớn."),
    422: gettext_lazy("Dữ liệu không hợp lệ."),
    429: gettext_lazy("Quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại."),
    500: gettext_lazy("Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại sau ít phút."),
    503: gettext_lazy("Cơ sở dữ liệu tạm thời không truy cập được. Vui lòng thử lại sau ít phút."),
}
# Headers an error keeps when it becomes JSON.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Content-Language", "Vary")


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, detail: object = None) -> JsonResponse:
    """`{"detail": …}` with `status`; the standard message of the status when no detail is given."""
    if detail is None:
        detail = MESSAGES.get(status) or _("Lỗi %(status)s.") % {"status": status}
    return JsonResponse(
        {"detail": str(detail)},
        status=status,
        content_type="application/json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


# --- the database down or locked -----------------------------------------------------------------

# PostgreSQL SQLSTATEs of a server that cannot serve now but will: connection exceptions (08),
# insufficient resources (53: too many connections, disk full), operator intervention (57P: shut
# down, restarting), lock not available (55P03).
_PG_UNAVAILABLE = ("08", "53", "57P", "55P03")
# SQLite result codes of a database in use or unreachable (not a missing table: that is a bug).
_SQLITE_UNAVAILABLE = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL"}


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc` says the database is down, unreachable or locked: try again later (503).

    An OperationalError may also be a bug ("no such table" on SQLite), which stays a 500.
    """
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or broken
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    if name := getattr(cause, "sqlite_errorname", None):  # sqlite3 (Python ≥ 3.11)
        return "_".join(name.split("_")[:2]) in _SQLITE_UNAVAILABLE  # SQLITE_BUSY_SNAPSHOT → BUSY
    if "database is locked" in str(cause) or "database table is locked" in str(cause):
        return True
    if hasattr(cause, "sqlstate"):  # psycopg: no SQLSTATE when the connection itself failed
        return cause.sqlstate is None or cause.sqlstate.startswith(_PG_UNAVAILABLE)
    return False


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, a standalone page (no database needed) elsewhere."""
    logger.warning("Database unavailable (%s %s): %s", request.method, request.path, exc)
    if is_api(request):
        response: HttpResponse = json_error(503)
    else:
        # Like 500.html: rendered without the request's context (the menu needs the database).
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


# --- handlers (ocop.urls handler400/403/404/500, settings.CSRF_FAILURE_VIEW) ----------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        if is_api(request):
            return json_error(413)
        return HttpResponse(loader.render_to_string("413.html"), status=413)
    if is_api(request):
        return json_error(400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block: the exception is the one being handled.
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        return unavailable_response(request, exc)
    if is_api(request):
        return json_error(500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        # Like the page (whose forms carry a token): the answer brings the CSRF cookie, so a
        # session client can read it and send X-CSRFToken on its next try.
        get_token(request)
        return json_error(
            403,
            _(
                "Kiểm tra CSRF thất bại: gửi header X-CSRFToken cùng phiên đăng nhập, "
                "hoặc dùng Authorization: Bearer <token>."
            ),
        )
    return django_csrf_failure(request, reason)


# --- the middleware ------------------------------------------------------------------------------


class ErrorMiddleware:
    """Right after LanguageMiddleware (messages in the user's language): it sees every response of
    the layers below; what fails above it goes through the handlers, which answer the same way."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.refuse_unclean(request) or self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            response = self.as_json(response)
        return response

    def refuse_unclean(self, request: HttpRequest) -> HttpResponse | None:
        """NUL in the address or the query string: a 400 before any view looks it up.

        The API's query parameters are left to its parser, which names the parameter (422).
        """
        unclean = not is_clean(request.path)
        if not unclean and not is_api(request):
            unclean = any(not is_clean(v) for key, values in request.GET.lists() for v in [key, *values])
        if not unclean:
            return None
        message = _("Địa chỉ hoặc tham số không hợp lệ: %(rule)s") % {"rule": CLEAN_TEXT_MESSAGE}
        if is_api(request):
            return json_error(400, message)
        # Rendered like Django's 400 page: without the request (no session or user exists yet).
        return HttpResponse(loader.render_to_string("400.html", {"message": message}), status=400)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None

    @staticmethod
    def as_json(response: HttpResponse) -> HttpResponse:
        converted = json_error(response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                converted[header] = response[header]
        converted.cookies = response.cookies
        return converted


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith("json")
