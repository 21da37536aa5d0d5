"""The SQL of one intake at the desk, from call-next to the slip, counted per request: every
request repeats its session, user and audit work, so a count that creeps up is the desk loop
getting slower at twenty desks (bench/RESULTS.md "Desk loop"). A count, not a time."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, Session
from cccd.enrollments.models import Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.enrollments.conftest import TODAY, fingerprint_png, signature_png

# transactional: the statements as production sends them, without the test's own savepoints
pytestmark = pytest.mark.django_db(transaction=True)

# 97 before issue 20's work, in bench/desk.py's count; the issue aims under 40 (not reached yet:
# bench/RESULTS.md "The desk's SQL"). A new statement on this path must lower another first.
MOST_STATEMENTS = 70


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _intake(client: Client, desk: Desk, portrait: bytes) -> dict[str, list[str]]:
    """One person through the desk as bench/desk.py drives it: the statements of each request."""
    seen: dict[str, list[str]] = {}

    def step(name: str, method: str, path: str, data: dict | None = None, status: int = 302):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, data or {})
        assert response.status_code == status, (name, response.content[:300])
        seen[name] = [  # as bench/desk.py counts them: BEGIN and COMMIT are not statements there
            q["sql"]
            for q in queries.captured_queries
            if not q["sql"].startswith(("BEGIN", "COMMIT"))  # SQLite: BEGIN IMMEDIATE
        ]
        return response

    called = step("call", "post", f"/queue/sessions/{desk.session_id}/desks/{desk.number}/call/")
    screen = called["Location"]
    step("intake", "get", screen, status=200)
    step("photo", "post", f"{screen}capture/photo/", {"file": _file("p.jpg", portrait)})
    prints = {f"slot_{n}": _file(f"f{n}.png", fingerprint_png(n)) for n in range(1, 11)}
    step("fingerprints", "post", f"{screen}slots/fingerprint/", prints)
    irises = {f"slot_{n}": _file(f"i{n}.png", fingerprint_png(10 + n)) for n in (1, 2)}
    step("irises", "post", f"{screen}slots/iris/", irises)
    step(
        "signature",
        "post",
        f"{screen}capture/signature/",
        {"file": _file("s.png", signature_png())},
    )
    done = step("finish", "post", f"{screen}finish/")["Location"]
    step("done", "get", done, status=200)
    slip = step("slip", "get", f"{done}slip.pdf", status=200)
    assert slip.content.startswith(b"%PDF")
    return seen


def test_one_intake_from_call_next_to_slip_stays_within_its_statement_budget(
    session: Session,
    desks: list[Desk],
    tree: Tree,
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
    time_machine: object,
) -> None:
    time_machine.move_to(TODAY)  # type: ignore[attr-defined]
    load_reference(Fee, FeeExemption, Holiday)  # a transactional test before may have flushed them
    Campaign.objects.update(law="2023")  # irises too, as in the bench
    for name in ("Nguyễn Văn Đức", "Trần Thị Lan"):
        person = make_person(tree.daklao, name, "15/03/2006", "M")
        tickets.issue_walk_in(session.pk, person_id=person.pk, actor=leader)
    client = client_for(officer_dakmil)
    _intake(client, desks[0], portrait)  # the first: warms what a running worker has warm
    seen = _intake(client, desks[0], portrait)
    total = sum(len(s) for s in seen.values())
    per_step = ", ".join(f"{name} {len(s)}" for name, s in seen.items())
    listing = "\n".join(f"{name}: {sql[:160]}" for name, sqls in seen.items() for sql in sqls)
    assert total <= MOST_STATEMENTS, f"{total} statements: {per_step}\n{listing}"
