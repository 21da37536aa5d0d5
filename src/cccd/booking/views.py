"""The booking pages: the public's (no login, phone-sized, Vietnamese by default, no script) and
the organiser's plan of a session.

Public: /book/ (pick the commune or venue, see sessions and free slots) → /book/slot/<slot>/
(the form) → /book/m/<token>/ (the booking: number, QR of this link, move, cancel). Every
refusal is the same page with a sentence and its 4xx. The client address of the limits is
REMOTE_ADDR, or the header named by `CCCD_STATUS_CLIENT_ADDRESS` behind a proxy (as the status
page: `cccd.enrollments.public.views`).
"""

from __future__ import annotations

from collections.abc import Mapping

import segno
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cccd.accounts.permissions import LoggedInRequest, public, requires
from cccd.accounts.roles import PLAN
from cccd.accounts.scoping import get_visible
from cccd.booking import errors, queries, services
from cccd.booking.models import SLOT_MINUTES_MAX, SLOT_MINUTES_MIN, Booking
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.headers import client_address

FIELD_MAX_LENGTH = 300  # more is never an answer; the service says so in words


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _page(
    request: HttpRequest, template: str, context: Mapping[str, object], status: int = 200
) -> HttpResponse:
    response = render(request, f"booking/{template}", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@public
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Pick the commune or the venue; the sessions open to booking and their free slots."""
    commune_id, venue_id = _int(request.GET.get("commune")), _int(request.GET.get("venue"))
    picked = commune_id is not None or venue_id is not None
    context = {
        "choices": queries.choices(),
        "commune_id": commune_id,
        "venue_id": venue_id,
        "offers": queries.offers(commune_id=commune_id, venue_id=venue_id) if picked else [],
        "picked": picked,
    }
    return _page(request, "start.html", context)


@public
@csrf_protect
@require_http_methods(["GET", "POST"])
def book_slot(request: HttpRequest, slot: int) -> HttpResponse:
    """GET: the form for this slot. POST: the booking, then its page (a redirect to its link)."""
    try:
        chosen = services.slot_for_booking(slot)
    except DomainError as exc:
        refusal = {"error": exc.message, "error_code": exc.code}
        return _page(request, "form.html", refusal, exc.status)
    fields = {
        name: request.POST.get(name, "")[:FIELD_MAX_LENGTH]
        for name in ("personal_id", "full_name", "birth_date", "contact")
    }
    if request.method == "GET":
        return _page(request, "form.html", {"slot": chosen, "values": fields})
    try:
        _booking, token = services.book(
            chosen.pk, **fields, client_key=client_address(request), link_base=_link_base(request)
        )
    except DomainError as exc:
        values = {**fields, "personal_id": "", "birth_date": ""}  # never echo an identity back
        context: dict[str, object] = {
            "slot": chosen,
            "values": values,
            "error": exc.message,
            "error_code": exc.code,
        }
        return _page(request, "form.html", context, exc.status)
    return redirect(services.manage_path(token), permanent=False)


def _booking_context(request: HttpRequest, booking: Booking, token: str) -> dict[str, object]:
    url = request.build_absolute_uri(services.manage_path(token))
    return {
        "booking": booking,
        "token": token,
        "url": url,
        "qr": segno.make(url, error="m").svg_inline(scale=4, border=2),
        "ticket_url": reverse("ticket_public", args=[booking.ticket.public_token]),
        "active": booking.state == Booking.State.ACTIVE,
    }


def _unknown(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _page(request, "manage.html", {"error": exc.message, "error_code": exc.code}, exc.status)


@public
@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The booking its link names: venue, time, number, the QR of this link, move and cancel."""
    try:
        booking = services.open_booking(token)
    except DomainError as exc:
        return _unknown(request, exc)
    return _page(request, "manage.html", _booking_context(request, booking, token))


@public
@csrf_protect
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET: asks for confirmation. POST: cancels when the box is ticked (checked in the service)."""
    try:
        booking = services.open_booking(token)
    except DomainError as exc:
        return _unknown(request, exc)
    context = _booking_context(request, booking, token)
    if request.method == "POST":
        try:
            services.cancel(token, confirmed=request.POST.get("confirm") == "yes")
        except DomainError as exc:
            context |= {"error": exc.message, "error_code": exc.code}
            return _page(request, "cancel.html", context, exc.status)
        messages.success(request, _("Your booking is cancelled."))
        return redirect(services.manage_path(token))
    return _page(request, "cancel.html", context)


@public
@csrf_protect
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the free slots at the booking's commune (or venue). POST: move to the chosen slot."""
    try:
        booking = services.open_booking(token)
    except DomainError as exc:
        return _unknown(request, exc)
    venue = booking.session.venue
    offers = queries.offers(
        commune_id=venue.commune_id,
        venue_id=None if venue.commune_id else venue.pk,
        except_slot_id=booking.slot_id,
    )
    context = _booking_context(request, booking, token) | {"offers": offers}
    if request.method == "POST":
        slot_id = _int(request.POST.get("slot"))
        try:
            if slot_id is None:
                raise errors.BOOKING_SLOT_UNAVAILABLE()
            services.move(token, slot_id, link_base=_link_base(request))
        except DomainError as exc:
            context |= {"error": exc.message, "error_code": exc.code}
            return _page(request, "move.html", context, exc.status)
        messages.success(request, _("Your booking is moved: this is your new number."))
        return redirect(services.manage_path(token))
    return _page(request, "move.html", context)


# --- the organiser -------------------------------------------------------------------------------


class PlanForm(forms.Form):
    is_open = forms.BooleanField(label=gettext_lazy("Open to online booking"), required=False)
    slot_minutes = forms.IntegerField(
        label=gettext_lazy("Slot length (minutes)"),
        min_value=SLOT_MINUTES_MIN,
        max_value=SLOT_MINUTES_MAX,
    )
    places_per_slot = forms.IntegerField(
        label=gettext_lazy("Places per slot open to booking"), min_value=0, max_value=32767
    )


@requires(PLAN)
@require_http_methods(["GET", "POST"])
def plan(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The organiser's booking plan of a session, and each slot's booked count."""
    session = get_visible(
        request.user, Session.objects.select_related("venue", "unit"), pk=session_id
    )
    current = services.plan_for(session)
    initial = {
        "is_open": current.is_open,
        "slot_minutes": current.slot_minutes,
        "places_per_slot": current.places_per_slot,
    }
    form = PlanForm(request.POST or None, initial=initial)
    status, error = 200, None
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_plan(session.pk, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                status, error = exc.status, exc.message
            else:
                messages.success(request, _("Booking plan saved."))
                return redirect("booking_plan", session_id=session.pk)
        else:
            status = 400
    context = {
        "session": session,
        "form": form,
        "error": error,
        "plan": current,
        "slots": queries.slot_counts(session),
    }
    return render(request, "booking/plan.html", context, status=status)
