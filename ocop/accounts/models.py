"""Users with one role and one scope unit (the country, a current province or a current commune)."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ocop.core import scoping
from ocop.core.audit import AuditedHistory
from ocop.core.scoping import ACTIONS, ADD, CHANGE, DELETE, VIEW, RestrictedQuerySet, ScopePaths


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    CENTRAL = "central", _("Cơ quan OCOP trung ương")
    PROVINCE = "province", _("Cơ quan OCOP cấp tỉnh")
    COMMUNE = "commune", _("Cán bộ cấp xã")
    COUNCIL = "council", _("Thành viên hội đồng")
    PRODUCER = "producer", _("Chủ thể OCOP")
    VIEWER = "viewer", _("Chỉ xem")


# Which unit levels each role's scope unit may have; an empty set means the whole country (no unit).
ROLE_UNIT_LEVELS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(),
    Role.CENTRAL: frozenset(),
    Role.PROVINCE: frozenset({"province"}),
    Role.COMMUNE: frozenset({"commune"}),
    Role.COUNCIL: frozenset({"province"}),
    Role.PRODUCER: frozenset({"province", "commune"}),
    Role.VIEWER: frozenset({"province", "commune"}),
}
# Roles that may also have no unit: a council member of a province, or of the Ministry (central rounds).
NATIONAL_ALLOWED: frozenset[str] = frozenset({Role.COUNCIL})

# Who stands above whom when managing accounts. Nobody manages an account ranked equal to or above
# their own, nor hands out such a role, except the system administrator, who manages everyone
# (the admin is edited only by an admin). Which accounts an officer manages at all, and where, is
# the User scope policy below: central everywhere, a province officer in their province.
ROLE_RANK: dict[str, int] = {
    Role.ADMIN: 4,
    Role.CENTRAL: 3,
    Role.PROVINCE: 2,
    Role.COMMUNE: 1,
    Role.COUNCIL: 0,
    Role.PRODUCER: 0,
    Role.VIEWER: 0,
}
# Roles that manage accounts (User scope policy: add/change); the others only see themselves.
_MANAGERS = frozenset({Role.ADMIN, Role.CENTRAL, Role.PROVINCE})


def manageable_roles(actor) -> tuple[str, ...]:
    """Roles of the accounts `actor` may create, edit, (de)activate or hand out: those ranked below."""
    if actor is None or not getattr(actor, "is_active", False) or actor.role not in _MANAGERS:
        return ()
    if actor.role == Role.ADMIN:
        return tuple(Role.values)
    return tuple(role for role in Role.values if ROLE_RANK[role] < ROLE_RANK[actor.role])


def _manage_rule(actor, action: str) -> models.Q | None:
    """The User scope's rank rule (ocop.core.scoping ScopePaths.narrow): seeing is by area only;
    adding, changing and deleting an account need its role ranked below the actor's."""
    if action == VIEW or getattr(actor, "role", None) == Role.ADMIN:
        return models.Q()
    roles = manageable_roles(actor)
    return models.Q(role__in=roles) if roles else None


def scope_unit_error(role: str, unit) -> str | None:
    """Why `unit` cannot be the scope unit of a `role` user (Vietnamese), or None when it fits."""
    if role not in ROLE_UNIT_LEVELS:
        return _("Vai trò không hợp lệ: %(role)s.") % {"role": role}
    levels = ROLE_UNIT_LEVELS[role]
    label = Role(role).label
    if unit is None and role in NATIONAL_ALLOWED:
        return None
    if not levels:
        if unit is not None:
            return _("Vai trò “%(role)s” có phạm vi toàn quốc, không gắn với đơn vị hành chính.") % {
                "role": label
            }
        return None
    if unit is None:
        return _("Vai trò “%(role)s” cần một đơn vị phạm vi.") % {"role": label}
    if not unit.is_current:
        return _("Đơn vị “%(unit)s” thuộc cấu trúc hành chính cũ; hãy chọn đơn vị hiện hành.") % {
            "unit": unit
        }
    if unit.level not in levels:
        if levels == {"province"}:
            return _("Vai trò “%(role)s” cần đơn vị cấp tỉnh.") % {"role": label}
        if levels == {"commune"}:
            return _("Vai trò “%(role)s” cần đơn vị cấp xã.") % {"role": label}
        return _("Vai trò “%(role)s” cần đơn vị cấp tỉnh hoặc cấp xã.") % {"role": label}
    return None


LAST_ADMIN_DELETE = _("Đây là tài khoản quản trị hệ thống cuối cùng còn hoạt động: không thể xoá.")
EMAIL_TAKEN = _(
    "Địa chỉ thư điện tử này đã thuộc về một tài khoản khác (không phân biệt chữ hoa, chữ thường); "
    "mỗi địa chỉ chỉ dùng cho một tài khoản."
)


class LastAdminError(ValidationError):
    """Deleting these accounts would leave no active system administrator."""


def email_in_use(email: str | None, *, exclude_pk: int | None = None, using: str | None = None) -> bool:
    """Whether another account already has ``email`` (case-insensitive; a blank address is never taken).

    Two accounts sharing an address would both receive its password-reset links: whoever reads that
    mailbox could take over the other account. Enforced by validation (``User.validate_unique``,
    so every form, the Django admin and ``ocop user``; the manager for ``createsuperuser``), not by a
    database constraint: installations may already hold duplicates (see the ``accounts.W001`` check).
    """
    email = (email or "").strip()
    if not email:
        return False
    others = User._base_manager.db_manager(using).filter(email__iexact=email)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


class UserQuerySet(RestrictedQuerySet):
    def delete(self):
        """Refused (``LastAdminError``) when it would delete every active system administrator."""
        with transaction.atomic(using=self.db):
            refuse_removing_last_admin(self.values_list("pk", flat=True), using=self.db)
            return super().delete()


def removes_last_admin(pks, using: str | None = None, lock: bool = False) -> bool:
    """Whether deleting the accounts ``pks`` would leave no active admin (there is one now).
    ``lock`` (inside a transaction): hold the admins' rows until it ends, so two deletions of two
    admins at the same time cannot both pass."""
    admins = User._base_manager.db_manager(using).filter(role=Role.ADMIN, is_active=True)
    if lock:
        admins = admins.select_for_update()
    active = set(admins.values_list("pk", flat=True))
    return bool(active) and active <= set(pks)


def refuse_removing_last_admin(pks, using: str | None = None) -> None:
    """Raises ``LastAdminError`` (call inside the deleting transaction)."""
    if removes_last_admin(pks, using=using, lock=True):
        raise LastAdminError(LAST_ADMIN_DELETE, code="last_admin")


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    def _refuse_taken_email(self, email: str | None) -> None:
        if email_in_use(email, using=self.db):
            raise ValidationError({"email": EMAIL_TAKEN}, code="unique")

    def create_user(self, username, email=None, password=None, **extra_fields):
        self._refuse_taken_email(email)
        return super().create_user(username, email, password, **extra_fields)

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` makes a system administrator: the admin role has the whole country.
        # Its e-mail is checked here (the command validates fields, not uniqueness).
        self._refuse_taken_email(email)
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    # None means the whole country (admin, central); otherwise a current-structure province or commune.
    scope_unit = models.ForeignKey(
        "geo.Unit",
        verbose_name=_("đơn vị phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        limit_choices_to={"structure": "current"},
    )
    # Vietnamese names are written family name first; one field avoids first/last ordering problems.
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    # The chủ thể a "producer" account acts for: it scopes that account to the organisation's records.
    producer = models.ForeignKey(
        "registry.Producer",
        verbose_name=_("chủ thể"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )

    objects = ScopedUserManager()
    history = AuditedHistory(excluded_fields=["password", "last_login"])
    # No `updated` column: an account's version (core.concurrency) is a digest of its fields, less
    # those that change without an edit (signing in) or are never edited by a form shown to others.
    version_ignored_fields = ("password", "last_login")

    # Accounts are objects too: province officers manage their province's accounts, commune
    # officers only read their commune's, everyone else only sees their own account.
    scope = ScopePaths(
        province="scope_unit__current_province",
        commune="scope_unit",
        user="pk",
        narrow=_manage_rule,
        policy={
            Role.CENTRAL: frozenset({VIEW, ADD, CHANGE}),
            Role.PROVINCE: frozenset(ACTIONS),
            Role.COMMUNE: frozenset({VIEW}),
            Role.COUNCIL: frozenset(),
            Role.PRODUCER: frozenset(),
            Role.VIEWER: frozenset(),
        },
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    def clean(self) -> None:
        super().clean()
        if self.role not in Role.values:
            raise ValidationError({"role": _("Vai trò không hợp lệ.")})
        error = scope_unit_error(self.role, self.scope_unit)
        if error:
            raise ValidationError({"scope_unit": error})
        if self.is_last_admin() and not (self.role == Role.ADMIN and self.is_active):
            raise ValidationError(
                _(
                    "Đây là tài khoản quản trị hệ thống cuối cùng còn hoạt động: "
                    "không thể hạ vai trò hay khoá."
                )
            )

    def validate_unique(self, exclude=None) -> None:
        """Django's unique checks, plus: no other account has this e-mail address (``email_in_use``)."""
        errors: dict = {}
        try:
            super().validate_unique(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "email" not in (exclude or ()) and email_in_use(self.email, exclude_pk=self.pk):
            errors.setdefault("email", []).append(ValidationError(EMAIL_TAKEN, code="unique"))
        if errors:
            raise ValidationError(errors)

    def delete(self, using=None, keep_parents=False):
        """Refused (``LastAdminError``) for the last active system administrator."""
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            refuse_removing_last_admin([self.pk], using=using)
            return super().delete(using=using, keep_parents=keep_parents)

    def is_last_admin(self) -> bool:
        """Whether the stored account is the only active admin (by the database, not this instance)."""
        if self.pk is None:
            return False
        stored = type(self)._base_manager.filter(pk=self.pk, role=Role.ADMIN, is_active=True)
        if not stored.exists():
            return False
        others = type(self)._base_manager.filter(role=Role.ADMIN, is_active=True).exclude(pk=self.pk)
        return not others.exists()

    def save(self, *args, **kwargs) -> None:
        if self.role == Role.ADMIN:
            self.is_staff = self.is_superuser = True
        super().save(*args, **kwargs)

    # --- scope helpers (used by ocop.core.scoping) ---

    @property
    def is_national(self) -> bool:
        """Whether the scope is the whole country (admin, central, a council member of the Ministry)."""
        if self.role == Role.COUNCIL:
            return self.scope_unit_id is None
        return self.role in scoping.NATIONAL_ROLES

    @property
    def scope_province_id(self) -> int | None:
        """Id of the current province of the scope unit (None for the whole country)."""
        unit = self.scope_unit
        if unit is None:
            return None
        return unit.id if unit.level == "province" else unit.current_province_id

    @property
    def scope_commune_id(self) -> int | None:
        """Id of the scope unit when it is a commune."""
        unit = self.scope_unit
        return unit.id if unit is not None and unit.level == "commune" else None

    @cached_property
    def scope_province(self):
        """The current province of the scope unit (None for the whole country)."""
        unit = self.scope_unit
        if unit is None:
            return None
        return unit if unit.level == "province" else unit.current_province

    @property
    def scope_commune(self):
        """The scope unit when it is a commune, else None."""
        return self.scope_unit if self.scope_commune_id else None

    @property
    def scope_label(self) -> str:
        return str(self.scope_unit) if self.scope_unit_id else str(_("Toàn quốc"))

    def organisation_id(self) -> int | None:
        """The producer organisation (registry.Producer) this user acts for; None: sees no org data."""
        return self.producer_id

    def assignable_roles(self) -> tuple[str, ...]:
        """Roles this user may give to accounts it creates or edits (those ranked below its own)."""
        return manageable_roles(self)

    def may_manage(self, target: "User") -> bool:
        """May this user edit, (de)activate, re-role or reset `target` (rank and scope, as stored)?"""
        return scoping.can(self, CHANGE, target)


LAST_USED_PRECISION = timedelta(minutes=1)  # ApiToken.last_used is written at most this often


def _hash_key(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough (no brute force possible).
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(user__is_active=True).filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=now)
        )


class ApiToken(models.Model):
    """A bearer key for the API; only its SHA-256 is stored, the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("người dùng"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # First characters of the key, to tell tokens apart in lists without revealing them.
    prefix = models.CharField(_("tiền tố"), max_length=8, editable=False)
    created = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)
    expires = models.DateTimeField(_("hết hạn"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    history = AuditedHistory(excluded_fields=["key_hash", "last_used"])

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: User, name: str = "", expires_in: timedelta | None = None) -> tuple["ApiToken", str]:
        """Create a token; returns it with the plain key, which is never stored."""
        key = secrets.token_urlsafe(32)
        expires = timezone.now() + expires_in if expires_in else None
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_key(key), prefix=key[:8], expires=expires
        )
        return token, key

    @classmethod
    def authenticate(cls, key: str) -> User | None:
        """The active user owning a valid, unexpired `key`, recording its use; otherwise None."""
        if not key:
            return None
        # key_hash is unique: no ordering needed for the one row.
        token = cls.objects.usable().select_related("user").filter(key_hash=_hash_key(key)).order_by().first()
        if token is None:
            return None
        now = timezone.now()
        # To the minute: a script calling the API in a loop would otherwise write (and, on SQLite,
        # take the database's write lock) on every request. update(): no history row, no race.
        if token.last_used is None or now - token.last_used >= LAST_USED_PRECISION:
            cls.objects.filter(pk=token.pk).update(last_used=now)
        return token.user

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()


__all__ = [
    "ADD",
    "EMAIL_TAKEN",
    "LAST_ADMIN_DELETE",
    "CHANGE",
    "DELETE",
    "ROLE_RANK",
    "VIEW",
    "ApiToken",
    "LastAdminError",
    "Role",
    "User",
    "email_in_use",
    "manageable_roles",
    "removes_last_admin",
    "scope_unit_error",
]
