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
