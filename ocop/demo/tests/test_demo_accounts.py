"""`ocop demo` on a database it has loaded (run once for the module, ``demo_loaded``): every role in
four provinces, a second run changes nothing, and the logins it prints."""

from io import StringIO

from django.core.management import call_command

from ocop.accounts.models import Role, User
from ocop.demo import data as demo


def test_demo_creates_every_role_in_four_provinces(demo_loaded) -> None:
    users = User.objects.filter(username__in=[d.username for d in demo.DEMO_USERS]).select_related(
        "scope_unit__current_province"
    )
    assert users.count() == len(demo.DEMO_USERS)
    assert {u.role for u in users} == set(Role.values)
    provinces = {u.scope_unit.current_province.code for u in users if u.scope_unit}
    assert provinces == {"01", "31", "68", "82"}
    officer = users.get(username="tinh.dongthap")
    assert (officer.role, officer.scope_unit.code, officer.full_name) == (Role.PROVINCE, "82", "Lê Minh Châu")
    assert officer.check_password(demo.DEMO_PASSWORD)
    assert users.get(username="quantri").is_superuser
    assert users.get(username="xa.lapvo").scope_unit.level == "commune"


def test_demo_is_idempotent(demo_loaded) -> None:
    before = list(User.objects.order_by("username").values_list("username", "role", "scope_unit", "password"))
    out = StringIO()
    call_command("demo", stdout=out)
    after = list(User.objects.order_by("username").values_list("username", "role", "scope_unit", "password"))
    assert after == before
    assert "0" in out.getvalue()


def test_print_logins_after_the_demo(demo_loaded) -> None:
    out = StringIO()
    call_command("demo", "--print-logins", stdout=out)
    text = out.getvalue()
    for account in demo.DEMO_USERS:
        assert account.username in text
    assert demo.DEMO_PASSWORD in text
    assert "Tỉnh Đồng Tháp (82)" in text
