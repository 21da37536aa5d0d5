"""Reading the centre's result file (`docs/production-format.md`): a zip of exactly `result.json`
and `result.sig`, opened only within `cccd.filebounds`' bounds, and `result.json` checked field by
field (its format and version, no repeated key, every dossier's outcome of the right shape). What
the result says about the batch and its dossiers is checked against the database by the import
(`services.import_result`).
"""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from cccd import filebounds
from cccd.enrollments.production import errors

RESULT_FORMAT, RESULT_VERSION = "cccd-production-result", 1
RESULT_MAX_MB = 8  # a result line is ~250 bytes: 2,000 dossiers make ~0.5 MB, so 8 MB is generous
RESULT_MEMBERS = ("result.json", "result.sig")
RESULT_MAX_PARTS = 16  # more than the two is refused by name (RESULT_MEMBERS); far more, unread

_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SERIAL = re.compile(r"^[A-Z0-9]{4,32}$")
_CARD_NUMBER = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Outcome:
    code: str
    produced: bool
    card_number: str = ""
    issue_date: datetime.date | None = None
    expiry: datetime.date | None = None
    chip_serial: str = ""
    reason: str = ""


def _members(data: bytes) -> tuple[bytes, bytes]:
    """The two members of a result zip, read only once the archive is within `cccd.filebounds`'
    bounds (a few parts, at most RESULT_MAX_MB unpacked, no zip bomb, no unsafe names)."""
    buffer = io.BytesIO(data)
    filebounds.check_zip(
        buffer, max_unpacked=RESULT_MAX_MB * 1024 * 1024, max_parts=RESULT_MAX_PARTS
    )
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = archive.namelist()
            if sorted(names) != sorted(RESULT_MEMBERS):
                raise errors.RESULT_MEMBERS(names=", ".join(n[:60] for n in names[:10]) or "—")
            return archive.read("result.json"), archive.read("result.sig")
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
    ):
        raise errors.RESULT_NOT_A_ZIP() from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice")
    return dict(pairs)


def _malformed(detail: str) -> Exception:
    return errors.RESULT_MALFORMED(detail=detail)


def _text(
    obj: dict[str, Any], key: str, pattern: re.Pattern[str] | None = None, *, where: str = ""
) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip() or (pattern and not pattern.match(value)):
        raise _malformed(f"“{key}” {where}is missing or not valid")
    return value


def _day(
    obj: dict[str, Any], key: str, *, where: str, nullable: bool = False
) -> datetime.date | None:
    value = obj.get(key)
    if value is None and nullable and key in obj:
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise _malformed(f"“{key}” {where}is not a date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _malformed(f"“{key}” {where}is not a date (YYYY-MM-DD)") from None


_PRODUCED_KEYS = {"code", "outcome", "card_number", "card_issue_date", "card_expiry", "chip_serial"}
_REJECTED_KEYS = {"code", "outcome", "reason"}
_RESULT_KEYS = {
    "format",
    "version",
    "result_id",
    "batch_code",
    "batch_sha256",
    "produced_at",
    "dossiers",
}


def _outcome(item: object, index: int) -> Outcome:
    if not isinstance(item, dict):
        raise _malformed(f"dossier {index + 1} is not an object")
    where = f"of dossier {index + 1} "
    code = _text(item, "code", _CODE, where=where)
    where = f"of dossier {code} "
    outcome = item.get("outcome")
    if outcome == "produced" and set(item) == _PRODUCED_KEYS:
        return Outcome(
            code,
            True,
            card_number=_text(item, "card_number", _CARD_NUMBER, where=where),
            issue_date=_day(item, "card_issue_date", where=where),
            expiry=_day(item, "card_expiry", where=where, nullable=True),
            chip_serial=_text(item, "chip_serial", _SERIAL, where=where),
        )
    if outcome == "rejected" and set(item) == _REJECTED_KEYS:
        reason = _text(item, "reason", where=where)
        return Outcome(code, False, reason=" ".join(reason.split())[:300])
    if outcome not in ("produced", "rejected"):
        raise _malformed(f"the outcome {where}is neither “produced” nor “rejected”")
    raise _malformed(f"the fields {where}are not those of a “{outcome}” outcome")


def parse_result(result_json: bytes) -> tuple[dict[str, Any], list[Outcome]]:
    """The result's header and outcomes, every field checked for its type and form."""
    try:
        header = json.loads(result_json.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError):
        raise _malformed("result.json is not valid JSON (UTF-8, no repeated keys)") from None
    if not isinstance(header, dict):
        raise _malformed("result.json is not an object")
    if header.get("format") != RESULT_FORMAT or header.get("version") != RESULT_VERSION:
        raise errors.RESULT_WRONG_FORMAT(
            format=str(header.get("format"))[:40],
            version=str(header.get("version"))[:10],
            expected=RESULT_FORMAT,
            expected_version=RESULT_VERSION,
        )
    if set(header) != _RESULT_KEYS:
        raise _malformed("result.json does not have exactly the fields of version 1")
    _text(header, "result_id", _CODE)
    _text(header, "batch_code", _CODE)
    _text(header, "batch_sha256", _HEX64)
    try:
        produced_at = datetime.datetime.fromisoformat(_text(header, "produced_at"))
    except ValueError:
        raise _malformed("“produced_at” is not a date and time") from None
    if produced_at.tzinfo is None:
        raise _malformed("“produced_at” has no time zone")
    header["produced_at"] = produced_at
    items = header["dossiers"]
    if not isinstance(items, list) or not items:
        raise _malformed("“dossiers” is not a list of dossiers")
    outcomes = [_outcome(item, i) for i, item in enumerate(items)]
    codes = [o.code for o in outcomes]
    twice = (
        sorted({c for c in codes if codes.count(c) > 1}) if len(set(codes)) != len(codes) else []
    )
    if twice:
        raise _malformed("dossier " + ", ".join(twice[:10]) + " is listed more than once")
    return header, outcomes


def read_result_zip(data: bytes) -> tuple[bytes, bytes]:
    """`result.json` and `result.sig` of an uploaded result, refused when empty or larger than
    RESULT_MAX_MB before the zip is opened."""
    if not data:
        raise errors.RESULT_EMPTY()
    if len(data) > RESULT_MAX_MB * 1024 * 1024:
        raise errors.RESULT_TOO_LARGE(size=f"{len(data) / 1048576:.1f}", limit=RESULT_MAX_MB)
    return _members(data)
