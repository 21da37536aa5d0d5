import pytest

from tests.databases import use_a_file_test_database


def pytest_configure(config: pytest.Config) -> None:
    """Workers racing for one lease are threads, each with its own connection."""
    use_a_file_test_database()
