from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

USERNAME_TAKEN = ErrorCode("USERNAME_TAKEN", _("The user name %(username)s is already taken."), 409)
UNIT_OUTSIDE_SCOPE = ErrorCode(
    "UNIT_OUTSIDE_SCOPE", _("You can only place users in your own unit or the units below it."), 403
)
UNIT_NOT_POLICE = ErrorCode(
    "UNIT_NOT_POLICE", _("Users work in police units, not in administrative divisions."), 400
)
WEAK_PASSWORD = ErrorCode("WEAK_PASSWORD", _("The password is not strong enough: %(reasons)s"), 400)
CANNOT_CHANGE_SELF = ErrorCode(
    "CANNOT_CHANGE_SELF",
    _("You cannot change your own role, unit or access; ask another administrator."),
    403,
)
OWN_PASSWORD_NEEDS_CURRENT = ErrorCode(
    "OWN_PASSWORD_NEEDS_CURRENT",
    _("Change your own password on the “Password” page, which asks for the current one."),
    403,
)
WRONG_CURRENT_PASSWORD = ErrorCode(
    "WRONG_CURRENT_PASSWORD", _("The current password is not right."), 400
)
SAME_PASSWORD = ErrorCode(
    "SAME_PASSWORD", _("The new password must differ from the current one."), 400
)
TOKEN_INVALID = ErrorCode("TOKEN_INVALID", _("The API token is missing, wrong or revoked."), 401)
