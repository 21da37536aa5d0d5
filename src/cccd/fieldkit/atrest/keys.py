"""The at-rest key: derived from the team leader's passphrase, unlocked once per process.

The passphrase comes from the environment (`CCCD_KIT_PASSPHRASE`) or from a file it names
(`CCCD_KIT_PASSPHRASE_FILE`), which must lie outside the data folder: the point is that the data
folder alone — what a thief takes — does not hold the key. The folder keeps only
`kit-at-rest.json`: the salt, the KDF's parameters and a verifier. The verifier lets a wrong
passphrase be refused at start with a sentence (rather than SQLCipher's "file is not a
database"); it gives a thief nothing the encrypted database does not already give (either one
lets a guess be checked), and checking a guess costs a full scrypt either way.

Key derivation:

- **scrypt** (RFC 7914), n = 2^17, r = 8, p = 1: 128 MiB of memory and about half a second per
  guess on a laptop, once per start. scrypt is memory-hard, so a thief's guessing on graphics
  cards or dedicated chips costs memory as well as time; these are the parameters OWASP's
  password storage advice gives as its scrypt minimum ([unverified] as of this writing), spent
  once per start rather than once per log-in.
- **HKDF-SHA256** from scrypt's 32 bytes to separate keys: one for the database (SQLCipher's raw
  key, so SQLCipher's own PBKDF2 is skipped), one for files (AES-256-GCM), one for the verifier.
  A key used for one purpose is never used for another.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from cccd.errors import DomainError
from cccd.fieldkit import errors

PASSPHRASE_VARIABLE = "CCCD_KIT_PASSPHRASE"  # noqa: S105 (a variable's name)
PASSPHRASE_FILE_VARIABLE = "CCCD_KIT_PASSPHRASE_FILE"  # noqa: S105
STATE_FILE = "kit-at-rest.json"
FORMAT = "cccd-kit-at-rest"
VERSION = 1

MIN_PASSPHRASE_LENGTH = 12
"""Characters. The KDF slows each guess; it cannot make a short passphrase long."""
MAX_PASSPHRASE_FILE_BYTES = 4096
MAX_STATE_BYTES = 4096
DEFAULT_N = 2**17


@dataclass(frozen=True)
class KdfParameters:
    """scrypt's cost parameters and salt, as kept in `kit-at-rest.json`."""

    salt: bytes
    n: int = DEFAULT_N
    r: int = 8
    p: int = 1

    def memory_bytes(self) -> int:
        return 128 * self.n * self.r * self.p


BOUNDS = {"n": (2**10, 2**20), "r": (1, 16), "p": (1, 4)}
"""What a `kit-at-rest.json` may ask for: a changed file must not make start-up take gigabytes."""
SALT_BYTES = 16


@dataclass(frozen=True, repr=False)
class AtRestKeys:
    """The keys of one data folder, each 32 bytes. Never printed (`repr` shows nothing)."""

    database: bytes
    files: bytes

    def __repr__(self) -> str:
        return "AtRestKeys(…)"

    def sqlcipher_key_pragma(self) -> str:
        """The statement that gives SQLCipher its raw 256-bit key (no KDF of its own)."""
        return f"PRAGMA key = \"x'{self.database.hex()}'\""


def _subkey(master: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"cccd field kit: at rest v1: {purpose}".encode("ascii"),
    ).derive(master)


def derive(passphrase: bytes, parameters: KdfParameters) -> tuple[AtRestKeys, bytes]:
    """The keys and the verifier for `passphrase` under `parameters` (one scrypt)."""
    master = Scrypt(
        salt=parameters.salt, length=32, n=parameters.n, r=parameters.r, p=parameters.p
    ).derive(passphrase)
    keys = AtRestKeys(database=_subkey(master, "database"), files=_subkey(master, "files"))
    return keys, _subkey(master, "verifier")


# --- the passphrase -----------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_passphrase(data_dir: Path, environ: Mapping[str, str] | None = None) -> bytes:
    """The passphrase as UTF-8 bytes, from the variable or the file; refused when missing, given
    twice, too short, or kept in a file inside the data folder."""
    environ = os.environ if environ is None else environ
    direct = environ.get(PASSPHRASE_VARIABLE, "")
    file_name = environ.get(PASSPHRASE_FILE_VARIABLE, "")
    if direct and file_name:
        raise errors.AT_REST_PASSPHRASE_TWICE()
    if file_name:
        text = _passphrase_from_file(Path(file_name), data_dir)
    elif direct:
        text = direct
    else:
        raise errors.AT_REST_PASSPHRASE_MISSING()
    if len(text) < MIN_PASSPHRASE_LENGTH:
        raise errors.AT_REST_PASSPHRASE_TOO_SHORT(length=len(text), minimum=MIN_PASSPHRASE_LENGTH)
    return text.encode("utf-8")


def _passphrase_from_file(path: Path, data_dir: Path) -> str:
    """The file's text without its final line break. Refused inside the data folder, judged after
    links are followed (a link in /tmp to a file in the folder is still in the folder)."""
    unreadable = errors.AT_REST_PASSPHRASE_FILE_UNREADABLE(limit=MAX_PASSPHRASE_FILE_BYTES)
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise unreadable from None
    if _inside(resolved, data_dir.resolve()):
        raise errors.AT_REST_PASSPHRASE_FILE_INSIDE_DATA()
    try:
        if not resolved.is_file() or resolved.stat().st_size > MAX_PASSPHRASE_FILE_BYTES:
            raise unreadable
        text = resolved.read_bytes()[: MAX_PASSPHRASE_FILE_BYTES + 1].decode("utf-8")
    except (OSError, UnicodeDecodeError):
        raise unreadable from None
    return text.removesuffix("\n").removesuffix("\r")


# --- kit-at-rest.json ---------------------------------------------------------------------------


def state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def _state_text(parameters: KdfParameters, verifier: bytes) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "kdf": "scrypt",
            "salt": parameters.salt.hex(),
            "n": parameters.n,
            "r": parameters.r,
            "p": parameters.p,
            "verifier": verifier.hex(),
        },
        indent=1,
    )


def _hex(value: Any, size: int) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * size:
        raise ValueError("wrong length")
    return bytes.fromhex(value)


def read_state(data_dir: Path) -> tuple[KdfParameters, bytes] | None:
    """The parameters and verifier kept in the folder; None when there is no state file."""
    path = state_path(data_dir)
    try:
        if path.stat().st_size > MAX_STATE_BYTES:
            raise errors.AT_REST_STATE_UNREADABLE()
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise errors.AT_REST_STATE_UNREADABLE() from None
    try:
        if not isinstance(data, dict) or (
            data.get("format"),
            data.get("version"),
            data.get("kdf"),
        ) != (
            FORMAT,
            VERSION,
            "scrypt",
        ):
            raise ValueError("not ours")
        costs = {name: data[name] for name in BOUNDS}
        for name, (low, high) in BOUNDS.items():
            value = costs[name]
            if type(value) is not int or not low <= value <= high:
                raise ValueError(name)
        if costs["n"] & (costs["n"] - 1):
            raise ValueError("n is not a power of two")
        parameters = KdfParameters(salt=_hex(data["salt"], SALT_BYTES), **costs)
        return parameters, _hex(data["verifier"], 32)
    except (KeyError, ValueError):
        raise errors.AT_REST_STATE_UNREADABLE() from None


def _create_state(data_dir: Path, passphrase: bytes, n: int) -> AtRestKeys:
    """A new salt, written so that two processes starting together agree on one: the file is
    written whole under a temporary name and linked into place only if none is there yet."""
    parameters = KdfParameters(salt=secrets.token_bytes(SALT_BYTES), n=n)
    keys, verifier = derive(passphrase, parameters)
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = data_dir / f".{STATE_FILE}.{secrets.token_hex(8)}"
    temporary.write_text(_state_text(parameters, verifier), encoding="ascii")
    try:
        os.link(temporary, state_path(data_dir))
    except FileExistsError:
        return _unlock_existing(data_dir, passphrase)  # another process was first: its salt
    finally:
        temporary.unlink()
    return keys


def _unlock_existing(data_dir: Path, passphrase: bytes) -> AtRestKeys:
    state = read_state(data_dir)
    if state is None:
        raise errors.AT_REST_STATE_MISSING()
    parameters, verifier = state
    keys, expected = derive(passphrase, parameters)
    if not hmac.compare_digest(verifier, expected):
        raise errors.AT_REST_PASSPHRASE_WRONG()
    return keys


# --- unlocking, once per process ----------------------------------------------------------------

_cache: dict[Path, AtRestKeys] = {}
_lock = threading.Lock()


def unlock(
    data_dir: Path,
    *,
    may_set_up: bool,
    environ: Mapping[str, str] | None = None,
    n: int = DEFAULT_N,
) -> AtRestKeys:
    """The keys of `data_dir`, from the passphrase in the environment.

    The first call in a process reads the passphrase, derives the keys (one scrypt) and checks
    them against the folder's verifier; later calls for the folder return them from memory,
    without reading the passphrase again (the USB key that held its file may have left with the
    team leader). When the
    folder has no `kit-at-rest.json` yet it is set up (a new salt) if `may_set_up` — only the
    database backend, on a database not yet created, may do that — and refused otherwise. `n` is
    scrypt's cost for a folder being set up (tests use less); an existing folder's is its own."""
    folder = data_dir.resolve()
    with _lock:
        if (keys := _cache.get(folder)) is None:
            passphrase = read_passphrase(folder, environ)
            if may_set_up and read_state(folder) is None:
                keys = _create_state(folder, passphrase, n)
            else:
                keys = _unlock_existing(folder, passphrase)
            _cache[folder] = keys
        return keys


def forget() -> None:
    """Drop the keys held in memory (tests; a kit that locks itself)."""
    with _lock:
        _cache.clear()


def refusal_sentence(error: DomainError) -> str:
    """`CODE: sentence`, for a start-up refusal shown on the console."""
    return f"{error.code}: {error.message}"
