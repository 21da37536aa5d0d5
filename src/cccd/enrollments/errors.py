"""Refusals of enrollments, each with a stable code and a sentence its reader understands: the
intake desk, the dossier's life, the dossier lists, the citizen's status page and the card preview.
Production batches keep theirs in `production/errors.py`."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# the photo (checked at once, with a sentence that says how to retake it)
TOO_LARGE = ErrorCode(
    "TOO_LARGE", _("The file is %(size)s MB; the largest accepted here is %(limit)s MB."), 413
)
CAPTURE_EMPTY = ErrorCode("CAPTURE_EMPTY", _("The file is empty: capture it again."), 400)
NOT_AN_IMAGE = ErrorCode(
    "NOT_AN_IMAGE", _("This file is not a picture (JPEG, PNG or BMP): take the photo again."), 400
)
PHOTO_TOO_SMALL = ErrorCode(
    "PHOTO_TOO_SMALL",
    _("The photo is %(width)s×%(height)s pixels; at least %(min_width)s×%(min_height)s is needed."),
    400,
)
NO_FACE = ErrorCode(
    "NO_FACE",
    _("No face found: the person should face the camera, eyes open, nothing covering the face."),
    400,
)
MANY_FACES = ErrorCode(
    "MANY_FACES", _("%(count)s faces found: only the applicant may be in the picture."), 400
)
FACE_TOO_SMALL = ErrorCode(
    "FACE_TOO_SMALL", _("The face is too small in the picture: move the camera closer."), 400
)
FACE_TOO_LARGE = ErrorCode(
    "FACE_TOO_LARGE", _("The face fills too much of the picture: move the camera back."), 400
)
FACE_OFF_CENTRE = ErrorCode(
    "FACE_OFF_CENTRE", _("The face is not in the middle of the picture: centre it and retake."), 400
)
FACE_TILTED = ErrorCode(
    "FACE_TILTED",
    _("The head leans to one side: ask the person to hold it straight and retake."),
    400,
)
PHOTO_BLURRED = ErrorCode(
    "PHOTO_BLURRED", _("The photo is blurred: hold the camera still and retake."), 400
)
PHOTO_TOO_DARK = ErrorCode(
    "PHOTO_TOO_DARK", _("The photo is too dark: add light in front of the person and retake."), 400
)
PHOTO_TOO_BRIGHT = ErrorCode(
    "PHOTO_TOO_BRIGHT", _("The photo is too bright: reduce the light or the flash and retake."), 400
)
BACKGROUND_NOT_PLAIN = ErrorCode(
    "BACKGROUND_NOT_PLAIN",
    _(
        "The background behind the person is not plain: stand them before a plain, light backdrop and retake."
    ),
    400,
)

# fingerprints, iris, signature
WRONG_FINGERPRINT_FILE = ErrorCode(
    "WRONG_FINGERPRINT_FILE",
    _(
        "This is not a fingerprint from the scanner (WSQ, PNG, BMP, JPEG, JPEG 2000 or an ISO/ANSI template)."
    ),
    400,
)
WRONG_IRIS_FILE = ErrorCode(
    "WRONG_IRIS_FILE",
    _("This is not an iris image from the camera (PNG, BMP, JPEG, JPEG 2000 or ISO 19794-6)."),
    400,
)
BAD_SIGNATURE = ErrorCode(
    "BAD_SIGNATURE",
    _("The signature is not a picture from the pad or the screen: sign again."),
    400,
)

# captures from the desk's device service (MOSIP SBI: intake/devicecapture.py)
DEVICE_ANSWER_MALFORMED = ErrorCode(
    "DEVICE_ANSWER_MALFORMED",
    _(
        "The device service sent an answer that is not a capture (%(detail)s): nothing was kept. "
        "Press the key again; if it happens again, restart the device service."
    ),
    400,
)
DEVICE_REFUSED = ErrorCode(
    "DEVICE_REFUSED",
    _("The %(device)s did not capture: %(why)s. Nothing was kept; press the key again."),
    409,
)
DEVICE_NOT_SEEN = ErrorCode(
    "DEVICE_NOT_SEEN",
    _(
        "The scanner did not see the %(finger)s: place the hand again and press the key, or write "
        "why that finger cannot be taken (missing, bandaged) before capturing. Nothing was kept."
    ),
    422,
)
DEVICE_NOT_SIGNED = ErrorCode(
    "DEVICE_NOT_SIGNED",
    _(
        "The capture's signature does not hold: it was changed after the device signed it. "
        "Nothing was kept; capture again."
    ),
    422,
)
BLANK_SIGNATURE = ErrorCode("BLANK_SIGNATURE", _("The signature is blank: sign again."), 400)
CAPTURE_BAD_SLOT = ErrorCode("CAPTURE_BAD_SLOT", _("There is no such slot: %(slot)s."), 400)
REASON_NEEDED = ErrorCode(
    "REASON_NEEDED", _("Say why the capture is impossible (missing finger, bandage …)."), 400
)
IRIS_NOT_TAKEN = ErrorCode(
    "IRIS_NOT_TAKEN", _("Iris images are taken only under the 2023 law, from the age of 6."), 400
)

# the dossier
OPEN_APPLICATION = ErrorCode(
    "OPEN_APPLICATION",
    _("%(name)s already has an open application: dossier %(code)s (%(state)s, %(date)s)."),
    409,
)
BEING_TAKEN = ErrorCode(
    "BEING_TAKEN", _("%(name)s is being taken at desk %(desk)s right now (number %(number)s)."), 409
)
NO_PERSON = ErrorCode(
    "NO_PERSON",
    _("Find the person in the register first (or fill in the population-data form)."),
    409,
)
ALREADY_FINISHED = ErrorCode(
    "ALREADY_FINISHED", _("Number %(number)s is already finished: dossier %(code)s."), 409
)
NOT_DRAFT = ErrorCode(
    "NOT_DRAFT", _("Dossier %(code)s has been received: it cannot be changed at the desk."), 409
)
INCOMPLETE = ErrorCode("INCOMPLETE", _("The intake is not complete: %(missing)s."), 409)
POST_ADDRESS_NEEDED = ErrorCode(
    "POST_ADDRESS_NEEDED", _("Give the address the card should be posted to."), 400
)
NO_FEE = ErrorCode(
    "NO_FEE", _("No fee is set for “%(kind)s” on %(date)s: ask the administrator to add it."), 409
)
FIELD_NOT_CORRECTABLE = ErrorCode(
    "FIELD_NOT_CORRECTABLE", _("“%(field)s” cannot be corrected here."), 400
)
PROOF_NEEDED = ErrorCode(
    "PROOF_NEEDED",
    _("A correction needs its proof (the document that shows the right value)."),
    400,
)
PROOF_FILE_NOT_AN_IMAGE = ErrorCode(
    "PROOF_FILE_NOT_AN_IMAGE",
    _(
        "The proof's scan is not a picture (JPEG, PNG or BMP): scan or photograph the document again."
    ),
    400,
)
PROOF_FILE_BLANK = ErrorCode(
    "PROOF_FILE_BLANK", _("The proof's scan is blank: scan the document again."), 400
)
SAME_VALUE = ErrorCode("SAME_VALUE", _("The register already holds that value."), 400)
KIND_NOT_ALLOWED = ErrorCode(
    "KIND_NOT_ALLOWED", _("“%(kind)s” is not possible for this person now: %(why)s."), 409
)
KIND_REASON_NEEDED = ErrorCode(
    "KIND_REASON_NEEDED",
    _("“%(kind)s” needs its reason: say why (card lost, damaged, or data changed)."),
    400,
)
NOT_ELIGIBLE = ErrorCode(
    "NOT_ELIGIBLE",
    _("%(name)s cannot apply for a card now: %(why)s."),
    409,
)
TICKET_NOT_AT_DESK = ErrorCode(
    "TICKET_NOT_AT_DESK", _("Number %(number)s is not being served at a desk: call it first."), 409
)
SESSION_BUSY = ErrorCode(
    "SESSION_BUSY",
    _("Number %(number)s is still at desk %(desk)s: finish or skip it before closing."),
    409,
)
BAD_NEXT_SESSION = ErrorCode(
    "BAD_NEXT_SESSION",
    _(
        "Numbers left can only be handed on to a later session of the unit that is not over or closed."
    ),
    400,
)
SESSION_NOT_STARTED = ErrorCode(
    "SESSION_NOT_STARTED",
    _("This session has not started (it starts %(start)s): it can be closed once it has started."),
    409,
)
CLOSE_NOT_CONFIRMED = ErrorCode(
    "CLOSE_NOT_CONFIRMED",
    _("Confirm what happens to the numbers left before closing the session."),
    400,
)
CLOSE_LINE_CHANGED = ErrorCode(
    "CLOSE_LINE_CHANGED",
    _(
        "The line has changed since you looked: %(left)s numbers are left now, not %(expected)s. Check them again before closing."
    ),
    409,
)
SESSION_ALREADY_CLOSED = ErrorCode(
    "SESSION_ALREADY_CLOSED", _("The session is already closed."), 409
)

# the dossier's life after the intake (cccd.enrollments.dossiers.lifecycle)
MOVE_NOT_ALLOWED = ErrorCode(
    "MOVE_NOT_ALLOWED",
    _("Dossier %(code)s is %(state)s: it cannot be “%(move)s” now."),
    409,
)
MOVE_BY_FILE_ONLY = ErrorCode(
    "MOVE_BY_FILE_ONLY",
    _("“%(move)s” happens only through a production batch or the centre's result file."),
    409,
)
MOVE_NEEDS_PROOF = ErrorCode(
    "MOVE_NEEDS_PROOF",
    _(
        "“%(move)s” needs its proof: record it on the delivery page, with the citizen's signature or "
        "the post's tracking number."
    ),
    409,
)
MOVE_REASON_NEEDED = ErrorCode(
    "MOVE_REASON_NEEDED", _("Say why: the reason is shown to the officer and kept."), 400
)
UNKNOWN_MOVE = ErrorCode("UNKNOWN_MOVE", _("There is no such step for a dossier: %(move)s."), 400)
NOT_COMPLETE = ErrorCode(
    "NOT_COMPLETE", _("Dossier %(code)s cannot be completed yet: %(missing)s."), 409
)
BULK_REFUSED = ErrorCode(
    "BULK_REFUSED",
    _("Nothing was changed: %(count)s of the chosen dossiers cannot be “%(move)s”: %(details)s."),
    409,
)
NOTHING_CHOSEN = ErrorCode("NOTHING_CHOSEN", _("Choose at least one dossier."), 400)
TOO_MANY_CHOSEN = ErrorCode(
    "TOO_MANY_CHOSEN", _("At most %(limit)s dossiers at once; you chose %(count)s."), 400
)
DELIVERY_PROOF_NEEDED = ErrorCode(
    "DELIVERY_PROOF_NEEDED",
    _("A card handed over needs the citizen's signature; a card posted needs its tracking number."),
    400,
)
CHANGE_ALREADY_REVIEWED = ErrorCode(
    "CHANGE_ALREADY_REVIEWED", _("This proposed change has already been reviewed."), 409
)

# finding dossiers and the deadline lists (cccd.enrollments.dossiers.queries)
DOSSIER_QUERY_TOO_SHORT = ErrorCode(
    "DOSSIER_QUERY_TOO_SHORT",
    _("Type a dossier code, a 12-digit personal ID number, or at least two letters of a name."),
    400,
)
BAD_DUE_SOON_DAYS = ErrorCode(
    "BAD_DUE_SOON_DAYS",
    _("“Due within” must be a number of working days from 1 to %(max)s."),
    400,
)

# the citizen's status page (cccd.enrollments.public)
STATUS_CODE_NEEDED = ErrorCode(
    "STATUS_CODE_NEEDED",
    _("Type the dossier code printed on your appointment slip (letters, digits and dashes)."),
    400,
)
STATUS_BIRTH_DATE_NEEDED = ErrorCode(
    "STATUS_BIRTH_DATE_NEEDED",
    _(
        "Type your date of birth as dd/mm/yyyy (or only the year, if your papers show only the year)."
    ),
    400,
)
STATUS_NO_SUCH_DATE = ErrorCode(
    "STATUS_NO_SUCH_DATE",
    _("%(date)s is not a date in the calendar: check the day and month."),
    400,
)
STATUS_NOT_FOUND = ErrorCode(
    "STATUS_NOT_FOUND",
    _("No dossier matches this code and date of birth. Check both against your appointment slip."),
    404,
)
STATUS_TOO_MANY_GUESSES = ErrorCode(
    "STATUS_TOO_MANY_GUESSES",
    _("Too many wrong attempts. For your safety, please try again after %(time)s."),
    429,
)
STATUS_LINK_UNKNOWN = ErrorCode(
    "STATUS_LINK_UNKNOWN",
    _(
        "This link does not open a dossier: it may be cut short. Scan the QR code on your "
        "appointment slip again, or type the dossier code and your date of birth below."
    ),
    404,
)

# the card preview (cccd.enrollments.documents.card)
CARD_DATA_INVALID = ErrorCode(
    "CARD_DATA_INVALID",
    _("This card cannot be previewed, the register data break a rule of the card: %(detail)s"),
    422,
)
"""The person's data cannot be written on a card (e.g. an old ID number of 7 digits). The core's
messages name the rule, never the personal value, so they may be shown and logged."""
CONTACT_ON_CLOSED = ErrorCode(
    "CONTACT_ON_CLOSED",
    _("Dossier %(code)s is %(state)s: nobody will be told about it any more. Nothing was changed."),
    409,
)
