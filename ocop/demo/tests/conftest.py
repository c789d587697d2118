"""Browser journeys: Playwright drives Debian's Chromium (never a downloaded browser).

`.ci/run` runs them with `pytest -m browser`; the default run deselects them (see pyproject).
"""

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from ocop.conftest import rows_shared_by_a_module

CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright(request: pytest.FixtureRequest) -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread, and Django then
    refuses ORM calls there. Autouse and session-scoped, so it is in place before Playwright starts;
    only for sessions that run browser tests, so the unit suite keeps Django's safety check."""
    if not any(item.get_closest_marker("browser") for item in request.session.items):
        yield
        return
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# A loaded 2-core CI machine may take far longer than Playwright's 30 s defaults: waits are for
# things to happen, never measures of speed.
expect.set_options(timeout=120_000)


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(180_000)
    return page


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # An officer's browser in Vietnam; Chromium's default en-US would pick English on first visit.
    # A journey that needs another browser (a phone, English) overrides this fixture.
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def demo_accounts(settings) -> None:
    # The demo accounts are what a newcomer logs in with; a fast hasher keeps the setup short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", verbosity=0)


@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    """`ocop demo` run once for every test of a module (4 s on SQLite, 10 s on PostgreSQL), each test
    in a savepoint inside it (ocop.conftest.rows_shared_by_a_module)."""
    with rows_shared_by_a_module(django_db_blocker):
        with django_db_blocker.unblock():
            call_command("demo", verbosity=0)
        yield


@pytest.fixture
def demo_loaded(demo_for_the_module, db, request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):  # a flush would end the module's transaction
        pytest.fail("demo_loaded serves non-transactional tests only")
