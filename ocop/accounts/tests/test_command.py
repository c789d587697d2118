"""`ocop user add|list`: idempotent, and bad input writes nothing and explains itself in Vietnamese."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ocop.accounts.management.commands.user import Command
from ocop.accounts.models import Role, User
from ocop.geo.models import Structure, Unit


def run(*argv: str) -> tuple[int, str, str]:
    """Run like the console script does: exit code, stdout, stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    command = Command(stdout=stdout, stderr=stderr)
    try:
        command.run_from_argv(["ocop", "user", *argv])
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(autouse=True)
def keep_test_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # run_from_argv closes connections at the end, which would break the test's transaction.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_add_creates_then_updates(db) -> None:
    code, out, _err = run(
        "add",
        "lan",
        "--role",
        "commune",
        "--unit",
        "00004",
        "--password",
        "Mật-khẩu-dài-2026",
        "--email",
        "lan@example.vn",
        "--name",
        "Nguyễn Thị Lan",
    )
    assert code == 0 and "Đã tạo" in out
    user = User.objects.get(username="lan")
    assert (user.role, user.scope_unit.code, user.full_name) == (Role.COMMUNE, "00004", "Nguyễn Thị Lan")
    assert user.check_password("Mật-khẩu-dài-2026")
    assert not user.is_staff and not user.is_superuser

    code, out, _err = run(
        "add", "lan", "--role", "province", "--unit", "01", "--password", "Mật-khẩu-mới-2026"
    )
    assert code == 0 and "Đã cập nhật" in out
    assert User.objects.filter(username="lan").count() == 1
    user.refresh_from_db()
    assert (user.role, user.scope_unit.code) == (Role.PROVINCE, "01")
    assert user.email == "lan@example.vn"  # not given: kept
    assert user.check_password("Mật-khẩu-mới-2026")


def test_same_command_twice_is_idempotent(db) -> None:
    args = ("add", "hoa", "--role", "viewer", "--unit", "79", "--password", "Mật-khẩu-dài-2026")
    assert run(*args)[0] == 0
    first = User.objects.values().get(username="hoa")
    assert run(*args)[0] == 0
    second = User.objects.values().get(username="hoa")
    assert {k: v for k, v in first.items() if k != "password"} == {
        k: v for k, v in second.items() if k != "password"
    }


@pytest.mark.parametrize("role", ["admin", "central"])
def test_national_roles_have_no_unit(db, role: str) -> None:
    code, _out, _err = run("add", "tw", "--role", role, "--password", "Mật-khẩu-dài-2026")
    assert code == 0
    user = User.objects.get(username="tw")
    assert user.scope_unit is None
    assert user.is_superuser == user.is_staff == (role == "admin")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "boss", "--unit", "01"), "Vai trò không hợp lệ"),
        (("--role", "province", "--unit", "99999"), "Không tìm thấy đơn vị"),
        (("--role", "province", "--unit", "02"), "đơn vị cũ"),  # Hà Giang: former only
        (("--role", "province", "--unit", "00004"), "cần đơn vị cấp tỉnh"),
        (("--role", "commune", "--unit", "01"), "cần đơn vị cấp xã"),
        (("--role", "council", "--unit", "00004"), "cần đơn vị cấp tỉnh"),
        (("--role", "province"), "cần một đơn vị"),
        (("--role", "admin", "--unit", "01"), "phạm vi toàn quốc"),
        (("--role", "central", "--unit", "00004"), "phạm vi toàn quốc"),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(db, args: tuple[str, ...], message: str) -> None:
    assert Unit.objects.filter(structure=Structure.FORMER, code="02").exists()
    code, out, err = run("add", "sai", *args, "--password", "Mật-khẩu-dài-2026")
    assert code != 0
    assert message in err
    assert out == ""
    assert not User.objects.filter(username="sai").exists()


def test_failed_update_leaves_the_account_unchanged(db) -> None:
    run("add", "minh", "--role", "commune", "--unit", "00004", "--password", "Mật-khẩu-dài-2026")
    code, _out, err = run("add", "minh", "--role", "commune", "--unit", "79", "--password", "khác-hẳn-2026")
    assert code != 0 and "cấp xã" in err
    user = User.objects.get(username="minh")
    assert user.scope_unit.code == "00004"
    assert user.check_password("Mật-khẩu-dài-2026")


def test_list(db) -> None:
    run("add", "an", "--role", "province", "--unit", "01", "--password", "Mật-khẩu-dài-2026")
    run("add", "binh", "--role", "central", "--password", "Mật-khẩu-dài-2026")
    out = io.StringIO()
    call_command("user", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("an\tprovince\t01 ")
    assert lines[1].startswith("binh\tcentral\tToàn quốc")
    out = io.StringIO()
    call_command("user", "list", "--role", "central", stdout=out)
    assert [line.split("\t")[0] for line in out.getvalue().splitlines()] == ["binh"]


def test_is_a_django_command() -> None:
    assert issubclass(Command, BaseCommand)
