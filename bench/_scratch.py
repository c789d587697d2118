"""Shared set-up for the benchmarks: a scratch SQLite database in a temporary directory.

Importing this module points OCOP_VAR_DIR and DATABASE_URL at a temporary directory BEFORE Django
starts, so a benchmark never touches var/ (or a DATABASE_URL exported in the shell). `national()`
migrates the scratch database, loads the administrative units and generates the national-scale
dataset (ocop.demo.scale); `--keep DIR` reuses a directory between runs.
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
    return parser.parse_args()


def start_django(keep: str | None, database_url: str | None = None) -> Path:
    """Point the settings at a scratch directory and start Django there.

    The database is a SQLite file in that directory, or `database_url` when given (a scratch
    PostgreSQL database the caller created, e.g. postgres://postgres@127.0.0.1:5432/bench_import).
    """
    directory = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["OCOP_VAR_DIR"] = str(directory)
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
