"""Peak memory of reading a hostile upload (issue 9.7) as a ratio to reading a normal file.

Each case runs in a fresh child process (peak RSS, `resource.getrusage(RUSAGE_SELF).ru_maxrss`, never
goes down within a process): `read_rows` of (1) the baseline, a normal .xlsx of 2,000 rows made by
xlsxwriter, (2) a 600 MB-cell .xlsx "zip bomb" (~600 KB), (3) the same as .ods, (4) a CSV with a
giant field. Prints JSON: per case the peak RSS in MB, the ratio to the baseline and the outcome.

    .venv/bin/python bench/read_bounds.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ("normal", "bomb_xlsx", "bomb_ods", "csv_field")


def child(case: str) -> None:
    import io

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    django.setup()
    import xlsxwriter

    from ocop.core.tabular import TabularError, read_rows
    from ocop.core.tests import bombs

    if case == "normal":
        stream = io.BytesIO()
        workbook = xlsxwriter.Workbook(stream, {"in_memory": True})
        sheet = workbook.add_worksheet()
        for r in range(2001):
            for c in range(10):
                sheet.write_string(r, c, f"Ô {r}-{c} " + "x" * 20)
        workbook.close()
        data, name = stream.getvalue(), "normal.xlsx"
    elif case == "bomb_xlsx":
        data, name = bombs.xlsx(600 * 2**20), "bom.xlsx"
    elif case == "bomb_ods":
        data, name = bombs.ods(600 * 2**20), "bom.ods"
    else:
        data, name = b"a\n" + b"x" * (9 * 2**20) + b"\n", "dai.csv"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        outcome = f"{len(read_rows(data, name))} rows"
    except TabularError as error:
        outcome = f"refused: {str(error)[:60]}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "file_kb": len(data) // 1024,
                "before_mb": before / 1024,
                "peak_mb": peak / 1024,
                "outcome": outcome,
            }
        )
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OCOP_VAR_DIR": os.environ.get("OCOP_VAR_DIR", "/tmp/ocop-bench"),
    }
    results = {}
    for case in CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--child", case], env=env, capture_output=True, text=True, check=True
        )
        results[case] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["normal"]["peak_mb"]
    for value in results.values():
        value["ratio"] = round(value["peak_mb"] / base, 2)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
