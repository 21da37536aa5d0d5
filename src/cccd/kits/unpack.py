"""Loading a checkout package on a kit, and wiping the session's slice at check-in
(docs/field-kit.md#the-checkout-package).

`load_package` trusts nothing before it is checked: the envelope's size, then its decryption with
the kit's key, the body's two records, the district's signature of the document's exact bytes,
and only then the document (format, version, the kit it was made for, the bounds, every row's
model on the allow-list `package.MODELS`). The rows are then saved with their district ids in one
transaction, foreign keys checked before it commits: a package loads whole or not at all, and
loading it again updates the same rows (a home visit the kit recorded keeps its outcome unless
the package's is newer).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError, Q

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Team, Venue
from cccd.enrollments.models import (
    Artefact,
    DeadlineArea,
    Enrollment,
    Fee,
    FeeExemption,
    Holiday,
    ProposedChange,
)
from cccd.errors import DomainError
from cccd.fieldkit import errors as fieldkit_errors
from cccd.fieldkit.envelope import megabytes, open_envelope
from cccd.fieldkit.packets import SIGNATURE_B64_BYTES, PacketLimits, unpack_body
from cccd.kits import errors
from cccd.kits.keys import district_signing_public_key, kit_encryption_key
from cccd.kits.models import KIT_CODE_BASE, HeldSession, KitIdentity, NewPerson, OutboxPacket
from cccd.kits.package import (
    ALLOWED_LABELS,
    FORMAT,
    MAX_OBJECTS,
    MAX_PACKAGE_BYTES,
    MODELS,
    PACKAGE,
    SIGNATURE,
    VERSION,
    made_at,
)
from cccd.reach.models import HomeVisit
from cccd.registry.models import Household, Person
from cccd.rosters.models import Roster, RosterEntry
from cccd.tickets.models import Desk, SessionQueue, Ticket
from cccd.units.models import Unit

MAX_ENVELOPE_BYTES = MAX_PACKAGE_BYTES + 64 * 1024  # the document, its signature and the framing
_LIMITS = PacketLimits(
    max_envelope_bytes=MAX_ENVELOPE_BYTES, max_members=0, max_member_bytes=MAX_PACKAGE_BYTES
)

KIT_LOCAL_IDS = 2**40
"""Rows a kit makes itself (a walk-in, a walk-in's number, a dossier) take ids from here up, so
that no district id a later package brings can land on one. The district's ids stay far below."""

REFERENCE_MODELS: tuple[type[models.Model], ...] = (
    PriorityGroup,
    Fee,
    FeeExemption,
    Holiday,
    DeadlineArea,
)

NATURAL_KEYS: dict[type[models.Model], str] = {
    Unit: "path",
    User: "username",
    Person: "personal_id",
    Household: "code",
    Ticket: "public_token",
}
"""What a row is, besides its id: a package row whose id the kit already gives to another person
(or user, unit …) is a clash, refused rather than written over."""


def load_package(envelope: bytes, identity: KitIdentity) -> HeldSession:
    """Load the checkout package `envelope` on this kit and return the session it holds."""
    document, digest = read_package(envelope, identity)
    objects: list[dict[str, Any]] = document["objects"]
    with transaction.atomic():
        _refuse_clashes(objects)
        _replace_reference_data(objects)
        recorded = _take_visits(document["session_id"])
        _save_rows(objects)
        _keep_newer_outcomes(recorded)
        _reserve_local_ids()
        start, end = document["code_block"]
        held = HeldSession.objects.filter(session_id=document["session_id"]).first()
        if held is None or (held.code_block_start, held.code_block_end) != (start, end):
            held = held or HeldSession(session_id=document["session_id"])
            held.code_block_start, held.code_block_end, held.next_code = start, end, start
        held.state = HeldSession.State.OPEN
        held.package_sha256 = digest
        held.checked_out_at = made_at(document) or held.checked_out_at
        held.save()
    return held


def read_package(envelope: bytes, identity: KitIdentity) -> tuple[dict[str, Any], str]:
    """The checked document of a package and the SHA-256 of its envelope; every refusal is a
    `DomainError` of `cccd.kits.errors`."""
    if len(envelope) > MAX_ENVELOPE_BYTES:
        raise errors.KIT_PACKAGE_TOO_LARGE(
            size=megabytes(len(envelope)), limit=megabytes(MAX_ENVELOPE_BYTES)
        )
    try:
        opened = open_envelope(envelope, kit_encryption_key(identity), max_bytes=MAX_ENVELOPE_BYTES)
    except DomainError as error:
        if error.error is fieldkit_errors.PACKET_UNDECRYPTABLE:
            raise errors.KIT_PACKAGE_UNDECRYPTABLE() from None
        raise errors.KIT_PACKAGE_DAMAGED() from None
    try:
        records = unpack_body(opened.body, _LIMITS)
    except DomainError:
        raise errors.KIT_PACKAGE_DAMAGED() from None
    if [name for name, _data in records] != [PACKAGE, SIGNATURE]:
        raise errors.KIT_PACKAGE_DAMAGED()
    (_, data), (_, signature) = records
    if len(signature) != SIGNATURE_B64_BYTES:
        raise errors.KIT_PACKAGE_DAMAGED()
    try:
        district_signing_public_key(identity).verify(
            base64.b64decode(signature, validate=True), data
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise errors.KIT_PACKAGE_SIGNATURE_INVALID() from None
    document = _parse(data)
    _check_document(document, identity, str(opened.packet_id))
    return document, hashlib.sha256(envelope).hexdigest()


def _parse(data: bytes) -> dict[str, Any]:
    """The document, refusing a key given twice (two readers must not read two documents)."""

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({k for k, _v in pairs}) != len(pairs):
            raise errors.KIT_PACKAGE_INVALID(field="JSON")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise errors.KIT_PACKAGE_INVALID(field="JSON")

    try:
        document = json.loads(
            data.decode("utf-8"), object_pairs_hook=no_repeats, parse_constant=no_constants
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise errors.KIT_PACKAGE_INVALID(field="JSON") from None
    if not isinstance(document, dict):
        raise errors.KIT_PACKAGE_INVALID(field="JSON")
    return document


def _check_document(document: dict[str, Any], identity: KitIdentity, package_id: str) -> None:
    if document.get("format") != FORMAT:
        raise errors.KIT_PACKAGE_INVALID(field="format")
    version = document.get("version")
    if not _is_int(version):
        raise errors.KIT_PACKAGE_INVALID(field="version")
    if version != VERSION:
        raise errors.KIT_PACKAGE_VERSION_UNSUPPORTED(version=version, supported=VERSION)
    if document.get("package_id") != package_id:  # a signed document moved under another envelope
        raise errors.KIT_PACKAGE_INVALID(field="package_id")
    kit = document.get("kit")
    if not isinstance(kit, str):
        raise errors.KIT_PACKAGE_INVALID(field="kit")
    if kit != identity.name:
        raise errors.KIT_PACKAGE_OTHER_KIT(kit=kit[:64])
    session_id = document.get("session_id")
    if not isinstance(session_id, int) or isinstance(session_id, bool) or session_id <= 0:
        raise errors.KIT_PACKAGE_INVALID(field="session_id")
    block = document.get("code_block")
    if (
        not isinstance(block, list)
        or len(block) != 2
        or not all(_is_int(n) for n in block)
        or not KIT_CODE_BASE <= block[0] <= block[1] < 2**63
    ):
        raise errors.KIT_PACKAGE_INVALID(field="code_block")
    if made_at(document) is None:
        raise errors.KIT_PACKAGE_INVALID(field="made_at")
    _check_objects(document.get("objects"), session_id)


def _check_objects(objects: object, session_id: int) -> None:
    if not isinstance(objects, list) or len(objects) > MAX_OBJECTS:
        raise errors.KIT_PACKAGE_INVALID(field="objects")
    for item in objects:
        if not isinstance(item, dict) or not isinstance(item.get("fields"), dict):
            raise errors.KIT_PACKAGE_INVALID(field="objects")
        label = item.get("model")
        if label not in ALLOWED_LABELS:
            raise errors.KIT_PACKAGE_MODEL_REFUSED(model=str(label)[:80])
        if not _is_int(item.get("pk")) or not 0 < item["pk"] < KIT_LOCAL_IDS:
            raise errors.KIT_PACKAGE_INVALID(field="objects")
    sessions = [o["pk"] for o in objects if o["model"] == Session._meta.label_lower]
    if sessions != [session_id]:
        raise errors.KIT_PACKAGE_INVALID(field="session")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _refuse_clashes(objects: list[dict[str, Any]]) -> None:
    """A row of the package whose id the kit already gives to another thing (another person,
    user, unit …): written over, it would change who that is."""
    for model, key in NATURAL_KEYS.items():
        label = model._meta.label_lower
        incoming = {o["pk"]: o["fields"].get(key) for o in objects if o["model"] == label}
        held = dict(model._default_manager.filter(pk__in=incoming).values_list("pk", key))
        if any(incoming[pk] != value for pk, value in held.items()):
            raise errors.KIT_PACKAGE_CLASH(model=model._meta.verbose_name_plural)


def _replace_reference_data(objects: list[dict[str, Any]]) -> None:
    """The kit's reference data becomes the district's: rows the package does not hold go (a
    holiday the district removed; a row migrations seeded that the district changed), so the same
    code or date under another id does not clash. A row a kept number or dossier still points to
    stays."""
    for model in REFERENCE_MODELS:
        label = model._meta.label_lower
        kept = {o["pk"] for o in objects if o["model"] == label}
        for row in model._default_manager.exclude(pk__in=kept):
            try:
                with transaction.atomic():
                    row.delete()
            except ProtectedError:
                pass


def _save_rows(objects: list[dict[str, Any]]) -> None:
    """Every row saved with its district id (an update when the kit has it), its foreign keys
    checked before the transaction ends, as `loaddata` does; then each user put in the kit's group
    of their role (the package carries the role, not the district's group ids)."""
    users: list[User] = []
    try:
        with connection.constraint_checks_disabled():
            for row in serializers.deserialize("python", objects):
                row.save()
                if isinstance(row.object, User):
                    users.append(row.object)
    except IntegrityError:  # a unique value the kit gives to another row
        raise errors.KIT_PACKAGE_CLASH(model="records") from None
    except (DeserializationError, ValidationError, ValueError, TypeError):
        raise errors.KIT_PACKAGE_INVALID(field="objects") from None
    try:
        connection.check_constraints(table_names=[m._meta.db_table for m in MODELS])
    except IntegrityError:  # a row pointing to one neither in the package nor on the kit
        raise errors.KIT_PACKAGE_INVALID(field="references") from None
    groups = {g.name: g for g in Group.objects.all()}
    for user in users:
        user.groups.set([groups[user.role]] if user.role in groups else [])


def _take_visits(session_id: int) -> dict[int, HomeVisit]:
    """Take the session's visits off the kit before a package brings them again, and return those
    with an outcome recorded here: the package's rows (a round reordered at the district moves
    positions, which are unique) are then written afresh, and `_keep_newer_outcomes` puts back
    what the kit recorded."""
    held = HomeVisit.objects.filter(session_id=session_id)
    recorded = {v.pk: v for v in held.exclude(outcome=HomeVisit.Outcome.PENDING)}
    held.delete()
    return recorded


def _keep_newer_outcomes(recorded: dict[int, HomeVisit]) -> None:
    """A visit the kit recorded keeps its outcome unless the package brings a newer one (a package
    loaded again must not undo the team's work: docs/field-kit.md#home-visit-outcomes)."""
    for row in HomeVisit.objects.filter(pk__in=recorded):
        mine = recorded[row.pk]
        if mine.visited_at is None or (
            row.visited_at is not None and row.visited_at >= mine.visited_at
        ):
            continue
        row.outcome, row.note = mine.outcome, mine.note
        row.visited_at, row.visited_by_id = mine.visited_at, mine.visited_by_id
        row.save(update_fields=["outcome", "note", "visited_at", "visited_by"])


def _reserve_local_ids() -> None:
    """Make the kit's own new rows take ids from `KIT_LOCAL_IDS` up (SQLite's AUTOINCREMENT
    counter; a kit is always SQLite). Rows of the allowed models and of what the kit makes."""
    if connection.vendor != "sqlite":
        return
    made_here: tuple[type[models.Model], ...] = (Enrollment, Artefact, NewPerson, OutboxPacket)
    tables = [m._meta.db_table for m in (*MODELS, *made_here)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            if found is None:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table, KIT_LOCAL_IDS],
                )
            elif found[0] < KIT_LOCAL_IDS:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [KIT_LOCAL_IDS, table]
                )


# --- check-in: the slice wiped ------------------------------------------------------------------


def wipe_session(held: HeldSession) -> dict[str, int]:
    """Delete the session's slice from the kit, once every packet of it has its receipt: the
    session and its queue, desks, numbers, lists, the dossiers made here (and their capture files)
    and the outbox's rows; then the people, households, venues, teams and campaigns no other held
    session needs; and, when no session is held any more, the officers the packages brought (their
    password hashes leave with them). Kept: the kit's identity, the unit tree and the reference
    data (nothing personal), and the audit trail (append-only; what happened on this kit).

    Returns how many rows of each kind went, for the check-in's summary."""
    with transaction.atomic():
        session_id = held.session_id
        pending = (
            OutboxPacket.objects.filter(session_id=session_id)
            .exclude(state=OutboxPacket.State.ACKNOWLEDGED)
            .count()
        )
        if pending:
            raise errors.KIT_WIPE_PACKETS_PENDING(count=pending)
        files = list(
            Artefact.objects.filter(enrollment__session_id=session_id)
            .exclude(file="")
            .values_list("file", flat=True)
        )
        gone: dict[str, int] = {}

        def drop(name: str, queryset: models.QuerySet[Any, Any]) -> None:
            gone[name] = gone.get(name, 0) + queryset.delete()[0]

        drop("packets", OutboxPacket.objects.filter(session_id=session_id))
        drop("dossiers", Enrollment.objects.filter(session_id=session_id))
        drop("tickets", Ticket.objects.filter(session_id=session_id))
        drop("desks", Desk.objects.filter(session_id=session_id))
        drop("queues", SessionQueue.objects.filter(session_id=session_id))
        drop("lists", Roster.objects.filter(session_id=session_id))
        drop("visits", HomeVisit.objects.filter(session_id=session_id))
        HeldSession.objects.filter(pk=held.pk).delete()
        drop("sessions", Session.objects.filter(pk=session_id))
        drop("venues", Venue.objects.filter(sessions__isnull=True))
        drop("teams", Team.objects.filter(sessions__isnull=True))
        drop("campaigns", Campaign.objects.filter(sessions__isnull=True))
        drop("people", _people_no_longer_needed())
        drop("households", Household.objects.filter(members__isnull=True))
        if not HeldSession.objects.exists():
            drop("users", User.objects.filter(pk__lt=KIT_LOCAL_IDS, is_superuser=False))
        transaction.on_commit(lambda: _delete_files(files))
    return gone


def _people_no_longer_needed() -> models.QuerySet[Person]:
    """People no kept row (a number, a list row, a dossier, a correction, a visit of another held
    round) points to and who do not live in the commune of a kept session's venue."""
    named = (
        set(Ticket.objects.values_list("person_id", flat=True))
        | set(RosterEntry.objects.values_list("person_id", flat=True))
        | set(Enrollment.objects.values_list("person_id", flat=True))
        | set(ProposedChange.objects.values_list("person_id", flat=True))
        | set(HomeVisit.objects.values_list("person_id", flat=True))
    )
    communes = set(Venue.objects.values_list("commune_id", flat=True)) - {None}
    return Person.objects.exclude(Q(pk__in=named - {None}) | Q(residence_unit_id__in=communes))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
