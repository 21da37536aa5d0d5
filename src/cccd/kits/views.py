"""The field kit's two pages (docs/field-kit.md).

At the district, `kit_list` (`/kits/`): the unit's kits as the commander and the administrator
follow them during a campaign: when each was last heard from, how many packets it said were
still waiting and since when, whether its clock is wrong, the sessions out to it, what came in
from it, and what waits for a person at the district (conflicts to review, people to check). It
shows no applicant's data (a conflict's reason names the dossier code at most), so, as the
dashboard, it is not an audited read.

On a kit (field mode), `outbox` (`/kit/outbox/`): what has not reached the district yet, for the
team at the hall, with a button that sends now (`send_now`). The network may be gone for days;
the page says so plainly and the age of the oldest packet is what the team leader watches.

The outbox page counts with `cccd.kits.outbox.outbox_counts`, as `cccd kit status` does; "send
now" calls `cccd.kits.sync.push` (imported when pressed).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cccd.accounts.permissions import LoggedInRequest, require_any, require_permission, requires
from cccd.accounts.roles import INTAKE, ISSUE, KITS
from cccd.accounts.scoping import visible_to
from cccd.errors import DomainError
from cccd.kits.mode import field_mode
from cccd.kits.models import (
    Checkout,
    HeldSession,
    Kit,
    KitIdentity,
    NewPerson,
    OutboxPacket,
    ReceivedPacket,
)
from cccd.kits.outbox import outbox_counts

if TYPE_CHECKING:
    from cccd.kits.sync import PushResult

CLOCK_TOLERANCE_SECONDS = 5 * 60
"""A kit's clock further off than this is shown as a warning: its packets' times are the kit's."""

STALE_AFTER = datetime.timedelta(days=1)
"""A packet waiting longer than this is shown in red: the kit needs a network, or a person."""

RECENT_CHECKOUTS = datetime.timedelta(days=30)
"""Besides the sessions out now, the page lists those checked in within this time."""

CONFLICTS_SHOWN = 200
OUTBOX_PAGE_SIZE = 50


# ---------------------------------------------------------------- durations in words


def span(seconds: float) -> str:
    """A duration as people say it: minutes up to two hours, hours up to two days, then days."""
    seconds = abs(int(seconds))
    if seconds < 60:
        return _("less than a minute")
    minutes = seconds // 60
    if minutes < 120:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def ago(moment: datetime.datetime | None, now: datetime.datetime) -> str:
    """ "12 minutes ago"; "never" when nothing was ever heard."""
    if moment is None:
        return _("never")
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return _("just now")
    return _("%(span)s ago") % {"span": span(seconds)}


def clock_warning(offset_seconds: int | None) -> str:
    """The kit's clock against the district's, when it is off by more than the tolerance."""
    if offset_seconds is None or abs(offset_seconds) <= CLOCK_TOLERANCE_SECONDS:
        return ""
    if offset_seconds > 0:
        return _("kit clock off by %(span)s (ahead)") % {"span": span(offset_seconds)}
    return _("kit clock off by %(span)s (behind)") % {"span": span(offset_seconds)}


# ---------------------------------------------------------------- the district: the kits page


@dataclass
class KitRow:
    """One kit as the page shows it: the model's facts, with the times already put into words."""

    kit: Kit
    last_contact: str
    oldest_waiting: str
    clock: str
    oldest_stale: bool
    accepted: int
    refused: int
    conflicts: int
    checkouts: list[Checkout] = field(default_factory=list)


def _kit_rows(request: LoggedInRequest, now: datetime.datetime) -> list[KitRow]:
    outcome = ReceivedPacket.Outcome
    kits = visible_to(request.user, Kit.objects.select_related("unit")).annotate(
        accepted=Count("packets", filter=Q(packets__outcome=outcome.ACCEPTED)),
        refused=Count("packets", filter=Q(packets__outcome=outcome.REFUSED)),
        conflicts=Count("packets", filter=Q(packets__outcome=outcome.CONFLICT)),
    )
    rows = {
        kit.pk: KitRow(
            kit=kit,
            last_contact=ago(kit.last_contact_at, now),
            oldest_waiting=(
                span((now - kit.reported_oldest_waiting_at).total_seconds())
                if kit.reported_waiting and kit.reported_oldest_waiting_at
                else ""
            ),
            clock=clock_warning(kit.clock_offset_seconds),
            oldest_stale=bool(
                kit.reported_waiting
                and kit.reported_oldest_waiting_at
                and now - kit.reported_oldest_waiting_at > STALE_AFTER
            ),
            accepted=kit.accepted,
            refused=kit.refused,
            conflicts=kit.conflicts,
        )
        for kit in kits.order_by("unit__path", "name")
    }
    checkouts = (
        Checkout.objects.filter(kit_id__in=list(rows))
        .filter(Q(state=Checkout.State.OUT) | Q(checked_out_at__gte=now - RECENT_CHECKOUTS))
        .select_related("session__venue")
        .order_by("-checked_out_at")
    )
    for checkout in checkouts:
        rows[checkout.kit_id].checkouts.append(checkout)
    return list(rows.values())


@requires(KITS)
@require_GET
def kit_list(request: LoggedInRequest) -> HttpResponse:
    """The unit subtree's kits, the conflicts to review and the people to check (see the module)."""
    if field_mode():
        raise Http404  # a kit has no kits
    require_permission(request.user, KITS)
    now = timezone.now()
    received = visible_to(request.user, ReceivedPacket.objects.all())
    open_conflicts = received.filter(
        outcome=ReceivedPacket.Outcome.CONFLICT, resolved_at__isnull=True
    )
    to_check = NewPerson.objects.filter(
        checked_at__isnull=True, packet_id__in=received.values("packet_id")
    )
    context = {
        "rows": _kit_rows(request, now),
        "conflicts": list(
            open_conflicts.select_related("kit", "session__venue").order_by("received_at")[
                :CONFLICTS_SHOWN
            ]
        ),
        "conflict_count": open_conflicts.count(),
        "to_check": to_check.count(),
        "tolerance_minutes": CLOCK_TOLERANCE_SECONDS // 60,
    }
    return render(request, "kits/list.html", context)


# ---------------------------------------------------------------- the kit: the outbox page


@dataclass(frozen=True)
class OutboxCounts:
    """The outbox in numbers; `oldest` is the creation time of the oldest packet the district
    has not acknowledged (waiting, or sent without a receipt yet), as `outbox_counts` says."""

    waiting: int
    sent: int
    acknowledged: int
    refused: int
    oldest: datetime.datetime | None


def _outbox_counts() -> OutboxCounts:
    found = outbox_counts()
    return OutboxCounts(
        waiting=found["waiting"],
        sent=found["sent"],
        acknowledged=found["acknowledged"],
        refused=found["refused"],
        oldest=found["oldest_waiting_at"],
    )


def _held_session() -> HeldSession | None:
    """The session the kit works on now, else the last one it held."""
    held = HeldSession.objects.select_related("session__venue").order_by("-checked_out_at")
    return held.exclude(state=HeldSession.State.CHECKED_IN).first() or held.first()


def _require_kit(request: LoggedInRequest) -> None:
    if not field_mode():
        raise Http404  # the district has no outbox
    require_any(request.user, [INTAKE, ISSUE])


@requires(INTAKE, ISSUE)
@require_GET
def outbox(request: LoggedInRequest) -> HttpResponse:
    """The kit's outbox: the counts, the oldest packet's age, each packet (newest first)."""
    _require_kit(request)
    now = timezone.now()
    counts = _outbox_counts()
    identity = KitIdentity.objects.first()
    packets = OutboxPacket.objects.select_related("enrollment").order_by("-created_at", "-id")
    page = Paginator(packets, OUTBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "identity": identity,
        "last_contact": ago(identity.last_contact_at if identity else None, now),
        "held": _held_session(),
        "counts": counts,
        "oldest_age": span((now - counts.oldest).total_seconds()) if counts.oldest else "",
        "oldest_stale": counts.oldest is not None and now - counts.oldest > STALE_AFTER,
        "page": page,
        "packets": page.object_list,
    }
    return render(request, "kits/outbox.html", context)


@requires(INTAKE, ISSUE)
@require_POST
def send_now(request: LoggedInRequest) -> HttpResponse:
    """Push the outbox now (`sync.push`) and say how it went: a district out of reach is the
    usual case in the field, not an error; the packets simply wait."""
    _require_kit(request)
    from cccd.kits import sync  # the kit's side only; it needs the outbox's code

    try:
        result = sync.push()
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("kits:outbox")
    _say_push_result(request, result)
    return redirect("kits:outbox")


def _say_push_result(request: HttpRequest, result: PushResult) -> None:
    counts = result.counts
    if result.unreachable:
        messages.warning(
            request,
            _("The district cannot be reached (%(detail)s); the packets wait on this kit.")
            % {"detail": result.unreachable},
        )
    elif result.refusal:
        messages.error(
            request, _("The district refused this kit: %(reason)s") % {"reason": result.refusal}
        )
    else:
        messages.success(
            request,
            _(
                "Sent. Acknowledged: %(acknowledged)s · still waiting: %(waiting)s · "
                "refused: %(refused)s."
            )
            % {
                "acknowledged": counts.acknowledged,
                "waiting": counts.waiting + counts.sent,
                "refused": counts.refused,
            },
        )
