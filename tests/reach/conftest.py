"""The intake evening of tests/enrollments, for counting what it produces; the commune of the
lists of people still to reach (`lists_world`)."""

from tests.enrollments.conftest import (  # noqa: F401  (fixtures)
    back_office_dakmil,
    called,
    captured,
    commander_dakmil,
    desks,
    groups,
    leader,
    portrait,
    pytest_configure,
    session,
    student,
)
from tests.reach.lists_world import (  # noqa: F401  (fixtures of the lists of people to reach)
    commune,
    leader_dakmil,
    officer_daklao,
)
