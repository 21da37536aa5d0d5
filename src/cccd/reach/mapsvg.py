"""The coverage map as one SVG string, drawn by the server: no tile server, no script library.

`render_map` is a pure function of plain data (outlines in WGS 84 degrees, a coverage 0..1 per
unit, its label and link), so a page, a PDF or a test can draw the same map. The projection is
equirectangular with longitude scaled by the cosine of the map's middle latitude — at the size of a
district or a province no projection a reader could tell apart — fitted into a 640-unit-wide
viewBox. Each unit is one `<path>` (even-odd fill, so a hole stays a hole), shaded on a red →
yellow → blue scale (`SCALE`) with its percent written on it where it fits, wrapped in a link to
the unit's page with a `<title>` for the tooltip. A unit without a figure is hatched grey.

Everything a user typed (a unit's name) is escaped, and so is every link; a link that is not a
path of this site or an http(s) address is dropped. The page's Content-Security-Policy allows no
inline style, so the drawing uses presentation attributes only, and the hover outline is SVG's own
`<set>` (no script).

`simplify` (Douglas–Peucker) is shared with `cccd.reach.boundaries`, which simplifies an upload
once before storing it; here it drops what is finer than a third of a pixel.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import pgettext

Point = Sequence[float]
Ring = Sequence[Point]
Polygon = Sequence[Ring]
Shape = Sequence[Polygon]
"""A unit's outline: polygons, each a list of rings (the outer one first, then its holes), each a
closed list of [longitude, latitude] — GeoJSON's MultiPolygon coordinates, as `Boundary.rings`."""

WIDTH = 640
MAX_MAP_HEIGHT = 480
MARGIN = 14
LEGEND_HEIGHT = 56
PIXEL_TOLERANCE = 0.33
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
INK = "#1f2933"
NO_DATA = "#e6e6e6"
NEUTRAL = "#c7d7e6"

SCALE: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.0, (213, 62, 79)),
    (0.2, (244, 109, 67)),
    (0.4, (253, 174, 97)),
    (0.55, (254, 224, 139)),
    (0.7, (171, 221, 164)),
    (0.85, (102, 194, 165)),
    (1.0, (50, 136, 189)),
)
"""Coverage 0 → 1: ColorBrewer's Spectral, interpolated (red: far behind; yellow: half-way;
green to blue: nearly done). Its hue turns one way all along, so a darker red is always further
behind; the percent written on each commune carries the figure for the colour-blind and in grey."""

_DIVISION_TYPES = ("Thị trấn ", "Phường ", "Xã ", "Đặc khu ", "Huyện ", "Thị xã ", "Quận ")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SAFE_LINK = re.compile(r"(/(?!/)|https?://)[^\s]*", re.ASCII)
_ID = re.compile(r"[^A-Za-z0-9_-]")


# --- geometry -----------------------------------------------------------------------------------


CHUNK = 128
"""Douglas–Peucker is run on runs of this many points (their ends kept): its worst case, a
zigzag whose every point is a corner, then costs points × CHUNK / 2 rather than points² / 2."""


def simplify(
    points: Sequence[Point], tolerance: float, check: Callable[[], None] | None = None
) -> list[int]:
    """The indices of `points` kept at `tolerance` (same units as the points), first and last
    always: first the points nearer than `tolerance` to the last one kept go, then Douglas–Peucker
    drops those within `tolerance` of the line through the ones kept, run by run (`CHUNK`).
    Iterative (no recursion limit on a long ring); `check` is called at every split, so a caller
    can bound the time a hostile ring takes."""
    count = len(points)
    if count < 3:
        return list(range(count))
    limit = tolerance * tolerance
    near = [0]
    x, y = points[0][0], points[0][1]
    for i in range(1, count - 1):
        px, py = points[i][0], points[i][1]
        if (px - x) ** 2 + (py - y) ** 2 >= limit:
            near.append(i)
            x, y = px, py
    near.append(count - 1)
    xs = [points[i][0] for i in near]
    ys = [points[i][1] for i in near]
    keep = [False] * len(near)
    for start in range(0, len(near) - 1, CHUNK):
        end = min(start + CHUNK, len(near) - 1)
        _douglas_peucker(xs, ys, start, end, limit, keep, check)
    return [index for index, kept in zip(near, keep, strict=True) if kept]


def _douglas_peucker(
    xs: list[float],
    ys: list[float],
    first: int,
    last: int,
    limit: float,
    keep: list[bool],
    check: Callable[[], None] | None,
) -> None:
    """Mark in `keep` the points first..last that Douglas–Peucker keeps (squared `limit`)."""
    keep[first] = keep[last] = True
    stack = [(first, last)]
    while stack:
        if check is not None:
            check()
        low, high = stack.pop()
        ax, ay = xs[low], ys[low]
        dx, dy = xs[high] - ax, ys[high] - ay
        length = dx * dx + dy * dy
        worst, index = limit, -1
        for i in range(low + 1, high):
            px, py = xs[i] - ax, ys[i] - ay
            if length:
                t = (px * dx + py * dy) / length
                t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
                px, py = px - t * dx, py - t * dy
            distance = px * px + py * py
            if distance > worst:
                worst, index = distance, i
        if index >= 0:
            keep[index] = True
            stack.append((low, index))
            stack.append((index, high))


def _area(ring: Sequence[tuple[float, float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    area = _area(ring)
    if abs(area) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * area), cy / (6 * area)


def _crossings(rings: Sequence[Sequence[tuple[float, float]]], y: float) -> list[float]:
    """Where the horizontal line at `y` crosses the rings' edges, left to right (even-odd)."""
    xs = []
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            if (y0 <= y < y1) or (y1 <= y < y0):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return sorted(xs)


# --- the projection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Projection:
    west: float
    north: float
    squeeze: float  # cos(middle latitude): a degree of longitude is that much shorter
    scale: float
    left: float
    top: float
    width: float
    height: float

    @classmethod
    def fit(cls, points: Sequence[Point]) -> _Projection:
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
        squeeze = math.cos(math.radians((south + north) / 2))
        span_x, span_y = (east - west) * squeeze, north - south
        room_x, room_y = WIDTH - 2 * MARGIN, MAX_MAP_HEIGHT - 2 * MARGIN
        scale = min(
            room_x / span_x if span_x > 0 else math.inf,
            room_y / span_y if span_y > 0 else math.inf,
        )
        if not math.isfinite(scale):
            scale = 1.0
        width, height = span_x * scale, max(span_y * scale, 120.0)
        left = (WIDTH - width) / 2
        top = MARGIN + (height - span_y * scale) / 2
        return cls(west, north, squeeze, scale, left, top, width, height)

    def __call__(self, point: Point) -> tuple[float, float]:
        x = self.left + (point[0] - self.west) * self.squeeze * self.scale
        y = self.top + (self.north - point[1]) * self.scale
        return x, y


# --- drawing ------------------------------------------------------------------------------------


def colour_for(value: float | None) -> str:
    """The fill of a coverage 0..1 (clamped) on SCALE; None (no figure) is NO_DATA."""
    if value is None or not math.isfinite(value):
        return NO_DATA
    value = min(1.0, max(0.0, value))
    for (low, a), (high, b) in zip(SCALE, SCALE[1:], strict=False):
        if value <= high:
            t = (value - low) / (high - low)
            r, g, bl = (round(a[i] + (b[i] - a[i]) * t) for i in range(3))
            return f"#{r:02x}{g:02x}{bl:02x}"
    return "#{:02x}{:02x}{:02x}".format(*SCALE[-1][1])


def percent_text(value: float | None) -> str:
    """ "42 %", rounded down below 100 % (99.6 % is not done yet); "—" without a figure."""
    if value is None or not math.isfinite(value):
        return "—"
    share = max(0.0, value) * 100
    whole = math.floor(share) if value < 1 else round(share)
    return f"{whole} %"


def short_label(label: str) -> str:
    """The name as written on the map: without its division type ("Xã Đắk Lao" → "Đắk Lao")."""
    for prefix in _DIVISION_TYPES:
        if label.startswith(prefix) and len(label) > len(prefix):
            return label[len(prefix) :]
    return label


def _text(value: str) -> str:
    return html.escape(_XML_UNSAFE.sub("", value), quote=True)


def _n(value: float) -> str:
    return f"{round(value, 1):g}"


@dataclass
class _Drawn:
    key: int
    d: str
    anchor: tuple[float, float]
    room: float  # width free around the anchor, for the label
    tall: float  # height of the polygon the label sits in


def _project_shape(shape: Shape, project: _Projection) -> list[list[list[tuple[float, float]]]]:
    polygons = []
    for polygon in shape:
        rings: list[list[tuple[float, float]]] = []
        for ring in polygon:
            points = [project(p) for p in ring]
            kept = [points[i] for i in simplify(points, PIXEL_TOLERANCE)]
            if len(kept) >= 4 or not rings:  # a hole smaller than the tolerance goes
                rings.append(kept)
        if rings and len(rings[0]) >= 4:
            polygons.append(rings)
    if not polygons:  # smaller than a pixel at this scale: a dot where it is
        polygons = [[[project(p) for p in shape[0][0]]]]
    return polygons


def _path(polygons: list[list[list[tuple[float, float]]]]) -> str:
    parts = []
    for rings in polygons:
        for ring in rings:
            points = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
            parts.append("M" + " ".join(f"{_n(x)},{_n(y)}" for x, y in points) + "Z")
    return "".join(parts)


def _label_place(
    polygons: list[list[list[tuple[float, float]]]],
) -> tuple[tuple[float, float], float, float]:
    """Where to write the label (the biggest polygon's centroid, or the middle of its widest
    stretch across when the centroid falls outside), how wide it may be, and how tall."""
    rings = max(polygons, key=lambda p: abs(_area(p[0])))
    cx, cy = _centroid(rings[0])
    ys = [y for _x, y in rings[0]]
    tall = max(ys) - min(ys)
    xs = _crossings(rings, cy)
    spans = list(zip(xs[::2], xs[1::2], strict=False))
    for x0, x1 in spans:
        if x0 <= cx <= x1:
            return (cx, cy), 2 * min(cx - x0, x1 - cx), tall
    if spans:
        x0, x1 = max(spans, key=lambda s: s[1] - s[0])
        return ((x0 + x1) / 2, cy), x1 - x0, tall
    return (cx, cy), 0.0, tall


def _link(url: str | None) -> str | None:
    return url if url and _SAFE_LINK.fullmatch(url) else None


def render_map(
    shapes: Mapping[int, Shape],
    values: Mapping[int, float | None],
    labels: Mapping[int, str],
    links: Mapping[int, str],
    *,
    caption: str = "",
    preview: bool = False,
    id_prefix: str = "cmap",
) -> str:
    """The SVG of `shapes` (unit id → outline in degrees), each shaded by `values` (coverage
    0..1; None or missing: no data), titled with `labels` and linked to `links` (missing: no
    link). `preview` draws the outlines alone, in one neutral colour and without the legend (the
    boundaries page). `id_prefix` keeps two maps on one page apart. An empty string when no shape
    has a point."""
    keys = [key for key, shape in shapes.items() if shape and shape[0] and shape[0][0]]
    if not keys:
        return ""
    uid = _ID.sub("", id_prefix) or "cmap"
    project = _Projection.fit([p for key in keys for poly in shapes[key] for r in poly for p in r])
    drawn = []
    for key in keys:
        polygons = _project_shape(shapes[key], project)
        anchor, room, tall = _label_place(polygons)
        drawn.append(_Drawn(key, _path(polygons), anchor, room, tall))
    map_bottom = project.top + project.height
    height = math.ceil(map_bottom + MARGIN + (0 if preview else LEGEND_HEIGHT))
    caption = caption or pgettext("coverage map", "Coverage by commune")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" class="coverage-map" '
        f'aria-labelledby="{uid}-title" font-family="{_text(FONT)}">',
        f'<title id="{uid}-title">{_text(caption)}</title>',
        _defs(uid),
        f'<g filter="url(#{uid}-shadow)">',
    ]
    for item in drawn:
        out.append(_unit(item, values, labels, links, preview=preview, uid=uid))
    out.append("</g>")
    out.append(_labels(drawn, values, labels, preview=preview))
    if not preview:
        out.append(_legend(map_bottom + MARGIN, [values.get(k) for k in keys], uid))
    out.append("</svg>")
    return "".join(out)


def _defs(uid: str) -> str:
    stops = "".join(f'<stop offset="{at:g}" stop-color="{colour_for(at)}"/>' for at, _rgb in SCALE)
    return (
        "<defs>"
        f'<linearGradient id="{uid}-scale" x1="0" x2="1" y1="0" y2="0">{stops}</linearGradient>'
        f'<pattern id="{uid}-nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{NO_DATA}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b5b5b5" stroke-width="2"/></pattern>'
        f'<filter id="{uid}-shadow" x="-5%" y="-5%" width="110%" height="110%">'
        '<feDropShadow dx="0" dy="1.5" stdDeviation="2" flood-color="#000" '
        'flood-opacity="0.22"/></filter>'
        "</defs>"
    )


def _unit(
    item: _Drawn,
    values: Mapping[int, float | None],
    labels: Mapping[int, str],
    links: Mapping[int, str],
    *,
    preview: bool,
    uid: str,
) -> str:
    value = values.get(item.key)
    label = labels.get(item.key, "")
    if preview:
        fill, title = NEUTRAL, label
    else:
        no_data = value is None or not math.isfinite(value)
        fill = f"url(#{uid}-nodata)" if no_data else colour_for(value)
        shown = pgettext("coverage map", "no data") if no_data else percent_text(value)
        title = f"{label} — {shown}" if label else shown
    colour = NO_DATA if fill.startswith("url(") else fill
    path = (
        f'<path d="{item.d}" fill="{fill}" fill-rule="evenodd" stroke="#ffffff" '
        f'stroke-width="1.2" stroke-linejoin="round" data-unit="{item.key}" '
        f'data-fill="{colour}">'
        '<set attributeName="stroke" to="#1f2933" begin="mouseover" end="mouseout"/>'
        '<set attributeName="stroke-width" to="2.2" begin="mouseover" end="mouseout"/>'
        "</path>"
    )
    link = _link(links.get(item.key))
    if link is None:
        return f"<g><title>{_text(title)}</title>{path}</g>"
    return f'<a href="{_text(link)}"><title>{_text(title)}</title>{path}</a>'


def _labels(
    drawn: list[_Drawn],
    values: Mapping[int, float | None],
    labels: Mapping[int, str],
    *,
    preview: bool,
) -> str:
    """The name and the percent written on each unit big enough to hold them."""
    out = [
        f'<g pointer-events="none" text-anchor="middle" fill="{INK}" stroke="#ffffff" '
        'stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
    ]
    for item in drawn:
        name = short_label(labels.get(item.key, ""))
        value = values.get(item.key)
        figure = "" if preview or value is None else percent_text(value)
        name_fits = bool(name) and item.room >= len(name) * 6.0 + 4 and item.tall >= 30
        figure_fits = bool(figure) and item.room >= len(figure) * 7.6 + 2 and item.tall >= 16
        x, y = item.anchor
        if name_fits and figure_fits:
            out.append(
                f'<text x="{_n(x)}" y="{_n(y - 2)}" font-size="10.5">{_text(name)}</text>'
                f'<text x="{_n(x)}" y="{_n(y + 12)}" font-size="13" font-weight="700">'
                f"{_text(figure)}</text>"
            )
        elif figure_fits:
            out.append(
                f'<text x="{_n(x)}" y="{_n(y + 4)}" font-size="12" font-weight="700">'
                f"{_text(figure)}</text>"
            )
        elif name_fits:
            out.append(f'<text x="{_n(x)}" y="{_n(y + 4)}" font-size="10.5">{_text(name)}</text>')
    out.append("</g>")
    return "".join(out)


def _legend(top: float, values: list[float | None], uid: str) -> str:
    """The scale 0–100 % under its name, with a tick above it for each unit, and the no-data
    swatch if needed."""
    left, width = MARGIN + 8, 260
    bar_y = top + 20
    caption = _text(pgettext("coverage map", "Coverage"))
    out = [
        f'<g font-size="10.5" fill="{INK}">',
        f'<text x="{MARGIN}" y="{_n(top + 6)}" font-weight="600">{caption}</text>',
        f'<rect x="{left}" y="{_n(bar_y)}" width="{width}" height="10" rx="2" '
        f'fill="url(#{uid}-scale)" stroke="#9aa5b1" stroke-width="0.5"/>',
    ]
    for at in (0, 25, 50, 75, 100):
        x = left + width * at / 100
        out.append(
            f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(bar_y + 10)}" y2="{_n(bar_y + 14)}" '
            'stroke="#9aa5b1" stroke-width="0.8"/>'
            f'<text x="{_n(x)}" y="{_n(bar_y + 25)}" text-anchor="middle">{at} %</text>'
        )
    marks = [
        f"M{_n(left + width * min(1.0, max(0.0, v)))},{_n(bar_y - 1)}l-3,-5h6Z"
        for v in values
        if v is not None and math.isfinite(v)
    ]
    if marks:
        out.append(f'<path d="{"".join(marks)}" fill="{INK}" fill-opacity="0.55"/>')
    if any(v is None or not math.isfinite(v) for v in values):
        x = left + width + 30
        out.append(
            f'<rect x="{x}" y="{_n(bar_y)}" width="18" height="10" rx="2" '
            f'fill="url(#{uid}-nodata)" stroke="#9aa5b1" stroke-width="0.5"/>'
            f'<text x="{x + 24}" y="{_n(bar_y + 9)}">{_text(pgettext("coverage map", "No data"))}</text>'
        )
    out.append("</g>")
    return "".join(out)
