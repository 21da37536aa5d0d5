"""Reading settings from environment variables, strictly.

A typo in a deployment's environment must stop start-up with a sentence that names the variable
and what it accepts, not run with a silently different value.
"""

import os
import re
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.strip():
        raise ImproperlyConfigured(
            f"{name} is set but empty; unset it to use the default ({default!r})."
        )
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if not minimum <= number <= maximum:
        raise ImproperlyConfigured(f"{name}={number} is outside {minimum}..{maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but lists nothing; give comma-separated values.")
    return items


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(sorted(choices))}.")
    return value


_SPARK_MASTER = re.compile(
    r"local(\[(\*|[1-9][0-9]{0,2})\])?|spark://[A-Za-z0-9.\-]+:[0-9]{1,5}(,[A-Za-z0-9.\-]+:[0-9]{1,5})*"
)


def env_spark_master(name: str, default: str) -> str:
    """A Spark master URL `cccd link --engine spark` can use: ``local``, ``local[N]``,
    ``local[*]`` or a standalone cluster's ``spark://host:port`` (``host:port,host:port`` for
    standby masters); anything else would only fail once a roster is being linked."""
    value = env_str(name, default)
    if not _SPARK_MASTER.fullmatch(value) or any(
        not 0 < int(port) < 65536 for port in re.findall(r":([0-9]+)", value)
    ):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a Spark master URL; use local, local[N], local[*] or "
            "spark://host:port."
        )
    return value


_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(MB|GB|MiB|GiB)", re.IGNORECASE)


def env_memory(name: str, default: str) -> str:
    """An amount of memory as DuckDB's ``memory_limit`` takes it (``512MB``, ``8GB``, ``1.5GiB``),
    at least 64 MB: checked at start-up, not when a large roster is half linked."""
    value = env_str(name, default)
    match = _MEMORY.fullmatch(value)
    megabytes = 0.0
    if match:
        number, unit = float(match.group(1)), match.group(2).lower()
        megabytes = number * (1024 if unit.startswith("g") else 1)
    if megabytes < 64:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an amount of memory DuckDB can work in; write it as 512MB "
            "or 8GB (at least 64MB)."
        )
    return value.replace(" ", "")


def secret_key(name: str, data_dir: Path) -> str:
    """The key from the environment, else one generated once and kept in the data folder.

    A field laptop must run with nothing configured, yet sessions must survive a restart, so the
    generated key is persisted (readable by the owner only) rather than made anew at each start.
    """
    value = os.environ.get(name)
    if value is not None:
        if len(value.strip()) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long.")
        return value.strip()
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="ascii")
    key_file.chmod(0o600)
    return key


def secret_key_fallbacks(name: str) -> list[str]:
    """Former secret keys, comma-separated, each as long as a key must be (see `secret_key`)."""
    if os.environ.get(name) is None:
        return []
    keys = env_list(name, [])
    if any(len(key) < 32 for key in keys):
        raise ImproperlyConfigured(f"{name}: each key must be at least 32 characters long.")
    return keys


_META_HEADER = re.compile(r"^HTTP_[A-Z0-9_]+$")


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """The `request.META` key of the header a TLS-ending proxy sets to "https" (for example
    HTTP_X_FORWARDED_PROTO), as Django's SECURE_PROXY_SSL_HEADER; unset: none is trusted."""
    value = os.environ.get(name)
    if value is None:
        return None
    key = value.strip()
    if not _META_HEADER.match(key):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a request.META header key such as HTTP_X_FORWARDED_PROTO."
        )
    return (key, "https")


HSTS_MAX_SECONDS = 2 * 365 * 24 * 3600
HSTS_PRELOAD_MIN_SECONDS = 365 * 24 * 3600


def hsts(seconds_name: str, subdomains_name: str, preload_name: str) -> tuple[int, bool, bool]:
    """HSTS: seconds browsers keep to HTTPS (0 = no header), and whether subdomains and the
    browsers' preload list are included. Preloading is refused without subdomains and at least a
    year, the list's own conditions, rather than sending a header the list would reject."""
    seconds = env_int(seconds_name, 0, minimum=0, maximum=HSTS_MAX_SECONDS)
    subdomains = env_bool(subdomains_name, False)
    preload = env_bool(preload_name, False)
    if preload and (not subdomains or seconds < HSTS_PRELOAD_MIN_SECONDS):
        raise ImproperlyConfigured(
            f"{preload_name} needs {subdomains_name}=true and {seconds_name} of at least "
            f"{HSTS_PRELOAD_MIN_SECONDS} (a year)."
        )
    if subdomains and seconds == 0:
        raise ImproperlyConfigured(f"{subdomains_name} does nothing without {seconds_name} > 0.")
    return seconds, subdomains, preload


TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_backend(name: str, immediate_name: str) -> str:
    """Where background tasks run: `database` (the default), `rq` (Redis) or `immediate`.

    The older yes/no variable `immediate_name` still means `immediate`; set together with another
    backend it is a contradiction a deployment must resolve, not one we guess at."""
    immediate = env_bool(immediate_name, False)
    chosen = env_choice(name, "immediate" if immediate else "database", set(TASKS_BACKENDS))
    if immediate and chosen != "immediate":
        raise ImproperlyConfigured(
            f"{immediate_name}=true and {name}={chosen!r} disagree; unset {immediate_name} "
            f"(or set {name}=immediate)."
        )
    return chosen


def redis_url(name: str, *, required_by: str) -> str:
    """A Redis URL (redis://[user:password@]host[:port][/db], rediss://… for TLS, unix://path),
    required by `required_by`. A connect timeout is added unless the URL sets one, so a Redis that
    cannot be reached fails an enqueue in seconds instead of hanging a request."""
    from urllib.parse import urlsplit

    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is required by {required_by}; set it to redis://host:6379/0 (rediss:// for TLS)."
        )
    try:
        parts = urlsplit(value)
        _port = parts.port  # a port that is no number raises here
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid Redis URL (bad port).") from None
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name} must start with redis://, rediss:// or unix:// (got {parts.scheme or 'none'}://)."
        )
    if parts.scheme == "unix" and not parts.path:
        raise ImproperlyConfigured(f"{name} names no socket path (unix:///run/redis.sock).")
    if parts.scheme != "unix":
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} names no host (redis://host:6379/0).")
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise ImproperlyConfigured(f"{name}: the database after the host must be a number.")
    if "socket_connect_timeout" not in parts.query:
        value += ("&" if parts.query else "?") + "socket_connect_timeout=5"
    return value


def broker_installed(name: str) -> None:
    """The `rq` backend needs the optional `broker` packages; say how to get them."""
    import importlib.util

    if importlib.util.find_spec("django_tasks_rq") is None:
        raise ImproperlyConfigured(
            f"{name}=rq needs the broker packages: pip install 'cccd[broker]' (make venv has them)."
        )
