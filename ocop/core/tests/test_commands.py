"""`ocop serve`, and the settings documented in the README."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ocop.core.management.commands import serve

PROJECT_DIR = Path(__file__).resolve().parents[3]


# --- ocop serve -----------------------------------------------------------------------------------


def test_gunicorn_options_are_production_grade() -> None:
    options = serve.gunicorn_options("0.0.0.0:9000", workers=3, threads=4)
    assert options["bind"] == ["0.0.0.0:9000"]
    assert (options["workers"], options["threads"], options["worker_class"]) == (3, 4, "gthread")
    assert options["accesslog"] == "-"
    assert options["graceful_timeout"] > 0 and options["timeout"] > options["graceful_timeout"]
    assert options["control_socket_disable"] is True
    # fair under load: a process accepts only what its threads can serve, one request a connection
    assert options["worker_connections"] == 4 and options["keepalive"] == 0
    # recycled against slow leaks, but not every few seconds under a burst of QR scans
    assert 5000 <= options["max_requests"] - options["max_requests_jitter"] < options["max_requests"]


def test_serve_defaults_to_two_threads_a_process(monkeypatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert serve.default_workers() == 3
    parser = serve.Command().create_parser("ocop", "serve")
    assert parser.parse_args([]).threads == 2


def test_gunicorn_accepts_every_option() -> None:
    app = serve.OcopServer(serve.gunicorn_options("127.0.0.1:9001", workers=2, threads=2))
    assert app.cfg.workers == 2
    assert app.cfg.threads == 2
    assert (app.cfg.worker_connections, app.cfg.keepalive) == (2, 0)
    assert app.cfg.bind == ["127.0.0.1:9001"]
    assert app.cfg.accesslog == "-"


def test_warm_up_prepares_the_workers_without_the_database() -> None:
    # No django_db mark: pytest-django makes any database access here an error (a connection
    # opened by the master would be shared by the forked workers).
    import gc

    from django.template import engines
    from django.urls import get_resolver
    from django.utils import translation

    try:
        serve.warm_up()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    engine = engines["django"].engine
    # The project's templates are compiled and cached (the cached loader keeps them)...
    loader = engine.template_loaders[0]
    assert "public/verify.html" in loader.get_template_cache
    # ...and the URL reversal tables are built for every language.
    with translation.override("en"):
        assert "en" in get_resolver()._reverse_dict


def test_default_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert serve.default_workers() == 3
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert serve.default_workers() == 5


@pytest.mark.parametrize("bind", ["8000", "localhost", ":8000", "127.0.0.1:http", "127.0.0.1:70000"])
def test_bad_bind_is_refused(bind: str) -> None:
    with pytest.raises(CommandError):
        serve.parse_bind(bind)


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "0.0.0.0:80", "[::1]:8000", "ocop.local:8443"])
def test_bind(bind: str) -> None:
    assert serve.parse_bind(bind) == bind


@pytest.fixture
def manifest_storage(settings, tmp_path: Path) -> Path:
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_serve_refuses_to_start_without_static(manifest_storage: Path, monkeypatch) -> None:
    monkeypatch.setattr(serve.OcopServer, "run", lambda self: pytest.fail("the server must not start"))
    with pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", "--no-collectstatic", stdout=StringIO())


@pytest.mark.django_db
def test_serve_collects_static_when_missing(manifest_storage: Path, monkeypatch) -> None:
    # The real collectstatic runs in test_serve_end_to_end; here only the decision matters.
    collected: list[str] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kwargs: collected.append(name))
    started: list[dict] = []
    monkeypatch.setattr(serve.OcopServer, "run", lambda self: started.append(self.options))
    out = StringIO()
    call_command("serve", "--bind", "127.0.0.1:9002", "--workers", "2", stdout=out)
    assert collected == ["collectstatic"]
    assert started[0]["bind"] == ["127.0.0.1:9002"]
    assert started[0]["workers"] == 2
    assert "127.0.0.1:9002" in out.getvalue()


@pytest.mark.django_db
def test_serve_starts_a_task_worker_unless_told_not_to(monkeypatch) -> None:
    monkeypatch.setattr(serve, "static_manifest_exists", lambda: True)
    servers: list[serve.OcopServer] = []
    monkeypatch.setattr(serve.OcopServer, "run", lambda self: servers.append(self))
    call_command("serve", stdout=StringIO())
    call_command("serve", "--no-worker", stdout=StringIO())
    assert [server.worker for server in servers] == [True, False]
    assert serve.worker_command()[-5:] == ["ocop.manage", "db_worker", "--no-reload", "--interval", "1"]


def test_the_worker_stops_with_the_server(monkeypatch, tmp_path: Path) -> None:
    # A stand-in for db_worker that, like it, ends on SIGTERM; gunicorn itself is not started.
    ready = tmp_path / "ready"
    script = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(0)); "
        f"pathlib.Path({str(ready)!r}).touch(); time.sleep(120)"
    )
    monkeypatch.setattr(serve, "worker_command", lambda: [sys.executable, "-c", script])
    workers = []
    real_start = serve.start_worker
    monkeypatch.setattr(serve, "start_worker", lambda: workers.append(real_start()) or workers[-1])

    def gunicorn_stops(self) -> None:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert workers[0].poll() is None  # running alongside the server
        raise SystemExit(0)  # what gunicorn does on SIGTERM or Ctrl+C

    monkeypatch.setattr(serve.BaseApplication, "run", gunicorn_stops)
    with pytest.raises(SystemExit):
        serve.OcopServer(serve.gunicorn_options("127.0.0.1:9003", 1, 1), worker=True).run()
    assert workers[0].returncode == 0  # stopped by SIGTERM, not killed


def test_a_stuck_worker_is_killed() -> None:
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print(1, flush=True); time.sleep(120)"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    worker.stdout.readline()  # SIGTERM is ignored from now on
    serve.stop_worker(worker, timeout=0.5)
    assert worker.returncode == -9


@pytest.mark.django_db
def test_serve_refuses_zero_workers(monkeypatch) -> None:
    monkeypatch.setattr(serve.OcopServer, "run", lambda self: pytest.fail("the server must not start"))
    with pytest.raises(CommandError):
        call_command("serve", "--workers", "0", stdout=StringIO())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# One opener for every poll: building one loads the CA certificates (0.1 s of CPU each time, and
# the start-up is polled every 0.3 s).
_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with _OPENER.open(url, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.slow
def test_serve_end_to_end(tmp_path: Path) -> None:
    """The real thing: gunicorn in a subprocess, pages from Django, static files from whitenoise."""
    env = {
        **os.environ,
        "OCOP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "ocop.settings",
    }
    manage = [sys.executable, "-m", "ocop.manage"]
    subprocess.run(
        [*manage, "migrate", "--noinput", "-v0"], env=env, cwd=PROJECT_DIR, check=True, timeout=120
    )
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        # collectstatic (compression) runs first; a loaded 2-core machine may take minutes.
        deadline = time.monotonic() + 600
        while True:
            try:
                status, headers, _body = _get(f"http://127.0.0.1:{port}/")
                break
            except (ConnectionError, urllib.error.URLError):
                if server.poll() is not None or time.monotonic() > deadline:
                    server.terminate()
                    pytest.fail(f"ocop serve did not start:\n{server.communicate(timeout=120)[0]}")
                time.sleep(0.3)
        assert status == 200  # the public home (ocop.public.views.home), which links the login
        assert 'href="/accounts/login/"' in _body.decode()
        status, headers, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200
        assert 'lang="vi"' in body.decode()
        # The page links hashed static names, and whitenoise serves them with a long cache lifetime.
        links = [part.split('"')[0] for part in body.decode().split('href="')[1:]]
        css = next(link for link in links if link.startswith("/static/") and link.endswith(".css"))
        assert css.count(".") >= 2, css
        status, headers, _body = _get(f"http://127.0.0.1:{port}{css}")
        assert status == 200
        assert "max-age=315360000" in headers.get("Cache-Control", "")
    finally:
        server.terminate()
        output = server.communicate(timeout=120)[0]
    assert server.returncode == 0, output
    assert '"GET /accounts/login/ HTTP/1.1" 200' in output  # access log on stdout
    # The background task worker ran alongside, and stopped with the server.
    worker_pid = int(output.split("db_worker")[1].split("pid ")[1].split(")")[0])
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)
    # The first start collected the static files: hashed names only, compressed, but not the source
    # maps (settings.WHITENOISE_*).
    static = tmp_path / "static"
    assert list(static.glob("vendor/bootstrap/bootstrap.min.*.css.br"))
    assert not (static / "vendor" / "bootstrap" / "bootstrap.min.css").exists()
    assert list(static.rglob("*.map")) and not list(static.rglob("*.map.br"))


def test_the_core_app_runs_its_own_config() -> None:
    """ocop.core's ready() (PostgreSQL session settings, the blank choice of selects) runs only when
    Django picks CoreConfig, which it does only while ocop.core.apps holds a single AppConfig."""
    from django.apps import apps

    from ocop.core.apps import CoreConfig

    assert type(apps.get_app_config("core")) is CoreConfig


# --- README ---------------------------------------------------------------------------------------


def test_readme_documents_every_setting_read_from_the_environment() -> None:
    import re

    source = (PROJECT_DIR / "ocop" / "settings.py").read_text()
    names = set(
        re.findall(
            r"""(?:environ\.get|environ\[|env_bool|env_list|env_int)\(?\s*["']([A-Z][A-Z0-9_]+)["']""", source
        )
    )
    assert "DATABASE_URL" in names  # the pattern still finds them
    readme = (PROJECT_DIR / "README.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md does not document {missing}"
