"""The checkout package: what a kit needs to run one session offline, signed by the unit and
encrypted to the kit (docs/field-kit.md#the-checkout-package).

The package holds the session's **slice** of the district's database, with the district's primary
keys unchanged, as Django's serializer writes rows: the session (its campaign, venue, team, queue
and desks), its class lists with their pre-check decisions, the numbers handed out, a home-visit
round's visits, the people those name plus every resident of the venue's commune (walk-ins),
their households, the units all of these point to (and the units above them), the reference data
the desk reads (priority groups, fees, exemptions, holidays, deadline areas) and the officers
allowed to work on the session, with their password hashes so they can sign in on the kit without
the server. Nothing else: no other session, no dossier, no person of another commune unless a
list, a number or a visit names them.

The slice is **closed**: every foreign key in it points into it. A reference the slice leaves out
on purpose (the user who uploaded a list, the register import that last touched a person) is
blanked; one that cannot be blank (a team's leader) brings a stub user who cannot sign in.

`build_package` writes it: the JSON document's exact bytes signed with the unit's Ed25519 key, the
two laid end to end as a packet's body is (`cccd.fieldkit.packets.pack_body`), encrypted to the
kit's X25519 key in a packet's envelope (`cccd.fieldkit.envelope`). `cccd.kits.unpack` opens it.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cccd.accounts.models import User
from cccd.accounts.roles import DESK, INTAKE, ISSUE, ROLE_PERMISSIONS
from cccd.accounts.scoping import ancestor_paths
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Team, Venue
from cccd.enrollments.models import DeadlineArea, Fee, FeeExemption, Holiday
from cccd.fieldkit.envelope import MB, megabytes, seal_envelope
from cccd.fieldkit.packets import pack_body
from cccd.kits import errors
from cccd.kits.keys import district_keys, district_signing_key, kit_encryption_public_key
from cccd.kits.models import Checkout
from cccd.reach.models import HomeVisit
from cccd.registry.models import Household, Person
from cccd.rosters.models import Roster, RosterEntry
from cccd.tickets.models import Desk, SessionQueue, Ticket
from cccd.units.models import Unit

FORMAT = "cccd-field-checkout"
VERSION = 1
PACKAGE = "package.json"
SIGNATURE = "package.sig"

MAX_PACKAGE_BYTES = 96 * MB
"""A commune of 20,000 residents comes to ~20 MB of JSON; a district-sized slice is a mistake."""
MAX_OBJECTS = 200_000

MODELS: tuple[type[models.Model], ...] = (
    Unit,
    User,
    PriorityGroup,
    Campaign,
    Venue,
    Team,
    Session,
    SessionQueue,
    Desk,
    Household,
    Person,
    Roster,
    RosterEntry,
    Ticket,
    HomeVisit,
    Fee,
    FeeExemption,
    Holiday,
    DeadlineArea,
)
"""Every kind of row a package may hold, in the order it is written: the kit's allow-list."""

ALLOWED_LABELS = frozenset(m._meta.label_lower for m in MODELS)

KIT_ROLES = tuple(
    role for role, granted in ROLE_PERMISSIONS.items() if granted & {ISSUE, DESK, INTAKE}
)
"""The roles that work a session's hall (hand out or call numbers, take intakes): their active
users in the session's unit subtree go in the package."""


@dataclass
class Slice:
    """The rows of one session's package, by model, before they are written."""

    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    stub_users: set[int] = field(default_factory=set)  # brought only because a key needs them

    def pks(self, model: type[models.Model]) -> set[Any]:
        return {row.pk for row in self.rows.get(model, [])}

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def build_package(checkout: Checkout) -> bytes:
    """The checkout's package, signed by the kit's unit and encrypted to the kit. A new package id
    each time (the contents are the session's as they are now)."""
    kit = checkout.kit
    keys_row = district_keys(kit.unit)
    package_id = uuid.uuid4()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "package_id": str(package_id),
        "kit": kit.name,
        "unit": kit.unit.code,
        "session_id": checkout.session_id,
        "code_block": [checkout.code_block_start, checkout.code_block_end],
        "made_at": timezone.now().astimezone(UTC).isoformat(),
        "objects": serialized(session_slice(checkout.session_id)),
    }
    data = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode("utf-8")
    if len(data) > MAX_PACKAGE_BYTES:
        raise errors.KIT_CHECKOUT_TOO_LARGE(
            size=f"{megabytes(len(data))} MB", limit=f"{megabytes(MAX_PACKAGE_BYTES)} MB"
        )
    signature = base64.b64encode(district_signing_key(keys_row).sign(data))
    body = pack_body([(PACKAGE, data), (SIGNATURE, signature)])
    return seal_envelope(package_id, body, kit_encryption_public_key(kit))


# --- the slice ----------------------------------------------------------------------------------


def session_slice(session_id: int) -> Slice:
    """The rows a kit needs for the session, closed under foreign keys (units and users aside,
    which `_close` completes)."""
    session = Session.objects.select_related("venue", "team", "campaign").get(pk=session_id)
    found = Slice()
    found.rows[Session] = [session]
    found.rows[Campaign] = [session.campaign]
    found.rows[Venue] = [session.venue]
    found.rows[Team] = [session.team]
    found.rows[SessionQueue] = list(SessionQueue.objects.filter(session=session))
    found.rows[Desk] = list(Desk.objects.filter(session=session))
    tickets = list(Ticket.objects.filter(session=session).order_by("number"))
    found.rows[Ticket] = list(tickets)
    held_entries = {t.roster_entry_id for t in tickets if t.roster_entry_id is not None}
    entries = list(
        RosterEntry.objects.filter(
            Q(roster__session=session, roster__is_current=True) | Q(pk__in=held_entries)
        ).order_by("pk")
    )
    found.rows[RosterEntry] = list(entries)
    found.rows[Roster] = list(
        Roster.objects.filter(pk__in={e.roster_id for e in entries}).order_by("pk")
    )
    visits = list(HomeVisit.objects.filter(session=session).order_by("position"))
    found.rows[HomeVisit] = list(visits)
    found.rows[Person] = _people(session, tickets, entries, visits)
    found.rows[Household] = list(
        Household.objects.filter(
            pk__in={p.household_id for p in found.rows[Person] if p.household_id}  # type: ignore[attr-defined]
        ).order_by("pk")
    )
    found.rows[User] = list(
        User.objects.filter(
            is_active=True, role__in=KIT_ROLES, unit__path__startswith=session.unit.path
        ).order_by("pk")
    )
    if session.team.leader_id not in found.pks(User):
        found.rows[User].append(session.team.leader)
        found.stub_users.add(session.team.leader_id)
    found.rows[Unit] = _units(found)
    found.rows[PriorityGroup] = list(PriorityGroup.objects.order_by("pk"))
    found.rows[Fee] = list(Fee.objects.order_by("pk"))
    found.rows[FeeExemption] = list(FeeExemption.objects.order_by("pk"))
    found.rows[Holiday] = list(Holiday.objects.order_by("pk"))
    found.rows[DeadlineArea] = list(
        DeadlineArea.objects.filter(unit__in=found.pks(Unit)).order_by("pk")
    )
    if found.count() > MAX_OBJECTS:
        raise errors.KIT_CHECKOUT_TOO_LARGE(
            size=f"{found.count()} records", limit=f"{MAX_OBJECTS} records"
        )
    return found


def _people(
    session: Session, tickets: list[Ticket], entries: list[RosterEntry], visits: list[HomeVisit]
) -> list[models.Model]:
    """The people the lists, numbers and home visits name, the candidates of the rows still to be
    decided (the officer picks one when the person stands at the desk), and every resident of the
    venue's commune (a walk-in is looked up there)."""
    named = {t.person_id for t in tickets} | {e.person_id for e in entries}
    named |= {v.person_id for v in visits}
    for entry in entries:
        if entry.needs_review:
            named |= {c.get("person") for c in entry.candidates if isinstance(c, dict)}
    wanted = Q(pk__in={pk for pk in named if isinstance(pk, int)})
    if session.venue.commune_id is not None:
        wanted |= Q(residence_unit_id=session.venue.commune_id)
    return list(Person.objects.filter(wanted).order_by("pk"))


def _units(found: Slice) -> list[models.Model]:
    """Every unit a row of the slice points to, the units above each, and the same places in the
    other tree (the deadline area of a session's district is looked up in both)."""
    direct: set[int] = set()
    for model, rows in found.rows.items():
        for fk in _foreign_keys(model):
            if fk.related_model is Unit:
                direct |= {getattr(row, fk.attname) for row in rows} - {None}
    paths: set[str] = set()
    for unit in Unit.objects.filter(pk__in=direct):
        for path in (unit.path, unit.mirror_path):
            paths |= {path, *ancestor_paths(path)}
    return list(Unit.objects.filter(Q(pk__in=direct) | Q(path__in=paths)).order_by("path"))


def _foreign_keys(model: type[models.Model]) -> Iterable[models.ForeignKey[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and not f.primary_key
    ]


# --- writing it ---------------------------------------------------------------------------------


def serialized(found: Slice) -> list[dict[str, Any]]:
    """The slice as Django's serializer writes rows (`model`, `pk`, `fields`), in `MODELS` order,
    each foreign key checked to point into the slice (blanked otherwise; a key that cannot be
    blank pointing out is a bug, and fails)."""
    included = {model: found.pks(model) for model in MODELS}
    objects: list[dict[str, Any]] = []
    for model in MODELS:
        rows = found.rows.get(model, [])
        for item in serializers.serialize("python", rows):
            _close(model, item, included)
            if model is User:
                _officer(item, stub=item["pk"] in found.stub_users)
            objects.append(item)
    return objects


def _close(
    model: type[models.Model], item: dict[str, Any], included: dict[type[models.Model], set[Any]]
) -> None:
    fields = item["fields"]
    for fk in _foreign_keys(model):
        value = fields.get(fk.name)
        if value is None or value in included.get(fk.related_model, set()):
            continue
        if not fk.null:
            raise RuntimeError(f"{model._meta.label}.{fk.name} points out of the slice")
        fields[fk.name] = None
    for m2m in model._meta.many_to_many:
        if m2m.name in fields:
            kept = included.get(m2m.related_model, set())
            fields[m2m.name] = [pk for pk in fields[m2m.name] if pk in kept]


def _officer(item: dict[str, Any], *, stub: bool) -> None:
    """A user as a kit holds them: their role (the kit puts them in its group of that name), never
    more rights than it gives. A stub (a team's leader who may not work the hall) cannot sign in."""
    fields = item["fields"]
    fields.update(is_superuser=False, is_staff=False, groups=[], user_permissions=[])
    if stub:
        fields.update(is_active=False, password=make_password(None))


def made_at(document: dict[str, Any]) -> datetime | None:
    """The package's `made_at`, if it is a time with an offset."""
    value = document.get("made_at")
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None
