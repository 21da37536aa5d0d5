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
