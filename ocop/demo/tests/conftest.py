"""Browser journeys: Playwright drives Debian's Chromium (never a downloaded browser).

`.ci/run` runs them with `pytest -m browser`; the default run deselects them (see pyproject).
"""

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from playwright.sync_api import Page, expect

from ocop import conftest
from ocop.conftest import rows_shared_by_a_module
from ocop.core import clock

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


# The day → the in-memory SQLite database just after `ocop demo` ran, and the units it was run on.
_demo_images: dict[dt.date, tuple[sqlite3.Connection, object]] = {}


@pytest.fixture
def demo_accounts(settings) -> None:
    """The demo, for a journey on the live server (its accounts are what a newcomer logs in with).

    On SQLite's in-memory test database the first run is kept as an image, and the next journeys of
    the day start from a copy of it (SQLite's backup API: milliseconds, where the demo takes ~4 s):
    the same rows as if the demo had just run on the units as loaded. Elsewhere it runs each time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        call_command("demo", verbosity=0)
        return
    connection.ensure_connection()
    units = conftest._loaded.get(connection.alias)  # replaced when the units are loaded again
    image, image_units = _demo_images.get(clock.today(), (None, None))
    if image is not None and image_units is units:
        image.backup(connection.connection)
        ContentType.objects.clear_cache()  # the image's content types, not those post_migrate made
        return
    call_command("demo", verbosity=0)
    image = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(image)
    _demo_images[clock.today()] = (image, units)


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
