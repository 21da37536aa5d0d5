"""Telling the citizen about the dossier: returned for a correction, the card arrived, and one
reminder for a card not collected. Only a dossier with a contact (`notify_channel`,
`notify_address`, taken at the intake or on the dossier page) is told.

- **Returned** (`dossier_returned`): what to do — contact the unit, or come with the papers —
  never the reason, which may name the person's data. Event key `dossier:<id>:returned:<n>`, `n`
  the dossier's n-th return (the earlier `return` and `refuse_at_centre` moves in its audit trail,
  plus this one): a second return is a second message, a retry of the same one is not.
- **Card arrived** (`card_arrived`): the unit's name as {place}, `CCCD_CARD_COLLECTION_HOURS` as
  {hours}. Event key `dossier:<id>:card_arrived`. A dossier whose card goes **by post** gets no
  "come and collect" message: the post brings it (and the post's tracking number is on the
  dossier); a text for that would be a new template, not this one.
- **Not collected** (`card_not_collected`, `remind_uncollected`): a card at the unit for more than
  `CCCD_CARD_REMINDER_DAYS` days, collected at the office, gets one reminder
  (`dossier:<id>:not_collected`); run by `cccd remind_uncollected_cards` from cron (daily).

No name, no ID number, no dossier code in any message: a phone seen by another learns only that
some card waits at the unit. The move's receiver (`on_dossier_event`, connected in
`EnrollmentsConfig.ready`) runs in the move's transaction and only records the message; a message
that cannot be queued (templates not loaded) is logged by dossier id and never undoes the move.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cccd.accounts.models import AuditEvent
from cccd.enrollments import events
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.notify import services as notify
from cccd.notify.contacts import context_for
from cccd.notify.models import Message

log = logging.getLogger(__name__)

RETURNED = Enrollment.State.RETURNED
AT_UNIT = Enrollment.State.AT_UNIT
RETURN_MOVES = ("enrollment.return", "enrollment.refuse_at_centre")


def arrived_key(enrollment_id: int) -> str:
    return f"dossier:{enrollment_id}:card_arrived"


def returned_key(enrollment_id: int, n: int) -> str:
    return f"dossier:{enrollment_id}:returned:{n}"


def reminder_key(enrollment_id: int) -> str:
    return f"dossier:{enrollment_id}:not_collected"


def _send(enrollment: Enrollment, template: str, key: str, **context: str) -> Message | None:
    if not (enrollment.notify_channel and enrollment.notify_address):
        return None
    values = {"place": enrollment.unit.name, "hours": settings.CCCD_CARD_COLLECTION_HOURS}
    try:
        return notify.queue(
            unit=enrollment.unit,
            channel=enrollment.notify_channel,
            address=enrollment.notify_address,
            template_code=template,
            context=context_for(enrollment.notify_channel, {**values, **context}),
            event_key=key,
        )
    except DomainError as error:
        log.warning("%s for dossier %s not queued: %s", template, enrollment.pk, error.code)
        return None


def returns_before(enrollment: Enrollment, moment: datetime.datetime) -> int:
    """The dossier's returns recorded before `moment` (this move's own audit comes after it)."""
    return AuditEvent.objects.filter(
        action__in=RETURN_MOVES,
        object_type=Enrollment._meta.label_lower,
        object_id=str(enrollment.pk),
        at__lt=moment,
    ).count()


def on_dossier_event(event: events.DossierEvent) -> None:
    """A move to `returned_for_correction` or `at_unit` tells the citizen (see the module)."""
    if not isinstance(event, events.StateMoved):
        return
    enrollment = event.enrollment
    if not enrollment.notify_channel or event.old_state == enrollment.state:
        return
    if enrollment.state == RETURNED:
        n = returns_before(enrollment, event.moment) + 1
        _send(enrollment, "dossier_returned", returned_key(enrollment.pk, n))
    elif enrollment.state == AT_UNIT and enrollment.return_method != Enrollment.ReturnMethod.POST:
        _send(enrollment, "card_arrived", arrived_key(enrollment.pk))


def uncollected(now: datetime.datetime) -> Q:
    """Cards collected at the office, at the unit for more than the reminder's days."""
    cutoff = now - datetime.timedelta(days=settings.CCCD_CARD_REMINDER_DAYS)
    return Q(state=AT_UNIT, state_changed_at__lt=cutoff) & ~Q(
        return_method=Enrollment.ReturnMethod.POST
    )


def remind_uncollected(now: datetime.datetime | None = None) -> int:
    """One reminder per uncollected card with a contact; the number queued now. Safe to run again
    (and from two crons at once): the event key makes each reminder once."""
    now = now or timezone.now()
    rows = list(
        Enrollment.objects.filter(uncollected(now))
        .exclude(notify_channel="")
        .select_related("unit")
        .order_by("pk")
    )
    done = set(
        Message.objects.filter(event_key__in=[reminder_key(e.pk) for e in rows]).values_list(
            "event_key", flat=True
        )
    )
    queued = 0
    for enrollment in rows:
        key = reminder_key(enrollment.pk)
        if key in done:
            continue
        since = timezone.localtime(enrollment.state_changed_at).strftime("%d/%m/%Y")
        queued += _send(enrollment, "card_not_collected", key, since=since) is not None
    return queued
