#!/usr/bin/env python3
"""Copy the pinned front-end libraries from node_modules/ into ocop/core/static/vendor/.

Run `npm ci && python3 scripts/vendor_static.py` after changing package.json, then commit the result:
the app is served on offline intranets, so runtime never needs npm or a CDN. The fonts of the
printed documents (certificate PDFs: WeasyPrint, server side) go to ocop/core/fonts/ instead,
which is not served; VERSIONS.json in the vendor folder lists every package copied.
`--check` verifies that the committed files match node_modules/ (exit 1 if not).

Source-map comments are stripped because we don't ship the .map files, and
CompressedManifestStaticFilesStorage would fail collectstatic on a missing map.
"""

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "ocop" / "core" / "static" / "vendor"
FONTS = ROOT / "ocop" / "core" / "fonts"

# (npm package, file inside the package, destination inside VENDOR)
FILES: list[tuple[str, str, str]] = [
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap", "LICENSE", "bootstrap/LICENSE"),
    # Popper is bundled inside bootstrap.bundle.min.js.
    ("@popperjs/core", "LICENSE.md", "bootstrap/LICENSE-popper.md"),
    ("bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons", "font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
    ("bootstrap-icons", "font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
    ("bootstrap-icons", "LICENSE", "bootstrap-icons/LICENSE"),
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org", "LICENSE", "htmx/LICENSE"),
    ("chart.js", "dist/chart.umd.min.js", "chartjs/chart.umd.min.js"),
    ("chart.js", "LICENSE.md", "chartjs/LICENSE.md"),
    # @kurkle/color is bundled inside chart.umd.min.js.
    ("@kurkle/color", "LICENSE.md", "chartjs/LICENSE-kurkle-color.md"),
]

# (npm package, file inside the package, destination inside FONTS). Noto Serif regular and bold,
# only the fontsource "latin" and "vietnamese" subsets: together they hold every Vietnamese
# letter (precomposed, with all tones) and the punctuation the documents use.
FONT_FILES: list[tuple[str, str, str]] = [
    ("@fontsource/noto-serif", f"files/{name}", f"noto-serif/{name}")
    for name in [
        "noto-serif-latin-400-normal.woff2",
        "noto-serif-vietnamese-400-normal.woff2",
        "noto-serif-latin-700-normal.woff2",
        "noto-serif-vietnamese-700-normal.woff2",
    ]
] + [("@fontsource/noto-serif", "LICENSE", "noto-serif/LICENSE")]

_SOURCE_MAP = re.compile(rb"\n?(//# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$")


def _content(package: str, name: str) -> bytes:
    data = (NODE_MODULES / package / name).read_bytes()
    if name.endswith((".js", ".css")):
        data = _SOURCE_MAP.sub(b"\n", data)
    return data


def _versions() -> dict[str, str]:
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]
    versions = {}
    for package in sorted({package for package, _, _ in FILES + FONT_FILES}):
        installed = json.loads((NODE_MODULES / package / "package.json").read_text())["version"]
        if package in wanted and wanted[package] != installed:
            sys.exit(
                f"{package}: package.json pins {wanted[package]} but {installed} is installed; run npm ci"
            )
        versions[package] = installed
    return versions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args()
    if not NODE_MODULES.is_dir():
        sys.exit("node_modules/ is missing: run `npm ci` first")

    expected = {VENDOR / dest: _content(package, name) for package, name, dest in FILES}
    expected |= {FONTS / dest: _content(package, name) for package, name, dest in FONT_FILES}
    expected[VENDOR / "VERSIONS.json"] = (json.dumps(_versions(), indent=2) + "\n").encode()

    stale = [path for path, data in expected.items() if not path.is_file() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"out of date: {path}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(expected[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
