"""SYNTHETIC commune boundaries for the demo's coverage map — not the real communes' outlines.

No GeoJSON of the communes of Đắk Mil or Tây Sơn is at hand offline, so the demo draws made-up
ones: each district an irregular outline of about its real area around its real centre, cut into
its communes as a Voronoi diagram of points scattered in it (the town near the middle), every
shared edge given the same gentle wiggle on both sides so neighbours meet without gap or overlap.
The result is a GeoJSON FeatureCollection whose every feature, and the collection itself, says
`"synthetic": true`; `seed_boundaries` uploads it through the administrator's own service.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from cccd.demo.generator import communes_for_districts

KM_PER_DEGREE_LAT = 110.57
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))

DISTRICTS: dict[str, tuple[float, float, float]] = {
    "663": (107.625, 12.447, 14.7),  # Huyện Đắk Mil: centre (lon, lat), radius of its ~680 km²
    "547": (108.915, 13.935, 14.8),  # Huyện Tây Sơn: ~690 km²
}
"""Legacy district code → the real centre (longitude, latitude) and the radius in km of a disc of
the district's area. Everything else about the outlines is made up."""

XY = tuple[float, float]


def synthetic_feature_collection(district_code: str = "663") -> dict[str, Any]:
    """The district's communes as made-up polygons (see the module), as GeoJSON; the same every
    time for a district (seeded by its code)."""
    lon0, lat0, radius = DISTRICTS[district_code]
    communes = communes_for_districts([district_code])
    rng = random.Random(f"demo-boundaries-{district_code}")  # noqa: S311 (made-up shapes)
    outline = _outline(rng, radius)
    seeds = _seeds(rng, len(communes), radius)
    cells = []
    for seed in seeds:
        cell = outline
        for other in seeds:
            if other != seed:
                cell = _clip(cell, seed, other)
        cells.append(cell)
    features = []
    for commune, cell in zip(communes, _snapped(cells), strict=True):
        ring = _wiggled(cell, district_code)
        coordinates = [[_degrees(point, lon0, lat0) for point in [*ring, ring[0]]]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": commune.code, "name": commune.name, "synthetic": True},
                "geometry": {"type": "Polygon", "coordinates": coordinates},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"SYNTHETIC commune boundaries of district {district_code} (demo, not a real map)",
        "synthetic": True,
        "features": features,
    }


def seed_boundaries(district_codes: Iterable[str] = ("663", "547")) -> int:
    """Upload the synthetic boundaries of the demo's districts (legacy units), as the system;
    returns how many communes got one."""
    from cccd.reach.boundaries import upload_boundaries
    from cccd.units.models import Unit

    stored = 0
    for code in district_codes:
        data = json.dumps(synthetic_feature_collection(code), ensure_ascii=False).encode()
        stored += upload_boundaries(data, actor=None, scheme=Unit.Scheme.LEGACY).communes
    return stored


# --- the plane: kilometres east (x) and north (y) of the district's centre ----------------------


def _outline(rng: random.Random, radius: float) -> list[XY]:
    """A convex, slightly elongated 16-gon of about the disc's area, tilted at random."""
    tilt = rng.uniform(0, math.pi)
    points = []
    for i in range(16):
        angle = 2 * math.pi * i / 16 + rng.uniform(-0.12, 0.12)
        r = radius * rng.uniform(0.92, 1.12)
        x, y = 1.25 * r * math.cos(angle), 0.8 * r * math.sin(angle)
        points.append(
            (x * math.cos(tilt) - y * math.sin(tilt), x * math.sin(tilt) + y * math.cos(tilt))
        )
    return _hull(points)


def _hull(points: Sequence[XY]) -> list[XY]:
    """The convex hull, counter-clockwise (Andrew's monotone chain)."""
    ordered = sorted(points)

    def half(chain: Iterable[XY]) -> list[XY]:
        out: list[XY] = []
        for p in chain:
            while len(out) >= 2 and _cross(out[-2], out[-1], p) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return half(ordered) + half(reversed(ordered))


def _cross(o: XY, a: XY, b: XY) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _seeds(rng: random.Random, count: int, radius: float) -> list[XY]:
    """`count` points spread like a sunflower's seeds within 75 % of the radius, jittered: the
    first (the town, first in code order) near the middle."""
    seeds = []
    for i in range(count):
        r = 0.75 * radius * math.sqrt((i + 0.5) / count)
        angle = i * GOLDEN_ANGLE + rng.uniform(-0.3, 0.3)
        r *= rng.uniform(0.85, 1.1) if i else 0.3
        seeds.append((1.2 * r * math.cos(angle), 0.85 * r * math.sin(angle)))
    return seeds


def _clip(polygon: list[XY], seed: XY, other: XY) -> list[XY]:
    """The part of the convex `polygon` nearer to `seed` than to `other` (Sutherland–Hodgman
    against their perpendicular bisector)."""
    nx, ny = other[0] - seed[0], other[1] - seed[1]
    mid = (nx * (seed[0] + other[0]) + ny * (seed[1] + other[1])) / 2

    def inside(p: XY) -> bool:
        return nx * p[0] + ny * p[1] <= mid

    out: list[XY] = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        if inside(current) != inside(previous):
            a = nx * previous[0] + ny * previous[1]
            b = nx * current[0] + ny * current[1]
            t = (mid - a) / (b - a)
            out.append(
                (
                    previous[0] + t * (current[0] - previous[0]),
                    previous[1] + t * (current[1] - previous[1]),
                )
            )
        if inside(current):
            out.append(current)
    return out


def _snapped(cells: list[list[XY]]) -> list[list[XY]]:
    """The cells with every corner that two cells computed a hair apart made one point, so a
    shared edge has the very same two ends on both sides (and is bent the same way)."""
    corners: list[XY] = []

    def snap(p: XY) -> XY:
        for corner in corners:
            if math.dist(p, corner) < 1e-6:
                return corner
        corners.append(p)
        return p

    snapped = []
    for cell in cells:
        ring: list[XY] = []
        for point in map(snap, cell):
            if not ring or point != ring[-1]:
                ring.append(point)
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring.pop()
        snapped.append(ring)
    return snapped


def _wiggled(cell: list[XY], salt: str) -> list[XY]:
    """The cell with each edge longer than 400 m bent into a gentle curve that depends only on
    the edge's two ends, so the neighbour across it bends it the same way."""
    out: list[XY] = []
    for i, start in enumerate(cell):
        end = cell[(i + 1) % len(cell)]
        out.append(start)
        out.extend(_bend(start, end, salt))
    return out


def _bend(start: XY, end: XY, salt: str) -> list[XY]:
    a, b = sorted((start, end))
    length = math.dist(a, b)
    if length < 0.4:
        return []
    digest = hashlib.sha256(f"{salt}{a}{b}".encode()).digest()
    rng = random.Random(digest)  # noqa: S311 (made-up shapes)
    steps = max(3, int(length / 0.35))
    amplitude = min(0.9, 0.09 * length)
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    weights = [rng.uniform(-1, 1), rng.uniform(-0.5, 0.5), rng.uniform(-0.25, 0.25)]
    ux, uy = (b[1] - a[1]) / length, -(b[0] - a[0]) / length
    points = []
    for step in range(1, steps):
        t = step / steps
        wave = sum(
            w * math.sin((k + 1) * math.pi * t + ph) * math.sin(math.pi * t)
            for k, (w, ph) in enumerate(zip(weights, phases, strict=True))
        )
        offset = amplitude * wave
        points.append(
            (a[0] + t * (b[0] - a[0]) + offset * ux, a[1] + t * (b[1] - a[1]) + offset * uy)
        )
    return points if (a, b) == (start, end) else points[::-1]


def _degrees(point: XY, lon0: float, lat0: float) -> list[float]:
    x, y = point
    lat = lat0 + y / KM_PER_DEGREE_LAT
    lon = lon0 + x / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    return [round(lon, 6), round(lat, 6)]
