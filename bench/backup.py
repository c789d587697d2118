"""Benchmark: `ocop backup` of the national dataset — peak memory and time, as ratios to a baseline.

    .venv/bin/python bench/backup.py [--repeat 3] [--keep DIR] [--producers N --products N]

Data: a scratch SQLite database (never var/) with all administrative units, `ocop demo` and the
national-scale dataset (ocop.demo.scale: 10,000 producers, 20,000 products, ~22,000 certificates,
one history row per record). Run it twice with different sizes (e.g. `--producers 1000 --products
2000` in another --keep directory) to see whether memory grows with the data.

Every measurement runs in a **fresh process** (this script started again with ``--child``), which
reports its own peak resident set size (VmHWM of /proc/self/status: reset by exec, unlike
ru_maxrss, which a forked child inherits from this parent), before and after the operation; the
child times its own operation (after Django has started) and, in a separate run, its peak of
Python allocations (tracemalloc).

Operation: ocop.core.backup.backup(FILE) — what `ocop backup FILE` does: SQLite online-backup
snapshot, every table through the historical models, JSON Lines into a deflated ZIP, the manifest.
Baseline (same run, interleaved, same kind of work without the platform's logic): a process that
starts Django the same way, copies the database with SQLite's online backup API and deflates the
copy into a ZIP (a file-level backup). Its peak RSS is the interpreter with Django loaded plus
streaming buffers: a backup whose memory held the data would show a ratio growing with the data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _scratch import machine, national, parse_args, start_django, summary


def peak_rss() -> int:
    """This process's peak resident set size in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage * (1 if sys.platform == "darwin" else 1024)


def child(kind: str, directory: Path, traced: bool) -> None:
    """One measurement in this (fresh) process; prints {"seconds", "traced_peak_bytes"}."""
    start_django(str(directory))
    import sqlite3
    import tracemalloc
    import zipfile

    from django.db import connection

    from ocop.core.backup import backup

    target = directory / f"{kind}.zip"
    connection.ensure_connection()
    before = peak_rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    if kind == "backup":
        backup(target)
    else:
        copy = directory / "baseline-copy.sqlite3"
        out = sqlite3.connect(copy)
        try:
            connection.connection.backup(out)
        finally:
            out.close()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.write(copy, "db.sqlite3")
        copy.unlink()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    size = target.stat().st_size
    target.unlink()
    report = {"seconds": seconds, "traced_peak_bytes": peak, "archive_bytes": size}
    print(json.dumps({**report, "peak_rss_before_bytes": before, "peak_rss_bytes": peak_rss()}))


def measure(kind: str, directory: Path, traced: bool = False) -> dict:
    """Run one child in a fresh process; returns its report."""
    command = [sys.executable, __file__, "--child", kind, "--keep", str(directory)]
    if traced:
        command.append("--traced")
    done = subprocess.run(command, stdout=subprocess.PIPE, env=os.environ.copy(), check=True)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def main() -> None:
    if "--child" in sys.argv:
        kind = sys.argv[sys.argv.index("--child") + 1]
        directory = Path(sys.argv[sys.argv.index("--keep") + 1])
        child(kind, directory, "--traced" in sys.argv)
        return
    args = parse_args(__doc__.splitlines()[0], lambda p: p.set_defaults(repeat=3))
    directory = start_django(args.keep)
    info = national(args)

    from django.apps import apps
    from django.db import connection

    from ocop.certification.models import Certificate
    from ocop.registry.models import Producer, Product

    sizes = {
        "producers": Producer.objects.count(),
        "products": Product.objects.count(),
        "certificates": Certificate.objects.count(),
    }
    total_rows = 0
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            total_rows += model._base_manager.count()
    connection.close()

    runs: dict[str, list[dict]] = {"backup": [], "baseline": []}
    for _i in range(args.repeat):
        for kind in ("baseline", "backup"):
            runs[kind].append(measure(kind, directory))
    traced = {kind: measure(kind, directory, traced=True) for kind in ("baseline", "backup")}

    def mib(value: float) -> float:
        return round(value / 2**20, 1)

    rss = {kind: sorted(r["peak_rss_bytes"] for r in runs[kind]) for kind in runs}
    rss_ratios = sorted(b / a for b, a in zip(rss["backup"], rss["baseline"], strict=True))
    report = {
        "machine": machine(),
        "database": f"SQLite (scratch, {directory})",
        "database_bytes": (directory / "bench.sqlite3").stat().st_size,
        **sizes,
        "rows_in_database": total_rows,
        **info,
        "archive_bytes": runs["backup"][0]["archive_bytes"],
        "results": [
            summary(
                "backup() time ÷ SQLite copy + deflate",
                [r["seconds"] for r in runs["backup"]],
                [r["seconds"] for r in runs["baseline"]],
            ),
            {
                "name": "backup() peak RSS ÷ baseline process peak RSS",
                "ratio_median": round(rss_ratios[len(rss_ratios) // 2], 2),
                "ratio_min": round(rss_ratios[0], 2),
                "ratio_max": round(rss_ratios[-1], 2),
                "backup_peak_rss_mib": [mib(v) for v in rss["backup"]],
                "baseline_peak_rss_mib": [mib(v) for v in rss["baseline"]],
                "rss_before_operation_mib": [mib(r["peak_rss_before_bytes"]) for r in runs["backup"]],
            },
            {
                "name": "tracemalloc peak (Python allocations during the operation)",
                "backup_mib": mib(traced["backup"]["traced_peak_bytes"]),
                "baseline_mib": mib(traced["baseline"]["traced_peak_bytes"]),
                "backup_seconds_traced": round(traced["backup"]["seconds"], 1),
            },
        ],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
