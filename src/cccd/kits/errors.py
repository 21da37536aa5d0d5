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
KIT_NAME_MALFORMED = ErrorCode(
    "KIT_NAME_MALFORMED",
    _(
        "A kit's name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a "
        "letter or a digit (for example dakmil-kit-1)."
    ),
    400,
)
KIT_UNIT_UNKNOWN = ErrorCode(
    "KIT_UNIT_UNKNOWN",
    _("No police unit has the code %(code)s. Give the code of the unit the kit will work for."),
    400,
)
KIT_UNKNOWN = ErrorCode("KIT_UNKNOWN", _("No kit is registered under the name %(name)s."), 404)
PAIRING_CODE_UNKNOWN = ErrorCode(
    "PAIRING_CODE_UNKNOWN",
    _(
        "This pairing code does not open any kit waiting to join: it was already used, the kit "
        "was revoked, or it belongs to another server. Ask the district for a new code."
    ),
    403,
)

# requests from a kit
KIT_NOT_PAIRED = ErrorCode(
    "KIT_NOT_PAIRED",
    _(
        "The kit %(name)s is not paired with this server (unknown here, or registered but never "
        "joined). Join it with `cccd kit join` and the code the district printed."
    ),
    403,
)
KIT_REVOKED = ErrorCode(
    "KIT_REVOKED",
    _(
        "The kit %(name)s was revoked by the district: nothing it sends is accepted any more. "
        "Call the district; the people served on it must be served again or recovered by the "
        "district from the kit."
    ),
    403,
)
SESSION_NOT_CHECKED_OUT_TO_KIT = ErrorCode(
    "SESSION_NOT_CHECKED_OUT_TO_KIT",
    _("Session %(session)s is not checked out to this kit."),
    409,
)

# uploads
UPLOAD_OFFSET_MISMATCH = ErrorCode(
    "UPLOAD_OFFSET_MISMATCH",
    _(
        "The server holds %(received)s bytes of this packet, not %(offset)s: the kit resumes "
        "from what the server holds."
    ),
    409,
)
UPLOAD_LENGTH_MISMATCH = ErrorCode(
    "UPLOAD_LENGTH_MISMATCH",
    _(
        "This packet was announced with %(length)s bytes and is now sent with %(sent)s: a "
        "packet never changes once sealed. Nothing was kept of this part."
    ),
    409,
)
UPLOAD_PACKET_ID_MISMATCH = ErrorCode(
    "UPLOAD_PACKET_ID_MISMATCH",
    _(
        "The bytes sent are another packet than the one named in the address: nothing was kept. "
        "Send each packet under its own id."
    ),
    400,
)
UPLOAD_LENGTH_INVALID = ErrorCode(
    "UPLOAD_LENGTH_INVALID",
    _("A packet's length is 1 to %(limit)s bytes, and a part at most %(part)s bytes."),
    400,
)

# the kit's own side
KIT_ALREADY_JOINED = ErrorCode(
    "KIT_ALREADY_JOINED",
    _(
        "This kit has already joined its district as %(name)s. To pair it again, start from an "
        "empty data folder."
    ),
    409,
)
KIT_HOLDS_NO_SESSION = ErrorCode(
    "KIT_HOLDS_NO_SESSION",
    _("This kit holds no session to check in: check one out first (`cccd kit checkout`)."),
    409,
)

# walk-ins entered with the population-data form (DC01) on a kit (`cccd.kits.walkins`)
WALK_IN_FIELD_ONLY = ErrorCode(
    "WALK_IN_FIELD_ONLY",
    _(
        "A new person is entered with the population-data form only on a field kit: here, look "
        "the person up in the register."
    ),
    404,
)
WALK_IN_INVALID = ErrorCode(
    "WALK_IN_INVALID", _("The population-data form cannot be accepted: %(reason)s"), 400
)
WALK_IN_NOT_A_COMMUNE = ErrorCode(
    "WALK_IN_NOT_A_COMMUNE",
    _("The place of residence must be a commune of your area: choose it from the list."),
    400,
)
WALK_IN_KNOWN = ErrorCode(
    "WALK_IN_KNOWN",
    _(
        "This personal ID number is already in the register (%(person)s): look the person up "
        "and give them the number instead of entering them again."
    ),
    409,
)

# checkout (the district): a session checked out to a kit
KIT_CHECKOUT_KIT_NOT_PAIRED = ErrorCode(
    "KIT_CHECKOUT_KIT_NOT_PAIRED",
    _("The kit %(kit)s is not paired (%(state)s): only a paired kit can take a session out."),
    409,
)
KIT_CHECKOUT_SESSION_UNKNOWN = ErrorCode(
    "KIT_CHECKOUT_SESSION_UNKNOWN", _("There is no session number %(session)s."), 404
)
KIT_CHECKOUT_SESSION_OUTSIDE_UNIT = ErrorCode(
    "KIT_CHECKOUT_SESSION_OUTSIDE_UNIT",
    _(
        "Session %(session)s belongs to another unit than the kit %(kit)s. Check it out to a kit "
        "of its own unit."
    ),
    403,
)
KIT_CHECKOUT_SESSION_ENDED = ErrorCode(
    "KIT_CHECKOUT_SESSION_ENDED",
    _("Session %(session)s cannot be checked out: it is %(status)s."),
    409,
)
KIT_CHECKOUT_SESSION_STARTED = ErrorCode(
    "KIT_CHECKOUT_SESSION_STARTED",
    _("Session %(session)s already has dossiers opened at the district: finish it there."),
    409,
)
KIT_CHECKOUT_SESSION_OUT = ErrorCode(
    "KIT_CHECKOUT_SESSION_OUT",
    _("Session %(session)s is already checked out to the kit %(kit)s. Check it in first."),
    409,
)
KIT_CHECKOUT_BUSY = ErrorCode(
    "KIT_CHECKOUT_BUSY",
    _("Another checkout was being made at the same moment. Try again."),
    409,
)
KIT_CHECKOUT_TOO_LARGE = ErrorCode(
    "KIT_CHECKOUT_TOO_LARGE",
    _(
        "The session's package would hold %(size)s (limit %(limit)s): too many people for one "
        "kit. Split the session or ask an administrator."
    ),
    413,
)

# loading a checkout package (the kit)
KIT_PACKAGE_TOO_LARGE = ErrorCode(
    "KIT_PACKAGE_TOO_LARGE",
    _("The package is %(size)s MB, over the %(limit)s MB a kit accepts."),
    413,
)
KIT_PACKAGE_DAMAGED = ErrorCode(
    "KIT_PACKAGE_DAMAGED",
    _("The file is not a checkout package, or it was damaged on the way. Download it again."),
)
KIT_PACKAGE_UNDECRYPTABLE = ErrorCode(
    "KIT_PACKAGE_UNDECRYPTABLE",
    _("This kit cannot open the package: it was made for another kit, or changed on the way."),
)
KIT_PACKAGE_SIGNATURE_INVALID = ErrorCode(
    "KIT_PACKAGE_SIGNATURE_INVALID",
    _("The package is not signed by this kit's district. It was not loaded."),
)
KIT_PACKAGE_INVALID = ErrorCode(
    "KIT_PACKAGE_INVALID",
    _("The package is signed but its %(field)s is not as expected. It was not loaded."),
)
KIT_PACKAGE_VERSION_UNSUPPORTED = ErrorCode(
    "KIT_PACKAGE_VERSION_UNSUPPORTED",
    _("The package is of version %(version)s; this kit reads version %(supported)s. Update cccd."),
)
KIT_PACKAGE_OTHER_KIT = ErrorCode(
    "KIT_PACKAGE_OTHER_KIT",
    _("The package was checked out to the kit %(kit)s, not to this one."),
)
KIT_PACKAGE_MODEL_REFUSED = ErrorCode(
    "KIT_PACKAGE_MODEL_REFUSED",
    _("The package holds records of a kind a kit does not take (%(model)s). It was not loaded."),
)
KIT_PACKAGE_CLASH = ErrorCode(
    "KIT_PACKAGE_CLASH",
    _(
        "The package's %(model)s records clash with what this kit already holds. Check the other "
        "sessions in first."
    ),
    409,
)

# check-in (the kit): the slice wiped
KIT_WIPE_PACKETS_PENDING = ErrorCode(
    "KIT_WIPE_PACKETS_PENDING",
    _(
        "%(count)s packets of this session have no receipt from the district yet: push them "
        "before the session is wiped."
    ),
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
