"""Auth API (`router`, at /api/v1/auth/) and accounts API (`users_router`, at /api/v1/users/)."""

from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from ocop.accounts.auth import api_auth
from ocop.accounts.filtersets import UserFilterSet
from ocop.accounts.models import ApiToken, User
from ocop.core import concurrency
from ocop.core.api import InputSchema, Pagination
from ocop.core.scoping import get_restricted_object_or_404, request_user, restrict

router = Router(tags=["auth"])
users_router = Router(tags=["users"], auth=api_auth)


class UnitRef(Schema):
    code: str
    name: str
    level: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    role: str
    scope_unit: UnitRef | None
    is_active: bool


class MeOut(UserOut):
    scope_label: str
    last_login: datetime | None


class TokenIn(InputSchema):
    username: str
    password: str
    name: str = Field("", max_length=100, description="Tên gợi nhớ của mã truy cập")
    expires_in_days: int | None = Field(
        None, ge=1, le=3650, description="Hết hạn sau số ngày (mặc định: không)"
    )


class TokenOut(Schema):
    token: str


class Message(Schema):
    detail: str


@router.post("/token", auth=None, response={200: TokenOut, 401: Message, 429: Message})
def obtain_token(request: HttpRequest, data: TokenIn):
    """Exchange a username and password for a bearer token (shown only once)."""
    # authenticate() goes through django-axes: failures are counted and locked-out users refused.
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # We answer in JSON ourselves; stop AxesMiddleware from swapping in its HTML page.
            request.axes_locked_out = False
            return 429, {
                "detail": _(
                    "Tài khoản tạm thời bị khoá do đăng nhập sai quá nhiều lần. Vui lòng thử lại sau."
                )
            }
        return 401, {"detail": _("Tên đăng nhập hoặc mật khẩu không đúng.")}
    expires_in = timedelta(days=data.expires_in_days) if data.expires_in_days else None
    _token, key = ApiToken.issue(user, name=data.name, expires_in=expires_in)
    return 200, {"token": key}


@router.get("/me", auth=api_auth, response=MeOut)
def me(request: HttpRequest):
    """The authenticated user: username, role and scope unit."""
    return request_user(request)


@users_router.get("/", response=list[UserOut])
@paginate(Pagination)
def list_users(
    request: HttpRequest,
    q: str | None = None,
    role: str | None = None,
    unit: str | None = Query(None, description="Mã đơn vị hiện hành (tỉnh 2 số, xã 5 số)"),
    is_active: bool | None = None,
):
    """Accounts the caller may see (scoped), filterable by role, unit code and search text."""
    users = restrict(User.objects.select_related("scope_unit"), request_user(request), "view")
    params = {"q": q, "role": role, "unit": unit, "is_active": is_active}
    filterset = UserFilterSet({k: v for k, v in params.items() if v is not None}, queryset=users)
    if not filterset.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    return filterset.qs


@users_router.get("/{int:user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: int, response: HttpResponse):
    """One account; 404 when it does not exist or is outside the caller's scope."""
    user = get_restricted_object_or_404(
        User.objects.select_related("scope_unit"), request_user(request), "view", pk=user_id
    )
    concurrency.set_etag(response, user)
    return user
