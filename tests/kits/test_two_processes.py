"""The field kit for real: a district server and a kit, each its own process and database, on
loopback. Check a session out, stop the district, serve 20 people on the kit through the API,
start the district again, push: 20 dossiers at the district, captures identical by hash, audit
events with the kit's times, nothing doubled — and the same after the kit is killed mid-push."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.enrollments.conftest import FACES, fingerprint_png, signature_png
from tests.enrollments.intake.test_captures import IRIS_IMAGE, encode
from tests.kits.processes import Installation, seeded_district

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="both processes keep their own SQLite databases whatever the suite runs on: the "
        "SQLite pass runs these tests whole, and a second run would test nothing new",
    ),
    pytest.mark.xdist_group("two_processes"),  # one worker seeds the district template once
]
SESSION = 6  # the demo's next evening at a school of Đắk Mil: planned, nothing served yet
PEOPLE = 20
LEADER = "totruong.dakmil"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("district-template")


@pytest.fixture
def district(template: Path, tmp_path: Path) -> Iterator[Installation]:
    made = seeded_district(template, tmp_path / "district")
    made.start()
    yield made
    made.stop()


@pytest.fixture(scope="module")
def kit_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, unpaired kit, made once: each test copies it (a migrate costs seconds)."""
    folder = tmp_path_factory.mktemp("kit-template")
    Installation(folder, field=True).cccd("migrate", "--noinput", "-v", "0")
    return folder


@pytest.fixture
def kit(kit_template: Path, tmp_path: Path) -> Iterator[Installation]:
    shutil.copytree(kit_template, tmp_path / "kit")
    made = Installation(tmp_path / "kit", field=True)
    yield made
    made.stop()


PLACE_THE_VENUE = (
    "import json\n"
    "from django.db.models import Count\n"
    "from cccd.campaigns.models import Session, Venue\n"
    "from cccd.registry.models import Person\n"
    "from cccd.units.models import Unit\n"
    f"session = Session.objects.get(pk={SESSION})\n"
    "commune = (Unit.objects.filter(path__startswith='/hc/L67/663/')"
    ".annotate(n=Count('residents')).order_by('-n').first())\n"
    "Venue.objects.filter(pk=session.venue_id).update(commune=commune)\n"
    "print(json.dumps(commune.pk))"
)
"""The demo's venues name no commune: the district says where the school is, so that the
commune's residents travel with the session (the walk-ins)."""


def pair_and_check_out(district: Installation, kit: Installation) -> None:
    district.python(PLACE_THE_VENUE)
    registered = district.cccd("kit", "register", "hall-kit-1", "--unit", "663")
    code = registered.stdout.strip().splitlines()[-1]
    joined = kit.cccd("kit", "join", district.url, code)
    assert "hall-kit-1" in joined.stdout
    kit.cccd("kit", "checkout", str(SESSION))


def token_on(kit: Installation, username: str) -> str:
    return str(
        kit.python(
            "import json\n"
            "from cccd.accounts.models import User\n"
            "from cccd.accounts.services import create_api_token\n"
            f"user = User.objects.get(username={username!r})\n"
            "print(json.dumps(create_api_token(name='desk', actor=user)[1]))"
        )
    )


def walk_in_people(district: Installation, count: int) -> list[int]:
    """People of the venue's commune who may apply (15 or older, no dossier at the district), as
    the district knows them: the same ids are in the kit's slice."""
    return list(
        district.python(
            "import json, datetime\n"
            "from cccd.campaigns.models import Session\n"
            "from cccd.registry.models import Person\n"
            f"session = Session.objects.select_related('venue').get(pk={SESSION})\n"
            "born = datetime.date.today().replace(year=datetime.date.today().year - 15)\n"
            "people = Person.objects.filter(residence_unit=session.venue.commune, "
            "birth_date__lte=born, birth_date__gte=datetime.date(1990, 1, 1), "
            "status='alive', enrollments__isnull=True).order_by('pk')\n"
            f"print(json.dumps(list(people.values_list('pk', flat=True)[:{count}])))"
        )
    )


class Desk:
    """The kit's API as a desk program drives it."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/api/v1{path}", json=body or {})
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()

    def upload(self, path: str, data: bytes, name: str) -> Any:
        response = self.http.post(f"/api/v1{path}", files={"file": (name, data)})
        assert response.status_code < 300, (path, response.status_code, response.text)
        return response.json()

    def get(self, path: str) -> Any:
        response = self.http.get(f"/api/v1{path}")
        assert response.status_code == 200, (path, response.text)
        return response.json()


def capture_bytes(kind: str, slot: int) -> tuple[bytes, str]:
    if kind == "photo":
        return (FACES / "portrait.jpg").read_bytes(), "photo.jpg"
    if kind == "fingerprint":
        return fingerprint_png(slot), f"finger-{slot}.png"
    if kind == "iris":
        return encode(IRIS_IMAGE), f"iris-{slot}.jpg"
    return signature_png(), "signature.png"


def serve(desk: Desk, person_ids: list[int]) -> list[str]:
    """Walk-in numbers for each person, called and served at desk 1; the dossier codes."""
    for person in person_ids:
        desk.post(f"/tickets/sessions/{SESSION}/walk-ins", {"person_id": person})
    desks = desk.get(f"/tickets/sessions/{SESSION}/desks")
    desk_id = desks["items"][0]["id"]
    desk.post(f"/tickets/desks/{desk_id}/open")
    codes = []
    for _person in person_ids:
        ticket = desk.post(f"/tickets/desks/{desk_id}/call-next")
        screen = desk.post(f"/intake/tickets/{ticket['id']}/start")
        allowed = screen["kinds_allowed"]
        assert allowed, screen["kinds_refused"]
        kind = next((k for k in allowed if k["value"] == screen["suggested_kind"]), allowed[0])
        details = {"kind": kind["value"], "return_method": "office"}
        if kind["needs_reason"]:
            details["kind_reason"] = "Thẻ cũ bị gãy"
        screen = desk.post(f"/intake/tickets/{ticket['id']}/details", details)
        for slot in screen["captures"]:
            data, name = capture_bytes(slot["kind"], slot["slot"])
            desk.upload(
                f"/intake/tickets/{ticket['id']}/captures/{slot['kind']}/{slot['slot']}", data, name
            )
        finished = desk.post(f"/intake/tickets/{ticket['id']}/finish")
        codes.append(finished["code"])
    return codes


CAPTURES_BY_CODE = (
    "import json\n"
    "from cccd.enrollments.models import Artefact\n"
    f"rows = Artefact.objects.filter(enrollment__session_id={SESSION}).exclude(sha256='')"
    ".values_list('enrollment__code', 'kind', 'slot', 'sha256')\n"
    "print(json.dumps(sorted([list(r) for r in rows])))"
)
AUDIT_TIMES = (
    "import json\n"
    "from cccd.accounts.models import AuditEvent\n"
    "from cccd.enrollments.models import Enrollment\n"
    f"codes = {{str(e.pk): e.code for e in Enrollment.objects.filter(session_id={SESSION})}}\n"
    "rows = AuditEvent.objects.filter(action='enrollment.receive', object_id__in=list(codes))"
    ".values_list('object_id', 'at', 'actor_username')\n"
    "print(json.dumps(sorted([codes[o], a.isoformat(), u] for o, a, u in rows)))"
)


CAPTURED_COUNT = (
    "import json\n"
    "from django.db.models import Sum\n"
    "from cccd.reports.models import DailyCount\n"
    "rows = DailyCount.objects.filter(event='captured', unit__path='/ca/L67/663/')\n"
    "print(json.dumps(rows.aggregate(n=Sum('count'))['n'] or 0))"
)
"""The district's dashboard counter of dossiers captured in Đắk Mil."""


def push(kit: Installation) -> tuple[int, dict[str, Any]]:
    done = kit.cccd("kit", "push", check=False)
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def test_a_session_served_offline_reaches_the_district_whole(
    district: Installation, kit: Installation
) -> None:
    pair_and_check_out(district, kit)
    people = walk_in_people(district, PEOPLE)
    district.stop()  # the network is gone for the evening
    kit.start()
    desk = Desk(kit.url, token_on(kit, LEADER))
    assert len(people) == PEOPLE
    codes = serve(desk, people)
    assert len(set(codes)) == PEOPLE and all(c.startswith("663-") for c in codes)
    status, counts = push(kit)  # no district: nothing is lost, nothing is acknowledged
    assert status != 0 and counts["waiting"] + counts["sent"] == PEOPLE, counts
    on_kit = kit.python(CAPTURES_BY_CODE)
    times_on_kit = kit.python(AUDIT_TIMES)
    counted = district.python(CAPTURED_COUNT)  # read from its database while it is down

    district.start()
    status, counts = push(kit)
    assert status == 0, counts
    assert counts == {**counts, "waiting": 0, "sent": 0, "refused": 0, "acknowledged": PEOPLE}
    assert district.python(CAPTURES_BY_CODE) == on_kit  # every capture, byte for byte
    assert district.python(AUDIT_TIMES) == times_on_kit  # the kit's times and officers
    assert district.python(CAPTURED_COUNT) == counted + PEOPLE  # the dashboard counted each once
    assert push(kit) == (0, counts)  # nothing more to send, nothing doubled


def test_the_kit_killed_ten_times_mid_push_loses_and_doubles_nothing(
    district: Installation, kit: Installation
) -> None:
    pair_and_check_out(district, kit)
    people = walk_in_people(district, PEOPLE)
    kit.start()
    district.stop()
    codes = serve(Desk(kit.url, token_on(kit, LEADER)), people)
    district.start()
    moments = random.Random(15).sample(range(50, 2500), 10)  # milliseconds into a push
    for moment in moments:
        pushing = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "cccd", "kit", "push"],
            env=kit.environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            pushing.wait(timeout=moment / 1000)  # the fault's moment, not a wait for something
        except subprocess.TimeoutExpired:
            pushing.send_signal(signal.SIGKILL)
            pushing.wait(timeout=30)
    status, counts = push(kit)
    assert status == 0 and counts["acknowledged"] == PEOPLE, counts
    at_district = district.python(
        "import json\n"
        "from cccd.enrollments.models import Enrollment\n"
        f"print(json.dumps(sorted(Enrollment.objects.filter(session_id={SESSION})"
        ".values_list('code', flat=True))))"
    )
    assert at_district == sorted(codes)  # each person once: nothing lost, nothing doubled


def test_the_district_killed_mid_upload_loses_and_doubles_nothing(
    district: Installation, kit: Installation
) -> None:
    pair_and_check_out(district, kit)
    people = walk_in_people(district, PEOPLE)
    kit.start()
    district.stop()
    codes = serve(Desk(kit.url, token_on(kit, LEADER)), people)
    district.start()
    pushing = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "cccd", "kit", "push"],
        env=kit.environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        pushing.wait(timeout=1.5)  # the fault's moment: the district dies under the upload
    except subprocess.TimeoutExpired:
        pass
    district.kill()
    out, _err = pushing.communicate(timeout=120)
    then = json.loads(out.strip().splitlines()[-1])
    assert (pushing.returncode == 0) == (then["acknowledged"] == PEOPLE)  # said, not hidden
    district.start()  # after a power cut: SQLite recovers its journal
    status, counts = push(kit)
    assert status == 0 and counts["acknowledged"] == PEOPLE, counts
    at_district = district.python(
        "import json\n"
        "from cccd.enrollments.models import Enrollment\n"
        f"print(json.dumps(sorted(Enrollment.objects.filter(session_id={SESSION})"
        ".values_list('code', flat=True))))"
    )
    assert at_district == sorted(codes)
