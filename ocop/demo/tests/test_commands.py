"""`ocop demo` (the small dataset and its logins) on an empty or a used database; on a loaded one in
test_demo_accounts.py, the national generator in test_demo.py."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ocop.accounts.models import User
from ocop.demo import data as demo

PROJECT_DIR = Path(__file__).resolve().parents[3]


# --- ocop demo ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings) -> None:
    # The demo hashes a dozen passwords per run; the production hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_demo_if_empty_leaves_a_used_database_alone() -> None:
    User.objects.create_user("someone", password="x-unused-Password-1")
    call_command("demo", "--if-empty", stdout=StringIO())
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]


@pytest.mark.django_db
def test_demo_if_empty_loads_an_empty_database() -> None:
    call_command("demo", "--if-empty", stdout=StringIO())
    assert User.objects.count() == len(demo.DEMO_USERS)


@pytest.mark.django_db
def test_print_logins_only_prints() -> None:
    out = StringIO()
    call_command("demo", "--print-logins", stdout=out)
    assert not User.objects.exists()
    assert "tinh.dongthap" not in out.getvalue()


@pytest.mark.django_db
def test_demo_needs_units() -> None:
    from ocop.geo.models import Unit

    Unit.objects.filter(code="30169").update(code="99999")
    with pytest.raises(CommandError, match="load-units"):
        call_command("demo", stdout=StringIO())
    assert not User.objects.exists()


def test_demo_units_exist_in_the_official_list() -> None:
    from vietnam_provinces import Province, Ward

    names = {f"{int(p.code):02d}": p.name for p in Province.iter_all()}
    names |= {f"{int(w.code):05d}": w.name for w in Ward.iter_all()}
    for code, unit in demo.DEMO_UNITS.items():
        assert names[code] == unit.name


# --- README ---------------------------------------------------------------------------------------


def test_readme_lists_the_demo_logins() -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert f"`{demo.DEMO_PASSWORD}`" in readme
    for account in demo.DEMO_USERS:
        assert f"| `{account.username}` |" in readme, account.username
        assert account.full_name in readme
