"""Clean errors everywhere (issue 9): the text rule on every input, JSON for every error under
/api/, 503 + Retry-After while the database is down or locked, one line from `ocop` without it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django import forms
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from ocop.accounts.models import ApiToken, User
from ocop.core import errors, tabular
from ocop.core.errors import ErrorMiddleware, database_unavailable, server_error
from ocop.core.forms import CleanTextMixin
from ocop.core.text import is_clean, unclean_path
from ocop.registry.forms import ProducerForm
from ocop.registry.models import Producer

PROJECT_DIR = Path(__file__).resolve().parents[3]
PRODUCERS = "/api/v1/producers/"
RULE = "ký tự NUL"


# --- the text rule --------------------------------------------------------------------------------


def test_the_text_rule() -> None:
    assert is_clean("Hợp tác xã Đắk Lắk 😀\t\n")
    assert not is_clean("a\x00b") and not is_clean("a\ud800") and not is_clean("\udfff")
    assert unclean_path({"a": ["ok", {"name": "x\x00"}]}) == ("a", 1, "name")
    assert unclean_path({"k\ud800": 1}) == ("k\ud800",)
    assert unclean_path({"a": [1, None, True, "ok"]}) is None


def _all_forms(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_forms(sub)
    return found


def test_every_form_of_the_platform_applies_the_text_rule() -> None:
    import ocop.urls  # noqa: F401 - imports every app's views and so their forms

    ours = {
        form
        for form in _all_forms(forms.BaseForm)
        if form.__module__.startswith("ocop.")
        and ".tests." not in form.__module__
        and not form.__module__.endswith(".admin")
    }
    assert len(ours) > 15
    assert [f"{f.__module__}.{f.__qualname__}" for f in ours if not issubclass(f, CleanTextMixin)] == []


@pytest.mark.parametrize("bad", ["HTX\x00Rau", "HTX \ud800"])
def test_a_form_refuses_nul_and_lone_surrogates(db, bad: str) -> None:
    admin = User.objects.create_user(username="lan", role="admin")
    form = ProducerForm(data={"name": bad, "producer_type": "HTX"}, actor=admin)
    assert not form.is_valid()
    assert RULE in " ".join(form.errors["name"])


def test_a_page_form_refuses_nul_and_stores_nothing(db) -> None:
    admin = User.objects.create_superuser("quantri", "q@example.vn", "mat-khau-dai-123", role="admin")
    client = Client()
    client.force_login(admin)
    response = client.post(reverse("registry:producer_add"), {"name": "HTX\x00", "producer_type": "HTX"})
    assert response.status_code == 200 and RULE in response.content.decode()
    assert not Producer.objects.exists()


@pytest.fixture
def bearer(db) -> dict[str, str]:
    admin = User.objects.create_user(username="api-admin", role="admin")
    _token, key = ApiToken.issue(admin)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "HTX\\u0000Rau", "producer_type": "HTX", "unit_code": "00004"}',
        '{"name": "HTX \\ud800", "producer_type": "HTX", "unit_code": "00004"}',
    ],
)
def test_the_api_refuses_nul_and_lone_surrogates_naming_the_field(client: Client, bearer, body: str) -> None:
    response = client.post(PRODUCERS, body, content_type="application/json", **bearer)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"].startswith("Dữ liệu không hợp lệ — name: ")
    assert RULE in response.json()["detail"]
    assert not Producer.objects.exists()


def test_the_api_refuses_nul_in_query_parameters(client: Client, bearer) -> None:
    response = client.get(PRODUCERS + "?q=%00", **bearer)
    assert response.status_code == 422 and response.json()["detail"].startswith("Dữ liệu không hợp lệ — q: ")


def test_a_broken_json_body_is_a_400_in_vietnamese(client: Client, bearer) -> None:
    response = client.post(PRODUCERS, "{not json", content_type="application/json", **bearer)
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_nul_in_an_address_or_a_query_string_is_a_400(db) -> None:
    client = Client()
    response = client.get("/san-pham/?q=%00")
    assert response.status_code == 400 and RULE in response.content.decode()
    response = client.get("/v/AB%00CD")
    assert response.status_code == 400
    response = client.get("/api/v1/public/certificates/AB%00CD")
    assert response.status_code == 400 and RULE in response.json()["detail"]


def test_an_imported_cell_with_nul_is_a_row_error(monkeypatch) -> None:
    cells = [["Tên", "Mã"], ["HTX\x00Rau", "1"], ["Bình \ud800", "2"], ["Tốt", "3"]]
    monkeypatch.setattr(tabular, "_spreadsheet_cells", lambda data: cells)
    rows = tabular.read_rows(b"anything", "tep.xlsx")
    assert [row["Tên"] for row in rows] == ["HTXRau", "Bình ", "Tốt"]
    assert [(e.row, e.column) for row in rows for e in row.errors] == [(2, "Tên"), (3, "Tên")]
    assert RULE in str(rows[0].errors[0])
    spec = tabular.Spec([tabular.Column("Tên", "name"), tabular.Column("Mã", "code")])
    keyed = spec.read(b"anything", "tep.xlsx")
    assert [len(values.errors) for _number, values in keyed] == [1, 1, 0]


def test_a_producer_import_reports_the_row(db, monkeypatch) -> None:
    from ocop.registry.io.importing import import_file
    from ocop.registry.io.specs import PRODUCER_SPEC

    header = PRODUCER_SPEC.headers
    row = {c.key: "" for c in PRODUCER_SPEC.columns} | {"name": "HTX\x00", "producer_type": "HTX"}
    cells = [header, [row[c.key] for c in PRODUCER_SPEC.columns]]
    monkeypatch.setattr(tabular, "_spreadsheet_cells", lambda data: cells)
    result = import_file("producers", b"x", "tep.xlsx", user=None)
    assert not result.ok and any(RULE in e.message and e.row == 2 for e in result.errors)
    assert not Producer.objects.exists()


# --- JSON for every error under /api/ -------------------------------------------------------------


def test_unknown_api_address_and_wrong_method_answer_json(client: Client, bearer) -> None:
    response = client.get("/api/v2/nothing")
    assert response.status_code == 404 and response.json() == {"detail": "Không tìm thấy."}
    response = client.put("/api/v1/units/", "{}", content_type="application/json", **bearer)
    assert response.status_code == 405 and response.json()["detail"] and "GET" in response["Allow"]


def test_a_too_big_body_is_413_json(client: Client, bearer) -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        body = json.dumps({"name": "x" * 5000, "producer_type": "HTX"})
        response = client.post(PRODUCERS, body, content_type="application/json", **bearer)
        assert response.status_code == 413 and response.json()["detail"] == "Dữ liệu gửi lên quá lớn."
        admin = User.objects.get()
        page = Client()
        page.force_login(admin)
        response = page.post(reverse("registry:producer_add"), {"name": "x" * 5000})
        assert response.status_code == 413 and "quá lớn" in response.content.decode()


def test_csrf_failure_under_api_is_403_json(db) -> None:
    admin = User.objects.create_user(username="lan", role="admin")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(PRODUCERS, "{}", content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]
    response = errors.csrf_failure(RequestFactory().post("/api/v1/x"), reason="no token")
    assert response.status_code == 403 and "CSRF" in json.loads(response.content)["detail"]


def test_a_disallowed_host_is_400_json(db) -> None:
    response = Client().get("/api/v1/units/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json() == {"detail": "Yêu cầu không hợp lệ."}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 412, 413, 422, 429, 500, 503])
def test_any_html_error_under_api_becomes_json(rf: RequestFactory, status: int) -> None:
    page = HttpResponse("<html>Lỗi</html>", status=status)
    page["Retry-After"] = "7"
    middleware = ErrorMiddleware(lambda request: page)
    response = middleware(rf.get("/api/v1/anything"))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(response.content)["detail"] == str(errors.MESSAGES[status])
    assert response["Retry-After"] == "7"
    assert middleware(rf.get("/san-pham/")) is page  # pages stay pages


def test_an_unexpected_error_under_api_is_500_json(client: Client, bearer, monkeypatch) -> None:
    from ocop.geo import api as geo_api

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(geo_api.Unit.objects, "select_related", boom)
    response = Client(raise_request_exception=False).get("/api/v1/units/", **bearer)
    assert response.status_code == 500 and response.json()["detail"].startswith("Lỗi hệ thống")


def test_english_messages(client: Client) -> None:
    client.cookies["django_language"] = "en"
    assert client.get("/api/v2/nothing").json() == {"detail": "Not found."}


# --- the database down or locked ------------------------------------------------------------------


def _locked() -> OperationalError:
    try:
        raise OperationalError("database is locked") from sqlite3.OperationalError("database is locked")
    except OperationalError as error:
        return error


def test_which_database_errors_mean_try_again() -> None:
    import psycopg

    assert database_unavailable(_locked())
    refused = psycopg.OperationalError("connection failed: Connection refused")
    try:
        raise OperationalError(str(refused)) from refused
    except OperationalError as error:
        assert database_unavailable(error)
    try:
        raise OperationalError("no such table: x") from sqlite3.OperationalError("no such table: x")
    except OperationalError as error:
        assert not database_unavailable(error)  # a bug, not an outage: stays a 500


def _fail_with(error: Exception):
    def fail(*args, **kwargs):
        raise error

    return fail


def test_a_locked_database_answers_503_with_retry_after(db, bearer, monkeypatch) -> None:
    from ocop.geo import api as geo_api

    monkeypatch.setattr(geo_api.Unit.objects, "select_related", _fail_with(_locked()))
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/units/", **bearer)
    assert response.status_code == 503 and response["Retry-After"] == str(errors.RETRY_AFTER)
    assert response.json()["detail"].startswith("Cơ sở dữ liệu tạm thời")

    # A page's view: the same 503, as the standalone page.
    request = RequestFactory().get("/san-pham/")
    response = ErrorMiddleware(lambda r: HttpResponse()).process_exception(request, _locked())
    assert response.status_code == 503 and "Hệ thống tạm thời gián đoạn" in response.content.decode()


def test_the_503_page_for_people(db, monkeypatch) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    # The session is read by a middleware, before any view: the handler answers the same way.
    monkeypatch.setattr(SessionStore, "load", _fail_with(_locked()))
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 503 and response["Retry-After"] == str(errors.RETRY_AFTER)
    html = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in html and "<script" not in html
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 503 and response.json()["detail"]


def test_server_error_handler_without_a_database_error(rf: RequestFactory) -> None:
    try:
        raise _locked()
    except OperationalError:
        assert server_error(rf.get("/")).status_code == 503
    assert server_error(rf.get("/api/v1/x")).status_code == 500


@pytest.mark.django_db(transaction=True)
def test_a_really_locked_sqlite_database(bearer, settings) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    # The test database is in memory with a shared cache: a second connection holding a write
    # transaction locks it for everyone else at once.
    name = connection.settings_dict["NAME"]
    holder = sqlite3.connect(
        name if name.startswith("file:") else f"file:{name}", uri=True, isolation_level=None
    )
    client = Client(raise_request_exception=False)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("DELETE FROM django_session")
        body = json.dumps({"name": "HTX", "producer_type": "HTX", "unit_code": "00004"})
        response = client.post(PRODUCERS, body, content_type="application/json", **bearer)
        assert response.status_code == 503 and response["Retry-After"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    response = client.post(PRODUCERS, body, content_type="application/json", **bearer)
    assert response.status_code == 201  # recovered by itself


# --- commands without a database ------------------------------------------------------------------


@pytest.mark.parametrize("command", [["serve", "--no-collectstatic", "--bind", "127.0.0.1:1"], ["migrate"]])
def test_a_command_without_its_database_says_so_in_one_line(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    env = {
        **os.environ,
        "OCOP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/x",
        "PYTHONPATH": str(PROJECT_DIR),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "ocop.manage", *command],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "không kết nối được cơ sở dữ liệu 127.0.0.1:1/x" in lines[0]
    assert "Cannot reach the database" in lines[0]
