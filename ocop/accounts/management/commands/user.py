"""`ocop user add|list`: create or update accounts from the command line (idempotent)."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts.models import ROLE_UNIT_LEVELS, Role, User, scope_unit_error
from ocop.geo.models import Structure, Unit


class Command(BaseCommand):
    help = "Quản lý tài khoản: `user add` tạo hoặc cập nhật, `user list` liệt kê."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{add,list}")

        add = subcommands.add_parser("add", help="Tạo hoặc cập nhật một tài khoản.")
        add.add_argument("username")
        add.add_argument("--role", required=True, help=f"Một trong: {', '.join(Role.values)}.")
        add.add_argument(
            "--unit", help="Mã đơn vị hiện hành (tỉnh 2 số, xã 5 số); bỏ trống với admin và central."
        )
        add.add_argument("--password", required=True)
        add.add_argument("--email", default=None)
        add.add_argument("--name", default=None, help="Họ và tên.")

        listing = subcommands.add_parser("list", help="Liệt kê tài khoản.")
        listing.add_argument("--role", default=None)
        listing.add_argument("--unit", default=None, help="Mã đơn vị hiện hành.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "add":
            self.add_user(**options)
        else:
            self.list_users(**options)

    def _role(self, role: str) -> str:
        if role not in Role.values:
            raise CommandError(
                _("Vai trò không hợp lệ: “%(role)s”. Các vai trò: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            )
        return role

    def _unit(self, code: str) -> Unit:
        code = code.strip()
        unit = Unit.objects.filter(structure=Structure.CURRENT, code=code).first()
        if unit is None:
            if Unit.objects.filter(structure=Structure.FORMER, code=code).exists():
                message = _("Mã đơn vị “%(code)s” là đơn vị cũ (trước 01/07/2025); hãy dùng mã hiện hành.")
                raise CommandError(message % {"code": code})
            raise CommandError(
                _("Không tìm thấy đơn vị hành chính hiện hành có mã “%(code)s”.") % {"code": code}
            )
        return unit

    def add_user(self, username: str, role: str, unit: str | None, password: str, **options: Any) -> None:
        role = self._role(role)
        scope_unit = None
        if unit:
            if not ROLE_UNIT_LEVELS[role]:
                raise CommandError(
                    _("Vai trò “%(role)s” có phạm vi toàn quốc: không dùng --unit.") % {"role": role}
                )
            scope_unit = self._unit(unit)
        error = scope_unit_error(role, scope_unit)
        if error:
            raise CommandError(f"{error} (--unit)" if ROLE_UNIT_LEVELS[role] else error)

        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
        user.role = role
        user.scope_unit = scope_unit
        user.is_superuser = user.is_staff = role == Role.ADMIN
        user.is_active = True
        if options.get("email") is not None:
            user.email = options["email"].strip()
        if options.get("name") is not None:
            user.full_name = options["name"]
        user.set_password(password)
        try:
            # validate_unique: the username, and an e-mail address no other account has.
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            messages = [f"{field}: {' '.join(errs)}" for field, errs in error.message_dict.items()]
            raise CommandError("; ".join(messages)) from None
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            # An administrator's explicit choice (e.g. demo data): warn, do not refuse.
            self.stderr.write(_("Cảnh báo: mật khẩu yếu — %(why)s") % {"why": " ".join(error.messages)})
        with transaction.atomic():
            user._change_reason = "ocop user add"
            user.save()
        message = (
            _("Đã tạo tài khoản “%(username)s”.") if created else _("Đã cập nhật tài khoản “%(username)s”.")
        )
        self.stdout.write(self.style.SUCCESS(message % {"username": username}))

    def list_users(self, role: str | None, unit: str | None, **options: Any) -> None:
        users = User.objects.select_related("scope_unit").order_by("username")
        if role:
            users = users.filter(role=self._role(role))
        if unit:
            scope = self._unit(unit)
            users = users.filter(scope_unit__in=[scope, *Unit.objects.filter(current_province=scope)])
        for user in users:
            unit_text = (
                f"{user.scope_unit.code} {user.scope_unit.name}" if user.scope_unit else _("Toàn quốc")
            )
            state = "" if user.is_active else _(" (đã khoá)")
            self.stdout.write(f"{user.username}\t{user.role}\t{unit_text}\t{user.full_name}{state}")
