"""The communes' outlines for the coverage map: an administrator's GeoJSON, read, checked, stored.

The file is a GeoJSON FeatureCollection (RFC 7946: WGS 84, [longitude, latitude]) of Polygon or
MultiPolygon features, one per commune. A feature names its commune by the first of the
properties `CODE_PROPERTIES` it carries — `code`, `ma_xa`, `MA_XA`, `ma`, `commune_code` — with the
commune's official code ("24667", or the number 24667: a code of fewer than five digits is padded
with zeros, as the General Statistics Office writes them). Codes are unique within a scheme, not
across them (3,316 of the 3,321 codes of 2025 were codes before), so a file is read against the
communes of one scheme among those of the uploader's unit subtree: the one that holds every code
of the file, or the one the administrator chooses.

The file is refused whole, before anything is stored, for any of the refusals in
`cccd.reach.errors` (its size and its points are bounded before it is parsed; its nesting by the
parser's own guard; the time spent on it by `cccd.filebounds.ReadBudget`). An accepted file's
rings are simplified (Douglas–Peucker, `SIMPLIFY_METRES`) and replace, in one transaction, the
boundaries of the communes it names; the upload is audited.

`map_for` draws, for the coverage page, the map of a unit's children from these boundaries.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q

from cccd.accounts.audit import record
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import BOUNDARIES, COVERAGE
from cccd.accounts.scoping import get_visible, unit_is_visible, visible_to
from cccd.filebounds import ReadBudget
from cccd.reach import errors
from cccd.reach.mapsvg import render_map, simplify
from cccd.reach.models import Boundary
from cccd.units.models import ADMIN_ROOT, Unit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from cccd.accounts.models import User

MB = 1024 * 1024
MAX_MB = 20
"""A district's communes drawn to 10 m take a few hundred KB; a whole province's, a few MB."""
MAX_FEATURES = 12_000
"""Every commune of the country (10,035 before 2025, 3,321 from 2025) fits in one file."""
MAX_POINTS = 1_000_000
"""What 20 MB of ordinary GeoJSON holds (about 26 bytes a point); parsed, ~120 MB of memory."""
CODE_PROPERTIES = ("code", "ma_xa", "MA_XA", "ma", "commune_code")
"""The properties that may carry a feature's commune code, in the order they are tried."""
SIMPLIFY_METRES = 10.0
"""Points closer than this to the line through their neighbours are dropped: a 640-pixel map of a
district draws about 40 m a pixel, so nothing visible is lost and the stored rings stay small."""
METRES_PER_DEGREE = 111_320.0
SCHEMES = (Unit.Scheme.LEGACY, Unit.Scheme.CURRENT)

Ring = list[list[float]]
Polygons = list[list[Ring]]


@dataclass(frozen=True)
class Outline:
    """One feature of the file, checked: its place in the file (from 1), its commune code, its
    polygons (rings of [lon, lat]) and how many points the file gave it."""

    feature: int
    code: str
    polygons: Polygons
    points: int


@dataclass(frozen=True)
class Uploaded:
    """What an upload stored: communes given a boundary (of which `replaced` had one before),
    points read and kept, the scheme the codes were read in."""

    communes: int
    replaced: int
    points_read: int
    points_kept: int
    scheme: str


# --- reading the upload -------------------------------------------------------------------------


def read_upload(upload: UploadedFile[bytes] | None) -> bytes:
    """The uploaded file's bytes, refused by its declared size before any is read and again while
    reading if the declared size understated it."""
    if upload is None:
        raise errors.BOUNDARY_FILE_MISSING()
    limit = MAX_MB * MB
    if upload.size is not None and upload.size > limit:
        raise errors.BOUNDARY_FILE_TOO_LARGE(size=_megabytes(upload.size), limit=MAX_MB)
    buffer = bytearray()
    for chunk in upload.chunks():
        buffer += chunk
        if len(buffer) > limit:
            raise errors.BOUNDARY_FILE_TOO_LARGE(size=_megabytes(len(buffer)), limit=MAX_MB)
    return bytes(buffer)


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}"


def parse(data: bytes, budget: ReadBudget | None = None) -> list[Outline]:
    """The file's features, checked and simplified (see the module), in file order; refused whole
    on the first problem found."""
    budget = budget or ReadBudget(float(settings.CCCD_MAX_REQUEST_READ_SECONDS))
    budget.start()
    try:
        _check_size(data)
        features = _features(_load(data))
        outlines = [_outline(number, feature, budget) for number, feature in features]
    finally:
        budget.stop()
    _check_points(sum(o.points for o in outlines))
    _check_duplicates(outlines)
    return outlines


def _check_size(data: bytes) -> None:
    """Bounds read from the raw bytes, before the parser builds anything: the size, and the lists
    and values (every point is a list; every number but the last of a list is followed by a
    comma), which bound the memory the parsed file takes."""
    if len(data) > MAX_MB * MB:
        raise errors.BOUNDARY_FILE_TOO_LARGE(size=_megabytes(len(data)), limit=MAX_MB)
    if not data.strip():
        raise errors.BOUNDARY_EMPTY()
    allowance = 64 * MAX_FEATURES
    if data.count(b"[") > MAX_POINTS + allowance or data.count(b",") > 3 * MAX_POINTS + allowance:
        raise errors.BOUNDARY_TOO_MANY_POINTS(max=f"{MAX_POINTS:,}")


def _load(data: bytes) -> Any:
    try:
        return json.loads(data)
    except RecursionError:
        raise errors.BOUNDARY_TOO_DEEP() from None
    except json.JSONDecodeError as exc:
        raise errors.BOUNDARY_NOT_JSON(problem=f"{exc.msg}, line {exc.lineno}") from None
    except ValueError as exc:  # not UTF-8, a number of thousands of digits
        raise errors.BOUNDARY_NOT_JSON(problem=str(exc)[:80]) from None


def _features(document: Any) -> Iterator[tuple[int, Any]]:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise errors.BOUNDARY_NOT_FEATURE_COLLECTION()
    features = document.get("features")
    if not isinstance(features, list):
        raise errors.BOUNDARY_NOT_FEATURE_COLLECTION()
    if not features:
        raise errors.BOUNDARY_EMPTY()
    if len(features) > MAX_FEATURES:
        raise errors.BOUNDARY_TOO_MANY_FEATURES(count=len(features), max=MAX_FEATURES)
    return enumerate(features, start=1)


def _outline(number: int, feature: Any, budget: ReadBudget) -> Outline:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise errors.BOUNDARY_NOT_FEATURE(feature=number)
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict):
        raise errors.BOUNDARY_NOT_FEATURE(feature=number)
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons: list[Any] | None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else None
    else:
        raise errors.BOUNDARY_WRONG_GEOMETRY(feature=number, kind=_sample(kind))
    if not polygons or not all(isinstance(p, list) and p for p in polygons):
        raise errors.BOUNDARY_BAD_POSITION(feature=number, found=_sample(coordinates))
    code = _code(number, feature.get("properties"))
    points = 0
    kept: Polygons = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            checked = _ring(number, ring)
            points += len(checked)
            if points > MAX_POINTS:
                raise errors.BOUNDARY_TOO_MANY_POINTS(max=f"{MAX_POINTS:,}")
            rings.append(_simplified(checked, budget))
        kept.append(rings)
    return Outline(number, code, kept, points)


def _code(number: int, properties: Any) -> str:
    """The commune code the feature carries (see the module), as the units write it."""
    if isinstance(properties, dict):
        for key in CODE_PROPERTIES:
            value = properties.get(key)
            if isinstance(value, bool) or value is None:
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            text = str(value).strip() if isinstance(value, int | str) else ""
            if text:
                return text.zfill(5) if text.isdigit() else text[:32]
    raise errors.BOUNDARY_NO_CODE(feature=number, keys=", ".join(CODE_PROPERTIES))


def _ring(number: int, ring: Any) -> Ring:
    if not isinstance(ring, list):
        raise errors.BOUNDARY_BAD_POSITION(feature=number, found=_sample(ring))
    points = [_position(number, position) for position in ring]
    if len(points) < 4:
        raise errors.BOUNDARY_RING_TOO_SHORT(feature=number, count=len(points))
    if points[0] != points[-1]:
        raise errors.BOUNDARY_RING_OPEN(feature=number)
    return points


def _position(number: int, position: Any) -> list[float]:
    """[lon, lat] of a GeoJSON position (an altitude, if any, is dropped)."""
    if not isinstance(position, list) or not 2 <= len(position) <= 3:
        raise errors.BOUNDARY_BAD_POSITION(feature=number, found=_sample(position))
    lon, lat = position[0], position[1]
    for value in position:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise errors.BOUNDARY_BAD_POSITION(feature=number, found=_sample(position))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise errors.BOUNDARY_OUT_OF_RANGE(feature=number, lon=f"{lon:g}", lat=f"{lat:g}")
    return [float(lon), float(lat)]


def _sample(value: Any) -> str:
    """A short, harmless description of what stood where a point (or a type) should be."""
    if isinstance(value, list):
        return f"[{', '.join(_sample(v) for v in value[:3])}{', …' if len(value) > 3 else ''}]"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, str):
        return json.dumps(value[:20], ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"{value:g}"[:24]
    return type(value).__name__


def _simplified(ring: Ring, budget: ReadBudget) -> Ring:
    """The ring at SIMPLIFY_METRES (longitude scaled to metres at its latitude); kept as read
    when simplifying would leave it fewer than 4 points."""
    squeeze = math.cos(math.radians(ring[0][1]))
    flat = [(lon * squeeze, lat) for lon, lat in ring]
    kept = simplify(flat, SIMPLIFY_METRES / METRES_PER_DEGREE, budget.check)
    if len(kept) < 4:
        return [[round(lon, 6), round(lat, 6)] for lon, lat in ring]
    return [[round(ring[i][0], 6), round(ring[i][1], 6)] for i in kept]


def _check_points(points: int) -> None:
    if points > MAX_POINTS:
        raise errors.BOUNDARY_TOO_MANY_POINTS(max=f"{MAX_POINTS:,}")


def _check_duplicates(outlines: Sequence[Outline]) -> None:
    seen: dict[str, int] = {}
    for outline in outlines:
        first = seen.setdefault(outline.code, outline.feature)
        if first != outline.feature:
            raise errors.BOUNDARY_DUPLICATE_CODE(
                first=first, second=outline.feature, code=outline.code
            )


# --- the communes the file names ----------------------------------------------------------------


def _communes(outlines: Sequence[Outline], actor: User | None, scheme: str) -> dict[str, Unit]:
    """Code → commune, in the one scheme that holds every code of the file among the communes
    the actor may see (see the module)."""
    codes = {outline.code for outline in outlines}
    communes = Unit.objects.filter(
        category=Unit.Category.ADMIN, level=Unit.Level.COMMUNE, code__in=codes
    )
    if actor is not None:
        communes = visible_to(actor, communes)
    if scheme:
        communes = communes.filter(scheme=scheme)
    by_scheme: dict[str, dict[str, Unit]] = {}
    for unit in communes:
        by_scheme.setdefault(unit.scheme, {})[unit.code] = unit
    complete = [found for found in by_scheme.values() if len(found) == len(codes)]
    if len(complete) > 1:
        raise errors.BOUNDARY_SCHEME_AMBIGUOUS()
    if complete:
        return complete[0]
    best = max(by_scheme.values(), key=len, default={})
    missing = next(outline for outline in outlines if outline.code not in best)
    raise errors.BOUNDARY_UNKNOWN_COMMUNE(feature=missing.feature, code=missing.code)


def upload_boundaries(data: bytes, *, actor: User | None, scheme: str = "") -> Uploaded:
    """Store the file's boundaries (see the module): all of them, replacing those the communes
    had, or none. `actor` None is the system (the demo), which reads every commune."""
    if actor is not None:
        require_permission(actor, BOUNDARIES)
    if scheme and scheme not in SCHEMES:
        raise errors.BOUNDARY_SCHEME_UNKNOWN(scheme=str(scheme)[:16])
    outlines = parse(data)  # seconds of work on a big file: before the transaction, not in it
    units = _communes(outlines, actor, scheme)
    return _store(outlines, units, actor)


@transaction.atomic
def _store(outlines: Sequence[Outline], units: Mapping[str, Unit], actor: User | None) -> Uploaded:
    targets = [units[outline.code] for outline in outlines]
    # Two uploads naming the same communes at once: the second waits here, then replaces.
    list(Unit.objects.select_for_update().filter(pk__in=[unit.pk for unit in targets]))
    existing = Boundary.objects.filter(unit__in=targets)
    replaced = existing.count()
    existing.delete()
    Boundary.objects.bulk_create(
        Boundary(unit=units[outline.code], rings=outline.polygons, uploaded_by=actor)
        for outline in outlines
    )
    kept = sum(
        len(ring) for outline in outlines for polygon in outline.polygons for ring in polygon
    )
    result = Uploaded(
        communes=len(outlines),
        replaced=replaced,
        points_read=sum(outline.points for outline in outlines),
        points_kept=kept,
        scheme=targets[0].scheme,
    )
    parents = sorted({unit.parent_id for unit in targets if unit.parent_id is not None})
    record(
        "boundary.upload",
        actor=actor,
        unit=actor.unit if actor is not None else None,
        object_repr=f"{result.communes} communes",
        after={
            "communes": result.communes,
            "replaced": replaced,
            "points_read": result.points_read,
            "points_kept": kept,
            "scheme": result.scheme,
            "parent_units": parents[:200],
        },
    )
    return result


@transaction.atomic
def delete_boundaries(unit_id: int, *, actor: User) -> int:
    """Remove the boundaries of the communes in a unit's subtree (the unit itself, a district, a
    province; a police unit stands for the places it serves); returns how many went."""
    require_permission(actor, BOUNDARIES)
    unit = get_visible(actor, Unit.objects.all(), pk=unit_id)
    place = admin_path(unit)
    gone = visible_to(actor, Boundary.objects.filter(unit__path__startswith=place))
    count = gone.count()
    gone.delete()
    record(
        "boundary.delete",
        actor=actor,
        unit=actor.unit,
        obj=unit,
        after={"communes": count},
    )
    return count


def admin_path(unit: Unit) -> str:
    """The path of the place a unit is: its own, or for a police unit the place it serves."""
    return unit.path if unit.path.startswith(ADMIN_ROOT) else unit.mirror_path


# --- reading what is stored ---------------------------------------------------------------------


@dataclass
class Coverage:
    """A unit whose communes have boundaries (the communes' parent), for the boundaries page."""

    unit: Unit
    with_boundary: int
    communes: int
    uploaded_at: datetime.datetime | None


def stored_by_parent(user: User) -> list[Coverage]:
    """The parents of the communes with a boundary that `user` may see, with how many of their
    communes have one, in tree order."""
    rows = (
        visible_to(user, Boundary.objects.all())
        .values("unit__parent")
        .annotate(count=Count("pk"), last=Max("uploaded_at"))
    )
    found = {row["unit__parent"]: row for row in rows if row["unit__parent"] is not None}
    parents = Unit.objects.filter(pk__in=list(found)).order_by("path")
    totals = {
        row["parent"]: row["count"]
        for row in Unit.objects.filter(parent__in=parents, level=Unit.Level.COMMUNE)
        .values("parent")
        .annotate(count=Count("pk"))
    }
    return [
        Coverage(
            unit=parent,
            with_boundary=found[parent.pk]["count"],
            communes=totals.get(parent.pk, 0),
            uploaded_at=found[parent.pk]["last"],
        )
        for parent in parents
    ]


def child_shapes(user: User, children: Sequence[Unit]) -> dict[int, Polygons]:
    """Child id → its outline: its own boundary, or the boundaries of the communes under it put
    together (a district on a province's map). Children without any are left out."""
    if not children:
        return {}
    paths = {admin_path(child): child.pk for child in children}
    depth = next(iter(paths)).count("/")
    condition = Q()
    for path in paths:
        condition |= Q(unit__path__startswith=path)
    shapes: dict[int, Polygons] = {}
    stored = visible_to(user, Boundary.objects.filter(condition)).select_related("unit")
    for boundary in stored.order_by("unit__path"):
        prefix = "/".join(boundary.unit.path.split("/")[:depth]) + "/"
        key = paths.get(prefix)
        if key is not None and isinstance(boundary.rings, list):
            shapes.setdefault(key, []).extend(boundary.rings)
    return shapes


def map_for(
    user: User,
    parent_unit: Unit,
    rates: Mapping[int, float | None],
    link_for: Callable[[Unit], str],
) -> str | None:
    """The coverage map (SVG) of `parent_unit`'s children that have boundaries, each shaded by
    `rates` (child unit id → coverage 0..1, None: no figure) and linked to `link_for(child)`;
    None when none of them has a boundary or the user may not see the unit. The children are
    those of the unit's own tree (a police unit's are police units, drawn with the outlines of
    the places they serve), only those `user` may see."""
    require_permission(user, COVERAGE)
    if not unit_is_visible(user, parent_unit.path):
        return None
    children = list(visible_to(user, Unit.objects.filter(parent=parent_unit)).order_by("path"))
    shapes = child_shapes(user, children)
    if not shapes:
        return None
    drawn = [child for child in children if child.pk in shapes]
    return render_map(
        shapes,
        {child.pk: rates.get(child.pk) for child in drawn},
        {child.pk: child.name for child in drawn},
        {child.pk: link_for(child) for child in drawn},
        caption=parent_unit.name,
    )


def preview_for(user: User, parent_unit: Unit) -> str | None:
    """The outlines alone of a unit's communes, for the administrator to check an upload."""
    if not unit_is_visible(user, parent_unit.path):
        return None
    children = list(visible_to(user, Unit.objects.filter(parent=parent_unit)).order_by("path"))
    shapes = child_shapes(user, children)
    if not shapes:
        return None
    names = {child.pk: child.name for child in children}
    return render_map(shapes, {}, names, {}, caption=parent_unit.name, preview=True)


def communes_of(user: User, parent_unit: Unit) -> list[tuple[Unit, bool]]:
    """A unit's communes the user may see, each with whether it has a boundary."""
    communes = list(
        visible_to(
            user, Unit.objects.filter(parent=parent_unit, level=Unit.Level.COMMUNE)
        ).order_by("code")
    )
    with_one = set(Boundary.objects.filter(unit__in=communes).values_list("unit_id", flat=True))
    return [(commune, commune.pk in with_one) for commune in communes]
