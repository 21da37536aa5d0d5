"""Refusals of the field kit's registration, checkout, sync and check-in (`cccd.kits`).

Each says what was wrong in words an administrator or a team leader can act on at 22:00; none of
them changes anything. The packet's own refusals (its bytes, signature and bounds) are in
`cccd.fieldkit.errors`.
"""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# registration and pairing (the district)
KIT_NAME_TAKEN = ErrorCode(
    "KIT_NAME_TAKEN",
    _("A kit named %(name)s is already registered. Choose another name."),
    409,
)

# packets of finished intakes: on the kit (kits.outbox) and at the district (kits.ingest)
KIT_SESSION_NOT_HELD = ErrorCode(
    "KIT_SESSION_NOT_HELD",
    _(
        "This kit does not hold the session of this dossier, or the session is closed on the "
        "kit: the dossier cannot be given its code. Nothing was changed."
    ),
    409,
)
KIT_CODE_BLOCK_USED_UP = ErrorCode(
    "KIT_CODE_BLOCK_USED_UP",
    _(
        "The %(count)s dossier codes reserved for this session on the kit are all used: the "
        "dossier cannot be given its code. Push the packets, check the session in and out again "
        "to get a new block."
    ),
    409,
)
KIT_NOT_JOINED = ErrorCode(
    "KIT_NOT_JOINED",
    _("This computer has not joined a district as a field kit: its packets cannot be sealed."),
    409,
)
PACKET_NO_DISTRICT_KEYS = ErrorCode(
    "PACKET_NO_DISTRICT_KEYS",
    _("This server has no field-kit keys: it cannot receive packets from kits."),
    409,
)
PACKET_KIT_MISMATCH = ErrorCode(
    "PACKET_KIT_MISMATCH",
    _("The packet was sealed by kit %(named)s but sent by kit %(sender)s: it is refused."),
    403,
)
PACKET_SESSION_NOT_CHECKED_OUT = ErrorCode(
    "PACKET_SESSION_NOT_CHECKED_OUT",
    _(
        "Session %(session)s was never checked out to kit %(kit)s: its packets are refused and "
        "nothing was created."
    ),
    409,
)
PACKET_AFTER_CHECKIN = ErrorCode(
    "PACKET_AFTER_CHECKIN",
    _(
        "Session %(session)s was checked in with %(count)s dossiers and all of them have been "
        "received already: this packet is one too many and is refused."
    ),
    409,
)
PACKET_DOSSIER_INVALID = ErrorCode(
    "PACKET_DOSSIER_INVALID",
    _(
        "The dossier in the packet cannot be read (field “%(field)s” is missing or wrong): the "
        "packet is refused and nothing was created."
    ),
    422,
)
PACKET_AUDIT_INVALID = ErrorCode(
    "PACKET_AUDIT_INVALID",
    _(
        "The audit trail in the packet cannot be read (%(field)s): the packet is refused and "
        "nothing was created."
    ),
    422,
)
PACKET_CODE_OUTSIDE_BLOCK = ErrorCode(
    "PACKET_CODE_OUTSIDE_BLOCK",
    _(
        "Dossier code %(code)s is not one of the codes given to this kit for session "
        "%(session)s: the packet is refused and nothing was created."
    ),
    422,
)
PACKET_CODE_TAKEN = ErrorCode(
    "PACKET_CODE_TAKEN",
    _(
        "Dossier code %(code)s is already used by another dossier at the district: the packet is "
        "refused and nothing was created."
    ),
    409,
)
PACKET_PERSON_UNKNOWN = ErrorCode(
    "PACKET_PERSON_UNKNOWN",
    _(
        "The person of the packet's dossier is not in the district's register and the kit did "
        "not send them as a new person: the packet is refused."
    ),
    422,
)
PACKET_TICKET_UNKNOWN = ErrorCode(
    "PACKET_TICKET_UNKNOWN",
    _(
        "Queue number %(number)s came with the session's package, but the district has no such "
        "number in session %(session)s: the packet is refused."
    ),
    422,
)
PACKET_CAPTURE_INVALID = ErrorCode(
    "PACKET_CAPTURE_INVALID",
    _(
        "Capture “%(name)s” in the packet is not as the dossier describes it: the packet is "
        "refused and nothing was created."
    ),
    422,
)
PACKET_CONFLICT_OPEN_DOSSIER = ErrorCode(
    "PACKET_CONFLICT_OPEN_DOSSIER",
    _(
        "The person already has an open dossier at the district (%(code)s), taken at the office "
        "or received from another kit: no second dossier was made, the packet is kept for review."
    ),
    409,
)
