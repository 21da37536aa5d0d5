from __future__ import annotations

from collections.abc import Iterable

import segno
from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest, public, requires
from cccd.accounts.roles import DESK, ISSUE, REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import PriorityGroup, Session
from cccd.errors import NOT_FOUND, DomainError
from cccd.queryforms import is_id
from cccd.registry.services import search_people
from cccd.tickets import queries, school, services
from cccd.tickets.board import call_text
from cccd.tickets.classpdf import render_class
from cccd.tickets.forms import HandOutForm, LookUpForm, WalkInForm
from cccd.tickets.models import Desk, Ticket


def _groups() -> list[PriorityGroup]:
    return list(
        PriorityGroup.objects.filter(is_active=True).order_by("-served_first", "priority", "code")
    )


@requires(ISSUE, DESK)
@require_GET
def session_queue(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The team leader's page: hand out numbers, walk-ins with a look-up, the line, the desks."""
    session = services.open_queue(session_id, actor=request.user)
    look_up = LookUpForm.read(request.GET)["q"]
    tickets = queries.session_tickets(request.user, session)
    context: dict[str, object] = {
        "session": session,
        "tickets": tickets.order_by("-issued_at", "-number")[:300],
        "desks": queries.desks(session),
        "groups": _groups(),
        "hand_out_form": HandOutForm(),
        "walk_in_form": WalkInForm(),
        "look_up_form": LookUpForm(request.GET),
        "matches": None,
        "waiting": tickets.filter(state=Ticket.State.WAITING).count(),
        "done": tickets.filter(state=Ticket.State.DONE).count(),
        "service_minutes": round(queries.service_time(session).total_seconds() / 60, 1),
    }
    if look_up and request.user.has_perm(ISSUE):
        try:
            matches = search_people(look_up, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            blocked = queries.walk_in_blocks(session, [m.person for m in matches])
            context["matches"] = [(m, blocked.get(m.person.pk)) for m in matches]
    return render(request, "tickets/queue.html", context)


@requires(ISSUE)
@require_POST
def hand_out(request: LoggedInRequest, session_id: int) -> HttpResponse:
    session = queries.get_session(request.user, session_id)
    form = HandOutForm(request.POST)
    if not form.is_valid():
        slots_errors: Iterable[object] = form.errors.get("slots", [])
        context = {"code": "INVALID_INPUT", "message": " ".join(str(e) for e in slots_errors)}
        return render(request, "error.html", context, status=400)
    tickets = services.hand_out_numbers(
        session.pk,
        slots=form.cleaned_data["slots"],
        include_unmatched=form.cleaned_data["include_unmatched"],
        actor=request.user,
    )
    messages.success(request, _("%(count)s numbers handed out.") % {"count": len(tickets)})
    return redirect("session_queue", session_id=session.pk)


def _optional_id(value: str | None) -> int | None:
    if not value:
        return None
    if not is_id(value):
        raise NOT_FOUND()
    return int(value)


@requires(ISSUE)
@require_POST
def walk_in(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """A number at the door: one click on the group (or on a person found in the register), with
    an optional contact to be told when the number is near (a bad one: 400, no number)."""
    form = WalkInForm(request.POST)
    if not form.is_valid():
        text = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render(request, "error.html", {"code": "INVALID_INPUT", "message": text}, status=400)
    ticket = services.issue_walk_in(
        session_id,
        group_id=_optional_id(request.POST.get("group")),
        person_id=_optional_id(request.POST.get("person")),
        contact=form.cleaned_data["contact"],
        actor=request.user,
    )
    return redirect("ticket_slip", ticket_id=ticket.pk)


@requires(ISSUE)
@require_GET
def class_sheets(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The advance numbers by class with the pupils' names, for the school: the read is audited."""
    session = queries.get_session(request.user, session_id)
    sheets = queries.class_sheets(request.user, session)
    record_read("session.class_sheets", session, actor=request.user, unit=session.unit)
    return render(request, "tickets/sheets.html", {"session": session, "sheets": sheets})


@requires(UPLOAD, REVIEW)
@require_GET
def school_classes(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The school's session class by class: each student's number, time and what to bring (names
    on the page: the read is audited). Who may read the session's lists may read this."""
    session = school.school_session(request.user, session_id)
    classes = school.school_classes(session)
    record_read("session.school_classes", session, actor=request.user, unit=session.unit)
    return render(request, "tickets/school_classes.html", {"session": session, "classes": classes})


@requires(UPLOAD, REVIEW)
@require_GET
def school_class_pdf(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """One class (`?class=12A1`) as an A4 sheet to print the day before; an unknown class is 404."""
    session = school.school_session(request.user, session_id)
    name = request.GET.get("class")
    if name is None or len(name) > 100:
        raise NOT_FOUND()
    with translation.override("vi"):  # the sheet is in Vietnamese, whatever the page's language
        school_class = school.one_class(session, name)
    record_read(
        "session.school_class_print",
        session,
        actor=request.user,
        unit=session.unit,
        students=len(school_class.students),
    )
    content = render_class(session, school_class, printed_at=timezone.now())
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"lop-{slugify(school_class.name) or 'khac'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _desk(request: LoggedInRequest, session_id: int, number: int) -> Desk:
    session = services.open_queue(session_id, actor=request.user)
    desk = Desk.objects.filter(session=session, number=number, number__lte=session.desks).first()
    if desk is None:
        raise NOT_FOUND()
    return desk


def _desk_to_act(request: LoggedInRequest, session_id: int, number: int) -> Desk:
    """The desk a button names, in one query once its session's desks exist (each desk action's
    service checks scope and state again under the queue lock); else as the desk page finds it,
    making the queue first, or the same 404."""
    found = (
        visible_to(request.user, Desk.objects.select_related("session"))
        .filter(session_id=session_id, number=number, number__lte=F("session__desks"))
        .first()
    )
    return found if found is not None else _desk(request, session_id, number)


@requires(DESK)
@require_GET
def desk(request: LoggedInRequest, session_id: int, number: int) -> HttpResponse:
    """The officer's page: one big button (key N or Space) calls the next number."""
    desk = _desk(request, session_id, number)
    tickets = Ticket.objects.filter(session=desk.session).select_related("group")
    context = {
        "desk": desk,
        "session": desk.session,
        "current": tickets.filter(desk=desk, state__in=services.AT_DESK).first(),
        "skipped": tickets.filter(state=Ticket.State.SKIPPED).order_by("line_at", "number"),
        "sent_here": tickets.filter(desk=desk, state=Ticket.State.WAITING).count(),
        "waiting": tickets.filter(state=Ticket.State.WAITING).count(),
        "other_desks": [d for d in queries.desks(desk.session) if d.pk != desk.pk],
    }
    return render(request, "tickets/desk.html", context)


@requires(DESK)
@require_POST
def desk_action(
    request: LoggedInRequest, session_id: int, number: int, action: str
) -> HttpResponse:
    desk = _desk_to_act(request, session_id, number)
    ticket_id = _optional_id(request.POST.get("ticket")) or 0
    user = request.user
    if action == "open":
        services.open_desk(desk.pk, actor=user)
    elif action == "close":
        services.close_desk(desk.pk, actor=user)
    elif action == "call":  # calling a number opens its intake screen
        ticket = services.call_next(desk.pk, actor=user)
        return redirect("intake:screen", ticket_id=ticket.pk)
    elif action == "finish":
        services.finish_ticket(desk.pk, ticket_id, actor=user)
    elif action == "skip":
        services.skip_ticket(desk.pk, ticket_id, actor=user)
    elif action == "recall":
        services.recall_ticket(desk.pk, ticket_id, actor=user)
    elif action == "transfer":
        to = _optional_id(request.POST.get("to_desk"))
        target = Desk.objects.filter(session=desk.session, number=to or 0).first()
        if target is None:
            raise NOT_FOUND()
        services.transfer_ticket(desk.pk, ticket_id, target.pk, actor=user)
    else:
        raise NOT_FOUND()
    return redirect("queue_desk", session_id=desk.session_id, number=desk.number)


@requires(ISSUE, DESK)
@require_GET
def board(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The hall's screen: no navigation, large type; polls its state every second."""
    session = queries.get_session(request.user, session_id)
    return render(request, "tickets/board.html", {"session": session, **_board(session)})


@requires(ISSUE, DESK)
@require_GET
def board_state(request: LoggedInRequest, session_id: int) -> HttpResponse:
    session = queries.get_session(request.user, session_id)
    return render(request, "tickets/_board_state.html", _board(session))


def _board(session: Session) -> dict[str, object]:
    state = queries.board_state(session)
    latest = state["latest"]
    return {**state, "latest_text": call_text(latest) if latest else ""}


def _public_url(request: HttpRequest, ticket: Ticket) -> str:
    return request.build_absolute_uri(reverse("ticket_public", args=[ticket.public_token]))


@requires(ISSUE, DESK)
@require_GET
def slip(request: LoggedInRequest, ticket_id: int) -> HttpResponse:
    """The ticket as printed on an 80 mm receipt printer, with the QR code of its public page
    (which opens without a log-in: the print is audited)."""
    ticket = get_visible(
        request.user,
        Ticket.objects.select_related("session__venue", "session__unit", "group"),
        pk=ticket_id,
    )
    record_read("ticket.slip", ticket, actor=request.user, unit=ticket.session.unit)
    url = _public_url(request, ticket)
    qr = segno.make(url, error="m").svg_inline(scale=4, border=2)
    return render(request, "tickets/slip.html", {"ticket": ticket, "qr": qr, "url": url})


@public
@require_GET
def public_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the number, its state, the people ahead and the estimated wait. Nothing personal."""
    ticket = queries.ticket_by_token(token)
    wait = queries.estimated_wait(ticket)
    context = {
        "ticket": ticket,
        "session": ticket.session,
        "ahead": queries.people_ahead(ticket),
        "wait_minutes": max(1, round(wait.total_seconds() / 60)) if wait is not None else None,
    }
    response = render(request, "tickets/public.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
