"""`python -m bench kitpush --runs 3`: the field kit's push of a 300-person session to its
district, and in the same run a raw upload of the same bytes to the same server.

Set-up (once): a district data folder (SQLite, migrated), seeded minimally inside the district's
own process: the unit tree, a session of Đắk Mil with 300 people of the register each holding a
number of the session (as a checked-out package carries them), the unit's keys, a paired kit and
its checkout with a code block. The same process then builds one finished intake per person the
way the kit's outbox does (`outbox.packet_members`' layout: `dossier.json` by natural keys, the
captures' bytes unchanged, `audit.json`) and seals it with `fieldkit.packets.seal` under the kit's
key. The captures are the device simulator's images as the intake stores them (PNG fingerprints
and irises), a JPEG photo and a PNG signature; 10 people's sets are drawn and reused round-robin
(drawing 300 takes minutes), so each envelope is distinct (encrypted) but captures repeat.

Each run: a fresh copy of the seeded folder, the district under gunicorn (2 workers × 2 threads),
then, from this process,
- **push**: what `cccd.kits.sync._send_one` sends for each packet, oldest first, through the
  kit's own client (`cccd.kits.client.District`, signed requests): GET what the district holds,
  PATCH the whole envelope, the district ingests it and answers the signed receipt, which is
  checked (`fieldkit.receipts.check_receipt`) and must say accepted;
- **raw**: the same envelopes, PATCHed by the same client to the same route under a random packet
  id announcing one byte more than sent (`length=len+1`): the district checks the signature, reads
  the body and stages it in `kit-uploads/`, but never decides (the transport without the ingest).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 300
SETS = 10
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng")
GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Khoa",
    "Long",
    "Minh",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
    "Hùng",
    "Khánh",
)


# ---------------------------------------------------------------- inside the district's process


def _captures(n: int) -> dict[tuple[str, int, str], bytes]:
    """One person's captures: (kind, slot, format) → bytes."""
    import io

    import numpy as np
    from PIL import Image, ImageDraw

    from cccd.devices import images
    from cccd.enrollments.intake.devicecapture import FINGER_SLOTS, IRIS_SLOTS

    seed = f"bench-{n}"
    face = Image.open(io.BytesIO(images.face(seed))).convert("RGB")
    photo = io.BytesIO()
    face.save(photo, "JPEG", quality=92)
    found = {("photo", 0, "jpg"): photo.getvalue()}
    for name, slot in FINGER_SLOTS.items():
        found[("fingerprint", slot, "png")] = images.finger(seed, name)
    for side, slot in IRIS_SLOTS.items():
        found[("iris", slot, "png")] = images.iris(seed, side)
    pad = Image.new("L", (600, 200), 255)
    draw = ImageDraw.Draw(pad)
    rng = np.random.default_rng(n)
    points = [
        (int(x), int(y))
        for x, y in zip(np.linspace(30, 570, 40), rng.integers(40, 160, 40), strict=True)
    ]
    draw.line(points, fill=0, width=3)
    signature = io.BytesIO()
    pad.save(signature, "PNG")
    found[("signature", 0, "png")] = signature.getvalue()
    return found


def seed_district(out: str) -> dict[str, Any]:
    """Seed the district (this process's database) and write the sealed packets to `out`."""
    import datetime
    import hashlib

    from django.utils import timezone
    from tests.builders import make_person, make_tree, make_user

    from cccd.accounts.models import Role
    from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
    from cccd.fieldkit import keys, packets
    from cccd.kits.models import KIT_CODE_BASE, Checkout, DistrictKeys, Kit
    from cccd.tickets.models import Ticket

    tree = make_tree()
    commander = make_user("chihuy.daknong", Role.COMMANDER, tree.daknong_police)
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    officer = make_user("canbo.dakmil", "officer", tree.dakmil_police)
    today = timezone.localdate()
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2014",
        start_date=today,
        end_date=today + datetime.timedelta(days=60),
        actor=commander,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="school",
        name="Trường THPT Đắk Mil",
        commune_id=tree.daklao.pk,
        actor=leader,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer.pk],
        actor=leader,
    )
    starts = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(7))
    )
    session = plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=4,
        capacity=PEOPLE,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=10),
        actor=leader,
    )
    district = keys.new_party_keys()
    DistrictKeys.objects.create(
        unit=session.unit,
        signing_public_key=district.signing.public_hex,
        signing_private_key_pem=district.signing.private_pem,
        encryption_public_key=district.encryption.public_hex,
        encryption_private_key_pem=district.encryption.private_pem,
    )
    party = keys.new_party_keys()
    kit = Kit.objects.create(
        name="dakmil-kit-1",
        unit=session.unit,
        state=Kit.State.PAIRED,
        signing_public_key=party.signing.public_hex,
        encryption_public_key=party.encryption.public_hex,
        paired_at=timezone.now(),
    )
    Checkout.objects.create(
        kit=kit,
        session=session,
        code_block_start=KIT_CODE_BASE,
        code_block_end=KIT_CODE_BASE + 9_999,
    )
    sets = [_captures(n) for n in range(SETS)]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    signing = keys.signing_private_key(party.signing.private_pem)
    to_district = keys.encryption_public_key(district.encryption.public_hex)
    now = timezone.now()
    day = now.strftime("%y%m%d")
    sizes = []
    for i in range(PEOPLE):
        given = GIVEN[i % len(GIVEN)] + " " + GIVEN[(i // len(GIVEN)) % len(GIVEN)]
        person = make_person(tree.daklao, f"{FAMILY[i % 7]} Văn {given}", f"{2006 + i % 3}", "M")
        ticket = Ticket.objects.create(
            session=session,
            number=i + 1,
            kind=Ticket.Kind.ADVANCE,
            person=person,
            class_name="12A1",
            line_at=starts,
            issued_at=now,
            issued_by=leader,
        )
        captured = sets[i % SETS]
        artefacts, members = [], {}
        for (kind, slot, fmt), data in sorted(captured.items()):
            name = f"captures/{kind}-{slot}.{fmt}"
            members[name] = data
            artefacts.append(
                {
                    "member": name,
                    "kind": kind,
                    "slot": slot,
                    "format": fmt,
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "impossible_reason": "",
                    "quality": {},
                    "captured_at": now.isoformat(),
                    "captured_by": officer.username,
                }
            )
        dossier = {
            "format": "cccd-field-dossier",
            "version": 1,
            "code": f"{session.unit.code}-{day}-{KIT_CODE_BASE + i:06d}",
            "unit": session.unit.code,
            "session_id": session.pk,
            "kind": "first_issue",
            "kind_reason": "",
            "group": None,
            "law": "2014",
            "fee": 0,
            "exemption": None,
            "return_method": "office",
            "post_address": "",
            "return_date": (today + datetime.timedelta(days=7)).isoformat(),
            "received_at": now.isoformat(),
            "received_by": officer.username,
            "created_at": now.isoformat(),
            "created_by": officer.username,
            "ticket": {
                "id": ticket.pk,
                "from_package": True,
                "number": ticket.number,
                "kind": ticket.kind,
                "group": None,
                "class_name": ticket.class_name,
                "issued_at": now.isoformat(),
                "issued_by": leader.username,
                "called_at": now.isoformat(),
                "done_at": now.isoformat(),
            },
            "person": {"personal_id": person.personal_id, "new_person": False},
            "artefacts": artefacts,
        }
        encode = json.dumps(dossier, ensure_ascii=False, indent=1, sort_keys=True).encode()
        fields = packets.ManifestFields(
            packet_id=uuid.uuid4(), kit_id=kit.name, session_id=session.pk, created_at=now
        )
        members = {"dossier.json": encode, **members, "audit.json": b"[]"}
        envelope = packets.seal(fields, members, signing, to_district)
        (folder / f"{i:04d}-{fields.packet_id}.pkt").write_bytes(envelope)
        sizes.append(len(envelope))
    about = {
        "kit": kit.name,
        "signing_private_key_pem": party.signing.private_pem,
        "district_signing_public_key": district.signing.public_hex,
        "packets": len(sizes),
        "bytes": sum(sizes),
        "members": {f"{k}-{s}.{f}": len(d) for (k, s, f), d in sorted(sets[0].items())},
    }
    (folder / "about.json").write_text(json.dumps(about))
    return {"packets": len(sizes), "bytes": sum(sizes)}


# ---------------------------------------------------------------- the bench's side


def push(url: str, about: dict[str, Any], envelopes: list[tuple[uuid.UUID, bytes]]) -> float:
    """`sync._send_one` for each packet: GET the state, PATCH it whole, check the receipt."""
    from cccd.fieldkit import keys, receipts
    from cccd.kits.client import District

    district_key = keys.signing_public_key(about["district_signing_public_key"])
    started = time.perf_counter()
    with District(url, kit=about["kit"], signing_key_pem=about["signing_private_key_pem"]) as kit:
        for packet_id, envelope in envelopes:
            held = kit.json("GET", f"/packets/{packet_id}")
            assert held.get("receipt") is None, held
            answer = kit.json_bytes(
                "PATCH", f"/packets/{packet_id}?offset=0&length={len(envelope)}", envelope
            )
            found = receipts.check_receipt(
                answer["receipt"].encode("ascii"), district_key, packet_id
            )
            assert found.outcome == receipts.Outcome.ACCEPTED, found
    return time.perf_counter() - started


def raw(url: str, about: dict[str, Any], envelopes: list[tuple[uuid.UUID, bytes]]) -> float:
    """The same bytes to the same route, staged but never decided (one byte short)."""
    from cccd.kits.client import District

    started = time.perf_counter()
    with District(url, kit=about["kit"], signing_key_pem=about["signing_private_key_pem"]) as kit:
        for _packet_id, envelope in envelopes:
            path = f"/packets/{uuid.uuid4()}?offset=0&length={len(envelope) + 1}"
            answer = kit.json_bytes("PATCH", path, envelope)
            assert answer.get("received") == len(envelope), answer
            assert not answer.get("receipt"), answer
    return time.perf_counter() - started


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def main(argv: list[str]) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    import django

    django.setup()
    from tests.kits.processes import Installation

    parser = argparse.ArgumentParser(prog="python -m bench kitpush")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="work in this folder and keep it (for profiling)")
    options = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-kitpush-") as tmp:
        base = Path(options.keep or tmp)
        template = Installation(base / "template", field=False)
        started = time.perf_counter()
        template.cccd("migrate", "--noinput", "-v", "0")
        out = base / "packets"
        template.python(
            f"import json; from bench.kitpush import seed_district; "
            f"print(json.dumps(seed_district({str(out)!r})))"
        )
        print(f"seeded and sealed in {time.perf_counter() - started:.0f} s")
        about = json.loads((out / "about.json").read_text())
        envelopes = [
            (uuid.UUID(p.stem.split("-", 1)[1]), p.read_bytes()) for p in sorted(out.glob("*.pkt"))
        ]
        total = sum(len(e) for _, e in envelopes)
        print(
            f"{len(envelopes)} packets, {total / 1e6:.1f} MB, "
            f"median {statistics.median(len(e) for _, e in envelopes) / 1e3:.0f} kB; "
            f"members of one: {about['members']}"
        )
        results: dict[str, list[float]] = {"push": [], "raw": []}
        for run in range(options.runs):
            folder = base / f"run-{run}"
            shutil.copytree(template.folder, folder)
            server = Installation(folder, field=False)
            server.start()
            try:
                pushed = push(server.url, about, envelopes)
                rawed = raw(server.url, about, envelopes)
            finally:
                server.stop()
            results["push"].append(pushed)
            results["raw"].append(rawed)
            print(
                f"run {run + 1}: push {len(envelopes) / pushed:.1f} packets/s "
                f"{total / pushed / 1e6:.2f} MB/s; raw {len(envelopes) / rawed:.1f} packets/s "
                f"{total / rawed / 1e6:.2f} MB/s"
            )
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}")
    print("| upload | s (median) | packets/s | MB/s |")
    print("| --- | ---: | ---: | ---: |")
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, seconds in medians.items():
        print(
            f"| {name} | {seconds:.2f} | {len(envelopes) / seconds:.1f} | "
            f"{total / seconds / 1e6:.2f} |"
        )
    print(f"push / raw rate: {medians['raw'] / medians['push']:.2f}")
