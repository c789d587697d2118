"""Shared set-up for the benchmarks: a scratch SQLite database in a temporary directory.

Importing this module points OCOP_VAR_DIR and DATABASE_URL at a temporary directory BEFORE Django
starts, so a benchmark never touches var/ (or a DATABASE_URL exported in the shell). `national()`
migrates the scratch database, loads the administrative units and generates the national-scale
dataset (ocop.demo.scale); `--keep DIR` reuses a directory between runs. `--database-url URL`
runs on that database instead of the scratch SQLite (e.g. PostgreSQL: a database of its own, which
the benchmark migrates and fills; the scratch directory still holds var/ files).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


_database_url: str | None = None


def parse_args(description: str, extra: Callable[[argparse.ArgumentParser], None] | None = None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--keep", metavar="DIR", help="scratch directory to create or reuse (default: a temp dir)"
    )
    parser.add_argument("--producers", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (median and spread reported)")
    if extra:
        extra(parser)
    if "--database-url" not in parser._option_string_actions:  # a script may declare its own
        parser.add_argument(
            "--database-url",
            metavar="URL",
            help="run on this database (e.g. postgres://postgres@127.0.0.1:5432/bench) instead of the scratch"
            " SQLite; it is migrated and filled like the scratch one, and never dropped",
        )
    args = parser.parse_args()
    global _database_url
    _database_url = getattr(args, "database_url", None)  # start_django() uses it, for every script
    return args


def start_django(keep: str | None, database_url: str | None = None) -> Path:
    """Point the settings at a scratch directory and start Django there.

    The database is the scratch directory's SQLite file, or `database_url` when given (a database
    of its own: the benchmark migrates and fills it)."""
    directory = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["OCOP_VAR_DIR"] = str(directory)
    database_url = database_url or _database_url
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    import django

    django.setup()
    if not keep:
        import atexit

        atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def national(args) -> dict[str, float | int]:
    """Migrate, load units, `ocop demo` and the national dataset (skipped when already there)."""
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from ocop.demo import scale as demo_scale
    from ocop.geo.loading import load_units
    from ocop.geo.models import Unit

    info: dict[str, float | int] = {}
    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        # Pages render with the production static storage (hashed names from the manifest).
        call_command("collectstatic", interactive=False, verbosity=0)
    if not Unit.objects.exists():
        load_units()
    if not demo_scale.generated_exists():
        # Demo accounts only: a fast hasher keeps the set-up short (the benchmark logs in without passwords).
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        call_command("demo", verbosity=0, stdout=StringIO())
        started = time.perf_counter()
        result = demo_scale.generate(producers=args.producers, products=args.products, seed=args.seed)
        info["generation_s"] = round(time.perf_counter() - started, 1)
        info["certificates"] = result.certificates
    return info


def database(directory: Path) -> str:
    """What the benchmark ran on, for the report (vendor and version; the scratch directory)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(connection.vendor, connection.vendor)
    where = str(directory) if connection.vendor == "sqlite" else connection.settings_dict["NAME"]
    return f"{name} {version} (scratch, {where})"


database_label = database


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _i in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def summary(name: str, operation: list[float], baseline: list[float]) -> dict[str, object]:
    """Median ratio operation ÷ baseline (pairs measured side by side) and its spread."""
    ratios = sorted(o / b for o, b in zip(operation, baseline, strict=True))
    return {
        "name": name,
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_min": round(ratios[0], 2),
        "ratio_max": round(ratios[-1], 2),
        "operation_ms_median": round(statistics.median(operation) * 1000, 1),
        "baseline_ms_median": round(statistics.median(baseline) * 1000, 2),
        "raw_operation_ms": [round(t * 1000, 1) for t in operation],
        "raw_baseline_ms": [round(t * 1000, 2) for t in baseline],
    }


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, {platform.system()}"
    )


def allow_test_client() -> None:
    """Let django.test.Client's "testserver" host through ALLOWED_HOSTS.

    Not setup_test_environment(): that also instruments every template render (a signal and a copy
    of the context per template), which inflated a list page's time by a third and more."""
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
