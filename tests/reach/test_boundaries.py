"""The administrator's boundary upload (`cccd.reach.boundaries`): a good file is stored whole,
simplified, matched to the communes of the uploader's subtree and audited; a bad one — the
malformed corpus below, one file per refusal — changes nothing, even when only its last feature is
wrong; a second upload replaces the first."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cccd.accounts.models import AuditEvent, Role, User
from cccd.errors import DomainError
from cccd.reach import boundaries
from cccd.reach.models import Boundary
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_unit, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
CODES = ["24664", "24667", "24670"]


def three() -> dict[str, Any]:
    """The fixture: three hand-drawn communes of Đắk Mil (a hole, a MultiPolygon, a long edge)."""
    document: dict[str, Any] = json.loads((DATA / "three_communes.geojson").read_text("utf-8"))
    return document


def encoded(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.fixture
def communes(tree: Tree) -> dict[str, Unit]:
    """Đắk Mil's town, Đắk Lao (in the tree already) and Đắk R'La, with their police units."""
    town, _ = make_pair(tree.dakmil, tree.dakmil_police, "24664", "Thị trấn Đắk Mil", "commune")
    rla, _ = make_pair(tree.dakmil, tree.dakmil_police, "24670", "Xã Đắk R'La", "commune")
    return {"24664": town, "24667": tree.daklao, "24670": rla}


@pytest.fixture
def admin_dakmil(tree: Tree) -> User:
    return make_user("quantri.dakmil", Role.ADMINISTRATOR, tree.dakmil_police)


def refused(data: bytes, actor: User | None, **kwargs: Any) -> str:
    with pytest.raises(DomainError) as caught:
        boundaries.upload_boundaries(data, actor=actor, **kwargs)
    assert 400 <= caught.value.status < 500
    assert caught.value.message  # a sentence, its parameters filled in
    return caught.value.code


# --- a good file --------------------------------------------------------------------------------


def test_a_good_file_gives_each_commune_its_outline(
    communes: dict[str, Unit], admin_dakmil: User
) -> None:
    result = boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    assert (result.communes, result.replaced, result.scheme) == (3, 0, "legacy")
    stored = {b.unit.code: b for b in Boundary.objects.select_related("unit")}
    assert sorted(stored) == CODES
    town = stored["24664"].rings
    assert len(town) == 1 and len(town[0]) == 2  # one polygon, its outer ring and its hole
    assert town[0][1][0] == [107.61, 12.45]
    assert len(stored["24667"].rings) == 2  # the MultiPolygon's two parts
    rla = stored["24670"].rings[0][0]
    assert len(rla) == 5  # the 9 points in the middle of the straight southern edge dropped
    assert rla[0] == rla[-1] == [107.6, 12.41]
    assert result.points_read == 10 + 10 + 14 and result.points_kept == 10 + 10 + 5
    assert all(b.uploaded_by == admin_dakmil for b in stored.values())
    event = AuditEvent.objects.get(action="boundary.upload")
    assert event.actor == admin_dakmil and event.unit == admin_dakmil.unit
    assert event.after["communes"] == 3 and event.after["scheme"] == "legacy"


def test_a_second_upload_replaces_the_outlines_it_names_and_keeps_the_others(
    communes: dict[str, Unit], admin_dakmil: User
) -> None:
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    kept_before = Boundary.objects.get(unit=communes["24670"]).rings
    second = three()
    second["features"] = second["features"][:2]
    moved = second["features"][0]["geometry"]["coordinates"][0]
    second["features"][0]["geometry"]["coordinates"] = [[[x + 0.001, y] for x, y in moved]]
    result = boundaries.upload_boundaries(encoded(second), actor=admin_dakmil)
    assert (result.communes, result.replaced) == (2, 2)
    assert Boundary.objects.count() == 3
    town = Boundary.objects.get(unit=communes["24664"]).rings
    assert town == [[[[x + 0.001, y] for x, y in moved]]]  # the hole went with the old outline
    assert Boundary.objects.get(unit=communes["24670"]).rings == kept_before


def test_codes_are_read_as_the_units_write_them(tree: Tree, admin_dakmil: User) -> None:
    """A number, a float that is a whole number, a string with spaces: all the same commune; a
    short code is padded with zeros as the statistics office writes it."""
    make_unit(tree.dakmil, "00412", "Xã Thử", "commune")
    document = three()
    document["features"] = document["features"][:1]
    for value in (412, 412.0, " 00412 ", "412"):
        document["features"][0]["properties"] = {"ma": value}
        boundaries.upload_boundaries(encoded(document), actor=admin_dakmil)
        assert list(Boundary.objects.values_list("unit__code", flat=True)) == ["00412"]


def test_the_first_code_property_found_wins(communes: dict[str, Unit], admin_dakmil: User) -> None:
    document = three()
    document["features"] = document["features"][:1]
    document["features"][0]["properties"] = {"ma": "99999", "code": "24670", "MA_XA": "x"}
    boundaries.upload_boundaries(encoded(document), actor=admin_dakmil)
    assert Boundary.objects.get().unit == communes["24670"]


# --- who may upload what -----------------------------------------------------------------------


def test_only_the_administrator_uploads(
    communes: dict[str, Unit], commander_daknong: User, officer_dakmil: User
) -> None:
    for user in (commander_daknong, officer_dakmil):
        assert refused(encoded(three()), user) == "PERMISSION_DENIED"
    assert not Boundary.objects.exists()


def test_a_commune_outside_the_administrators_unit_is_refused(
    tree: Tree, communes: dict[str, Unit]
) -> None:
    """Tây Sơn's administrator cannot draw Đắk Mil's communes, although the codes exist."""
    admin_tayson = make_user("quantri.tayson", Role.ADMINISTRATOR, tree.tayson_police)
    assert refused(encoded(three()), admin_tayson) == "BOUNDARY_UNKNOWN_COMMUNE"
    assert not Boundary.objects.exists()
    make_unit(tree.tayson, "24670", "Xã trùng mã ở Tây Sơn", "commune", scheme="2025")
    document = three()
    document["features"] = document["features"][2:]  # 24670: also a code in Tây Sơn, of 2025
    boundaries.upload_boundaries(encoded(document), actor=admin_tayson)
    assert Boundary.objects.get().unit.name == "Xã trùng mã ở Tây Sơn"


def test_one_foreign_feature_refuses_the_whole_file(
    tree: Tree, communes: dict[str, Unit], admin_dakmil: User
) -> None:
    make_unit(tree.tayson, "21610", "Xã Bình Tân", "commune")
    document = three()
    foreign = copy.deepcopy(document["features"][0])
    foreign["properties"] = {"code": "21610"}
    document["features"].append(foreign)
    with pytest.raises(DomainError) as caught:
        boundaries.upload_boundaries(encoded(document), actor=admin_dakmil)
    assert caught.value.code == "BOUNDARY_UNKNOWN_COMMUNE"
    assert caught.value.params == {"feature": 4, "code": "21610"}
    assert not Boundary.objects.exists()


def test_codes_of_both_schemes_need_the_administrator_to_choose(
    tree: Tree, communes: dict[str, Unit], administrator: User
) -> None:
    """The ministry sees both schemes; 2025 codes are mostly old codes reused."""
    lamdong = make_unit(tree.country, "68", "Tỉnh Lâm Đồng", "province", scheme="2025")
    for code in CODES:
        make_unit(lamdong, code, f"Xã mới {code}", "commune", scheme="2025")
    assert refused(encoded(three()), administrator) == "BOUNDARY_SCHEME_AMBIGUOUS"
    result = boundaries.upload_boundaries(encoded(three()), actor=administrator, scheme="2025")
    assert result.scheme == "2025"
    assert set(Boundary.objects.values_list("unit__scheme", flat=True)) == {"2025"}
    assert refused(encoded(three()), administrator, scheme="national") == "BOUNDARY_SCHEME_UNKNOWN"


def test_the_scheme_that_holds_every_code_is_found_alone(
    tree: Tree, communes: dict[str, Unit], administrator: User
) -> None:
    lamdong = make_unit(tree.country, "68", "Tỉnh Lâm Đồng", "province", scheme="2025")
    make_unit(lamdong, "24664", "Xã mới", "commune", scheme="2025")  # one code of three only
    assert boundaries.upload_boundaries(encoded(three()), actor=administrator).scheme == "legacy"


# --- the malformed corpus: one file per refusal, nothing stored ---------------------------------


def feature(geometry: Any, properties: Any = None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": "24664"} if properties is None else properties,
        "geometry": geometry,
    }


def collection(*features: Any) -> bytes:
    return encoded({"type": "FeatureCollection", "features": list(features)})


SQUARE = [[107.6, 12.44], [107.63, 12.44], [107.63, 12.47], [107.6, 12.47], [107.6, 12.44]]


def polygon(ring: Any) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring]}


def with_point(point: Any) -> bytes:
    return collection(feature(polygon([point, *SQUARE[1:4], point])))


MALFORMED: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "BOUNDARY_EMPTY"),
    ("blank file", b" \n\t", "BOUNDARY_EMPTY"),
    ("not JSON", b"{type: FeatureCollection", "BOUNDARY_NOT_JSON"),
    ("cut short", collection(feature(polygon(SQUARE)))[:-20], "BOUNDARY_NOT_JSON"),
    ("not UTF-8", b'{"type": "FeatureCollection", "name": "\xff\xfe"}', "BOUNDARY_NOT_JSON"),
    ("a number of 5,000 digits", b'{"n": ' + b"7" * 5000 + b"}", "BOUNDARY_NOT_JSON"),
    ("a shapefile's bytes", b"\x00\x00\x27\x0a" + bytes(96), "BOUNDARY_NOT_JSON"),
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, "BOUNDARY_TOO_DEEP"),
    ("a list", b"[]", "BOUNDARY_NOT_FEATURE_COLLECTION"),
    ("a Feature alone", encoded(feature(polygon(SQUARE))), "BOUNDARY_NOT_FEATURE_COLLECTION"),
    ("a GeometryCollection", encoded(polygon(SQUARE)), "BOUNDARY_NOT_FEATURE_COLLECTION"),
    (
        "features not a list",
        b'{"type": "FeatureCollection", "features": {}}',
        "BOUNDARY_NOT_FEATURE_COLLECTION",
    ),
    ("no feature", collection(), "BOUNDARY_EMPTY"),
    ("a feature that is a number", collection(7), "BOUNDARY_NOT_FEATURE"),
    ("a feature without geometry", collection(feature(None)), "BOUNDARY_NOT_FEATURE"),
    (
        "a feature of another type",
        collection({"type": "Polygon", "coordinates": [SQUARE]}),
        "BOUNDARY_NOT_FEATURE",
    ),
    (
        "a Point",
        collection(feature({"type": "Point", "coordinates": [107.6, 12.4]})),
        "BOUNDARY_WRONG_GEOMETRY",
    ),
    (
        "a LineString",
        collection(feature({"type": "LineString", "coordinates": SQUARE})),
        "BOUNDARY_WRONG_GEOMETRY",
    ),
    (
        "a GeometryCollection geometry",
        collection(feature({"type": "GeometryCollection", "geometries": []})),
        "BOUNDARY_WRONG_GEOMETRY",
    ),
    (
        "a Polygon without coordinates",
        collection(feature({"type": "Polygon"})),
        "BOUNDARY_BAD_POSITION",
    ),
    (
        "a MultiPolygon of nothing",
        collection(feature({"type": "MultiPolygon", "coordinates": []})),
        "BOUNDARY_BAD_POSITION",
    ),
    (
        "a Polygon one level too shallow",
        collection(feature({"type": "Polygon", "coordinates": SQUARE})),
        "BOUNDARY_BAD_POSITION",
    ),
    (
        "a MultiPolygon one level too shallow",
        collection(feature({"type": "MultiPolygon", "coordinates": [SQUARE]})),
        "BOUNDARY_BAD_POSITION",
    ),
    ("a coordinate as text", with_point(["107.6", "12.44"]), "BOUNDARY_BAD_POSITION"),
    ("a coordinate true", with_point([True, 12.44]), "BOUNDARY_BAD_POSITION"),
    ("a coordinate null", with_point([107.6, None]), "BOUNDARY_BAD_POSITION"),
    ("one number", with_point([107.6]), "BOUNDARY_BAD_POSITION"),
    ("four numbers", with_point([107.6, 12.44, 0, 0]), "BOUNDARY_BAD_POSITION"),
    ("a point that is an object", with_point({"lon": 107.6}), "BOUNDARY_BAD_POSITION"),
    (
        "NaN",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"code": "24664"}, "geometry": {"type": "Polygon", "coordinates": [[[NaN, 12.44], '
        b"[107.63, 12.44], [107.63, 12.47], [NaN, 12.44]]]}}]}",
        "BOUNDARY_BAD_POSITION",
    ),
    (
        "Infinity",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"code": "24664"}, "geometry": {"type": "Polygon", "coordinates": [[[107.6, -Infinity], '
        b"[107.63, 12.44], [107.63, 12.47], [107.6, -Infinity]]]}}]}",
        "BOUNDARY_BAD_POSITION",
    ),
    (
        "a number too large for a float",
        b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        b'{"code": "24664"}, "geometry": {"type": "Polygon", "coordinates": [[[1e999, 12.44], '
        b"[107.63, 12.44], [107.63, 12.47], [1e999, 12.44]]]}}]}",
        "BOUNDARY_BAD_POSITION",
    ),
    ("longitude 200", with_point([200.0, 12.44]), "BOUNDARY_OUT_OF_RANGE"),
    ("latitude −90.5", with_point([107.6, -90.5]), "BOUNDARY_OUT_OF_RANGE"),
    ("latitude first", with_point([12.44, 107.6]), "BOUNDARY_OUT_OF_RANGE"),
    ("metres (UTM)", with_point([428_000.0, 1_376_000.0]), "BOUNDARY_OUT_OF_RANGE"),
    ("an open ring", collection(feature(polygon(SQUARE[:4]))), "BOUNDARY_RING_OPEN"),
    (
        "a ring of three points",
        collection(feature(polygon([SQUARE[0], SQUARE[1], SQUARE[0]]))),
        "BOUNDARY_RING_TOO_SHORT",
    ),
    (
        "a ring that is no list",
        collection(feature({"type": "Polygon", "coordinates": [SQUARE, 5]})),
        "BOUNDARY_BAD_POSITION",
    ),
    ("no properties", collection(feature(polygon(SQUARE), properties={})), "BOUNDARY_NO_CODE"),
    (
        "properties null",
        encoded(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": None, "geometry": polygon(SQUARE)}],
            }
        ),
        "BOUNDARY_NO_CODE",
    ),
    (
        "a code under another name",
        collection(feature(polygon(SQUARE), properties={"MaXa": "24664"})),
        "BOUNDARY_NO_CODE",
    ),
    (
        "a code that is true or empty",
        collection(feature(polygon(SQUARE), properties={"code": True, "ma": " "})),
        "BOUNDARY_NO_CODE",
    ),
    (
        "a code nobody has",
        collection(feature(polygon(SQUARE), properties={"code": "99999"})),
        "BOUNDARY_UNKNOWN_COMMUNE",
    ),
    (
        "a district's code",
        collection(feature(polygon(SQUARE), properties={"code": "663"})),
        "BOUNDARY_UNKNOWN_COMMUNE",
    ),
    (
        "a commune twice",
        collection(feature(polygon(SQUARE)), feature(polygon(SQUARE), properties={"ma_xa": 24664})),
        "BOUNDARY_DUPLICATE_CODE",
    ),
]


@pytest.mark.parametrize(
    ("data", "code"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_the_malformed_corpus_is_refused_and_nothing_is_stored(
    communes: dict[str, Unit], admin_dakmil: User, data: bytes, code: str
) -> None:
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    before = {b.unit_id: b.rings for b in Boundary.objects.all()}
    assert refused(data, admin_dakmil) == code
    assert {b.unit_id: b.rings for b in Boundary.objects.all()} == before
    assert AuditEvent.objects.filter(action="boundary.upload").count() == 1


def test_every_refusal_of_the_module_is_in_the_corpus() -> None:
    from cccd.reach import errors

    boundary_codes = {
        value.code
        for name, value in vars(errors).items()
        if name.startswith("BOUNDARY_") and hasattr(value, "code")
    }
    elsewhere = {  # each tested in its own test below or above
        "BOUNDARY_FILE_MISSING",
        "BOUNDARY_FILE_TOO_LARGE",
        "BOUNDARY_TOO_MANY_POINTS",
        "BOUNDARY_TOO_MANY_FEATURES",
        "BOUNDARY_SCHEME_AMBIGUOUS",
        "BOUNDARY_SCHEME_UNKNOWN",
    }
    assert boundary_codes - elsewhere == {code for _name, _data, code in MALFORMED}


def test_an_error_in_the_last_feature_leaves_the_stored_outlines_as_they_were(
    communes: dict[str, Unit], admin_dakmil: User
) -> None:
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    before = {b.unit_id: (b.rings, b.uploaded_at) for b in Boundary.objects.all()}
    document = three()
    for item in document["features"]:  # every outline moved: a half-write would show
        for ring in item["geometry"]["coordinates"]:
            if item["geometry"]["type"] == "Polygon":
                ring[:] = [[x + 0.002, y] for x, y in ring]
    document["features"][-1]["geometry"]["coordinates"][0].pop()  # its ring left open
    assert refused(encoded(document), admin_dakmil) == "BOUNDARY_RING_OPEN"
    assert {b.unit_id: (b.rings, b.uploaded_at) for b in Boundary.objects.all()} == before


def test_a_failure_while_writing_rolls_the_whole_upload_back(
    communes: dict[str, Unit], admin_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old outlines are deleted before the new ones are written: a failure after that (here
    the audit record) must bring them back."""
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    before = {b.unit_id: b.rings for b in Boundary.objects.all()}

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(boundaries, "record", broken)
    document = three()
    document["features"][0]["geometry"]["coordinates"] = [SQUARE]
    with pytest.raises(RuntimeError):
        boundaries.upload_boundaries(encoded(document), actor=admin_dakmil)
    assert {b.unit_id: b.rings for b in Boundary.objects.all()} == before


# --- the bounds ---------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boundaries, "MAX_MB", 1)
    big = SimpleUploadedFile("x.geojson", b" " * (boundaries.MB + 1))
    with pytest.raises(DomainError) as caught:
        boundaries.read_upload(big)
    assert (caught.value.code, caught.value.status) == ("BOUNDARY_FILE_TOO_LARGE", 413)

    class Understated(SimpleUploadedFile):
        """A file whose declared size lies: the reading stops at the limit all the same."""

        @property
        def size(self) -> int:
            return 10

        @size.setter
        def size(self, value: int) -> None:
            pass

    with pytest.raises(DomainError) as caught:
        boundaries.read_upload(Understated("x.geojson", b" " * (boundaries.MB + 1)))
    assert caught.value.code == "BOUNDARY_FILE_TOO_LARGE"
    assert boundaries.read_upload(SimpleUploadedFile("x.geojson", b"{}")) == b"{}"
    with pytest.raises(DomainError) as caught:
        boundaries.read_upload(None)
    assert caught.value.code == "BOUNDARY_FILE_MISSING"
    with pytest.raises(DomainError) as caught:
        boundaries.parse(b" " * (boundaries.MB + 1))
    assert caught.value.code == "BOUNDARY_FILE_TOO_LARGE"


def test_too_many_points_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundaries, "MAX_POINTS", 100)
    monkeypatch.setattr(boundaries, "MAX_FEATURES", 2)
    monkeypatch.setattr(boundaries.json, "loads", None)  # the parser must not be reached
    for data in (b"[" * 300, b"1," * 500):
        with pytest.raises(DomainError) as caught:
            boundaries.parse(data)
        assert caught.value.code == "BOUNDARY_TOO_MANY_POINTS"


def test_too_many_points_are_refused_while_reading(
    communes: dict[str, Unit], admin_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boundaries, "MAX_POINTS", 20)  # the file has 34
    assert refused(encoded(three()), admin_dakmil) == "BOUNDARY_TOO_MANY_POINTS"
    assert not Boundary.objects.exists()


def test_too_many_features_are_refused(
    communes: dict[str, Unit], admin_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boundaries, "MAX_FEATURES", 2)
    assert refused(encoded(three()), admin_dakmil) == "BOUNDARY_TOO_MANY_FEATURES"


def test_a_ring_that_takes_too_long_is_stopped(
    communes: dict[str, Unit], admin_dakmil: User, settings: Any
) -> None:
    """The simplification checks the request's read budget at every split."""
    settings.CCCD_MAX_REQUEST_READ_SECONDS = 0
    assert refused(encoded(three()), admin_dakmil) == "FILE_READ_TOO_LONG"


# --- removing ------------------------------------------------------------------------------------


def test_removing_a_districts_outlines(
    tree: Tree, communes: dict[str, Unit], admin_dakmil: User, officer_dakmil: User
) -> None:
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    with pytest.raises(DomainError) as caught:
        boundaries.delete_boundaries(tree.dakmil.pk, actor=officer_dakmil)
    assert caught.value.code == "PERMISSION_DENIED"
    admin_tayson = make_user("quantri.tayson", Role.ADMINISTRATOR, tree.tayson_police)
    with pytest.raises(DomainError) as caught:
        boundaries.delete_boundaries(tree.dakmil.pk, actor=admin_tayson)
    assert caught.value.code == "NOT_FOUND"
    assert boundaries.delete_boundaries(tree.daklao_police.pk, actor=admin_dakmil) == 1
    assert boundaries.delete_boundaries(tree.dakmil.pk, actor=admin_dakmil) == 2
    assert not Boundary.objects.exists()
    assert AuditEvent.objects.filter(action="boundary.delete").count() == 2
