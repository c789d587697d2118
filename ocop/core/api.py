"""Shared API conventions: errors are always `{"detail": "<message>"}` in the user's language."""

import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.parser import Parser
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict

from ocop.core.paging import keys_with_count, page_slice

from .text import unclean_path
from .validators import CLEAN_TEXT_MESSAGE

RowsWriter = Callable[[Any, list[Any]], list[dict[str, Any]]]

# Larger integers overflow the databases' 64-bit columns; no list is anywhere near this long.
MAX_OFFSET = 10**9
MAX_ID = 2**63 - 1


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` → `{"items": [...], "count": N}`, with the offset bounded (422, not 500)."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class KeysFirstPagination(Pagination):
    """Pagination for lists whose rows are joined (products, producers): the page's keys first.

    ``rows``: ``(queryset, keys) -> list of dicts``, the page's rows written as the response
    schema would (plain values, same keys in the same order), in the order of ``keys``. With it
    the page is read as values and sent straight as JSON: building 50 products with their units
    as model instances, then validating every field through pydantic and ninja's DjangoGetter, was
    most of the API's time (issue 11). The endpoint keeps its declared schema for the OpenAPI
    document, and a test holds ``rows`` equal to the schema's output.
    """

    def __init__(self, *, rows: RowsWriter | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = rows

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        # The page's keys first, then its rows (ocop.core.paging): 50 rows joined, not every match.
        offset = pagination.offset
        limit: int = min(pagination.limit, self.max_limit)
        if self.rows is None:
            return {
                self.items_attribute: page_slice(queryset, offset, offset + limit),
                "count": self._items_count(queryset),
            }
        count = None
        if request.GET.get("q", "").strip():
            # A search: the keys with the number of matches, one evaluation of its conditions,
            # not a COUNT(*) that runs them again.
            keys, count = keys_with_count(queryset, offset, offset + limit)
        else:
            keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
        items = self.rows(queryset, keys) if keys else []
        if count is None:
            count = self._items_count(queryset)
        return RenderedPage({self.items_attribute: items, "count": count})


class RenderedPage(dict):
    """A page whose rows are already plain values (`KeysFirstPagination` with ``rows``)."""


def paginate_rows(rows: RowsWriter) -> Callable:
    """``@paginate(KeysFirstPagination)`` whose page is written by ``rows`` and sent as JSON as it is.

    ninja's pagination wrapper expects a dict back from the paginator, then validates it against
    the response schema; this answers the `RenderedPage` straight away instead."""

    def decorator(func: Callable) -> Callable:
        paginated = paginate(KeysFirstPagination, rows=rows)(func)

        @wraps(paginated)  # keeps ninja's pagination arguments and schema callback (__dict__)
        def view(request: HttpRequest, **kwargs: Any) -> Any:
            result = paginated(request, **kwargs)
            return json_response(result) if isinstance(result, RenderedPage) else result

        return view

    return decorator


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """``data`` rendered as ninja renders a response (its encoder: dates, decimals, UUIDs)."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), status=status, content_type="application/json; charset=utf-8"
    )


class InputSchema(Schema):
    """Every request body: a field the schema does not know (a typo, or a read-only/derived one such
    as `code`, `current_star`, `count`) is a 422 naming it, never silently ignored."""

    model_config = ConfigDict(extra="forbid")


def extra_field_message() -> str:
    return _("trường không được nhận (chỉ đọc, tính tự động hoặc không có trong lược đồ)")


def reject_unknown_form_fields(
    request: HttpRequest, schema: type[Schema], files: tuple[str, ...] = ()
) -> None:
    """A multipart form: ninja drops the fields a Form schema does not know; refuse them instead."""
    known = set(schema.model_fields) | {"csrfmiddlewaretoken"}
    unknown = [key for key in request.POST if key not in known]
    unknown += [key for key in request.FILES if key not in files]
    if unknown:
        raise HttpError(
            422,
            _("Dữ liệu không hợp lệ — %(errors)s")
            % {"errors": "; ".join(f"{key}: {extra_field_message()}" for key in unknown)},
        )


class ErrorOut(Schema):
    detail: str


def _location(error: dict) -> str:
    # ("query", "limit") → "limit"; body fields keep their path: "body.items.0.name" → "items.0.name"
    parts = [str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body", "form", "payload")]
    return ".".join(parts)


def validation_message(errors: list[dict]) -> str:
    messages = []
    for error in errors:
        where = _location(error)
        if error.get("type") == "extra_forbidden":
            text = extra_field_message()
        else:
            text = error.get("msg", _("Giá trị không hợp lệ"))
        messages.append(f"{where}: {text}" if where else text)
    return _("Dữ liệu không hợp lệ — %(errors)s") % {"errors": "; ".join(messages)}


def unclean_text_error(source: str, path: tuple) -> ValidationError:
    """The 422 of text holding NUL or an unpaired surrogate, located like pydantic's errors."""
    return ValidationError([{"loc": (source, *path), "msg": str(CLEAN_TEXT_MESSAGE), "type": "unclean_text"}])


class CleanTextParser(Parser):
    """ninja's parser, plus the text rule (`core.text.is_clean`) on everything it parses.

    Every JSON body, form and query string of the API goes through here before any schema sees
    it, so a NUL or a lone surrogate is a 422 naming the field, whichever endpoint it is sent to.
    """

    def parse_body(self, request: HttpRequest) -> dict:
        data = super().parse_body(request)
        if (path := unclean_path(data)) is not None:
            # ninja turns any error of parse_body into a 400 "Cannot parse request body"; the
            # HttpError handler below finds this one as the cause and answers 422.
            raise unclean_text_error("body", path)
        return data

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> dict:
        result = super().parse_querydict(data, list_fields, request)
        if (path := unclean_path(result)) is not None:
            raise unclean_text_error("query" if data is request.GET else "form", path[:1])
        return result


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's English defaults with Vietnamese/English messages of the same shape."""

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": _("Không tìm thấy.")}, status=404)

    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Bạn không có quyền thực hiện thao tác này.")}, status=403
        )

    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("Cần đăng nhập: gửi Authorization: Bearer <token>.")}, status=401
        )

    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"detail": validation_message(exc.errors), "errors": exc.errors}, status=422
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, ValidationError):  # CleanTextParser.parse_body's refusal
            return invalid(request, exc.__cause__)
        detail = str(exc)
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _("Không đọc được nội dung yêu cầu: cần JSON hợp lệ (UTF-8).")
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    api.add_exception_handler(Http404, not_found)
    # An id past 64 bits ("/products/99999999999999999999") can't exist; SQLite raises on it.
    api.add_exception_handler(OverflowError, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(ValidationError, invalid)


# --- notifications: each user's own, never anyone else's ------------------------------------------

notifications_router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str = Field(..., description="Tiêu đề theo ngôn ngữ của người dùng")
    text: str
    url: str
    created: datetime
    read_at: datetime | None


class NotificationQuery(Schema):
    unread: bool = Field(False, description="Chỉ thông báo chưa đọc")


@notifications_router.get("/", response=list[NotificationOut], summary="Thông báo của tôi")
@paginate(Pagination)
def list_notifications(request: HttpRequest, filters: Query[NotificationQuery]):  # noqa: ANN201 - paginated
    from .notification_views import own_notifications
    from .scoping import request_user

    notifications = own_notifications(request_user(request))
    return notifications.filter(read_at__isnull=True) if filters.unread else notifications


@notifications_router.post("/{int:notification_id}/read", response=NotificationOut, summary="Đánh dấu đã đọc")
def read_notification(request: HttpRequest, notification_id: int) -> Any:
    from .models import Notification
    from .scoping import CHANGE, get_restricted_object_or_404, request_user

    user = request_user(request)
    notification = get_restricted_object_or_404(
        Notification.objects.filter(user=user), user, CHANGE, pk=notification_id
    )
    notification.mark_read()
    return notification
