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
UPLOAD_LENGTH_INVALID = ErrorCode(
    "UPLOAD_LENGTH_INVALID",
    _("A packet's length is 1 to %(limit)s bytes, and a part at most %(part)s bytes."),
    400,
)

# the kit's own side
KIT_NOT_JOINED = ErrorCode(
    "KIT_NOT_JOINED",
    _("This kit has not joined a district yet: run `cccd kit join URL CODE` first."),
    409,
)
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
