"""Refusals of the reach app (`cccd.reach`): each says what was wrong in words the user can act on,
and none of them changes anything. Each feature keeps its codes in one block below.
"""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# --- the coverage map's boundaries (cccd.reach.boundaries) -------------------------------------
# An administrator's GeoJSON of the communes' outlines: refused whole, before anything is stored.

BOUNDARY_FILE_MISSING = ErrorCode(
    "BOUNDARY_FILE_MISSING",
    _("Choose a GeoJSON file of the communes' boundaries to upload."),
    400,
)
BOUNDARY_FILE_TOO_LARGE = ErrorCode(
    "BOUNDARY_FILE_TOO_LARGE",
    _(
        "The file is %(size)s MB; a boundary file is at most %(limit)s MB. Simplify the "
        "boundaries (to about 10 m) or upload one province at a time. Nothing was stored."
    ),
    413,
)
BOUNDARY_TOO_MANY_POINTS = ErrorCode(
    "BOUNDARY_TOO_MANY_POINTS",
    _(
        "The file holds more than %(max)s points. Simplify the boundaries (to about 10 m) or "
        "upload one province at a time. Nothing was stored."
    ),
    413,
)
BOUNDARY_TOO_MANY_FEATURES = ErrorCode(
    "BOUNDARY_TOO_MANY_FEATURES",
    _(
        "The file holds %(count)s features; at most %(max)s are read in one upload. Upload one "
        "province at a time. Nothing was stored."
    ),
    413,
)
BOUNDARY_NOT_JSON = ErrorCode(
    "BOUNDARY_NOT_JSON",
    _(
        "The file cannot be read as JSON (%(problem)s). Save the boundaries as GeoJSON in UTF-8 "
        "and upload the file again. Nothing was stored."
    ),
    400,
)
BOUNDARY_TOO_DEEP = ErrorCode(
    "BOUNDARY_TOO_DEEP",
    _(
        "The file nests lists and objects far deeper than any GeoJSON does: it is not a "
        "boundary file. Nothing was stored."
    ),
    400,
)
BOUNDARY_NOT_FEATURE_COLLECTION = ErrorCode(
    "BOUNDARY_NOT_FEATURE_COLLECTION",
    _(
        'The file is not a GeoJSON FeatureCollection: it must be an object with "type": '
        '"FeatureCollection" and a list of "features". Nothing was stored.'
    ),
    400,
)
BOUNDARY_EMPTY = ErrorCode(
    "BOUNDARY_EMPTY",
    _("The file holds no feature: there is no boundary to store."),
    400,
)
BOUNDARY_NOT_FEATURE = ErrorCode(
    "BOUNDARY_NOT_FEATURE",
    _(
        'Feature %(feature)s is not a GeoJSON Feature (an object with "type": "Feature" and a '
        '"geometry"). Nothing was stored.'
    ),
    400,
)
BOUNDARY_WRONG_GEOMETRY = ErrorCode(
    "BOUNDARY_WRONG_GEOMETRY",
    _(
        "Feature %(feature)s has a geometry of type %(kind)s; a commune's boundary is a Polygon "
        "or a MultiPolygon. Nothing was stored."
    ),
    400,
)
BOUNDARY_BAD_POSITION = ErrorCode(
    "BOUNDARY_BAD_POSITION",
    _(
        "Feature %(feature)s: a point is not a pair of numbers [longitude, latitude] (found "
        "%(found)s). Nothing was stored."
    ),
    400,
)
BOUNDARY_OUT_OF_RANGE = ErrorCode(
    "BOUNDARY_OUT_OF_RANGE",
    _(
        "Feature %(feature)s: the point [%(lon)s, %(lat)s] is not a longitude (−180 to 180) and "
        "a latitude (−90 to 90). The file must be in WGS 84 degrees (EPSG:4326), longitude "
        "first; convert a file in metres (VN-2000, UTM) first. Nothing was stored."
    ),
    400,
)
BOUNDARY_RING_OPEN = ErrorCode(
    "BOUNDARY_RING_OPEN",
    _(
        "Feature %(feature)s: a ring does not end at the point it starts from; a GeoJSON ring "
        "repeats its first point at the end. Nothing was stored."
    ),
    400,
)
BOUNDARY_RING_TOO_SHORT = ErrorCode(
    "BOUNDARY_RING_TOO_SHORT",
    _(
        "Feature %(feature)s: a ring has %(count)s points; a closed ring needs at least 4 (the "
        "first repeated at the end). Nothing was stored."
    ),
    400,
)
BOUNDARY_NO_CODE = ErrorCode(
    "BOUNDARY_NO_CODE",
    _(
        "Feature %(feature)s carries no commune code: give it one of the properties %(keys)s, "
        "with the commune's official code. Nothing was stored."
    ),
    400,
)
BOUNDARY_UNKNOWN_COMMUNE = ErrorCode(
    "BOUNDARY_UNKNOWN_COMMUNE",
    _(
        "Feature %(feature)s: no commune of your unit has the code %(code)s. Remove the "
        "communes outside your unit from the file. Nothing was stored."
    ),
    400,
)
BOUNDARY_DUPLICATE_CODE = ErrorCode(
    "BOUNDARY_DUPLICATE_CODE",
    _(
        "Features %(first)s and %(second)s both carry the commune code %(code)s; a commune has "
        "one boundary (put its parts in one MultiPolygon). Nothing was stored."
    ),
    400,
)
BOUNDARY_SCHEME_AMBIGUOUS = ErrorCode(
    "BOUNDARY_SCHEME_AMBIGUOUS",
    _(
        "The file's codes name communes both among the units until 30/06/2025 and among the "
        "units from 01/07/2025: choose which units the file is for. Nothing was stored."
    ),
    400,
)
BOUNDARY_SCHEME_UNKNOWN = ErrorCode(
    "BOUNDARY_SCHEME_UNKNOWN",
    _("There is no unit scheme %(scheme)s: choose the units until 30/06/2025 or from 01/07/2025."),
    400,
)

# --- the lists of people still to reach (cccd.reach.lists) -------------------------------------
# A file longer than a paper list can be, or a village the commune's list does not hold.

LIST_TOO_LONG = ErrorCode(
    "LIST_TOO_LONG",
    _(
        "The list holds %(count)s people; this file holds at most %(max)s. Choose a village, or "
        "only the people to visit at home, and download it again."
    ),
    400,
)
UNKNOWN_VILLAGE = ErrorCode(
    "UNKNOWN_VILLAGE",
    _("%(place)s has no village “%(village)s” in this campaign's list: choose one from the list."),
    400,
)
# --- coverage: building the cohort and accepting suggested targets (cccd.reach.services) -------

COHORT_BUILDING = ErrorCode(
    "COHORT_BUILDING",
    _(
        "The figures of %(campaign)s are being counted already; the coverage page shows them "
        "when the count is done."
    ),
    409,
)
TARGETS_NONE = ErrorCode(
    "TARGETS_NONE", _("Give a target for at least one unit. Nothing was saved."), 400
)
TARGET_VALUE = ErrorCode(
    "TARGET_VALUE",
    _(
        "%(unit)s: a target is a whole number of people from 0 to %(max)s; “%(value)s” is "
        "not. Nothing was saved."
    ),
    400,
)
TARGET_NOT_CHILD = ErrorCode(
    "TARGET_NOT_CHILD",
    _(
        "A target was given for a unit that is not directly below %(place)s: targets are set "
        "here for the units one level down. Nothing was saved."
    ),
    400,
)
TARGET_NO_POLICE_UNIT = ErrorCode(
    "TARGET_NO_POLICE_UNIT",
    _(
        "%(unit)s has no police unit to hold its target: ask an administrator to add it. "
        "Nothing was saved."
    ),
    400,
)
TARGET_OUTSIDE_CAMPAIGN = ErrorCode(
    "TARGET_OUTSIDE_CAMPAIGN",
    _(
        "%(unit)s is outside the campaign %(campaign)s: its targets are for the campaign's own "
        "unit and the units below it. Nothing was saved."
    ),
    400,
)

# --- marks ---------------------------------------------------------------------------------------
MARK_REASON = ErrorCode(
    "MARK_REASON",
    _("Choose why the person must be visited at home: disabled, bedridden or another reason."),
    400,
)
MARK_NOTE_REQUIRED = ErrorCode(
    "MARK_NOTE_REQUIRED", _("Say in the note why the person must be visited at home."), 400
)

# --- planning a round ----------------------------------------------------------------------------
ROUND_EMPTY = ErrorCode("ROUND_EMPTY", _("Choose at least one person for the round."), 400)
ROUND_TOO_LARGE = ErrorCode(
    "ROUND_TOO_LARGE",
    _("A round holds at most %(max)s homes; %(count)s people were chosen: plan two rounds."),
    400,
)
ROUND_PERSON_TWICE = ErrorCode(
    "ROUND_PERSON_TWICE", _("A person is chosen more than once for the round."), 400
)
ROUND_PEOPLE_UNKNOWN = ErrorCode(
    "ROUND_PEOPLE_UNKNOWN",
    _("%(count)s of the people chosen are not in the register of your unit."),
    400,
)
ROUND_PEOPLE_ELSEWHERE = ErrorCode(
    "ROUND_PEOPLE_ELSEWHERE",
    _("%(count)s of the people chosen do not live in %(commune)s: a round visits one commune."),
    400,
)
ROUND_COMMUNE_OUTSIDE_CAMPAIGN = ErrorCode(
    "ROUND_COMMUNE_OUTSIDE_CAMPAIGN",
    _("%(commune)s is not in the campaign's unit."),
    400,
)
ROUND_STARTED = ErrorCode(
    "ROUND_STARTED",
    _("The round has started or has outcomes recorded: its homes can no longer be changed."),
    409,
)
ROUND_ORDER_MISMATCH = ErrorCode(
    "ROUND_ORDER_MISMATCH",
    _("The new order must list every home of the round exactly once."),
    400,
)
ROUND_LAST_HOME = ErrorCode(
    "ROUND_LAST_HOME",
    _("A round keeps at least one home: cancel the session instead."),
    409,
)

# --- outcomes ------------------------------------------------------------------------------------
VISIT_OUTCOME = ErrorCode(
    "VISIT_OUTCOME",
    _("Choose how the visit ended: enrolled, not at home, moved, refused or other."),
    400,
)
VISIT_NOTE_REQUIRED = ErrorCode(
    "VISIT_NOTE_REQUIRED", _("Write a note: “%(outcome)s” needs one."), 400
)
VISIT_CORRECTION_NOTE = ErrorCode(
    "VISIT_CORRECTION_NOTE",
    _("The visit's outcome is already recorded: say in the note why it is corrected."),
    400,
)
VISIT_CORRECTION_LEADER = ErrorCode(
    "VISIT_CORRECTION_LEADER",
    _("The visit's outcome is already recorded: only the team leader may correct it."),
    403,
)
VISIT_NOT_ENROLLED = ErrorCode(
    "VISIT_NOT_ENROLLED",
    _(
        "The person has no dossier taken in this round or received on its day: finish the "
        "intake first, then record “enrolled”."
    ),
    409,
)
VISIT_NOT_YET = ErrorCode(
    "VISIT_NOT_YET",
    _("The round is planned for %(day)s: its outcomes are recorded from that day."),
    409,
)
VISIT_SESSION_CANCELLED = ErrorCode(
    "VISIT_SESSION_CANCELLED", _("The round was cancelled: nothing can be recorded on it."), 409
)

# --- the eligible population of a day, counted live from the register (cccd.reach.api) -------
ELIGIBLE_TOO_WIDE = ErrorCode(
    "ELIGIBLE_TOO_WIDE",
    _(
        "The eligible population of a day is counted from the register as it is asked for: "
        "ask for a district or a commune. For a province or the nation, run `cccd coverage "
        "eligible` on the server."
    ),
    400,
)
