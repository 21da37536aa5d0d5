"""Planning tests that run desks or planners in threads need a file test database."""

from tests.tickets.conftest import pytest_configure  # noqa: F401  (a file test database, for threads)
