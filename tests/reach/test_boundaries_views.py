"""The boundaries page (`/coverage/boundaries/`) and `map_for`, the coverage page's map: an
administrator uploads and sees the outlines, a refused file is said in Vietnamese with a 4xx, the
other roles are kept out; the map draws a unit's children, scoped to the reader."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cccd.accounts.models import AuditEvent, Role, User
from cccd.errors import DomainError
from cccd.reach import boundaries
from cccd.reach.mapsvg import colour_for
from cccd.reach.models import Boundary
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_user
from tests.conftest import client_for
from tests.reach.test_boundaries import admin_dakmil, communes, encoded, three

pytestmark = pytest.mark.django_db
__all__ = ["admin_dakmil", "communes"]  # fixtures

PAGE = "/coverage/boundaries/"


def upload(client: Client, data: bytes, **fields: str) -> Any:
    return client.post(
        reverse("boundaries:upload"),
        {"file": SimpleUploadedFile("ranh-gioi.geojson", data), **fields},
    )


def test_the_administrator_uploads_and_sees_the_outlines(
    communes: dict[str, Unit], admin_dakmil: User, tree: Tree
) -> None:
    client = client_for(admin_dakmil)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "No boundary uploaded yet." in page.content.decode()
    response = upload(client, encoded(three()))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Boundary.objects.count() == 3
    page = client.get(PAGE)
    html = page.content.decode()
    assert "Boundaries stored for 3 communes (0 replaced)" in html
    row = re.search(rf'<tr data-unit="{tree.dakmil.pk}">(.*?)</tr>', html, re.S)
    assert row is not None and "3 / 3" in row.group(1)
    assert html.count("<path d=") == 3  # the preview: one outline per commune
    assert "coverage-map" in html


def test_a_refused_file_is_said_in_vietnamese_with_a_4xx(
    communes: dict[str, Unit], admin_dakmil: User, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "vi"
    client = client_for(admin_dakmil)
    document = three()
    document["features"][2]["geometry"]["coordinates"][0].pop()
    response = upload(client, encoded(document))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="BOUNDARY_RING_OPEN"' in html
    assert "Đối tượng thứ 3" in html and "Chưa lưu gì." in html
    assert not Boundary.objects.exists()
    missing = client.post(reverse("boundaries:upload"), {})
    assert missing.status_code == 400
    assert 'data-code="BOUNDARY_FILE_MISSING"' in missing.content.decode()
    wrong_scheme = upload(client, encoded(three()), scheme="x" * 500)
    assert wrong_scheme.status_code == 400
    assert 'data-code="BOUNDARY_SCHEME_UNKNOWN"' in wrong_scheme.content.decode()


def test_a_file_too_large_is_413_and_not_read(
    communes: dict[str, Unit], admin_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(boundaries, "MAX_MB", 1)
    response = upload(client_for(admin_dakmil), b" " * (boundaries.MB + 10))
    assert response.status_code == 413
    assert 'data-code="BOUNDARY_FILE_TOO_LARGE"' in response.content.decode()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.TEAM_LEADER, Role.COMMANDER, Role.LIAISON])
def test_no_other_role_opens_the_page_or_uploads(
    communes: dict[str, Unit], tree: Tree, role: str
) -> None:
    client = client_for(make_user(f"u.{role}", role, tree.dakmil_police))
    assert client.get(PAGE).status_code == 403
    assert upload(client, encoded(three())).status_code == 403
    assert client.post(reverse("boundaries:delete", args=[tree.dakmil.pk])).status_code == 403
    assert not Boundary.objects.exists()
    assert Client().get(PAGE).status_code == 302  # anonymous: to the log-in page


def test_a_unit_name_is_written_as_text_on_the_page(
    communes: dict[str, Unit], admin_dakmil: User
) -> None:
    Unit.objects.filter(code="24670").update(name='<script>alert("x")</script>')
    client = client_for(admin_dakmil)
    upload(client, encoded(three()))
    html = client.get(PAGE).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_preview_query_is_read_by_the_rule(
    communes: dict[str, Unit], admin_dakmil: User, tree: Tree
) -> None:
    client = client_for(admin_dakmil)
    upload(client, encoded(three()))
    assert client.get(PAGE, {"unit": tree.dakmil.pk}).status_code == 200
    assert client.get(PAGE, {"unit": "abc"}).status_code == 400
    assert client.get(PAGE, {"unit": tree.tayson.pk}).status_code == 404  # another's unit
    page = client.get(PAGE, {"unit": tree.daklao.pk})  # a commune: no commune below, no map
    assert "None of this unit's communes has a boundary." in page.content.decode()


def test_removing_from_the_page(communes: dict[str, Unit], admin_dakmil: User, tree: Tree) -> None:
    client = client_for(admin_dakmil)
    upload(client, encoded(three()))
    response = client.post(reverse("boundaries:delete", args=[tree.dakmil.pk]))
    assert response.status_code == 302
    assert not Boundary.objects.exists()
    assert AuditEvent.objects.filter(action="boundary.delete", actor=admin_dakmil).exists()
    assert client.get(reverse("boundaries:delete", args=[tree.dakmil.pk])).status_code == 405


# --- map_for: the coverage page's map -----------------------------------------------------------


@pytest.fixture
def stored(communes: dict[str, Unit], admin_dakmil: User) -> dict[str, Unit]:
    boundaries.upload_boundaries(encoded(three()), actor=admin_dakmil)
    return communes


def fills(svg: str) -> dict[int, str]:
    return {int(k): v for k, v in re.findall(r'data-unit="(\d+)" data-fill="(#[0-9a-f]{6})"', svg)}


def test_map_for_draws_the_children_with_their_rates_and_links(
    stored: dict[str, Unit], tree: Tree, commander_daknong: User
) -> None:
    town, lao, rla = (stored[c] for c in ("24664", "24667", "24670"))
    rates = {town.pk: 0.9, lao.pk: 0.1, rla.pk: None}
    svg = boundaries.map_for(commander_daknong, tree.dakmil, rates, lambda u: f"/c/{u.code}/")
    assert svg is not None
    assert fills(svg) == {town.pk: colour_for(0.9), lao.pk: colour_for(0.1), rla.pk: "#e6e6e6"}
    assert '<a href="/c/24667/"><title>Xã Đắk Lao — 10 %</title>' in svg
    assert "Xã Đắk R&#x27;La — no data" in svg
    assert '<title id="cmap-title">Huyện Đắk Mil</title>' in svg


def test_map_for_a_police_unit_draws_the_places_its_units_serve(
    stored: dict[str, Unit], tree: Tree, commander_daknong: User
) -> None:
    police = {u.code: u for u in Unit.objects.filter(parent=tree.dakmil_police)}
    svg = boundaries.map_for(
        commander_daknong, tree.dakmil_police, {police["24667"].pk: 0.5}, lambda u: "/"
    )
    assert svg is not None and set(fills(svg)) == {u.pk for u in police.values()}


def test_map_for_a_province_puts_each_districts_communes_together(
    stored: dict[str, Unit], tree: Tree, commander_daknong: User
) -> None:
    svg = boundaries.map_for(commander_daknong, tree.daknong, {tree.dakmil.pk: 0.42}, lambda u: "/")
    assert svg is not None
    assert fills(svg) == {tree.dakmil.pk: colour_for(0.42)}
    path = re.search(r'<path d="([^"]+)"[^>]*data-unit', svg)
    assert path is not None and path.group(1).count("M") == 5  # 4 outer rings and the hole


def test_map_for_is_none_without_boundaries_or_outside_the_readers_unit(
    stored: dict[str, Unit], tree: Tree, officer_tayson: User, commander_daknong: User
) -> None:
    assert boundaries.map_for(commander_daknong, tree.tayson, {}, lambda u: "/") is None
    assert boundaries.map_for(officer_tayson, tree.dakmil, {}, lambda u: "/") is None
    assert boundaries.map_for(commander_daknong, tree.daklao, {}, lambda u: "/") is None


def test_map_for_draws_only_the_children_the_reader_sees(
    stored: dict[str, Unit], tree: Tree
) -> None:
    """A commune's officer asking for the district draws their own commune alone."""
    reader = make_user("canbo.daklao", Role.OFFICER, tree.daklao_police)
    assert boundaries.map_for(reader, tree.dakmil, {}, lambda u: "/") is None  # cannot see it
    other, _ = make_pair(tree.daklao, tree.daklao_police, "99001", "Thôn giả", "commune")
    Boundary.objects.create(unit=other, rings=Boundary.objects.first().rings)  # type: ignore[union-attr]
    svg = boundaries.map_for(reader, tree.daklao, {}, lambda u: "/")
    assert svg is not None and set(fills(svg)) == {other.pk}


def test_map_for_needs_the_coverage_permission(stored: dict[str, Unit], tree: Tree) -> None:
    liaison = make_user("lienlac", Role.LIAISON, tree.dakmil_police)
    with pytest.raises(DomainError) as caught:
        boundaries.map_for(liaison, tree.dakmil, {}, lambda u: "/")
    assert caught.value.code == "PERMISSION_DENIED"
