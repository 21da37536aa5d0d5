"""/api/v1/intake/: every step of the intake desk without a browser, for scanner software and
tests. Thin over the same `services` and `queries` as the pages (`views`): the same permissions,
the same checks, the same audit events, the same reads recorded.

The steps, in order (the number is first called with `POST /api/v1/tickets/desks/{id}/call-next`):
`GET tickets/{id}` (the screen), `POST tickets/{id}/start` (open the draft), `POST
tickets/{id}/person` (a walk-in found in the register), `POST tickets/{id}/details` (kind, group,
exemption, return method), `POST tickets/{id}/captures/{kind}/{slot}` (a file) or
`…/impossible` (a reason), `POST tickets/{id}/device/{kind}` (the device service's answer, as the
page posts it), `POST tickets/{id}/finish`, `GET dossiers/{id}/slip.pdf`.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import DOSSIERS, INTAKE
from cccd.api.inputs import Id, Text
from cccd.enrollments.documents.slip import render_slip
from cccd.enrollments.intake import captures, devicecapture, queries, services
from cccd.enrollments.intake.schemas import (
    ArtefactOut,
    DetailsIn,
    FinishedOut,
    ImpossibleIn,
    IntakeOut,
    PersonIn,
)
from cccd.enrollments.models import Artefact, Enrollment
from cccd.enrollments.public.links import link_token
from cccd.errors import NOT_FOUND
from cccd.tickets.models import Ticket

router = Router(tags=["intake"])

CaptureKind = Artefact.Kind
DeviceKind = Annotated[str, Field(pattern="^(photo|fingerprint|iris)$")]
Slot = Annotated[int, Field(ge=0, le=99)]
_LIMITS: dict[str, int] = {
    Artefact.Kind.PHOTO: captures.PHOTO_MAX_MB,
    Artefact.Kind.FINGERPRINT: captures.FINGERPRINT_MAX_MB,
    Artefact.Kind.IRIS: captures.IRIS_MAX_MB,
    Artefact.Kind.SIGNATURE: captures.SIGNATURE_MAX_MB,
}
_PDF = {
    200: {
        "description": "The appointment slip (PDF).",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


# ---------------------------------------------------------------- the screen, as JSON


def _capture(artefact: Artefact | None, kind: str, slot: queries.SlotView) -> dict[str, object]:
    state = "missing"
    if artefact is not None:
        state = "captured" if artefact.sha256 else "impossible"
    return {
        "kind": kind,
        "slot": slot.number,
        "name": slot.name,
        "state": state,
        "impossible_reason": artefact.impossible_reason if artefact else "",
        "format": artefact.format if artefact else "",
        "sha256": artefact.sha256 if artefact else "",
        "score": slot.score,
        "threshold": slot.threshold,
        "low_quality": slot.low_quality,
        "retake_due": slot.retake_due,
        "tries": slot.tries,
        "from_device": slot.from_device,
    }


def _captures(context: dict[str, Any]) -> list[dict[str, object]]:
    """Every slot due, in the desk's order: photo, fingers, irises, signature."""
    photo = queries.SlotView(0, "", context["photo"])
    signature = queries.SlotView(0, "", context["signature"])
    rows = [_capture(photo.artefact, Artefact.Kind.PHOTO, photo)]
    rows += [_capture(s.artefact, Artefact.Kind.FINGERPRINT, s) for s in context["fingers"]]
    rows += [_capture(s.artefact, Artefact.Kind.IRIS, s) for s in context["irises"]]
    rows.append(_capture(signature.artefact, Artefact.Kind.SIGNATURE, signature))
    return rows


def _state(request: LoggedInRequest, ticket_id: int) -> dict[str, object]:
    """The intake screen's content (`queries.intake_context`), the person's read audited as the
    page audits it."""
    ticket = queries.ticket_at_desk(request.user, ticket_id)
    context = queries.intake_context(request.user, ticket)
    person = ticket.person
    if person is not None:
        record_read(
            "person.view", person, actor=request.user, unit=person.residence_unit, ticket=ticket.pk
        )
    draft: Enrollment | None = context["draft"]  # type: ignore[assignment]
    received: Enrollment | None = context["received"]  # type: ignore[assignment]
    return {
        "ticket": _ticket(ticket, at_desk=bool(context["at_desk"])),
        "person": _person(ticket),
        "draft": _draft(draft) if draft is not None else None,
        "received": (
            {
                "id": received.pk,
                "code": received.code,
                "return_date": received.return_date,
                "fee": received.fee,
            }
            if received is not None
            else None
        ),
        "problem": context["problem_message"],
        "suggested_kind": context["suggested_kind"],
        "kinds_allowed": [
            {"value": o.value, "label": o.label, "needs_reason": o.needs_reason, "fee": fee}
            for o, fee in context["kinds_allowed"]  # type: ignore[attr-defined]
        ],
        "kinds_refused": [
            {"value": o.value, "label": o.label, "why": o.why}
            for o in context["kinds_refused"]  # type: ignore[attr-defined]
        ],
        "captures": _captures(context),
        "missing": [str(m) for m in context["missing"]],  # type: ignore[attr-defined]
        "next_step": context["next_step"],
        "previous_hash": context["previous_hash"],
    }


def _ticket(ticket: Ticket, *, at_desk: bool) -> dict[str, object]:
    return {
        "id": ticket.pk,
        "display": ticket.display,
        "state": ticket.state,
        "desk": ticket.desk.number if ticket.desk else None,
        "at_desk": at_desk,
    }


def _person(ticket: Ticket) -> dict[str, object] | None:
    person = ticket.person
    if person is None:
        return None
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "personal_id": person.personal_id,
        "birth_date": person.birth_date,
        "birth_date_precision": person.birth_date_precision,
        "sex": person.sex,
        "residence_unit": person.residence_unit.name,
    }


def _draft(enrollment: Enrollment) -> dict[str, object]:
    return {
        "id": enrollment.pk,
        "kind": enrollment.kind,
        "kind_reason": enrollment.kind_reason,
        "group_id": enrollment.group_id,
        "exemption_id": enrollment.exemption_id,
        "fee": enrollment.fee,
        "return_method": enrollment.return_method,
        "post_address": enrollment.post_address,
    }


@router.get(
    "/tickets/{ticket_id}",
    response=IntakeOut,
    auth=api_requires(INTAKE),
    summary="The intake screen of a number",
)
def intake_state(request: LoggedInRequest, ticket_id: Id) -> dict[str, object]:
    """What the intake screen shows: the person, the dossier (kind, fee, return), the kinds
    allowed, every capture due with what is done and what is missing. Writes nothing but the
    audit of the person's read."""
    return _state(request, ticket_id)


# ---------------------------------------------------------------- the steps


@router.post(
    "/tickets/{ticket_id}/start",
    response=IntakeOut,
    auth=api_requires(INTAKE),
    summary="Open the dossier of the number at the desk",
)
def start(request: LoggedInRequest, ticket_id: Id) -> dict[str, object]:
    """Open the draft dossier (or find the one already open): the number is now being served.
    Every later step opens it too, so this step is optional."""
    services.start_intake(ticket_id, actor=request.user)
    return _state(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/person",
    response=IntakeOut,
    auth=api_requires(INTAKE),
    summary="Give a walk-in number its person",
)
def set_person(request: LoggedInRequest, ticket_id: Id, payload: PersonIn) -> dict[str, object]:
    """The person found in the register (`GET /api/v1/registry/people`) is the number's."""
    services.set_ticket_person(ticket_id, payload.person_id, actor=request.user)
    return _state(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/details",
    response=IntakeOut,
    auth=api_requires(INTAKE),
    summary="Set the kind, group, exemption and return method",
)
def details(request: LoggedInRequest, ticket_id: Id, payload: DetailsIn) -> dict[str, object]:
    """The fee follows from the kind (and the exemption); `post_address` is needed when
    `return_method` is `post`; `kind_reason` when the kind asks for one."""
    services.update_intake(
        ticket_id,
        kind=payload.kind,
        group_id=payload.group_id,
        exemption_id=payload.exemption_id,
        return_method=payload.return_method,
        post_address=payload.post_address,
        kind_reason=payload.kind_reason,
        actor=request.user,
    )
    return _state(request, ticket_id)


def _artefact(artefact: Artefact) -> dict[str, object]:
    return {
        "kind": artefact.kind,
        "slot": artefact.slot,
        "format": artefact.format,
        "size": artefact.size,
        "sha256": artefact.sha256,
        "impossible_reason": artefact.impossible_reason,
        "quality": artefact.quality,
    }


@router.post(
    "/tickets/{ticket_id}/captures/{kind}/{slot}",
    response={201: ArtefactOut},
    auth=api_requires(INTAKE),
    summary="Upload one capture (a file) into its slot",
)
def upload_capture(
    request: LoggedInRequest,
    ticket_id: Id,
    kind: CaptureKind,
    slot: Slot,
    file: File[UploadedFile],
) -> Status[dict[str, object]]:
    """Multipart, field `file`. `photo` and `signature` take slot 0, `fingerprint` 1–10 (ISO
    finger positions), `iris` 1–2 (when due). Checked as the page checks it (format, size,
    pixels, quality); a refused capture changes nothing, a new one replaces the slot's."""
    data = captures.read_upload(file, limit_mb=_LIMITS[kind])
    return Status(201, _artefact(services.capture(ticket_id, kind, slot, data, actor=request.user)))


@router.post(
    "/tickets/{ticket_id}/captures/{kind}/{slot}/impossible",
    response={201: ArtefactOut},
    auth=api_requires(INTAKE),
    summary="Mark one capture impossible, with the reason",
)
def mark_impossible(
    request: LoggedInRequest, ticket_id: Id, kind: CaptureKind, slot: Slot, payload: ImpossibleIn
) -> Status[dict[str, object]]:
    """A finger missing or bandaged, an eye that cannot be taken: the slot counts as done."""
    artefact = services.mark_impossible(ticket_id, kind, slot, payload.reason, actor=request.user)
    return Status(201, _artefact(artefact))


def _slot_reasons(request: LoggedInRequest, kind: str) -> dict[int, str]:
    """`reason_<slot>` fields of the form, as the page sends them beside a missing finger/eye."""
    slots = (
        devicecapture.FINGER_SLOTS
        if kind == Artefact.Kind.FINGERPRINT
        else devicecapture.IRIS_SLOTS
    )
    return {
        slot: request.POST[f"reason_{slot}"]
        for slot in slots.values()
        if request.POST.get(f"reason_{slot}", "").strip()
    }


@router.post(
    "/tickets/{ticket_id}/device/{kind}",
    response={201: list[ArtefactOut]},
    auth=api_requires(INTAKE),
    summary="Store what the desk's device service answered",
)
def device_capture(
    request: LoggedInRequest,
    ticket_id: Id,
    kind: DeviceKind,
    answer: File[UploadedFile],
    sub_id: Form[Annotated[str, Text(4)]],
    transaction_id: Form[Annotated[str, Text(64)]],
    previous_hash: Form[Annotated[str, Text(64)]],
) -> Status[list[dict[str, object]]]:
    """The same multipart form as the intake page posts: `answer` (the SBI capture response,
    untouched), `sub_id`, `transaction_id`, `previous_hash` (the screen's `previous_hash`), one
    `exception` field per finger/eye marked missing before the capture (SBI names), and
    `reason_<slot>` for each of them. Checked and stored all or nothing."""
    data = captures.read_upload(answer, limit_mb=devicecapture.ANSWER_MAX_MB)
    asked = devicecapture.asked(
        kind,
        sub_id=sub_id,
        transaction_id=transaction_id,
        previous_hash=previous_hash,
        exceptions=request.POST.getlist("exception"),
    )
    stored = services.capture_from_device(
        ticket_id, asked, data, reasons=_slot_reasons(request, kind), actor=request.user
    )
    return Status(201, [_artefact(a) for a in stored])


@router.post(
    "/tickets/{ticket_id}/finish",
    response=FinishedOut,
    auth=api_requires(INTAKE),
    summary="Finish the intake: the dossier code, return date and fee",
)
def finish(request: LoggedInRequest, ticket_id: Id) -> dict[str, object]:
    """Refused with `INCOMPLETE` (its message lists what is missing) until every capture due is
    taken or marked impossible; a second call is `ALREADY_FINISHED` (the screen shows the dossier)."""
    enrollment = services.finish_intake(ticket_id, actor=request.user)
    return {
        "enrollment_id": enrollment.pk,
        "code": enrollment.code,
        "return_date": enrollment.return_date,
        "fee": enrollment.fee,
        "slip_url": reverse("api-v1:intake_slip", args=[enrollment.pk]),
    }


@router.get(
    "/dossiers/{enrollment_id}/slip.pdf",
    auth=api_requires(INTAKE, DOSSIERS),
    summary="The appointment slip of a finished dossier (PDF)",
    url_name="intake_slip",
    openapi_extra={"responses": _PDF},
)
def slip(request: LoggedInRequest, enrollment_id: Id) -> HttpResponse:
    """The slip the page prints (name, personal ID, return date, the status QR); every fetch is
    audited as `enrollment.slip`."""
    enrollment = queries.dossier(request.user, enrollment_id)
    if enrollment.code is None:
        raise NOT_FOUND()
    record_read("enrollment.slip", enrollment, actor=request.user, unit=enrollment.unit)
    url = request.build_absolute_uri(reverse("public:link", args=[link_token(enrollment)]))
    response = HttpResponse(
        render_slip(queries.slip_data(enrollment, url)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="giay-hen-{enrollment.code}.pdf"'
    return response
