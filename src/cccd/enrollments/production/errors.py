"""Refusals of production batches and of the centre's result files (`cccd.enrollments.production`),
each with a stable code and a sentence an officer understands. Every refusal leaves nothing
changed, so each sentence can say so."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# making a batch
NOTHING_TO_SEND = ErrorCode(
    "NOTHING_TO_SEND", _("There are no approved dossiers to send to production."), 409
)
BATCH_TOO_LARGE = ErrorCode(
    "BATCH_TOO_LARGE",
    _("At most %(limit)s dossiers go into one batch; %(count)s were chosen."),
    400,
)
CANNOT_SEND = ErrorCode(
    "CANNOT_SEND",
    _("Nothing was sent: these dossiers cannot go into a batch: %(details)s."),
    409,
)
ARTEFACT_TAMPERED = ErrorCode(
    "ARTEFACT_TAMPERED",
    _(
        "Nothing was sent: the stored %(artefact)s of dossier %(code)s is not the file captured at "
        "the desk (its SHA-256 differs). The storage may have been tampered with: tell your "
        "administrator."
    ),
    409,
)
ARTEFACT_MISSING = ErrorCode(
    "ARTEFACT_MISSING",
    _(
        "Nothing was sent: the %(artefact)s of dossier %(code)s is missing from the storage. "
        "Tell your administrator."
    ),
    409,
)
BATCH_CHANGED = ErrorCode(
    "BATCH_CHANGED",
    _(
        "Nothing was sent: dossiers changed, or another batch was made, while this batch was "
        "being prepared. Try again."
    ),
    409,
)

# the centre reading a batch (the simulator)
BATCH_FILE_DAMAGED = ErrorCode(
    "BATCH_FILE_DAMAGED",
    _("The batch file %(batch)s is damaged or was changed: %(detail)s."),
    422,
)
BATCH_SIGNATURE_INVALID = ErrorCode(
    "BATCH_SIGNATURE_INVALID",
    _(
        "The signature of batch file %(batch)s does not match the unit's key: the file was "
        "changed after the unit signed it."
    ),
    422,
)
REJECT_NOT_IN_BATCH = ErrorCode(
    "REJECT_NOT_IN_BATCH", _("These dossiers are not in batch %(batch)s: %(codes)s."), 400
)

# importing the centre's result
RESULT_TOO_LARGE = ErrorCode(
    "RESULT_TOO_LARGE",
    _("The file is %(size)s MB; a result file is at most %(limit)s MB. Nothing was imported."),
    413,
)
RESULT_EMPTY = ErrorCode("RESULT_EMPTY", _("The file is empty. Nothing was imported."), 400)
RESULT_NOT_A_ZIP = ErrorCode(
    "RESULT_NOT_A_ZIP",
    _(
        "This is not a complete result file from the production centre (a zip): it may have been "
        "cut short while copying. Ask the centre for it again. Nothing was imported."
    ),
    422,
)
RESULT_MEMBERS = ErrorCode(
    "RESULT_MEMBERS",
    _(
        "A result file holds exactly result.json and result.sig; this one holds: %(names)s. "
        "Nothing was imported."
    ),
    422,
)
RESULT_SIGNATURE_INVALID = ErrorCode(
    "RESULT_SIGNATURE_INVALID",
    _(
        "The result file's signature does not match the production centre's key: it was changed "
        "after the centre signed it, or it does not come from the centre. Nothing was imported."
    ),
    422,
)
RESULT_MALFORMED = ErrorCode(
    "RESULT_MALFORMED",
    _("The result file is not in the expected form: %(detail)s. Nothing was imported."),
    422,
)
RESULT_WRONG_FORMAT = ErrorCode(
    "RESULT_WRONG_FORMAT",
    _(
        "This file is “%(format)s” version %(version)s; this system reads “%(expected)s” version "
        "%(expected_version)s. Nothing was imported."
    ),
    422,
)
RESULT_REPLAYED = ErrorCode(
    "RESULT_REPLAYED",
    _("This result file was already imported on %(date)s (batch %(batch)s). Nothing was changed."),
    409,
)
RESULT_BATCH_UNKNOWN = ErrorCode(
    "RESULT_BATCH_UNKNOWN",
    _(
        "The result is for batch %(batch)s, which is not a batch of your unit. Nothing was imported."
    ),
    404,
)
RESULT_BATCH_MISMATCH = ErrorCode(
    "RESULT_BATCH_MISMATCH",
    _(
        "The result was made from another file than the batch %(batch)s this unit sent (the "
        "SHA-256 differs). Nothing was imported."
    ),
    422,
)
RESULT_UNKNOWN_DOSSIERS = ErrorCode(
    "RESULT_UNKNOWN_DOSSIERS",
    _("The result names dossiers this unit does not know: %(codes)s. Nothing was imported."),
    422,
)
RESULT_OTHER_BATCH = ErrorCode(
    "RESULT_OTHER_BATCH",
    _(
        "The result for batch %(batch)s names dossiers of another batch: %(details)s. Nothing "
        "was imported."
    ),
    422,
)
RESULT_NOT_IN_PRODUCTION = ErrorCode(
    "RESULT_NOT_IN_PRODUCTION",
    _("These dossiers are no longer in production: %(details)s. Nothing was imported."),
    409,
)
RESULT_INCOMPLETE = ErrorCode(
    "RESULT_INCOMPLETE",
    _(
        "The result covers %(got)s of the %(count)s dossiers of batch %(batch)s; missing: "
        "%(codes)s. Ask the centre for the whole result. Nothing was imported."
    ),
    422,
)
RESULT_CARD_NUMBER = ErrorCode(
    "RESULT_CARD_NUMBER",
    _(
        "The card number given for dossier %(code)s is not the person's personal ID number. "
        "Nothing was imported."
    ),
    422,
)
RESULT_BAD_DATES = ErrorCode(
    "RESULT_BAD_DATES",
    _(
        "The card dates given for dossier %(code)s are impossible: %(detail)s. Nothing was imported."
    ),
    422,
)

# cards arriving at the unit
NOTHING_ARRIVED = ErrorCode(
    "NOTHING_ARRIVED", _("No card of batch %(batch)s is waiting to be recorded as arrived."), 409
)
