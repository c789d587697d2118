"""Benchmark: signed-in list pages and the API under load, as ratios to a static file.

    .venv/bin/python bench/signed_in_load.py [--repeat 3] [--duration 10] [--keep DIR]
                                             [--database-url URL] [--threads 2] [--connections 32]
                                             [--workers N] [--server-threads N] [--check]

Needs wrk (`sudo apt-get install -y wrk`). Data: the national dataset (bench/_scratch.py
`national()`) on a scratch SQLite database or on `--database-url` (PostgreSQL). The server is
`ocop serve` itself (as in bench/public_load.py), on a free loopback port.

Thirty-two officers at once: wrk (`-t2 -c32 -d10s --latency`) sends every request with the
session cookie of the central officer `trunguong` (a session created in the database the server
uses, as a login would), each URL in turn and the round repeated (interleaved):

    static                     a hashed static file served by whitenoise (the baseline)
    /registry/products/        the product list, first page of 50 rows
    /registry/products/?q=gao  a search
    /api/v1/products/?q=gao    the same search through the API

Also measured in the same rounds, without a goal (`references`): the login page, anonymous (the
baseline of bench/lists.py) and `/notifications/`, a signed-in page without a list: how many of
these pages the goal's throughput leaves for one list page (`goal_in_these_pages`).

Per URL: throughput ÷ the static file's (per round; median and spread), the p99 latency and the
raw wrk figures. After each URL the script waits until the server is idle again (requests still
queued when wrk stops are not charged to the next URL). Every answer must be 2xx (a redirect to
the login page is an error, counted by a wrk Lua script) with no socket error, or the run fails.
Goals (issue 11): ≥ 0.05× the static
file's throughput, p99 < 1 s, 0 errors; `--check` also exits non-zero when a goal is missed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys

from _scratch import ROOT, database, machine, national, parse_args, start_django
from public_load import WRK_HINT, fetch, free_port, run_wrk, settle, status_script, stop, wait_until_up

PAGES = {
    "products": "/registry/products/",
    "products_q": "/registry/products/?q=gao",
    "api_q": "/api/v1/products/?q=gao",
}
# Measured in the same rounds, without a goal: what the goal means in pages of the login page (the
# list benchmarks' baseline, anonymous) and of a signed-in page without a list.
REFERENCES = {
    "login": ("/accounts/login/", False),
    "notifications": ("/notifications/", True),
}
GOAL_THROUGHPUT = 0.05  # × the static file's
GOAL_P99_MS = 1000.0


def arguments():
    def extra(parser) -> None:
        parser.add_argument("--duration", type=int, default=10, help="seconds per URL and round (wrk -d)")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
        parser.add_argument("--connections", type=int, default=32, help="wrk connections (-c)")
        parser.add_argument("--workers", type=int, help="ocop serve --workers (default: its own)")
        parser.add_argument(
            "--server-threads", type=int, help="ocop serve --threads, threads per worker (default: its own)"
        )
        parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
        parser.set_defaults(repeat=3)

    return parse_args(__doc__.splitlines()[0], extra)


def session_cookie(username: str) -> str:
    """A signed-in session of this user in the database the server reads (no password, no form)."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from ocop.accounts.models import User

    setup_test_environment()
    try:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    finally:
        teardown_test_environment()


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit(WRK_HINT)
    args = arguments()
    directory = start_django(args.keep)
    info = national(args)

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connections

    from ocop.registry.models import Product

    cookie = session_cookie("trunguong")
    paths = {
        "static": staticfiles_storage.url("public/css/public.css"),
        **PAGES,
        **{name: path for name, (path, _signed_in) in REFERENCES.items()},
    }
    anonymous = {name for name, (_path, signed_in) in REFERENCES.items() if not signed_in}
    products = Product.objects.count()
    where = database(directory)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "ocop.manage", "serve", "--bind", f"127.0.0.1:{port}", "--no-worker"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.server_threads:
        command += ["--threads", str(args.server_threads)]
    log_path = directory / "serve-signed-in.log"
    connections.close_all()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )  # inherits OCOP_VAR_DIR and DATABASE_URL from start_django
    headers = (f"Cookie: {cookie}",)
    script = status_script(directory)
    results: dict[str, list[dict]] = {name: [] for name in paths}
    try:
        wait_until_up(base + paths["static"], server)
        for name, path in paths.items():
            status, body = fetch(base + path, headers={} if name in anonymous else {"Cookie": cookie})
            if status != 200:
                sys.exit(f"{path} answered {status}, not 200 (is the session accepted?): nothing to measure")
            info[f"{name}_bytes"] = len(body)
        for name, path in paths.items():  # warm every worker (templates, database pages)
            run_wrk(
                base + path, args, duration=2, headers=() if name in anonymous else headers, script=script
            )
            settle(base + paths["static"])
        for _round in range(args.repeat):
            for name, path in paths.items():
                sent = () if name in anonymous else headers
                results[name].append(run_wrk(base + path, args, headers=sent, script=script))
                settle(base + paths["static"])
    finally:
        stop(server)

    workers = re.search(r"\((\d+) tiến trình × (\d+) luồng\)", log_path.read_text())
    static = results["static"]
    rows = []
    for name in PAGES:
        runs = results[name]
        throughput = sorted(r["rps"] / s["rps"] for r, s in zip(runs, static, strict=True))
        p99 = statistics.median(r["p99_ms"] for r in runs)
        rows.append(
            {
                "url": paths[name],
                "throughput_ratio_median": round(statistics.median(throughput), 4),
                "throughput_ratio_min": round(throughput[0], 4),
                "throughput_ratio_max": round(throughput[-1], 4),
                "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
                "p50_ms_median": round(statistics.median(r["p50_ms"] for r in runs), 1),
                "p99_ms_median": round(p99, 1),
                "p99_ms_max": round(max(r["p99_ms"] for r in runs), 1),
                "goal_met": statistics.median(throughput) >= GOAL_THROUGHPUT
                and max(r["p99_ms"] for r in runs) < GOAL_P99_MS,
                "raw": runs,
            }
        )
    references = {}
    for name in REFERENCES:
        runs = results[name]
        ratio = statistics.median(r["rps"] / s["rps"] for r, s in zip(runs, static, strict=True))
        references[name] = {
            "url": paths[name],
            "signed_in": name not in anonymous,
            "throughput_ratio_median": round(ratio, 4),
            "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
            "p99_ms_median": round(statistics.median(r["p99_ms"] for r in runs), 1),
            # A page at the goal's throughput costs this many of these pages.
            "goal_in_these_pages": round(ratio / GOAL_THROUGHPUT, 2),
            "raw": runs,
        }
    errors = {name: sum(r["non_2xx"] + r["socket_errors"] for r in runs) for name, runs in results.items()}
    report = {
        "machine": machine(),
        "load_average": os.getloadavg(),
        "database": where,
        "products": products,
        "server": "ocop serve --no-worker"
        + (f" ({workers[1]} workers × {workers[2]} threads)" if workers else "")
        + ", locmem cache",
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s, {args.repeat} rounds, "
        "session cookie of trunguong (central officer)",
        "goal": f"≥ {GOAL_THROUGHPUT}× static throughput, p99 < {GOAL_P99_MS:g} ms, 0 errors",
        **info,
        "static": {
            "url": paths["static"],
            "rps_median": round(statistics.median(r["rps"] for r in static), 1),
            "p99_ms_median": round(statistics.median(r["p99_ms"] for r in static), 2),
            "raw": static,
        },
        "results": rows,
        "references": references,
        "errors": errors,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if any(errors.values()):
        sys.exit(f"errors under load (answers not 2xx or socket errors): {errors}")
    if args.check and not all(row["goal_met"] for row in rows):
        sys.exit("goal missed (see goal_met)")


if __name__ == "__main__":
    main()
