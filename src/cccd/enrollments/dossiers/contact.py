"""The dossier's contact: where to tell the citizen that the dossier was returned or the card
arrived (`cccd.enrollments.dossiers.notices`). Taken at the intake (prefilled from the queue
number's own contact), changed on the dossier page by those who work on it: the desk, the back
office, the delivery desk. Audited with the channel and the address masked; a closed dossier keeps its own.
"""

from __future__ import annotations

from django.db import transaction

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_any
from cccd.accounts.roles import COMPLETE, DELIVER, INTAKE
from cccd.accounts.scoping import visible_to
from cccd.enrollments import errors
from cccd.enrollments.models import Enrollment
from cccd.errors import NOT_FOUND
from cccd.notify.contacts import masked

EDIT = frozenset({INTAKE, COMPLETE, DELIVER})


def can_edit(user: User, enrollment: Enrollment) -> bool:
    return enrollment.state not in Enrollment.CLOSED_STATES and any(user.has_perm(p) for p in EDIT)


def shown(enrollment: Enrollment) -> dict[str, str]:
    """What the trail and the lists show of the contact: the channel, the address masked."""
    return {
        "notify_channel": enrollment.notify_channel,
        "notify_address": masked(enrollment.notify_channel, enrollment.notify_address),
    }


@transaction.atomic
def set_contact(enrollment_id: int, contact: tuple[str, str], *, actor: User) -> Enrollment:
    """Set (or clear, with ("", "")) the contact, already checked by `cccd.notify.contacts`."""
    require_any(actor, EDIT)
    rows = Enrollment.objects.select_for_update(of=("self",)).select_related("unit")
    enrollment = visible_to(actor, rows).filter(pk=enrollment_id).first()
    if enrollment is None:
        raise NOT_FOUND()
    if enrollment.state in Enrollment.CLOSED_STATES:
        raise errors.CONTACT_ON_CLOSED(
            code=enrollment.code or "-", state=enrollment.get_state_display().lower()
        )
    before = shown(enrollment)
    enrollment.notify_channel, enrollment.notify_address = contact
    enrollment.save(update_fields=["notify_channel", "notify_address"])
    record(
        "enrollment.contact",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        before=before,
        after=shown(enrollment),
    )
    return enrollment
