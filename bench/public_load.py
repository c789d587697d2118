"""Benchmark: the public verification and product pages under load, as ratios to a static file.

    .venv/bin/python bench/public_load.py [--repeat 3] [--duration 10] [--keep DIR]
                                          [--threads 2] [--connections 32] [--workers N]

Needs wrk (a loopback HTTP load generator): `sudo apt-get install -y wrk` on Debian/Ubuntu; the
script stops with that hint when it is missing.

Data: a scratch SQLite database (never var/) with all administrative units, the demo and the
national-scale dataset (bench/_scratch.py `national()`: 34 provinces, 10,000 producers, 20,000
products, ~22,000 certificates). The server is `ocop serve` itself (gunicorn gthread, whitenoise,
the default workers × 4 threads, access log on, the per-process page cache) on a free loopback
port, started by this script and stopped at the end.

Measured with wrk (`-t THREADS -c CONNECTIONS -d DURATION --latency`), each URL in turn and the
round repeated (interleaved, so load changes on the machine hit all three alike):

    static   a hashed static file served by whitenoise (/static/public/css/public.….css)
    /v/<code>   the verification page of a valid certificate (a printed QR code), no Referer
    /p/<code>   the product page of that certificate's product

For each page: throughput (requests/s) ÷ the static file's, and p99 latency ÷ the static file's,
per round; the median and the spread are printed with the raw figures. Every response must be
2xx: the answers that are not 2xx (counted by a wrk Lua script) and socket errors are reported and
any error fails the run
(each URL is checked to answer 200, not a redirect, before measuring). The scan analytics run as
in production; the report compares the QR scans counted in ScanCount with the requests answered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import suppress

from _scratch import ROOT, database, machine, national, parse_args, start_django

# Counts every answer that is not 2xx (wrk's own "Non-2xx or 3xx" count misses redirects, e.g. to
# the login page when a session is not accepted) and prints the total over wrk's threads.
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then not_2xx = not_2xx + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("not_2xx") end
  io.write(string.format("Not 2xx: %d\\n", total))
end
"""
WRK_HINT = "wrk is not installed: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu), then re-run."
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def arguments():
    def extra(parser) -> None:
        parser.add_argument("--duration", type=int, default=10, help="seconds per URL and round (wrk -d)")
        parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
        parser.add_argument("--connections", type=int, default=32, help="wrk connections (-c)")
        parser.add_argument("--workers", type=int, help="ocop serve --workers (default: its own)")
        parser.set_defaults(repeat=3)

    return parse_args(__doc__.splitlines()[0], extra)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_up(url: str, server: subprocess.Popen, seconds: int = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"ocop serve exited with code {server.returncode}; see its log")
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"ocop serve did not answer {url} within {seconds} s")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the server's own process group (start_new_session): gunicorn stops gracefully."""
    with suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def settle(url: str, seconds: float = 20.0, quick: float = 0.2) -> None:
    """Wait until the server answers ``url`` quickly twice in a row: wrk stops with requests still
    queued in the server (slow pages), which must not be charged to the next URL measured."""
    deadline = time.monotonic() + seconds
    quick_answers = 0
    while quick_answers < 2 and time.monotonic() < deadline:
        started = time.perf_counter()
        fetch(url)
        quick_answers = quick_answers + 1 if time.perf_counter() - started < quick else 0
        time.sleep(0.1)


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def status_script(directory) -> str:
    """The Lua script above, written to a file for wrk's -s."""
    path = directory / "status.lua"
    path.write_text(STATUS_SCRIPT)
    return str(path)


def run_wrk(
    url: str, args, duration: int | None = None, headers: tuple[str, ...] = (), script: str | None = None
) -> dict[str, float | int]:
    """wrk on one URL; with ``script`` (status_script), every answer that is not 2xx is an error."""
    command = [
        "wrk",
        *(f"-H{header}" for header in headers),
        *(["-s", script] if script else []),
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration or args.duration}s",
        "--latency",
        "--timeout",
        "10s",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    not_2xx = re.search(r"Not 2xx: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if not (requests and rate and p99 and p50):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    return {
        "requests": int(requests[1]),
        "rps": float(rate[1]),
        "p50_ms": milliseconds(p50[1]),
        "p99_ms": milliseconds(p99[1]),
        "non_2xx": max(int(non_2xx[1]) if non_2xx else 0, int(not_2xx[1]) if not_2xx else 0),
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit(WRK_HINT)
    args = arguments()
    directory = start_django(args.keep)
    info = national(args)

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db import connections
    from django.db.models import Sum

    from ocop.certification.models import Certificate
    from ocop.core import clock
    from ocop.public.models import ScanCount
    from ocop.registry.models import Product

    day = clock.today()
    certificate = (
        Certificate.objects.valid_on(day)
        .filter(product__code__isnull=False)
        .select_related("product")
        .order_by("code")
        .first()
    )
    if certificate is None:
        sys.exit("no valid certificate in the scratch database")
    static_path = staticfiles_storage.url("public/css/public.css")
    paths = {
        "static": static_path,
        "verify": f"/v/{certificate.code}",
        "product": f"/p/{certificate.product.code}",
    }

    def scans_counted() -> dict[str, int]:
        """QR hits of the two pages counted so far today (wrk sends no Referer: "qr")."""
        counted = ScanCount.objects.filter(source="qr", day=day)
        pages = {"verify": ("certificate", certificate.pk), "product": ("product", certificate.product_id)}
        return {
            name: counted.filter(kind=kind, object_id=pk).aggregate(n=Sum("count"))["n"] or 0
            for name, (kind, pk) in pages.items()
        }

    counted_before = scans_counted()
    where = database(directory)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "ocop.manage", "serve", "--bind", f"127.0.0.1:{port}"]
    if args.workers:
        command += ["--workers", str(args.workers)]
    log_path = directory / "serve.log"
    connections.close_all()  # the server opens its own; SQLite readers share the file
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )  # inherits OCOP_VAR_DIR and DATABASE_URL (the scratch directory) from start_django
    results: dict[str, list[dict]] = {name: [] for name in paths}
    sent = dict.fromkeys(paths, 0)  # every request answered, warm-up included (to check the scan counts)
    try:
        wait_until_up(base + static_path, server)
        script = status_script(directory)
        for name, path in paths.items():
            status, body = fetch(base + path)
            if status != 200:
                sys.exit(f"{path} answered {status}, not 200: nothing to measure")
            info[f"{name}_bytes"] = len(body)
            sent[name] += 1
        for name, path in paths.items():  # warm every worker's page cache and SQLite pages
            sent[name] += run_wrk(base + path, args, duration=2, script=script)["requests"]
            settle(base + static_path)
        for _round in range(args.repeat):
            for name, path in paths.items():
                results[name].append(run_wrk(base + path, args, script=script))
                settle(base + static_path)
                sent[name] += results[name][-1]["requests"]
    finally:
        stop(server)

    workers = re.search(r"\((\d+) tiến trình × (\d+) luồng\)", log_path.read_text())
    report_rows = []
    static = results["static"]
    for name in ("verify", "product"):
        runs = results[name]
        throughput = sorted(r["rps"] / s["rps"] for r, s in zip(runs, static, strict=True))
        latency = sorted(r["p99_ms"] / s["p99_ms"] for r, s in zip(runs, static, strict=True))
        report_rows.append(
            {
                "url": paths[name],
                "throughput_ratio_median": round(statistics.median(throughput), 3),
                "throughput_ratio_min": round(throughput[0], 3),
                "throughput_ratio_max": round(throughput[-1], 3),
                "p99_ratio_median": round(statistics.median(latency), 2),
                "p99_ratio_min": round(latency[0], 2),
                "p99_ratio_max": round(latency[-1], 2),
                "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
                "p99_ms_median": round(statistics.median(r["p99_ms"] for r in runs), 2),
                "raw": runs,
            }
        )
    # Scans: every hit of /v/ and /p/ counted, flushed by the workers themselves (each minute,
    # and on exit: gunicorn recycles workers every ~2,000 requests, and at shutdown). wrk does not
    # count the requests still in flight when it stops, so "counted" may exceed "answered" by up
    # to the number of connections per run; fewer would mean lost counts.
    counted_after = scans_counted()
    scans = {
        f"{name}_{what}": value
        for name in ("verify", "product")
        for what, value in (("answered", sent[name]), ("counted", counted_after[name] - counted_before[name]))
    }
    errors = {name: sum(r["non_2xx"] + r["socket_errors"] for r in runs) for name, runs in results.items()}
    report = {
        "machine": machine(),
        "load_average": os.getloadavg(),
        "database": where,
        "products": Product.objects.count(),
        "certificates": Certificate.objects.count(),
        "server": "ocop serve"
        + (f" ({workers[1]} workers × {workers[2]} threads)" if workers else "")
        + ", locmem cache",
        "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s, {args.repeat} rounds",
        **info,
        "static": {
            "url": static_path,
            "rps_median": round(statistics.median(r["rps"] for r in static), 1),
            "p99_ms_median": round(statistics.median(r["p99_ms"] for r in static), 2),
            "raw": static,
        },
        "results": report_rows,
        "scans": scans,
        "errors": errors,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if any(errors.values()):
        sys.exit(f"errors under load (non-2xx or socket errors): {errors}")


if __name__ == "__main__":
    main()
