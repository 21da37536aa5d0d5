from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

UNIT_CODE_TAKEN = ErrorCode(
    "UNIT_CODE_TAKEN", _("A unit with code %(code)s already exists in this tree."), 409
)
PARENT_REQUIRED = ErrorCode(
    "PARENT_REQUIRED", _("Choose the parent unit this unit belongs to."), 400
)
PARENT_WRONG_TREE = ErrorCode(
    "PARENT_WRONG_TREE", _("The parent must be in the same tree and scheme, one level up."), 400
)
UNIT_HAS_CHILDREN = ErrorCode(
    "UNIT_HAS_CHILDREN",
    _("This unit still has active units below it; deactivate those first."),
    409,
)
UNKNOWN_PROVINCE = ErrorCode(
    "UNKNOWN_PROVINCE", _("Province code %(code)s does not exist in the %(scheme)s scheme."), 400
)
BAD_CODE = ErrorCode("BAD_CODE", _("A unit code is 1 to 16 letters, digits or hyphens."), 400)
