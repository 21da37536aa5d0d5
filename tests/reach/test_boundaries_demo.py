"""The demo's SYNTHETIC commune outlines (`cccd.demo.boundaries`): one per commune of the
district, labelled synthetic, tiling the district without gap or overlap, accepted by the
administrator's own upload."""

from __future__ import annotations

import collections
import math
from typing import Any

import pytest

from cccd.demo.boundaries import DISTRICTS, seed_boundaries, synthetic_feature_collection
from cccd.demo.generator import communes_for_districts
from cccd.reach.models import Boundary
from tests.builders import Tree, make_unit


def rings(document: dict[str, Any]) -> list[list[tuple[float, float]]]:
    return [
        [tuple(point) for point in feature["geometry"]["coordinates"][0]]  # type: ignore[misc]
        for feature in document["features"]
    ]


def area(ring: list[tuple[float, float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


@pytest.mark.parametrize("district", sorted(DISTRICTS))
def test_one_synthetic_outline_per_commune_around_the_real_centre(district: str) -> None:
    document = synthetic_feature_collection(district)
    assert document["synthetic"] is True and "SYNTHETIC" in document["name"]
    codes = [feature["properties"]["code"] for feature in document["features"]]
    assert codes == [commune.code for commune in communes_for_districts([district])]
    assert all(feature["properties"]["synthetic"] is True for feature in document["features"])
    lon0, lat0, radius = DISTRICTS[district]
    points = [point for ring in rings(document) for point in ring]
    centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    assert math.dist(centre, (lon0, lat0)) < 0.05  # within ~5 km of the real centre
    km2 = (
        sum(abs(area(ring)) for ring in rings(document)) * 110.57**2 * math.cos(math.radians(lat0))
    )
    assert 0.7 * math.pi * radius**2 < km2 < 1.4 * math.pi * radius**2
    assert document == synthetic_feature_collection(district)  # the same every time


@pytest.mark.parametrize("district", sorted(DISTRICTS))
def test_the_outlines_tile_the_district(district: str) -> None:
    """Every edge is either shared by two communes, walked in opposite directions (no gap, no
    overlap along it), or on the district's outline, which is one closed loop."""
    outlines = rings(synthetic_feature_collection(district))
    assert all(area(ring) > 0 for ring in outlines)  # all counter-clockwise
    directed = collections.Counter(
        (a, b) for ring in outlines for a, b in zip(ring, ring[1:], strict=False)
    )
    assert max(directed.values()) == 1
    outer = {(a, b) for (a, b) in directed if (b, a) not in directed}
    shared = len(directed) - len(outer)
    assert shared > 2 * len(outlines)  # neighbours meet along real edges
    step = dict(outer)
    assert len(step) == len(outer)  # one way out of every point of the outline
    start = next(iter(step))
    walked, point = 1, step[start]
    while point != start:
        point, walked = step[point], walked + 1
    assert walked == len(outer)  # one loop: no hole between the communes


@pytest.mark.django_db
def test_the_demo_uploads_them_through_the_administrators_service(tree: Tree) -> None:
    for commune in communes_for_districts(["663"]):
        if commune.code != tree.daklao.code:
            make_unit(tree.dakmil, commune.code, commune.name, "commune")
    assert seed_boundaries(["663"]) == 10
    assert Boundary.objects.filter(unit__parent=tree.dakmil).count() == 10
    assert Boundary.objects.filter(uploaded_by=None).count() == 10
    points = sum(len(ring) for b in Boundary.objects.all() for poly in b.rings for ring in poly)
    assert points < 10 * 400  # simplified to 10 m: a light page
