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
