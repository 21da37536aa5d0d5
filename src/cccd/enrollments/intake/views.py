"""The intake screen of the number at a desk, the dossier it made and its slip, and the session's
close. Views parse and render; every change goes through `services`."""

from __future__ import annotations

from csp.constants import SELF
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import DESK, DOSSIERS, INTAKE, ISSUE
from cccd.accounts.scoping import get_visible
from cccd.campaigns.models import PriorityGroup, Session
from cccd.campaigns.queries import hand_on_targets
from cccd.enrollments import errors as close_errors
from cccd.enrollments.documents.slip import render_slip
from cccd.enrollments.intake import captures, devicecapture, queries, rules, services
from cccd.enrollments.models import Artefact, FeeExemption, person_field_label
from cccd.enrollments.public.links import link_token
from cccd.errors import NOT_FOUND, DomainError
from cccd.notify.contacts import contact_of
from cccd.queryforms import is_id
from cccd.registry.services import search_people
from cccd.tickets.forms import LookUpForm

_LIMITS: dict[str, int] = {
    Artefact.Kind.PHOTO: captures.PHOTO_MAX_MB,
    Artefact.Kind.FINGERPRINT: captures.FINGERPRINT_MAX_MB,
    Artefact.Kind.IRIS: captures.IRIS_MAX_MB,
    Artefact.Kind.SIGNATURE: captures.SIGNATURE_MAX_MB,
}


def _int_or_none(value: str | None) -> int | None:
    if not value:
        return None
    if not is_id(value):
        raise NOT_FOUND()
    return int(value)


def _intake_page(
    request: LoggedInRequest, ticket_id: int, *, error: DomainError | None = None, section: str = ""
) -> HttpResponse:
    query = LookUpForm.read(request.GET)["q"]
    ticket = queries.ticket_at_desk(request.user, ticket_id)
    context = queries.intake_context(request.user, ticket)
    if ticket.person is not None:  # the person's register record is on the screen
        record_read(
            "person.view",
            ticket.person,
            actor=request.user,
            unit=ticket.person.residence_unit,
            ticket=ticket.pk,
        )
    context.update(
        {
            "exemptions": FeeExemption.objects.filter(is_active=True),
            "groups": PriorityGroup.objects.filter(is_active=True).order_by("priority", "code"),
            "correctable": [(f, person_field_label(f)) for f in services.CORRECTABLE],
            "error": error,
            "error_section": section,
            "matches": None,
        }
    )
    slot = getattr(error, "slot", None)
    if section == "fingerprint" and slot in rules.FINGER_NAMES:
        context["error_slot_name"] = rules.FINGER_NAMES[slot]
    if query and ticket.person_id is None:
        try:
            context["matches"] = search_people(query, actor=request.user)
        except DomainError as exc:
            context["error"], context["error_section"] = exc, "person"
    status = error.status if error is not None else 200
    return render(request, "enrollments/intake/intake.html", context, status=status)


@requires(INTAKE)
@require_GET
def intake(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    """The number called at a desk, pre-filled from the register: nothing is written until the
    officer captures or confirms something."""
    return _intake_page(request, ticket_id)


def _back(ticket_id: int, anchor: str = "") -> HttpResponse:
    return redirect(reverse("intake:screen", args=[ticket_id]) + (f"#{anchor}" if anchor else ""))


def _refused(
    request: LoggedInRequest, ticket_id: int, exc: DomainError, section: str
) -> HttpResponse:
    """The intake screen again, the refusal shown where it happened, with its 4xx status."""
    return _intake_page(request, ticket_id, error=exc, section=section)


@requires(INTAKE)
@require_POST
def choose_person(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    person_id = _int_or_none(request.POST.get("person"))
    if person_id is None:
        raise NOT_FOUND()
    services.set_ticket_person(ticket_id, person_id, actor=request.user)
    return _back(ticket_id)


def _contact(request: HttpRequest) -> tuple[str, str] | None:
    """The form's contact (refused with NOTIFY_BAD_CONTACT when it is neither a phone nor an
    e-mail); None when the form has no such field (an older page), so the contact is kept."""
    if "contact" not in request.POST:
        return None
    return contact_of(request.POST["contact"][:254], request.POST.get("contact_by", "sms"))


@requires(INTAKE)
@require_POST
def save_details(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    try:
        services.update_intake(
            ticket_id,
            kind=request.POST.get("kind", ""),
            group_id=_int_or_none(request.POST.get("group")),
            exemption_id=_int_or_none(request.POST.get("exemption")),
            return_method=request.POST.get("return_method", ""),
            post_address=request.POST.get("post_address", ""),
            kind_reason=request.POST.get("kind_reason", ""),
            contact=_contact(request),
            actor=request.user,
        )
    except DomainError as exc:
        return _refused(request, ticket_id, exc, "details")
    messages.success(request, _("Saved."))
    return _back(ticket_id, "details")


def _read(request: HttpRequest, name: str, kind: str) -> bytes | None:
    """The bytes of an uploaded file, or of a browser capture sent as a data URL; None if neither."""
    upload: UploadedFile[bytes] | None = request.FILES.get(name)
    if upload is not None:
        return captures.read_upload(upload, limit_mb=_LIMITS[kind])
    data_url = request.POST.get(f"{name}_data", "").strip()
    if not data_url:
        return None
    try:
        return captures.data_url_bytes(data_url, limit_mb=_LIMITS[kind])
    except DomainError as exc:
        if kind == Artefact.Kind.SIGNATURE and exc.code == "NOT_AN_IMAGE":
            raise close_errors.BAD_SIGNATURE() from exc
        raise


@requires(INTAKE)
@require_POST
def capture_one(request: LoggedInRequest, ticket_id: int, kind: str) -> HttpResponse:
    """The photo or the signature: a file, or the webcam's / the canvas's picture."""
    if kind not in (Artefact.Kind.PHOTO, Artefact.Kind.SIGNATURE):
        raise NOT_FOUND()
    try:
        reason = request.POST.get("impossible", "").strip()
        data = _read(request, "file", kind)
        if data is None and reason:
            services.mark_impossible(ticket_id, kind, 0, reason, actor=request.user)
        elif data is None:
            raise close_errors.CAPTURE_EMPTY()
        else:
            services.capture(ticket_id, kind, 0, data, actor=request.user)
    except DomainError as exc:
        return _refused(request, ticket_id, exc, kind)
    return _back(ticket_id, kind)


@requires(INTAKE)
@require_POST
def capture_many(request: LoggedInRequest, ticket_id: int, kind: str) -> HttpResponse:
    """Fingerprints (10 slots) or irises (2): every file and reason of the form in one go."""
    slots = {Artefact.Kind.FINGERPRINT: rules.FINGERS, Artefact.Kind.IRIS: rules.IRISES}
    if kind not in slots:
        raise NOT_FOUND()
    files: dict[int, bytes] = {}
    reasons: dict[int, str] = {}
    try:
        for slot in slots[kind]:  # type: ignore[index]
            data = _read(request, f"slot_{slot}", kind)
            if data is not None:
                files[slot] = data
            elif request.POST.get(f"reason_{slot}", "").strip():
                reasons[slot] = request.POST[f"reason_{slot}"]
        if not files and not reasons:
            raise close_errors.CAPTURE_EMPTY()
        services.capture_slots(ticket_id, kind, files=files, reasons=reasons, actor=request.user)
    except DomainError as exc:
        return _refused(request, ticket_id, exc, kind)
    return _back(ticket_id, kind)


def _slot_reasons(request: HttpRequest, kind: str) -> dict[int, str]:
    """The reasons written beside fingers or eyes marked missing before the capture, by slot."""
    names = (
        devicecapture.FINGER_SLOTS
        if kind == Artefact.Kind.FINGERPRINT
        else devicecapture.IRIS_SLOTS
    )
    return {
        slot: request.POST.get(f"reason_{slot}", "")
        for slot in names.values()
        if request.POST.get(f"reason_{slot}", "").strip()
    }


@requires(INTAKE)
@require_POST
def capture_device(request: LoggedInRequest, ticket_id: int, kind: str) -> HttpResponse:
    """A capture the page took from the desk's device service, its answer posted untouched
    (`devicecapture`). Answers JSON for the page's script: where to go next, or the refusal."""
    if kind not in devicecapture.BIO_TYPES:
        raise NOT_FOUND()
    try:
        upload = request.FILES.get("answer")
        if upload is None:
            raise close_errors.CAPTURE_EMPTY()
        answer = captures.read_upload(upload, limit_mb=devicecapture.ANSWER_MAX_MB)
        asked = devicecapture.asked(
            kind,
            sub_id=request.POST.get("sub_id", ""),
            transaction_id=request.POST.get("transaction_id", ""),
            previous_hash=request.POST.get("previous_hash", ""),
            exceptions=request.POST.getlist("exception"),
        )
        services.capture_from_device(
            ticket_id, asked, answer, reasons=_slot_reasons(request, kind), actor=request.user
        )
    except DomainError as exc:
        slot = getattr(exc, "slot", None)
        return JsonResponse(
            {"ok": False, "code": exc.code, "message": capfirst(exc.message), "slot": slot},
            status=exc.status,
        )
    return JsonResponse({"ok": True, "next": reverse("intake:screen", args=[ticket_id])})


@requires(INTAKE)
@require_POST
def propose(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    try:
        proof_file = request.FILES.get("proof_file")
        data = (
            captures.read_upload(proof_file, limit_mb=captures.PHOTO_MAX_MB) if proof_file else None
        )
        services.propose_change(
            ticket_id,
            request.POST.get("field", ""),
            request.POST.get("value", ""),
            request.POST.get("proof", ""),
            proof_file=data,
            actor=request.user,
        )
    except DomainError as exc:
        return _refused(request, ticket_id, exc, "changes")
    messages.success(request, _("Correction proposed to the register, with its proof."))
    return _back(ticket_id, "changes")


@requires(INTAKE)
@require_POST
def finish(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    """Finish the intake; a second click lands on the dossier the first one made."""
    try:
        enrollment = services.finish_intake(ticket_id, actor=request.user)
    except DomainError as exc:
        if exc.code == "ALREADY_FINISHED":
            done = queries.received_for_ticket(request.user, ticket_id)
            messages.info(request, exc.message)
            return redirect("intake:done", enrollment_id=done.pk)
        return _refused(request, ticket_id, exc, "finish")
    return redirect("intake:done", enrollment_id=enrollment.pk)


@requires(INTAKE, DOSSIERS)
@require_GET
def done(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """After finishing: the dossier code, the slip to print, and the way back to the desk."""
    enrollment = queries.dossier(request.user, enrollment_id)
    record_read("enrollment.view", enrollment, actor=request.user, unit=enrollment.unit)
    return render(
        request,
        "enrollments/intake/done.html",
        {"enrollment": enrollment, "ticket": enrollment.ticket},
    )


@requires(INTAKE, DOSSIERS)
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]  # typed as request-only views
def slip_pdf(request: LoggedInRequest, enrollment_id: int) -> HttpResponse:
    """The appointment slip (name, personal ID, return date): every print is audited. Only this
    server's own pages may frame it (the dossier's page shows it, ready to print)."""
    enrollment = queries.dossier(request.user, enrollment_id)
    if enrollment.code is None:
        raise NOT_FOUND()
    record_read("enrollment.slip", enrollment, actor=request.user, unit=enrollment.unit)
    url = request.build_absolute_uri(reverse("public:link", args=[link_token(enrollment)]))
    pdf = render_slip(queries.slip_data(enrollment, url))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-hen-{enrollment.code}.pdf"'
    return response


@requires(ISSUE, DESK)
@require_http_methods(["GET", "POST"])
def close(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The end of the evening: the counts; the numbers left (how many, which groups) and where
    they go — the venue's next sessions first; a box to confirm. After closing, the page shows the
    closed session's counts (a redirect, so a reload does not post again)."""
    session = get_visible(
        request.user, Session.objects.select_related("venue", "unit"), pk=session_id
    )
    error = None
    if request.method == "POST":
        try:
            services.close_session(
                session.pk,
                confirm=request.POST.get("confirm") == "yes",
                expected_left=_int_or_none(request.POST.get("expected_left")),
                hand_on_to=_int_or_none(request.POST.get("hand_on_to")),
                actor=request.user,
            )
        except DomainError as exc:
            if exc.code != close_errors.SESSION_ALREADY_CLOSED.code:
                error = exc
            else:  # a double click or a replayed form: the first one closed it
                messages.info(request, exc.message)
                return redirect("intake:close_session", session_id=session.pk)
        else:
            messages.success(request, _("The session is closed."))
            return redirect("intake:close_session", session_id=session.pk)
        session.refresh_from_db()
    now = timezone.now()
    targets = hand_on_targets(request.user, session, now=now)
    context = {
        "session": session,
        "counts": queries.session_counts(session),
        "error": error,
        "left": queries.numbers_left(session),
        "closed": session.state == Session.State.CLOSED,
        "started": session.has_started(now),
        "now": now,
        "venue_next": targets.filter(venue_id=session.venue_id)[:10],
        "unit_next": targets.exclude(venue_id=session.venue_id)[:10],
    }
    return render(
        request, "enrollments/intake/close.html", context, status=error.status if error else 200
    )
