import pytest

from tests.databases import use_a_file_test_database


def pytest_configure(config: pytest.Config) -> None:
    """The crash test runs real `cccd db_worker` processes on the test database."""
    use_a_file_test_database()
