"""Checking a session out to a kit: the package at the district, loaded on a kit in its own process
and database, refused when it is not the kit's own, and wiped at check-in."""

from __future__ import annotations

import base64
import datetime
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import PriorityGroup, Session
from cccd.enrollments.models import Enrollment, Fee, FeeExemption, Holiday
from cccd.errors import DomainError
from cccd.fieldkit.envelope import seal_envelope
from cccd.fieldkit.keys import PartyKeys, encryption_public_key
from cccd.fieldkit.packets import pack_body
from cccd.kits import package
from cccd.kits.checkout import checkout_session
from cccd.kits.keys import district_keys, district_signing_key
from cccd.kits.models import KIT_CODE_BASE, Checkout, Kit
from cccd.kits.unpack import KIT_LOCAL_IDS
from cccd.tickets.models import Ticket
from cccd.units.models import Unit
from tests.builders import PASSWORD, Tree, make_user
from tests.kits.conftest import KIT_SIDE, Hall, kit_environment, paired_kit

pytestmark = pytest.mark.django_db


def on_kit(
    kit_dir: Path, name: str, keys: PartyKeys, district_signing: str, steps: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Run `steps` on the kit `name` (its keys, the district key it trusts) in its own process."""
    plan = {
        "identity": {
            "name": name,
            "district_url": "https://district.example",
            "signing_private_key_pem": keys.signing.private_pem,
            "encryption_private_key_pem": keys.encryption.private_pem,
            "district_signing_public_key": district_signing,
            "district_encryption_public_key": keys.encryption.public_hex,  # unused here
        },
        "steps": steps,
    }
    plan_file = kit_dir / "plan.json"
    plan_file.write_text(json.dumps(plan))
    done = subprocess.run(  # noqa: S603  (this interpreter, a script of the tests)
        [sys.executable, str(KIT_SIDE), str(plan_file)],
        env=kit_environment(kit_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def save(kit_dir: Path, name: str, envelope: bytes) -> str:
    path = kit_dir / name
    path.write_bytes(envelope)
    return str(path)


def district_key(hall: Hall) -> str:
    return district_keys(hall.kit.unit).signing_public_key


# --- the slice on the kit -----------------------------------------------------------------------


def test_the_kit_holds_the_session_slice_and_nothing_more_then_wipes_it(
    hall: Hall, kit_dir: Path, tree: Tree
) -> None:
    checkout, envelope = checkout_session(hall.session.pk, kit=hall.kit, actor=None)
    file = save(kit_dir, "package.bin", envelope)
    passwords = {"totruong.dakmil": PASSWORD, "canbo.dakmil": PASSWORD}
    load, report, again, report_again, walk_in, wipe, after = on_kit(
        kit_dir,
        hall.kit.name,
        hall.kit_keys,
        district_key(hall),
        [
            {"do": "load", "file": file},
            {"do": "report", "passwords": passwords},
            {"do": "load", "file": file},
            {"do": "report", "passwords": passwords},
            {"do": "walk_in", "session": hall.session.pk},
            {"do": "wipe", "session": hall.session.pk},
            {"do": "report"},
        ],
    )
    block = [checkout.code_block_start, checkout.code_block_end]
    assert load == {"held": [hall.session.pk, *block]}
    held = report["report"]
    assert held["held"] == [[hall.session.pk, *block, block[0]]]
    assert held["sessions"] == [hall.session.pk]
    # the numbers handed out, with the district's ids
    assert held["tickets"] == sorted(
        list(t)
        for t in Ticket.objects.filter(session=hall.session).values_list(
            "pk", "number", "person_id"
        )
    )
    assert len(held["tickets"]) == 3  # the two matched rows and the row still to review
    # the listed people, the row's candidate, the commune's residents; no one else
    people = [hall.listed, hall.resident, hall.listed_elsewhere, hall.candidate]
    assert held["people"] == sorted([p.pk, p.personal_id] for p in people)
    assert hall.stranger.pk not in {pk for pk, _pid in held["people"]}
    counts = held["counts"]
    assert counts["registry.household"] == 1  # the listed person's, not the stranger's
    # the officers who work the hall sign in on the kit, with their role's group; nobody else
    assert held["users"].keys() == {"totruong.dakmil", "canbo.dakmil"}
    assert held["users"]["totruong.dakmil"] == {
        "pk": hall.leader.pk,
        "active": True,
        "superuser": False,
        "groups": ["team_leader"],
        "signs_in": True,
    }
    assert held["users"]["canbo.dakmil"]["signs_in"] is True
    assert held["users"]["canbo.dakmil"]["groups"] == ["officer"]
    # reference data as the district's
    assert counts["campaigns.prioritygroup"] == PriorityGroup.objects.count()
    assert counts["enrollments.fee"] == Fee.objects.count()
    assert counts["enrollments.feeexemption"] == FeeExemption.objects.count()
    assert counts["enrollments.holiday"] == Holiday.objects.count()
    # nothing the package does not carry
    for label in (
        "enrollments.enrollment",
        "enrollments.artefact",
        "registry.registerimport",
        "kits.checkout",
        "kits.kit",
        "kits.districtkeys",
        "accounts.apitoken",
        "campaigns.target",
    ):
        assert counts[label] == 0, label
    assert counts["campaigns.session"] == counts["campaigns.venue"] == counts["campaigns.team"] == 1
    assert counts["rosters.rosterentry"] == 3
    # loading it again changes nothing
    assert again == load
    assert report_again == report
    # what the kit makes itself never takes a district id
    assert walk_in["person"] > KIT_LOCAL_IDS
    # check-in: the slice goes, the officers with it; the units and reference data stay
    assert wipe["wiped"]["sessions"] == 1
    gone = after["report"]
    assert gone["sessions"] == gone["tickets"] == gone["people"] == gone["held"] == []
    assert gone["users"] == {}
    assert gone["counts"]["units.unit"] == counts["units.unit"]
    assert gone["counts"]["enrollments.holiday"] == counts["enrollments.holiday"]
    assert gone["counts"]["rosters.roster"] == gone["counts"]["registry.household"] == 0


def test_the_package_names_only_the_slice(hall: Hall) -> None:
    """On the district's side: the rows the package carries, and the references it blanks."""
    found = package.session_slice(hall.session.pk)
    units = {u.pk for u in found.rows[Unit]}
    # the venue's commune, the other commune of a listed person, the session's unit and the
    # units above each (both trees, for the deadline area)
    assert {hall.session.venue.commune_id, hall.thuanan.pk, hall.session.unit_id} <= units
    assert Unit.objects.get(path="/hc/").pk in units
    objects = package.serialized(found)
    roster = next(o for o in objects if o["model"] == "rosters.roster")
    assert roster["fields"]["uploaded_by"] is None  # the commander is not on the kit
    users = [o for o in objects if o["model"] == "accounts.user"]
    assert all(u["fields"]["groups"] == [] for u in users)
    assert all(u["fields"]["password"].startswith("scrypt$") for u in users)
    assert {o["model"] for o in objects} <= package.ALLOWED_LABELS


# --- refusals on the kit ------------------------------------------------------------------------


def forged(hall: Hall, objects: list[dict[str, Any]], *, kit: str | None = None) -> bytes:
    """A package signed with the district's true key, holding `objects`: what a faulty or
    compromised district server could send."""
    package_id = uuid.uuid4()
    document = {
        "format": package.FORMAT,
        "version": package.VERSION,
        "package_id": str(package_id),
        "kit": kit or hall.kit.name,
        "unit": hall.kit.unit.code,
        "session_id": hall.session.pk,
        "code_block": [KIT_CODE_BASE, KIT_CODE_BASE + 9],
        "made_at": timezone.now().isoformat(),
        "objects": objects,
    }
    data = json.dumps(document, cls=DjangoJSONEncoder).encode()
    signature = base64.b64encode(district_signing_key(district_keys(hall.kit.unit)).sign(data))
    body = pack_body([(package.PACKAGE, data), (package.SIGNATURE, signature)])
    return seal_envelope(
        package_id, body, encryption_public_key(hall.kit_keys.encryption.public_hex)
    )


def test_a_package_not_for_this_kit_or_not_from_its_district_is_refused(
    hall: Hall, kit_dir: Path, tree: Tree
) -> None:
    _checkout, envelope = checkout_session(hall.session.pk, kit=hall.kit, actor=None)
    tampered = bytearray(envelope)
    tampered[-40] ^= 1
    # another kit of the unit, given this kit's keys by mistake: the signed name tells them apart
    twin, _keys = paired_kit("dakmil-kit-2", tree.dakmil_police, hall.kit_keys)
    other_session = _second_session(hall)
    _other, for_twin = checkout_session(other_session.pk, kit=twin, actor=None)
    # a kit that does not hold that key at all
    stranger, stranger_keys = paired_kit("dakmil-kit-3", tree.dakmil_police)
    session_row = next(
        o
        for o in package.serialized(package.session_slice(hall.session.pk))
        if o["model"] == "campaigns.session"
    )
    smuggled = forged(hall, [session_row, {"model": "kits.kit", "pk": 1, "fields": {}}])
    results = on_kit(
        kit_dir,
        hall.kit.name,
        hall.kit_keys,
        district_key(hall),
        [
            {"do": "load", "file": save(kit_dir, "tampered", bytes(tampered))},
            {"do": "load", "file": save(kit_dir, "twin", for_twin)},
            {"do": "load", "file": save(kit_dir, "smuggled", smuggled)},
            {"do": "load", "file": save(kit_dir, "cut", envelope[:50])},
            {"do": "load", "file": save(kit_dir, "junk", b"PK\x03\x04" + b"\0" * 200)},
            {"do": "report"},
        ],
    )
    assert [r.get("refused") for r in results[:5]] == [
        "KIT_PACKAGE_UNDECRYPTABLE",
        "KIT_PACKAGE_OTHER_KIT",
        "KIT_PACKAGE_MODEL_REFUSED",
        "KIT_PACKAGE_DAMAGED",
        "KIT_PACKAGE_DAMAGED",
    ]
    assert results[5]["report"]["sessions"] == []  # nothing loaded from any of them
    # the same package, on a kit whose keys it was not encrypted to
    (elsewhere,) = on_kit(
        kit_dir,
        stranger.name,
        stranger_keys,
        district_key(hall),
        [{"do": "load", "file": save(kit_dir, "package", envelope)}],
    )
    assert elsewhere == {"refused": "KIT_PACKAGE_UNDECRYPTABLE"}
    # signed by another unit's key: the kit trusts its own district's only
    (unsigned,) = on_kit(
        kit_dir,
        hall.kit.name,
        hall.kit_keys,
        district_keys(tree.tayson_police).signing_public_key,
        [{"do": "load", "file": save(kit_dir, "package", envelope)}],
    )
    assert unsigned == {"refused": "KIT_PACKAGE_SIGNATURE_INVALID"}


def test_a_package_pointing_outside_itself_loads_nothing(hall: Hall, kit_dir: Path) -> None:
    """Rows are checked together before the transaction ends: a ticket whose person is not in the
    package is refused, and the session that came with it is not left behind."""
    objects = package.serialized(package.session_slice(hall.session.pk))
    kept = [o for o in objects if o["model"] != "registry.person"]
    (result, report) = on_kit(
        kit_dir,
        hall.kit.name,
        hall.kit_keys,
        district_key(hall),
        [{"do": "load", "file": save(kit_dir, "p", forged(hall, kept))}, {"do": "report"}],
    )
    assert result == {"refused": "KIT_PACKAGE_INVALID"}
    assert report["report"]["sessions"] == [] and report["report"]["tickets"] == []


# --- checkout at the district -------------------------------------------------------------------


def _second_session(hall: Hall) -> Session:
    first = hall.session
    return Session.objects.create(
        campaign=first.campaign,
        unit=first.unit,
        venue=first.venue,
        team=first.team,
        starts_at=first.starts_at + datetime.timedelta(days=1),
        ends_at=first.ends_at + datetime.timedelta(days=1),
    )


def _refused(code: str, session_id: int, kit: Kit, actor: User | None = None) -> None:
    with pytest.raises(DomainError) as refused:
        checkout_session(session_id, kit=kit, actor=actor)
    assert refused.value.code == code
    assert refused.value.message  # a sentence, with its parameters filled in


def test_checkout_reserves_a_block_audits_and_gives_the_same_block_again(hall: Hall) -> None:
    checkout, first = checkout_session(hall.session.pk, kit=hall.kit, actor=None)
    assert (checkout.code_block_start, checkout.code_block_end) == (
        KIT_CODE_BASE,
        KIT_CODE_BASE + 4999,
    )
    again, second = checkout_session(hall.session.pk, kit=hall.kit, actor=None)
    assert again.pk == checkout.pk and again.code_block_start == checkout.code_block_start
    assert first != second and again.package_sha256 != checkout.package_sha256
    events = AuditEvent.objects.filter(action="kit.checkout").order_by("id")
    assert [(e.after or {})["again"] for e in events] == [False, True]
    assert (events[0].after or {})["code_block"] == [KIT_CODE_BASE, KIT_CODE_BASE + 4999]


def test_code_blocks_never_overlap(hall: Hall, tree: Tree, settings: Any) -> None:
    settings.CCCD_KIT_CODE_BLOCK = 100
    other_kit, _keys = paired_kit("dakmil-kit-2", tree.dakmil_police)
    first, _ = checkout_session(hall.session.pk, kit=hall.kit, actor=None)
    second, _ = checkout_session(_second_session(hall).pk, kit=other_kit, actor=None)
    Checkout.objects.filter(pk=first.pk).update(state=Checkout.State.CHECKED_IN)
    third, _ = checkout_session(hall.session.pk, kit=other_kit, actor=None)  # out again
    blocks = sorted((c.code_block_start, c.code_block_end) for c in (first, second, third))
    assert blocks == [
        (KIT_CODE_BASE, KIT_CODE_BASE + 99),
        (KIT_CODE_BASE + 100, KIT_CODE_BASE + 199),
        (KIT_CODE_BASE + 200, KIT_CODE_BASE + 299),
    ]


def test_checkout_refusals(hall: Hall, tree: Tree, officer_tayson: User) -> None:
    session = hall.session.pk
    revoked, _keys = paired_kit("dakmil-kit-revoked", tree.dakmil_police)
    Kit.objects.filter(pk=revoked.pk).update(state=Kit.State.REVOKED)
    _refused("KIT_CHECKOUT_KIT_NOT_PAIRED", session, revoked)
    waiting = Kit.objects.create(name="dakmil-kit-new", unit=tree.dakmil_police)
    _refused("KIT_CHECKOUT_KIT_NOT_PAIRED", session, waiting)
    tayson_kit, _keys = paired_kit("tayson-kit-1", tree.tayson_police)
    _refused("KIT_CHECKOUT_SESSION_OUTSIDE_UNIT", session, tayson_kit)
    _refused("KIT_CHECKOUT_SESSION_UNKNOWN", 10**9, hall.kit)
    _refused("PERMISSION_DENIED", session, hall.kit, actor=hall.officer)
    checkout_session(session, kit=hall.kit, actor=None)
    other_kit, _keys = paired_kit("dakmil-kit-2", tree.dakmil_police)
    _refused("KIT_CHECKOUT_SESSION_OUT", session, other_kit)
    closed = _second_session(hall)
    Session.objects.filter(pk=closed.pk).update(state=Session.State.CLOSED)
    _refused("KIT_CHECKOUT_SESSION_ENDED", closed.pk, hall.kit)
    assert Checkout.objects.count() == 1


def test_a_session_with_dossiers_at_the_district_stays_there(hall: Hall) -> None:
    ticket = Ticket.objects.filter(session=hall.session).first()
    assert ticket is not None and ticket.person_id is not None
    Enrollment.objects.create(
        unit=hall.session.unit,
        campaign=hall.session.campaign,
        session=hall.session,
        ticket=ticket,
        person_id=ticket.person_id,
        created_by=hall.leader,
    )
    _refused("KIT_CHECKOUT_SESSION_STARTED", hall.session.pk, hall.kit)


def test_a_package_too_large_is_refused_and_nothing_is_checked_out(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(package, "MAX_PACKAGE_BYTES", 1000)
    _refused("KIT_CHECKOUT_TOO_LARGE", hall.session.pk, hall.kit)
    monkeypatch.setattr(package, "MAX_OBJECTS", 10)
    _refused("KIT_CHECKOUT_TOO_LARGE", hall.session.pk, hall.kit)
    assert not Checkout.objects.exists()
    assert not AuditEvent.objects.filter(action="kit.checkout").exists()


def test_a_manager_of_the_unit_may_check_out(hall: Hall, tree: Tree) -> None:
    manager = make_user("quantri.dakmil", "administrator", tree.dakmil_police)
    manager.is_superuser = True  # no role carries kits.manage_kits yet
    manager.save()
    checkout, _envelope = checkout_session(hall.session.pk, kit=hall.kit, actor=manager)
    assert checkout.checked_out_by == manager
