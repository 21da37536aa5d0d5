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
