"""The one scoping mechanism: who may view, add, change or delete which objects.

Every view, API endpoint and export goes through it, so a user never sees or changes anything
outside their scope unit's subtree, and a producer only their own organisation's data.

Role policy (per action; "subtree" = the user's scope unit and everything under it):

    role      view          add           change        delete
    admin     everything    everything    everything    everything
    central   everything    everything    everything    -          (national agency; admin deletes)
    province  its province  its province  its province  its province
    commune   its commune   its commune   its commune   -
    council   its province  -             -             -          (the country: the Ministry's council)
    producer  own org.      -             own org.      -
    viewer    its subtree   -             -             -

Anonymous and inactive users get nothing. A model may narrow this policy (see User: commune
officers only read accounts; council, producer and viewer only see themselves).

How a model opts in::

    class Product(Located):
        scope = ScopePaths(province="province", commune="commune", owner="producer")
        objects = RestrictedManager()

    Product.objects.restrict(request.user, "change")        # a queryset
    can(request.user, "delete", product)                    # one object, same rules
    get_restricted_object_or_404(Product.objects, request.user, "change", pk=pk)

Paths are forward-FK lookups: `province` ends at the current-province Unit FK, `commune` at the
current-commune Unit FK, `owner` at the owning organisation FK (registry.Producer). A path the
model lacks means nobody scoped by it sees anything (fail closed).

Fields, on every write (forms, API, imports). Scope is about place *and* role: `ScopePaths` also
says which field places an object (`place`, e.g. "unit"), which fields are derived (`derived`: codes,
derived province/commune, search columns — nobody writes them) and, per role, the only fields that
role may write (`writable`; a role not listed writes every field its action policy allows)::

    scope = ScopePaths(..., place="unit", derived=frozenset({"code"}),
                       writable={PRODUCER: frozenset({"description", "story"})})

    may_write(user, Product, "status")                  # False for a producer account
    can_move(user, product, new_unit)                   # old AND new place in the user's scope
    refused_changes(user, original, edited, reason)     # {field: message} for what may not change

Moving an object (changing its `place`) is an officer's act: the role must be allowed to write the
place field, both the old and the new place must be inside the officer's scope, and the change
needs a reason (it goes to the history as the change reason).

Some fields a role changes only by asking (`by_request`): a producer account asks for a new name,
product set, place, standards or packaging of its recognised product; an officer decides. A direct
write of such a field is refused (`request_message`), the request goes through its own model.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})

# Role values as stored on accounts.User.role (kept as strings: core must not import accounts).
ADMIN, CENTRAL, PROVINCE, COMMUNE, COUNCIL, PRODUCER, VIEWER = (
    "admin",
    "central",
    "province",
    "commune",
    "council",
    "producer",
    "viewer",
)
NATIONAL_ROLES = frozenset({ADMIN, CENTRAL})

POLICY: Mapping[str, frozenset[str]] = {
    ADMIN: ACTIONS,
    CENTRAL: frozenset({VIEW, ADD, CHANGE}),
    PROVINCE: ACTIONS,
    COMMUNE: frozenset({VIEW, ADD, CHANGE}),
    COUNCIL: frozenset({VIEW}),
    PRODUCER: frozenset({VIEW, CHANGE}),
    VIEWER: frozenset({VIEW}),
}


@dataclass(frozen=True)
class ScopePaths:
    """Where a model's objects sit, as field lookups; declared as `scope = ScopePaths(...)`.

    province: lookup to the current-province Unit FK.
    commune:  lookup to the current-commune Unit FK (objects without a commune are province-level).
    owner:    lookup to the owning organisation FK; producers only see objects whose owner is theirs.
    user:     lookup to a user FK (or "pk" on the user model): that user may always do `self_actions`.
    policy:   per-role actions replacing POLICY for this model (roles not listed keep POLICY).
    place:    the field that places an object (a Unit FK); changing it is a move (see can_move).
    derived:  fields nobody writes through a form, the API or an import (computed or automatic).
    writable: per-role whitelists of the fields that role may write (roles not listed: all but derived).
    narrow:   `(user, action) -> Q | None`, a rule of the model ANDed with the area (not with the
              user's own objects): e.g. accounts may only be changed by someone ranked above them.
              Flat `path=value` / `path__in=values` pairs only (can() evaluates it on instances);
              None means nothing.
    by_request: `(user, obj) -> frozenset[str]`, the fields this user changes on this object only
              through a change request an officer decides (e.g. a producer, the identity of its
              recognised product); a direct write of them is refused with a pointer to the request.
    """

    province: str | None = None
    commune: str | None = None
    owner: str | None = None
    user: str | None = None
    self_actions: frozenset[str] = frozenset({VIEW})
    policy: Mapping[str, frozenset[str]] = field(default_factory=dict)
    place: str | None = None
    derived: frozenset[str] = frozenset()
    writable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    narrow: Callable[[Any, str], Q | None] | None = None
    by_request: Callable[[Any, models.Model], frozenset[str]] | None = None

    def actions_for(self, role: str) -> frozenset[str]:
        return self.policy.get(role, POLICY.get(role, frozenset()))


def scope_of(model: type[models.Model]) -> ScopePaths:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, ScopePaths):
        raise ImproperlyConfigured(f"{model.__name__} declares no `scope = ScopePaths(...)`.")
    return scope


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}; expected one of {sorted(ACTIONS)}.")


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def role_can(user: Any, action: str, model: type[models.Model]) -> bool:
    """May this user's role perform `action` on some objects of `model` (e.g. show an "Add" button)?"""
    _check_action(action)
    if not _active(user):
        return False
    scope = scope_of(model)
    return action in scope.actions_for(user.role) or (scope.user is not None and action in scope.self_actions)


def _area_filter(scope: ScopePaths, user: Any) -> Q | None:
    """The objects in the user's scope unit subtree; None when nothing matches (fail closed)."""
    if user.role == PRODUCER:
        # Producers are scoped by organisation, not by area.
        organisation_id = user.organisation_id()
        if scope.owner is None or organisation_id is None:
            return None
        return Q(**{scope.owner: organisation_id})
    if user.role in NATIONAL_ROLES:
        return Q()
    if user.role == COUNCIL and getattr(user, "scope_unit_id", 0) is None:
        # A member of the Ministry's council (central rounds): the country, read as its policy allows.
        return Q()
    commune_id = user.scope_commune_id
    if commune_id is not None:
        return Q(**{scope.commune: commune_id}) if scope.commune else None
    province_id = user.scope_province_id
    if province_id is not None:
        return Q(**{scope.province: province_id}) if scope.province else None
    return None  # a scoped role without a (valid) unit sees nothing


def scope_filter(model: type[models.Model], user: Any, action: str = VIEW) -> Q | None:
    """The Q selecting what `user` may `action` on `model`, or None for nothing at all."""
    _check_action(action)
    if not _active(user):
        return None
    scope = scope_of(model)
    condition = None
    if action in scope.actions_for(user.role):
        condition = _area_filter(scope, user)
        if condition is not None and scope.narrow is not None:
            rule = scope.narrow(user, action)
            condition = None if rule is None else condition & rule
        if condition is not None and not condition:
            return condition  # everything (national roles): OR-ing "self" would narrow it
    if scope.user is not None and action in scope.self_actions:
        own = Q(**{scope.user: user.pk})
        condition = own if condition is None else condition | own
    return condition


def restrict(queryset: models.QuerySet, user: Any, action: str = VIEW) -> models.QuerySet:
    """`queryset` narrowed to the objects `user` may `action`; `.none()` if the role may not."""
    condition = scope_filter(queryset.model, user, action)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition) if condition else queryset


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = VIEW) -> RestrictedQuerySet:
        return restrict(self, user, action)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass


def _resolve(obj: models.Model, path: str) -> Any:
    """The value a lookup path points at on an (possibly unsaved) instance, as a primary key."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    if last == "pk":
        return obj.pk
    model_field = obj._meta.get_field(last)
    if model_field.is_relation and model_field.many_to_one:
        return getattr(obj, model_field.attname)  # the FK id: no query
    value = getattr(obj, last)
    return value.pk if isinstance(value, models.Model) else value


def _matches(obj: models.Model, condition: Q) -> bool:
    # Our conditions are flat: ANDed or ORed `path=value` / `path__in=values` pairs (see scope_filter).
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_matches(obj, child))
        else:
            path, value = child
            if path.endswith("__in"):
                results.append(_resolve(obj, path.removesuffix("__in")) in value)
            else:
                results.append(value is not None and _resolve(obj, path) == value)
    if not results:
        return True
    outcome = any(results) if condition.connector == Q.OR else all(results)
    return not outcome if condition.negated else outcome


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Object-level check with exactly the rules of `restrict` (works on unsaved objects for "add")."""
    condition = scope_filter(type(obj), user, action)
    if condition is None:
        return False
    return _matches(obj, condition)


# --- fields: who may write which field, and who may move an object ---------------------------------


def may_write(user: Any, model: type[models.Model], name: str) -> bool:
    """May this user's role write field `name` of `model` (derived fields: nobody)?

    Only the field-level policy: whether the user may change *this* object is `can(user, "change", obj)`.
    """
    if not _active(user):
        return False
    scope = scope_of(model)
    if name in scope.derived:
        return False
    allowed = scope.writable.get(user.role)
    return allowed is None or name in allowed


def request_only(user: Any, obj: models.Model) -> frozenset[str]:
    """The fields `user` may change on `obj` only by a change request (ScopePaths.by_request)."""
    scope = scope_of(type(obj))
    if scope.by_request is None or not _active(user):
        return frozenset()
    return scope.by_request(user, obj)


def locked_fields(user: Any, model: type[models.Model], names: Iterable[str]) -> list[str]:
    """The names among `names` this user may not write on `model` (in the order given)."""
    return [name for name in names if not may_write(user, model, name)]


def can_move(user: Any, obj: models.Model, new_place: Any) -> bool:
    """May `user` move `obj` (at its current, old place) to `new_place`?

    The role must be allowed to write the place field, and the user must be able to change the
    object both where it is and where it would be. `obj` is not modified.
    """
    scope = scope_of(type(obj))
    if scope.place is None or not may_write(user, type(obj), scope.place):
        return False
    if obj.pk is not None and not can(user, CHANGE, obj):
        return False
    moved = copy.copy(obj)
    setattr(moved, scope.place, new_place)
    locate = getattr(moved, "locate", None)  # Located models derive province/commune from the unit
    if callable(locate):
        locate()
    return can(user, CHANGE if obj.pk is not None else ADD, moved)


def changed_fields(original: models.Model, edited: models.Model) -> list[str]:
    """Names of the concrete, non-derived fields whose values differ between two copies of an object."""
    derived = scope_of(type(original)).derived
    return [
        f.name
        for f in original._meta.concrete_fields
        if not f.primary_key
        and f.name not in derived
        and getattr(original, f.attname) != getattr(edited, f.attname)
    ]


def refused_changes(
    user: Any, original: models.Model, edited: models.Model, reason: str = ""
) -> dict[str, str]:
    """Field name → why `user` may not make this change of `original` into `edited` (empty: allowed).

    Checks every changed field against the role's field policy; a change of place must pass
    can_move() and carry a reason (recorded in the history).
    """
    model = type(original)
    scope = scope_of(model)
    errors: dict[str, str] = {}
    by_request = request_only(user, original)
    for name in changed_fields(original, edited):
        if name in by_request:
            errors[name] = request_message()
        elif name == scope.place and may_write(user, model, name):
            if not can_move(user, original, getattr(edited, name)):
                errors[name] = _(
                    "Chuyển sang địa bàn khác chỉ do cán bộ quản lý cả nơi cũ và nơi mới thực hiện."
                )
            elif not reason.strip():
                errors[name] = _("Chuyển địa bàn cần ghi lý do (ghi vào lịch sử thay đổi).")
        elif not may_write(user, model, name):
            errors[name] = locked_message(user, model, name)
    return errors


def request_message() -> str:
    return _("Thay đổi trường này cần gửi đề nghị thay đổi để cán bộ xã/tỉnh duyệt.")


def locked_message(user: Any, model: type[models.Model], name: str) -> str:
    if name in scope_of(model).derived:
        return _("Trường này được tính tự động, không sửa được.")
    return _("Vai trò của bạn không được sửa trường này.")


def get_restricted_object_or_404(
    queryset: models.QuerySet | models.Manager | type[models.Model],
    user: Any,
    action: str = VIEW,
    **lookup: Any,
) -> models.Model:
    """The object, or Http404 when it doesn't exist *or* is out of scope (existence stays hidden)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager
    queryset = restrict(queryset.all(), user, action)
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def _redirect_to_login(request: HttpRequest) -> Any:
    # Imported late: auth.views pulls in forms that need the app registry (this module loads with models).
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


def request_user(request: HttpRequest) -> Any:
    """The acting user of a page or API request (ninja puts the authenticated user on request.auth)."""
    auth = getattr(request, "auth", None)
    if auth is not None and hasattr(auth, "role"):
        return auth
    return request.user


class RestrictedViewMixin:
    """For class-based views: get_queryset() is restricted for `restrict_action`.

    ListView/DetailView use "view"; set `restrict_action = "change"` on UpdateView, "delete" on
    DeleteView. Out-of-scope objects give 404; a role that may never do the action gets 403.
    """

    restrict_action: str = VIEW
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        model = self.get_queryset_model()
        if not role_can(request.user, self.restrict_action, model):
            if not request.user.is_authenticated:
                return _redirect_to_login(request)
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset_model(self) -> type[models.Model]:
        return getattr(self, "model", None) or self.queryset.model

    def get_queryset(self) -> models.QuerySet:
        return restrict(super().get_queryset(), self.request.user, self.restrict_action)


def role_required(model: type[models.Model], action: str = VIEW) -> Callable[[Callable], Callable]:
    """For function views: login required, then 403 unless the role may `action` some `model` objects.

    The view itself still fetches objects with restrict()/get_restricted_object_or_404().
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return _redirect_to_login(request)
            if not role_can(request.user, action, model):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def restrict_for_request(queryset: models.QuerySet, request: HttpRequest, action: str = VIEW) -> QuerySet:
    """restrict() with the acting user of a page or ninja request (`request.auth` or `request.user`)."""
    return restrict(queryset, request_user(request), action)
