"""Where a dossier's row number comes from: the hook a field kit turns (docs/field-kit.md).

At the district a dossier's code ends with its own row id (`services.dossier_code`): unique by
construction. On a field kit the row ids are the kit's own and would meet the district's, so the
kit takes the number from the block of its held session instead. The kits app sits above the
dossiers and may not be imported from here, so it registers its source at start (in field mode
only, `KitsConfig.ready()`); without one the number is the row id, as it always was.
"""

from __future__ import annotations

from collections.abc import Callable

from cccd.enrollments.models import Enrollment

NumberSource = Callable[[Enrollment], int]
"""Gives the number of a dossier being finished (inside the finishing transaction); may raise a
`DomainError` to refuse the finish, which then changes nothing."""

_source: NumberSource | None = None


def register(source: NumberSource | None) -> None:
    """Use `source` for every dossier finished from now on (None: back to the row id)."""
    global _source
    _source = source


def number_for(enrollment: Enrollment) -> int:
    """The number the dossier's code ends with: the registered source's, or the row id."""
    if _source is None:
        return int(enrollment.pk)
    return _source(enrollment)
