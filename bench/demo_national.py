"""Benchmark: `ocop demo --scale national` on a fresh database, wall clock of the whole command.

    .venv/bin/python bench/demo_national.py [--repeat 1] [--keep DIR] [--database-url URL]

Each repetition starts from a fresh database that is migrated and has all administrative units
(`ocop migrate` + `ocop load-units`, not timed), then runs the command as an operator would, in a
new process: `python -m ocop.manage demo --scale national` (the demo accounts with the configured
password hasher, then 10,000 producers, 20,000 products and ~22,000 certificates with their history
rows). Goal: under 120 s on SQLite, under 180 s on PostgreSQL.

Fresh database per repetition: SQLite — a copy of a template file made once in the scratch
directory; PostgreSQL (`--database-url postgres://…/NAME`) — NAME is dropped and re-created from a
template database NAME_template made once (both are dropped at the end unless --keep is given).

Baseline, interleaved (same process kind, same database): `python -m ocop.manage migrate` on the
fresh database when it is already migrated — Python and Django start-up plus the migration graph,
the fixed cost of any management command. The ratio is for information; the goal is in seconds.
The peak memory (VmHWM) of the command's process is reported too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="scratch directory to create or reuse")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database-url", metavar="URL", help="PostgreSQL database to (re)create and use")
    return parser.parse_args()


def manage(env: dict[str, str], *args: str) -> tuple[float, int]:
    """Run `python -m ocop.manage ARGS` in a new process: (seconds, peak RSS in kB)."""
    started = time.perf_counter()
    # The child reports its own peak (VmHWM): ru_maxrss of RUSAGE_CHILDREN would be the largest child.
    code = (
        "import runpy, sys, atexit\n"
        "def peak():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM'): sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
        "atexit.register(peak)\n"
        f"sys.argv = ['ocop', *{list(args)!r}]\n"
        "runpy.run_module('ocop.manage', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ocop {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    peaks = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    return seconds, (peaks[-1] if peaks else 0)


class Sqlite:
    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.sqlite3"
        self.run_file = directory / "demo.sqlite3"
        self.label = f"SQLite (scratch, {directory})"

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare_template(self, env: dict[str, str]) -> None:
        if not self.template.exists():
            template_env = {**env, "DATABASE_URL": self.url(self.template)}
            manage(template_env, "migrate", "--verbosity", "0")
            manage(template_env, "load-units")

    def fresh(self) -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.run_file}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.run_file)
        return self.url(self.run_file)

    def cleanup(self) -> None:
        pass


class Postgres:
    def __init__(self, url: str) -> None:
        self.parts = urlsplit(url)
        self.name = self.parts.path.lstrip("/")
        self.template_name = f"{self.name}_template"
        self.label = f"PostgreSQL ({self.name})"

    def url(self, name: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{name}"))

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def prepare_template(self, env: dict[str, str]) -> None:
        template = f'"{self.template_name}"'
        self.admin(f"DROP DATABASE IF EXISTS {template}", f"CREATE DATABASE {template}")
        template_env = {**env, "DATABASE_URL": self.url(self.template_name)}
        manage(template_env, "migrate", "--verbosity", "0")
        manage(template_env, "load-units")
        self.label += f", server {self.version()}"

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.url(self.template_name)) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]

    def fresh(self) -> str:
        self.admin(
            f'DROP DATABASE IF EXISTS "{self.name}"',
            f'CREATE DATABASE "{self.name}" TEMPLATE "{self.template_name}"',
        )
        return self.url(self.name)

    def cleanup(self) -> None:
        for name in (self.name, self.template_name):
            self.admin(f'DROP DATABASE IF EXISTS "{name}"')


def main() -> None:
    args = parse_args()
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OCOP_VAR_DIR": str(directory), "PYTHONPATH": str(ROOT)}
    database = Postgres(args.database_url) if args.database_url else Sqlite(directory)
    database.prepare_template(env)
    commands, baselines, peaks = [], [], []
    try:
        for _i in range(args.repeat):
            run_env = {**env, "DATABASE_URL": database.fresh()}
            seconds, _peak = manage(run_env, "migrate", "--verbosity", "0")
            baselines.append(seconds)
            seconds, peak = manage(run_env, "demo", "--scale", "national", "--verbosity", "0")
            commands.append(seconds)
            peaks.append(peak)
    finally:
        if not args.keep:
            database.cleanup()
            shutil.rmtree(directory, ignore_errors=True)
    ratios = sorted(c / b for c, b in zip(commands, baselines, strict=True))
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}",
        "database": database.label,
        "operation": "ocop demo --scale national (fresh database: migrated, units loaded)",
        "seconds_median": round(statistics.median(commands), 1),
        "seconds_min": round(min(commands), 1),
        "seconds_max": round(max(commands), 1),
        "goal_seconds": 180 if args.database_url else 120,
        "peak_rss_mb_max": round(max(peaks) / 1024),
        "baseline": "ocop migrate on the migrated database (start-up cost of a command)",
        "baseline_seconds_median": round(statistics.median(baselines), 2),
        "ratio_median": round(statistics.median(ratios), 1),
        "raw_seconds": [round(s, 1) for s in commands],
        "raw_baseline_seconds": [round(s, 2) for s in baselines],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
