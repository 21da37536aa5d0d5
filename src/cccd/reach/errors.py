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
