"""Reading settings from environment variables, strictly.

A typo in a deployment's environment must stop start-up with a sentence that names the variable
and what it accepts, not run with a silently different value.
"""

import os
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
