"""The coverage map's SVG (`cccd.reach.mapsvg.render_map`): one path per unit shaded in the order
of its coverage, holes kept, every user text escaped, links only to this site or http(s), a
legend, well-formed XML, and Douglas–Peucker dropping only what is within the tolerance."""

from __future__ import annotations

import colorsys
import re
import xml.etree.ElementTree as ET

import pytest

from cccd.reach.mapsvg import (
    NO_DATA,
    SCALE,
    colour_for,
    percent_text,
    render_map,
    short_label,
    simplify,
)

SVG = "{http://www.w3.org/2000/svg}"


def square(x: float, y: float, size: float = 0.03) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


SHAPES = {
    1: [[square(107.60, 12.44)]],
    2: [[square(107.63, 12.44), square(107.64, 12.45, 0.005)]],  # a hole
    3: [[square(107.60, 12.41)], [square(107.70, 12.41, 0.01)]],  # two parts
}
LABELS = {1: "Thị trấn Đắk Mil", 2: "Xã Đắk Lao", 3: "Xã Đắk R'La"}
LINKS = {1: "/coverage/1/", 2: "/coverage/2/?day=01/03/2021&x=1", 3: "/coverage/3/"}


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, in a test)


def paths(svg: str) -> dict[int, ET.Element]:
    return {
        int(p.get("data-unit", "0")): p
        for p in parsed(svg).iter(f"{SVG}path")
        if p.get("data-unit")
    }


def hue(colour: str) -> float:
    """The hue in turns, a red past magenta (0.98) counted as just below red (−0.02)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    turn = colorsys.rgb_to_hsv(r, g, b)[0]
    return turn - 1 if turn > 0.9 else turn


def test_one_path_per_unit_shaded_in_the_order_of_its_coverage() -> None:
    values = {1: 0.9, 2: 0.15, 3: 0.5}
    svg = render_map(SHAPES, values, LABELS, LINKS)
    drawn = paths(svg)
    assert sorted(drawn) == [1, 2, 3]
    assert {k: p.get("fill") for k, p in drawn.items()} == {
        k: colour_for(v) for k, v in values.items()
    }
    by_coverage = sorted(values, key=lambda k: values[k])
    hues = [hue(drawn[k].get("fill", "")) for k in by_coverage]
    assert hues == sorted(hues) and len(set(hues)) == 3  # red → yellow → blue as coverage grows
    assert all(p.get("fill-rule") == "evenodd" for p in drawn.values())


def test_the_scale_turns_one_way_from_red_to_blue() -> None:
    steps = [hue(colour_for(i / 20)) for i in range(21)]
    assert steps == sorted(steps)
    assert colour_for(0) == "#d53e4f" and colour_for(1) == "#3288bd"
    assert colour_for(-3) == colour_for(0) and colour_for(7) == colour_for(1)
    assert colour_for(None) == colour_for(float("nan")) == NO_DATA
    assert [colour_for(at) for at, _rgb in SCALE] == [
        "#{:02x}{:02x}{:02x}".format(*rgb) for _at, rgb in SCALE
    ]


def test_holes_and_parts_are_subpaths() -> None:
    drawn = paths(render_map(SHAPES, {}, LABELS, LINKS))
    assert drawn[1].get("d", "").count("M") == 1
    assert drawn[2].get("d", "").count("M") == 2  # the outline and its hole
    assert drawn[3].get("d", "").count("M") == 2  # the two parts


def test_a_unit_without_a_figure_is_hatched_and_the_legend_says_so() -> None:
    svg = render_map(SHAPES, {1: 0.3, 2: None}, LABELS, LINKS)
    drawn = paths(svg)
    assert drawn[2].get("fill") == drawn[3].get("fill") == "url(#cmap-nodata)"
    assert "Xã Đắk Lao — no data" in svg
    assert "No data" in svg
    assert "No data" not in render_map(SHAPES, {1: 0.3, 2: 0.4, 3: 0.5}, LABELS, LINKS)


def test_titles_links_and_the_legend() -> None:
    svg = render_map(SHAPES, {1: 0.996, 2: 1.0, 3: 0.0}, LABELS, LINKS)
    root = parsed(svg)
    links = {a.get("href"): a.find(f"{SVG}title").text for a in root.iter(f"{SVG}a")}  # type: ignore[union-attr]
    assert links == {
        "/coverage/1/": "Thị trấn Đắk Mil — 99 %",  # not done until it is
        "/coverage/2/?day=01/03/2021&x=1": "Xã Đắk Lao — 100 %",
        "/coverage/3/": "Xã Đắk R'La — 0 %",
    }
    assert "&amp;x=1" in svg  # the link written as XML
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0 %", "25 %", "50 %", "75 %", "100 %", "Coverage"} <= set(legend)
    assert root.get("viewBox", "").startswith("0 0 640 ")


def test_user_text_is_escaped_everywhere() -> None:
    hostile = '<script>alert("x")</script> & </title><a href="javascript:1">'
    svg = render_map(
        SHAPES,
        {1: 0.5},
        {1: hostile, 2: "Xã\x00 Đắk\x1b Lao"},
        {1: '/c/1/"onmouseover="alert(1)', 2: "javascript:alert(1)", 3: "//evil.example/"},
        caption="<b>Huyện</b>",
    )
    assert "<script" not in svg and "<b>" not in svg and "</title><a" not in svg
    assert "javascript:alert" not in svg and 'href="javascript' not in svg  # the link dropped
    assert 'onmouseover="' not in svg and "evil.example" not in svg  # no other site either
    root = parsed(svg)  # still well-formed, control characters dropped
    hrefs = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert hrefs == ['/c/1/"onmouseover="alert(1)']  # one attribute value, escaped
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert titles[0] == "<b>Huyện</b>"
    assert hostile + " — 50 %" in titles
    assert "Xã Đắk Lao — no data" in titles


def test_short_labels_and_percents() -> None:
    assert short_label("Xã Đắk Lao") == "Đắk Lao"
    assert short_label("Thị trấn Đắk Mil") == "Đắk Mil"
    assert short_label("Xã ") == "Xã "
    assert short_label("Buôn Ma Thuột") == "Buôn Ma Thuột"
    assert [percent_text(v) for v in (None, 0, 0.004, 0.5, 0.999, 1, 1.26)] == [
        "—",
        "0 %",
        "0 %",
        "50 %",
        "99 %",
        "100 %",
        "126 %",
    ]


def test_the_names_that_fit_are_written_on_the_map() -> None:
    big = {1: [[square(107.0, 12.0, 0.5)]], 2: [[square(107.5, 12.0, 0.01)]]}
    svg = render_map(big, {1: 0.42, 2: 0.5}, {1: "Xã Đắk Lao", 2: "Xã Rất Nhỏ"}, {})
    written = [t.text for t in parsed(svg).iter(f"{SVG}text")]
    assert "Đắk Lao" in written and "42 %" in written
    assert "Rất Nhỏ" not in written  # 2 pixels wide: the tooltip names it
    assert "Xã Rất Nhỏ — 50 %" in svg


def test_the_map_fits_the_view_box_whatever_the_shape() -> None:
    tall = {1: [[[[107.0, 10.0], [107.01, 10.0], [107.01, 14.0], [107.0, 14.0], [107.0, 10.0]]]]}
    wide = {1: [[[[100.0, 12.0], [110.0, 12.0], [110.0, 12.01], [100.0, 12.0]]]]}
    for shapes in (tall, wide, SHAPES):
        svg = render_map(shapes, {}, {}, {})
        width, height = (float(v) for v in parsed(svg).get("viewBox", "").split()[2:])
        numbers = [
            float(n) for d in re.findall(r' d="(M[^"]+)"', svg) for n in re.findall(r"-?[\d.]+", d)
        ]
        assert width == 640 and height <= 480 + 64
        assert min(numbers) >= 0 and max(numbers) <= max(width, height)


def test_nothing_to_draw_is_an_empty_string() -> None:
    assert render_map({}, {}, {}, {}) == ""
    assert render_map({1: []}, {1: 0.5}, {}, {}) == ""


def test_the_same_input_draws_the_same_map() -> None:
    first = render_map(SHAPES, {1: 0.2}, LABELS, LINKS, id_prefix="m1")
    assert first == render_map(SHAPES, {1: 0.2}, LABELS, LINKS, id_prefix="m1")
    assert 'id="m1-scale"' in first
    assert 'id="x-scale"' in render_map(SHAPES, {}, LABELS, LINKS, id_prefix='x"><')


def test_the_preview_draws_outlines_alone() -> None:
    svg = render_map(SHAPES, {}, LABELS, {}, preview=True)
    assert {p.get("fill") for p in paths(svg).values()} == {"#c7d7e6"}
    assert "Coverage</text>" not in svg and not re.search(r"\d %", svg)


# --- Douglas–Peucker ----------------------------------------------------------------------------


def test_simplify_drops_points_within_the_tolerance_only() -> None:
    line = [(float(i), 0.0) for i in range(11)]
    assert simplify(line, 0.1) == [0, 10]
    bent = [(0.0, 0.0), (1.0, 0.52), (2.0, 1.0), (3.0, 0.0)]
    assert simplify(bent, 0.1) == [0, 2, 3]
    assert simplify(bent, 2.0) == [0, 3]
    assert simplify([(0.0, 0.0), (1.0, 1.0)], 5.0) == [0, 1]


def test_simplify_keeps_a_closed_ring_a_ring() -> None:
    ring = [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    assert simplify(ring, 0.01) == [0, 2, 3, 4, 5]


def test_a_zigzag_of_corners_is_kept_whole_without_recursion() -> None:
    """Douglas–Peucker's worst case (every point a corner, the split always at an end) is run
    by runs, with no recursion to exhaust."""
    zigzag = [(i * 0.2, (i % 2) * 1.0) for i in range(20_000)]
    assert simplify(zigzag, 0.1) == list(range(20_000))


def test_points_nearer_than_the_tolerance_go_first() -> None:
    crowd = [(0.0, 0.0), (0.01, 0.5), (0.02, -0.5), (0.03, 0.5), (5.0, 0.0)]
    assert simplify(crowd, 1.0) == [0, 4]


@pytest.mark.parametrize("tolerance", [0.0, 1e-9])
def test_simplify_with_no_tolerance_keeps_every_corner(tolerance: float) -> None:
    zigzag = [(float(i), float(i % 2)) for i in range(9)]
    assert simplify(zigzag, tolerance) == list(range(9))
