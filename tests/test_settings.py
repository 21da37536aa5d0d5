import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cccd.environment import env_bool, env_int, env_list, env_memory, secret_key


def _run_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cccd.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CCCD_DEBUG": "maybe"}, "CCCD_DEBUG='maybe' is not a yes/no value"),
        (
            {"CCCD_LOGIN_MAX_FAILURES": "five"},
            "CCCD_LOGIN_MAX_FAILURES='five' is not a whole number",
        ),
        ({"CCCD_LOGIN_MAX_FAILURES": "0"}, "outside 1..100"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with"),
        ({"CCCD_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"CCCD_LOG_LEVEL": "LOUD"}, "is not one of"),
        ({"CCCD_AUDIT_RETENTION_MONTHS": "6"}, "CCCD_AUDIT_RETENTION_MONTHS=6 is outside 12..1200"),
        ({"CCCD_DUCKDB_MEMORY_LIMIT": "lots"}, "CCCD_DUCKDB_MEMORY_LIMIT='lots' is not an amount"),
        ({"CCCD_DUCKDB_MEMORY_LIMIT": "8"}, "write it as 512MB or 8GB"),
        ({"CCCD_DUCKDB_MEMORY_LIMIT": "32MB"}, "at least 64MB"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(env: dict[str, str], message: str) -> None:
    result = _run_with(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_embedded_default_needs_no_variable() -> None:
    env = dict.fromkeys((), "")
    result = _run_with(env)
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout or "postgresql" in result.stdout


def test_the_defaults_are_vietnamese_and_ho_chi_minh_time() -> None:
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGES[0][0] == "vi"


def test_sqlite_runs_in_wal_with_immediate_transactions() -> None:
    from cccd.settings import _database

    config = _database("sqlite:////tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"  # type: ignore[index]
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]  # type: ignore[index]


def test_env_helpers_accept_good_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", " 7 ")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 1, minimum=1, maximum=9) == 7
    assert env_list("X_LIST", []) == ["a", "b", "c"]


def test_env_helpers_refuse_empty_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " , ")
    with pytest.raises(ImproperlyConfigured, match="lists nothing"):
        env_list("X_LIST", ["a"])


def test_a_generated_secret_key_is_kept_across_starts(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CCCD_SECRET_KEY", raising=False)
    first = secret_key("CCCD_SECRET_KEY", tmp_path)  # type: ignore[arg-type]
    assert secret_key("CCCD_SECRET_KEY", tmp_path) == first  # type: ignore[arg-type]
    assert len(first) >= 50


POSTGRES = {"ENGINE": "django.db.backends.postgresql"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://replica/cccd", "must start with postgresql://"),
        ("postgresql://replica.example:port/cccd", "is not a valid database URL"),
        ("postgresql://replica.example:5432", "must name the host and the database"),
        ("postgresql:///cccd", "must name the host and the database"),
    ],
)
def test_a_malformed_replica_url_stops_start_up(url: str, message: str) -> None:
    from cccd.settings import _replica

    with pytest.raises(ImproperlyConfigured, match=message):
        _replica(url, POSTGRES)


def test_a_replica_needs_a_postgresql_primary() -> None:
    result = _run_with(
        {"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "CCCD_REPLICA_URL": "postgresql://r/cccd"}
    )
    assert result.returncode != 0
    assert "CCCD_REPLICA_URL is set but DATABASE_URL is not PostgreSQL" in result.stderr
    result = _run_with({"CCCD_REPLICA_MAX_LAG_SECONDS": "soon"})
    assert result.returncode != 0 and "CCCD_REPLICA_MAX_LAG_SECONDS='soon'" in result.stderr


def test_the_replica_is_read_only_for_tests_and_quick_to_give_up() -> None:
    from cccd.settings import _replica

    config = _replica(
        "postgresql://cccd_report@replica.example:5433/cccd?sslmode=require", POSTGRES
    )
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("replica.example", 5433, "cccd")
    assert config["OPTIONS"] == {"connect_timeout": 3, "sslmode": "require"}
    assert config["TEST"] == {"MIRROR": "default"}  # the suite never creates a database there


@pytest.mark.parametrize(
    ("value", "expected"),
    [("512MB", "512MB"), ("8GB", "8GB"), ("1.5 GiB", "1.5GiB"), ("64mb", "64mb")],
)
def test_duckdb_memory_takes_megabytes_and_gigabytes(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("CCCD_DUCKDB_MEMORY_LIMIT", value)
    assert env_memory("CCCD_DUCKDB_MEMORY_LIMIT", "512MB") == expected


def test_the_linkage_duckdb_works_in_the_configured_memory(settings: object) -> None:
    from cccd.rosters.linkage.frames import connect

    settings.CCCD_DUCKDB_MEMORY_LIMIT = "3GB"  # type: ignore[attr-defined]
    connection = connect()
    try:
        limit = connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        connection.close()
    assert limit == "2.7 GiB"  # DuckDB shows 3 GB in GiB; the default 512MB shows as 488.2 MiB
