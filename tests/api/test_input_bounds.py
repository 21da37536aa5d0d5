"""Input the database cannot hold is refused at the API's door with a 422, never a 500: paging
beyond 64-bit numbers, ids beyond them, NULs and lone surrogates in text. Every list route pages
the same way (`cccd.api.pagination`), so one set of bounds covers them all."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from cccd.accounts.models import ApiToken, Role, User
from cccd.api.pagination import MAX_LIMIT, MAX_OFFSET
from cccd.campaigns.models import Session
from tests.builders import Tree, make_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HUGE = 2**63


def _client(user: User) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is an answer to assert on here
    client.force_login(user)
    return client


def _list_routes(user: User) -> list[str]:
    """Every GET route whose answer is a list of rows, from the OpenAPI document."""
    paths = client_for(user).get("/api/v1/openapi.json").json()["paths"]
    return [path for path, item in paths.items() if "get" in item and _pages(item["get"])]


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.bounds", Role.TEAM_LEADER, tree.dakmil_police)


def _caller(path: str, administrator: User, leader: User) -> User:
    """Someone whose role may call the route (the administrator holds no queue or list role), so
    the bounds are what is tested, not the door."""
    return leader if path.startswith(("/api/v1/tickets/", "/api/v1/rosters/")) else administrator


def _pages(operation: dict) -> bool:
    return {p["name"] for p in operation.get("parameters", [])} >= {"limit", "offset"}


def test_every_route_that_answers_a_list_pages_it_within_bounds(administrator: User) -> None:
    document = client_for(administrator).get("/api/v1/openapi.json").json()
    bare_lists, unbounded = [], []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            ok = operation["responses"].get("200", {}).get("content", {})
            schema = ok.get("application/json", {}).get("schema", {})
            if schema.get("type") == "array":
                bare_lists.append(f"{method.upper()} {path}")
            if _pages(operation):
                bounds = {p["name"]: p["schema"] for p in operation["parameters"]}
                if (
                    bounds["limit"].get("maximum") != MAX_LIMIT
                    or bounds["offset"].get("maximum") != MAX_OFFSET
                ):
                    unbounded.append(path)
    assert bare_lists == []
    assert unbounded == []
    assert (
        len(_list_routes(administrator)) >= 7
    )  # units, audit, campaigns, sessions, people, tickets, desks


@pytest.mark.parametrize(
    "query",
    [
        f"offset={HUGE}",
        f"limit={HUGE}",
        f"offset={MAX_OFFSET + 1}",
        f"limit={MAX_LIMIT + 1}",
        "limit=0",
        "offset=-1",
        f"offset={HUGE * HUGE}&limit={HUGE}",
    ],
)
def test_paging_out_of_bounds_is_a_422_on_every_list_route(
    administrator: User, leader: User, query: str
) -> None:
    for path in _list_routes(administrator):
        separator = "&" if "?" in path else "?"
        url = path.replace("{session_id}", "1") + separator + query + "&q=Nguyen+1990"
        response = _client(_caller(path, administrator, leader)).get(url)
        assert response.status_code == 422, (url, response.status_code)
        assert response.json()["code"] == "INVALID_INPUT"


def test_a_page_within_bounds_answers_items_and_count(administrator: User) -> None:
    body = client_for(administrator).get(f"/api/v1/units/?limit={MAX_LIMIT}&offset=1").json()
    assert set(body) == {"items", "count"}
    assert len(body["items"]) == body["count"] - 1


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/units/{HUGE}",
        f"/api/v1/campaigns/{HUGE}",
        f"/api/v1/registry/people/{HUGE}",
        f"/api/v1/tickets/{HUGE}",
        f"/api/v1/rosters/{HUGE}",
        "/api/v1/units/0",
        "/api/v1/units/-1",
    ],
)
def test_an_id_no_row_can_have_is_a_422(administrator: User, leader: User, path: str) -> None:
    response = _client(_caller(path, administrator, leader)).get(path)
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_INPUT"


def test_an_id_beyond_64_bits_in_a_body_is_a_422(administrator: User) -> None:
    body = {"unit_id": HUGE, "name": "X", "start_date": "2026-01-01", "end_date": "2026-02-01"}
    response = _client(administrator).post(
        "/api/v1/campaigns/", body, content_type="application/json"
    )
    assert response.status_code == 422


@pytest.mark.parametrize("text", ["tok\x00en", "tok\x07en", "\ud800"])
def test_text_with_a_control_character_or_a_lone_surrogate_is_a_422(
    officer_dakmil: User, text: str
) -> None:
    body = json.dumps({"name": text})  # a lone surrogate travels as the escape \\ud800
    client = _client(officer_dakmil)
    response = client.post("/api/v1/tokens", body, content_type="application/json")
    assert response.status_code == 422
    assert not ApiToken.objects.exists()
    if text.isascii():  # a URL cannot carry a lone surrogate at all
        assert client.get("/api/v1/registry/people", {"q": f"Nguyen{text} 1990"}).status_code == 422


def test_a_digit_that_is_not_ascii_is_a_400_not_a_500(administrator: User) -> None:
    response = _client(administrator).get("/api/v1/reports/dashboard", {"campaign": "²"})
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_QUERY"  # cccd.queryforms (was BAD_ID)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_is_a_400_not_a_500(
    administrator: User, day: str
) -> None:
    response = _client(administrator).get("/api/v1/reports/dashboard", {"day": day})
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_QUERY"  # cccd.queryforms (was BAD_DAY)


@pytest.mark.parametrize(("date_from", "date_to"), [("0001-01-01", ""), ("", "9999-12-31")])
def test_the_audit_filter_takes_the_ends_of_the_calendar_as_no_bound(
    administrator: User, date_from: str, date_to: str
) -> None:
    query = {k: v for k, v in {"date_from": date_from, "date_to": date_to}.items() if v}
    assert _client(administrator).get("/api/v1/audit", query).status_code == 200
    assert _client(administrator).get("/accounts/audit/", query).status_code == 200


def test_a_body_that_is_not_json_is_a_400_in_words(officer_dakmil: User) -> None:
    response = _client(officer_dakmil).post(
        "/api/v1/tokens", "[" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_BODY"


def test_a_sessions_numbers_come_a_page_at_a_time_in_order(
    campaign_data: Session, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    whole = client.get(f"/api/v1/tickets/sessions/{campaign_data.pk}").json()
    page = client.get(f"/api/v1/tickets/sessions/{campaign_data.pk}?limit=2&offset=1").json()
    numbers = [t["number"] for t in whole["items"]]
    assert (whole["count"], page["count"]) == (3, 3)
    assert numbers == sorted(numbers)
    assert [t["number"] for t in page["items"]] == numbers[1:3]
    assert all(t["public_url"].startswith("http://testserver/") for t in page["items"])
