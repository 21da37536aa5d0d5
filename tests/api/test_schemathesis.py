"""schemathesis against /api/v1/openapi.json: every operation, fuzzed as the administrator and as
an intake officer, must answer with anything but a server error, and every refusal (a 4xx) with
the body the document describes (the `Error` schema: a known code, a message, nothing else).

The data is a small campaign (units, people, a session with desks, a pre-checked list, numbers),
so generated ids often name real rows and requests reach the services, not only the 404s. The
examples are derandomized and bounded (`MAX_EXAMPLES` per operation and persona): the same cases
every run, the whole file in well under two minutes on two cores, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cccd.accounts.models import User
from cccd.accounts.services import create_api_token

# CCCD_FUZZ_EXAMPLES=500 CCCD_FUZZ_SEED=random runs a deeper, new search by hand.
MAX_EXAMPLES = int(os.environ.get("CCCD_FUZZ_EXAMPLES", "25"))
DERANDOMIZE = os.environ.get("CCCD_FUZZ_SEED", "fixed") != "random"
LOG = os.environ.get("CCCD_FUZZ_LOG")  # a file to list every request and its status in


@pytest.fixture(params=["administrator", "officer"])
def api_key(
    request: pytest.FixtureRequest, campaign_data: object, administrator: User, officer_dakmil: User
) -> str:
    user = administrator if request.param == "administrator" else officer_dakmil
    return create_api_token(name="schemathesis", actor=user)[1]


@pytest.fixture
def wsgi_app() -> Iterator[object]:
    """The real WSGI application, inside the test's transaction: like Django's test client, keep
    the end of a request from closing the connection (PostgreSQL would lose the transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield get_wsgi_application()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(api_key: str, wsgi_app: object, request: pytest.FixtureRequest) -> object:
    # schemathesis 4.32 renames the running test through `node._nodeid`, which pytest 9 no
    # longer has: give it the attribute it reads (pytest itself uses `nodeid`).
    request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", wsgi_app, headers={"Authorization": f"Bearer {api_key}"}
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=DERANDOMIZE,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case: schemathesis.Case, api_key: str) -> None:
    response = case.call(headers={"Authorization": f"Bearer {api_key}"})
    if LOG:
        with open(LOG, "a", encoding="utf-8") as log:
            log.write(
                f"{response.status_code} {case.operation.label} {case.path_parameters} {case.query} {str(case.body)[:200]!r}\n"
            )
    checks = [not_a_server_error]
    if 400 <= response.status_code < 500:
        checks.append(response_schema_conformance)
    case.validate_response(response, checks=checks)
