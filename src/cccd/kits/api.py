"""/api/v1/kits: what a field kit asks of its district (docs/field-kit.md#requests).

No user is logged in here: a kit signs every request with its own key (`cccd.fieldkit.requests`),
except the join, which carries the one-time pairing code instead. Packets travel as raw bytes
(`application/octet-stream`) in resumable parts; every other answer is JSON, and a refusal has
the API's one shape, `{code, message}` with a 4xx status.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import pydantic
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.security import APIKeyHeader
from ninja.security.base import AuthBase

from cccd.accounts.audit import audit_source
from cccd.errors import INVALID_INPUT
from cccd.fieldkit import keys, requests
from cccd.fieldkit.keys import PublicKeys
from cccd.fieldkit.packets import LIMITS
from cccd.kits import checkout, errors, services, uploads
from cccd.kits.api_walkins import router as walk_ins_router
from cccd.kits.homevisits import KitVisit
from cccd.kits.models import Kit
from cccd.reach.homevisits import MAX_HOMES

router = Router(tags=["field kits"])
S = TypeVar("S", bound=Schema)
router.add_router("", walk_ins_router)  # /walk-in-people: the DC01 form on a kit, for users

JSON_MAX_BYTES = 256 * 1024
"""A kit's JSON requests are small: a check-in lists packet ids (a session of a few thousand)."""
CHECKIN_MAX_BYTES = JSON_MAX_BYTES + MAX_HOMES * 2048
"""A check-in may carry a round's outcomes too: at most `MAX_HOMES`, each under 2 KB."""


class JoinIn(Schema):
    signing_public_key: str = Field(max_length=64)
    encryption_public_key: str = Field(max_length=64)


class JoinOut(Schema):
    kit: str
    unit_code: str
    unit_name: str
    district_signing_public_key: str
    district_encryption_public_key: str
    district_fingerprint: str
    kit_fingerprint: str


class UploadOut(Schema):
    received: int
    length: int | None = None
    receipt: str | None = None


class PartIn(Schema):
    offset: int = Field(ge=0)
    length: int = Field(ge=1)


class OutboxIn(Schema):
    waiting: int = Field(ge=0, le=10_000_000)
    oldest_waiting_at: datetime | None = None


class VisitOutcomeIn(Schema):
    """A home visit's outcome recorded on the kit (docs/field-kit.md#home-visit-outcomes)."""

    visit: int = Field(ge=1, le=2**63 - 1)
    person: int = Field(ge=1, le=2**63 - 1)
    outcome: str = Field(max_length=12)
    note: str = Field(default="", max_length=300)
    visited_at: datetime
    visited_by: str = Field(default="", max_length=150)

    @pydantic.field_validator("visited_at")
    @classmethod
    def _with_offset(cls, value: datetime) -> datetime:
        if value.utcoffset() is None:
            raise ValueError("a time with its offset")
        return value


class CheckInIn(Schema):
    session_id: int = Field(ge=1)
    packet_ids: list[uuid.UUID] = Field(max_length=100_000)
    summary: dict[str, int] = Field(default_factory=dict, max_length=20)
    home_visits: list[VisitOutcomeIn] = Field(default_factory=list, max_length=MAX_HOMES)


class VisitsOut(Schema):
    applied: int
    unchanged: int
    kept: int  # the district holds a newer outcome
    refused: int
    reasons: list[str]


class CheckInOut(Schema):
    checked_in: bool
    received: int
    expected: int
    missing: list[str]
    home_visits: VisitsOut | None = None  # only when the check-in carried outcomes


class ContactOut(Schema):
    kit: str
    clock_offset_seconds: int
    state: str


def _body(request: HttpRequest, limit: int) -> bytes:
    """The request's bytes, bounded before they are read."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        size = -1
    if not (0 <= size <= limit):
        raise errors.UPLOAD_LENGTH_INVALID(limit=LIMITS.max_envelope_bytes, part=limit)
    return request.read(size) if size else b""


def _json(schema: type[S], body: bytes) -> S:
    """A JSON body read into `schema`; a malformed one is the API's usual 422, never a 500."""
    try:
        return schema.model_validate_json(body or b"{}")
    except pydantic.ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e.get('msg', '')}"
            for e in exc.errors()[:10]
        )
        raise INVALID_INPUT(detail=detail) from None


@dataclass(frozen=True)
class Signed:
    """What `KitSignature` leaves on the request: the kit, its clock's offset, the body it signed."""

    kit: Kit
    clock_offset_seconds: int
    body: bytes


class KitSignature(AuthBase):
    """A paired kit's signature (`cccd.fieldkit.requests`), in place of a user's token: the body is
    read here, bounded, because the signature covers it; the view takes it from `request.signed`."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = requests.SIGNATURE_HEADER
    openapi_description = (
        "Ed25519 signature by the kit, with X-Cccd-Kit and X-Cccd-Kit-Time (docs/field-kit.md)"
    )
    access = "a paired field kit's signature"  # not a user's role: tests/accounts/test_role_routes

    def __init__(self, limit: int = JSON_MAX_BYTES) -> None:
        self.limit = limit
        super().__init__()

    def __call__(self, request: HttpRequest) -> Kit:
        body = _body(request, self.limit)
        headers = {name: request.headers.get(name, "") for name in requests.HEADERS}
        claim = requests.claimed(headers)
        kit = Kit.objects.select_related("unit").filter(name=claim.kit).first()
        if kit is None or kit.state == Kit.State.REGISTERED:
            raise errors.KIT_NOT_PAIRED(name=claim.kit)
        key = keys.signing_public_key(kit.signing_public_key)
        requests.verify(request.method or "", request.get_full_path(), body, headers, key)
        if kit.state == Kit.State.REVOKED:
            raise errors.KIT_REVOKED(name=kit.name)
        offset = services.heard_from(kit, kit_time=claim.kit_time)
        request.signed = Signed(kit=kit, clock_offset_seconds=offset, body=body)  # type: ignore[attr-defined]
        return kit


class PairingCode(APIKeyHeader):
    """The join: no user and no key yet; the one-time pairing code is the credential, in its own
    header, and `services.join_kit` checks it (a wrong or used code is refused there)."""

    param_name = requests.PAIRING_HEADER
    access = "a one-time pairing code"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return key[:64] if key else None


def _signed(request: HttpRequest) -> Signed:
    signed: Signed = request.signed  # type: ignore[attr-defined]
    return signed


@router.post(
    "/join", response=JoinOut, auth=PairingCode(), summary="Pair a kit with its one-time code"
)
def join(request: HttpRequest, payload: JoinIn) -> dict[str, Any]:
    public = PublicKeys(
        signing=payload.signing_public_key, encryption=payload.encryption_public_key
    )
    with audit_source(f"kit-join:{request.META.get('REMOTE_ADDR', '')}"):
        joined = services.join_kit(str(request.auth), public)  # type: ignore[attr-defined]
    return {
        "kit": joined.kit.name,
        "unit_code": joined.kit.unit.code,
        "unit_name": joined.kit.unit.name,
        "district_signing_public_key": joined.district.signing,
        "district_encryption_public_key": joined.district.encryption,
        "district_fingerprint": keys.fingerprint(joined.district),
        "kit_fingerprint": keys.fingerprint(public),
    }


@router.post(
    "/contact",
    response=ContactOut,
    auth=KitSignature(),
    summary="Say the kit's outbox; learn its clock",
)
def contact(request: HttpRequest) -> dict[str, Any]:
    signed = _signed(request)
    kit, offset = signed.kit, signed.clock_offset_seconds
    report = _json(OutboxIn, signed.body)
    services.report_outbox(kit, waiting=report.waiting, oldest_waiting_at=report.oldest_waiting_at)
    return {"kit": kit.name, "clock_offset_seconds": offset, "state": kit.state}


@router.post(
    "/sessions/{session_id}/checkout",
    auth=KitSignature(),
    summary="Check a session out to the kit: its package, signed and encrypted to the kit",
)
def checkout_session(request: HttpRequest, session_id: int) -> HttpResponse:
    kit = _signed(request).kit
    with audit_source(f"kit:{kit.name}"):
        _checked_out, package = checkout.checkout_session(session_id, kit=kit, actor=None)
    return HttpResponse(package, content_type="application/octet-stream")


@router.get(
    "/packets/{packet_id}",
    response=UploadOut,
    auth=KitSignature(),
    summary="How much of a packet the district holds",
)
def packet_state(request: HttpRequest, packet_id: uuid.UUID) -> dict[str, Any]:
    kit = _signed(request).kit
    found = uploads.state(packet_id, kit=kit)
    return _upload_out(found)


@router.patch(
    "/packets/{packet_id}",
    response=UploadOut,
    auth=KitSignature(uploads.PART_MAX_BYTES),
    summary="Send a part of a packet",
)
def packet_part(request: HttpRequest, packet_id: uuid.UUID, part: Query[PartIn]) -> dict[str, Any]:
    signed = _signed(request)
    kit, offset, data = signed.kit, signed.clock_offset_seconds, signed.body
    with audit_source(f"kit:{kit.name}"):
        found = uploads.receive_part(
            packet_id,
            kit=kit,
            offset=part.offset,
            length=part.length,
            data=data,
            clock_offset_seconds=offset,
        )
    return _upload_out(found)


@router.post(
    "/checkin",
    response=CheckInOut,
    auth=KitSignature(CHECKIN_MAX_BYTES),
    summary="Check the session back in",
    exclude_none=True,
)
def check_in(request: HttpRequest) -> dict[str, Any]:
    signed = _signed(request)
    kit = signed.kit
    payload = _json(CheckInIn, signed.body)
    visits = [
        KitVisit(
            visit=v.visit,
            person=v.person,
            outcome=v.outcome,
            note=v.note,
            visited_at=v.visited_at,
            visited_by=v.visited_by,
        )
        for v in payload.home_visits
    ]
    with audit_source(f"kit:{kit.name}"):
        result = services.check_in(
            kit,
            session_id=payload.session_id,
            packet_ids=[str(pid) for pid in payload.packet_ids],
            summary=payload.summary,
            visits=visits,
            clock_offset_seconds=signed.clock_offset_seconds,
        )
    answer: dict[str, Any] = {
        "checked_in": result.checked_in,
        "received": result.received,
        "expected": result.expected,
        "missing": result.missing,
    }
    if result.visits is not None:
        answer["home_visits"] = result.visits.as_dict()
    return answer


def _upload_out(found: uploads.UploadState) -> dict[str, Any]:
    return {
        "received": found.received,
        "length": found.length,
        "receipt": found.receipt.decode("ascii") if found.receipt is not None else None,
    }
