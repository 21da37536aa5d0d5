"""The intake evening of tests/enrollments, for counting what it produces."""

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
