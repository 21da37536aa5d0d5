"""The coverage page draws the communes it has outlines for, each shaded by its own figure and
linked to its own page; without outlines it shows the ranked bars alone."""

from __future__ import annotations

import json
import re

import pytest

from cccd.reach import boundaries, queries
from cccd.reach.mapsvg import colour_for
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.reach.coverage_world import DAY, World, make_world
from tests.reach.test_pages import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return make_world(tree)


def _square(code: str, lon: float, lat: float) -> dict[str, object]:
    ring = [[lon, lat], [lon + 0.05, lat], [lon + 0.05, lat + 0.05], [lon, lat + 0.05], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"code": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_the_map_shades_each_commune_by_its_coverage_and_links_it(world: World) -> None:
    admin = make_user("quantri.dakmil", "administrator", world.tree.dakmil_police)
    collection = {
        "type": "FeatureCollection",
        "features": [_square("24667", 107.60, 12.44), _square("24670", 107.65, 12.44)],
    }
    boundaries.upload_boundaries(json.dumps(collection).encode(), actor=admin)
    text = page(client_for(world.commander), world).content.decode()
    figure = re.search(r'<figure class="coverage-map" data-testid="map">(.*?)</figure>', text, re.S)
    assert figure is not None
    svg = figure.group(1)
    expected = queries.coverage(world.campaign, world.tree.dakmil, DAY)
    for child in expected.children:
        assert child.unit is not None
        assert f"unit={child.unit.pk}" in svg  # linked to the commune's own coverage
        assert colour_for(child.rate) in svg  # shaded by its own figure
    assert svg.count("<path") >= 2


def test_without_outlines_the_page_has_no_map(world: World) -> None:
    text = page(client_for(world.commander), world).content.decode()
    assert 'data-testid="map"' not in text
    assert 'data-testid="children"' in text
