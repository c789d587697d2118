"""`ocop serve`: the production web server (gunicorn + whitenoise), also used by `make run`.

Gunicorn is driven through its programmatic API so that the same settings apply everywhere
(a newcomer's laptop, CI and each app server behind the reverse proxy).

By default it also starts one `ocop db_worker` child process, which runs the background tasks
(spreadsheet imports, notification e-mails), and stops it with the server; `--no-worker` when the
worker runs as its own service (systemd) or on another host.
"""

import gc
import os
import signal
import subprocess
import sys
from argparse import ArgumentParser
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.urls import URLResolver
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_THREADS = 2
# A task still running when the server stops gets this long to finish (then the worker is killed;
# an import's transaction is rolled back).
WORKER_STOP_SECONDS = 30


def default_workers() -> int:
    # gthread workers: one process per core plus one spare keeps a 2-core host busy without
    # swapping; two threads each absorb slow clients (more threads only shared the same cores and
    # stretched every answer). WEB_CONCURRENCY is the usual platform override.
    if env := os.environ.get("WEB_CONCURRENCY"):
        return max(1, int(env))
    return min((os.cpu_count() or 1) + 1, 8)


def gunicorn_options(bind: str, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn configuration; a plain dict so that tests can check it without starting a server."""
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # A process takes a connection only when one of its threads is free, and closes it after
        # the answer: waiting requests queue in the kernel, shared by all processes, and go to the
        # first free one. With keep-alive, each connection stayed with the process that accepted
        # it, however busy: 32 officers at once waited 2–3 s at p99 behind one process while another
        # idled (0.7–1.0 s now; bench/signed_in_load.py, bench/README.md). A client that sends
        # nothing still frees its thread after 5 s (gunicorn's wait for data).
        "worker_connections": threads,
        "keepalive": 0,
        # Slow requests (PDF or spreadsheet exports) finish; stuck workers are replaced.
        "timeout": 120,
        "graceful_timeout": 30,
        # Recycle workers now and then so a slow leak never takes a server down; not so often that
        # recycling is a cost of its own: at ~1,800 QR pages a second, every ~2,000 requests was a
        # new worker every ~3 s, each starting with an empty page cache and flushing its scan
        # counters on exit (p99 of /v/ on PostgreSQL 48 → 29 ms at 10,000; bench/README.md).
        "max_requests": 10000,
        "max_requests_jitter": 1000,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"',
        "proc_name": "ocop",
        # Django is already loaded by this command; workers share its memory after fork.
        "preload_app": True,
        # Several servers may run on one host (tests, clones): the control socket would clash.
        "control_socket_disable": True,
    }
    if os.path.isdir("/dev/shm"):
        # Heartbeat files on tmpfs: a slow or full disk must not make workers look dead.
        options["worker_tmp_dir"] = "/dev/shm"
    return options


def worker_command() -> list[str]:
    """The background worker: the same interpreter and settings (the environment is inherited)."""
    return [sys.executable, "-m", "ocop.manage", "db_worker", "--no-reload", "--interval", "1"]


def start_worker() -> subprocess.Popen:
    # Its own session: Ctrl+C in the terminal reaches only the server, which then stops the worker
    # with one SIGTERM (a second signal would make db_worker abandon its task).
    return subprocess.Popen(worker_command(), start_new_session=True)


def stop_worker(worker: subprocess.Popen, timeout: float = WORKER_STOP_SECONDS) -> None:
    """SIGTERM (db_worker finishes the task it is running), then SIGKILL after `timeout` seconds."""
    if worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _populate_resolvers(resolver: URLResolver) -> None:
    # reverse() fills these per resolver and language on first use (~0.1 s for the whole URLconf).
    resolver.reverse_dict  # noqa: B018 (the access populates)
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _populate_resolvers(pattern)


def warm_up() -> None:
    """Do in the master, once, the work each worker would otherwise do in its first requests.

    A worker forked cold spent ~0.3 s on its first public page (translation catalogues, URL
    reversal tables, template compilation, lazy imports), and the requests queued behind it waited
    as long; and its first full garbage collection walked every object inherited from the master
    (~0.25 s). With workers recycled every ~2,000 requests that was the p99 of /v/ and /p/ under load
    (bench/public_load.py). No database access: the forked workers must not share a connection.
    """
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            _populate_resolvers(get_resolver())
    for engine in engines.all():
        getattr(engine, "engine", engine).template_context_processors  # noqa: B018 (imports them)
        for directory in engine.template_dirs:
            root = Path(directory)
            if not root.is_relative_to(settings.BASE_DIR):
                continue  # the project's own templates; third-party ones compile when first used
            for path in root.rglob("*.html"):
                with suppress(TemplateDoesNotExist, TemplateSyntaxError):
                    engine.get_template(path.relative_to(root).as_posix())
    # Everything loaded so far lives as long as the process: out of the garbage collector's sight,
    # a worker's full collections no longer walk (and copy, after fork) the whole of Django.
    gc.collect()
    gc.freeze()


class OcopServer(BaseApplication):
    """Gunicorn application serving ocop.wsgi:application with the options above; with `worker`,
    a db_worker child process runs alongside and is stopped with the server."""

    def __init__(self, options: dict[str, Any], worker: bool = False) -> None:
        self.options = options
        self.worker = worker
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.urls import get_resolver

        from ocop.wsgi import application

        # Import the URLconf (every app's views, the API and its schemas: ~0.6 s) here, before the
        # workers fork, not in each worker's first request: workers are recycled every ~2,000
        # requests, and every cold start showed in the public pages' p99 (bench/public_load.py).
        get_resolver().url_patterns  # noqa: B018 (the access imports it)
        warm_up()
        return application

    def run(self) -> None:
        # The master must not hand an open database connection (from the checks) to its forked workers.
        connections.close_all()
        worker = start_worker() if self.worker else None
        if worker is not None:
            print(_("Tác vụ nền: db_worker đang chạy (pid %(pid)d).") % {"pid": worker.pid}, flush=True)
        try:
            super().run()  # returns, or raises SystemExit, when gunicorn stops
        finally:
            if worker is not None:
                stop_worker(worker)


def static_manifest_exists() -> bool:
    # CompressedManifestStaticFilesStorage cannot render a page without its manifest.
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest is None:
        return True
    return os.path.exists(os.path.join(settings.STATIC_ROOT, manifest))


def pending_migrations() -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def parse_bind(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(_("Địa chỉ không hợp lệ: %(bind)s (cần dạng HOST:PORT)") % {"bind": value})
    return value


class Command(BaseCommand):
    help = _("Chạy máy chủ web cho môi trường thật (gunicorn, tệp tĩnh qua whitenoise).")
    requires_system_checks = ["__all__"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--bind",
            default=os.environ.get("OCOP_BIND", DEFAULT_BIND),
            help=_("HOST:PORT (mặc định %(d)s)") % {"d": DEFAULT_BIND},
        )
        parser.add_argument(
            "--workers", type=int, default=None, help=_("Số tiến trình (mặc định: số lõi + 1)")
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=DEFAULT_THREADS,
            help=_("Số luồng mỗi tiến trình (mặc định %(d)s)") % {"d": DEFAULT_THREADS},
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help=_("Dừng với lỗi thay vì tự chạy collectstatic khi thiếu tệp tĩnh"),
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=_(
                "Không khởi động tiến trình chạy tác vụ nền (db_worker) kèm theo, khi nó chạy riêng "
                "(systemd) hoặc ở máy khác"
            ),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        bind = parse_bind(opts["bind"])
        workers = default_workers() if opts["workers"] is None else opts["workers"]
        if workers < 1 or opts["threads"] < 1:
            raise CommandError(_("Số tiến trình và số luồng phải lớn hơn 0."))

        if not static_manifest_exists():
            if opts["no_collectstatic"]:
                raise CommandError(
                    _("Chưa có tệp tĩnh trong %(root)s: hãy chạy `ocop collectstatic --noinput` trước.")
                    % {"root": settings.STATIC_ROOT}
                )
            self.stdout.write(_("Chưa có tệp tĩnh: đang chạy collectstatic…"))
            call_command("collectstatic", interactive=False, verbosity=0)

        if pending := pending_migrations():
            self.stderr.write(
                _("Cảnh báo: còn %(n)d migration chưa áp dụng (%(names)s); hãy chạy `ocop migrate`.")
                % {"n": len(pending), "names": ", ".join(pending[:5])}
            )
        self.stdout.write(
            _("OCOP đang chạy tại http://%(bind)s (%(workers)d tiến trình × %(threads)d luồng).")
            % {"bind": bind, "workers": workers, "threads": opts["threads"]}
        )
        self.stdout.write(_("Nhấn Ctrl+C để dừng."))
        self.stdout.flush()
        OcopServer(gunicorn_options(bind, workers, opts["threads"]), worker=not opts["no_worker"]).run()
