"""A kit's data folder, as a thief would find it: the real `cccd` in field mode, in processes of its
own, on a data folder of its own.

One folder is set up for the module (`cccd migrate`, then a unit, a person and a photo written
through the ORM and the default storage); a copy of it is taken while the writing process still
holds its database open, so that the write-ahead log is in it too — the laptop taken while
running, or after a power cut. Then every byte of both is searched."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

from cccd.core import names
from cccd.fieldkit import errors

pytestmark = pytest.mark.xdist_group("atrest_kit")  # one worker builds the module fixtures once

WORKTREE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSPHRASE = "Tổ 3 Đắk Lao, đêm 6 tháng 3"
FULL_NAME = "Phạm Thị Quỳnh Hương Lâm Đồng"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 8 + b"\xff\xd9"
WAIT = 600  # seconds a command may take before the test gives up (not a sleep)


def kit_env(data_dir: Path, **variables: str) -> dict[str, str]:
    """The environment of a kit's process: this worktree's code, field mode, the passphrase."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CCCD_", "DATABASE_URL", "DJANGO_"))
    }
    environ.update(
        PYTHONPATH=os.pathsep.join([str(WORKTREE / "src"), str(WORKTREE)]),
        DJANGO_SETTINGS_MODULE="cccd.settings",
        CCCD_DEMO_TOOLS="true",
        CCCD_DATA_DIR=str(data_dir),
        CCCD_FIELD_MODE="true",
        CCCD_KIT_PASSPHRASE=PASSPHRASE,
    )
    environ.update(variables)
    return {name: value for name, value in environ.items() if value}


def run(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        args, env=environ, cwd=WORKTREE, capture_output=True, text=True, timeout=WAIT, check=False
    )


def cccd(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run([str(BIN / "cccd"), *args], environ)


WRITE = """
import json, os, shutil, sys
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from tests.builders import make_person, make_tree

tree = make_tree()
person = make_person(tree.daklao, sys.argv[1], "12/03/2010", "F")
name = default_storage.save("captures/2026/03/photo-0.jpeg", ContentFile(bytes.fromhex(sys.argv[2])))
with connection.cursor() as cursor:
    cursor.execute("PRAGMA cipher_version")
    cipher = cursor.fetchone()[0]
wal = connection.settings_dict["NAME"] + "-wal"
shutil.copytree(os.environ["CCCD_DATA_DIR"], sys.argv[3])  # while the database is open
print(json.dumps({"personal_id": person.personal_id, "name": name, "cipher": cipher,
                  "wal": os.path.getsize(wal), "storage": type(default_storage._wrapped).__name__}))
"""

READ = """
import hashlib, json, sys
import django
django.setup()
from django.core.files.storage import default_storage
from cccd.registry.models import Person

person = Person.objects.get(personal_id=sys.argv[1])
with default_storage.open(sys.argv[2]) as file:
    digest = hashlib.sha256(file.read()).hexdigest()
print(json.dumps({"full_name": person.full_name, "sha256": digest,
                  "size": default_storage.size(sys.argv[2])}))
"""


@dataclass(frozen=True)
class Kit:
    data_dir: Path
    snapshot: Path  # taken while the writer was running
    personal_id: str
    stored_name: str
    written: dict[str, object]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    root = tmp_path_factory.mktemp("kit")
    data_dir = root / "data"
    environ = kit_env(data_dir)
    migrated = cccd("migrate", "-v", "0", environ=environ)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    snapshot = root / "snapshot"
    wrote = run([sys.executable, "-c", WRITE, FULL_NAME, JPEG.hex(), str(snapshot)], environ)
    assert wrote.returncode == 0, wrote.stderr[-3000:]
    written = json.loads(wrote.stdout.strip().splitlines()[-1])
    return Kit(data_dir, snapshot, str(written["personal_id"]), str(written["name"]), written)


def every_file(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_kit_ran_on_sqlcipher_and_the_encrypted_storage(kit: Kit) -> None:
    assert kit.written["cipher"]
    assert kit.written["storage"] == "EncryptedFileSystemStorage"
    assert int(str(kit.written["wal"])) > 0  # the snapshot holds a write-ahead log with the data


@pytest.mark.parametrize("which", ["snapshot", "data_dir"])
def test_a_stolen_kit_gives_no_name_no_number_no_photo(kit: Kit, which: str) -> None:
    folder: Path = getattr(kit, which)
    files = every_file(folder)
    names_found = set(files)
    assert "cccd.sqlite3" in names_found and kit.stored_name in {
        n.removeprefix("media/") for n in names_found
    }
    if which == "snapshot":
        assert {"cccd.sqlite3-wal", "cccd.sqlite3-shm"} <= names_found
    folded = names.fold(FULL_NAME).encode("ascii")
    needles = {
        "the name (UTF-8)": FULL_NAME.encode("utf-8"),
        "the name (UTF-8, decomposed)": unicodedata.normalize("NFD", FULL_NAME).encode("utf-8"),
        "the name (UTF-16)": FULL_NAME.encode("utf-16-le"),
        "the name, folded": folded.lower(),
        "the given name, folded": b"quynh huong lam dong",
        "the personal ID": kit.personal_id.encode("ascii"),
        "the personal ID (UTF-16)": kit.personal_id.encode("utf-16-le"),
        "a JPEG's opening (its mark and JFIF header)": JPEG[:16],
        "the photo's bytes": JPEG[100:164],
        "a plain SQLite file": b"SQLite format 3",
    }
    for file_name, data in files.items():
        # JPEG's 3-byte mark alone turns up by chance in a megabyte of ciphertext (one in 2^24 per
        # offset): no file *starts* with it, and its 16-byte opening is nowhere.
        assert not data.startswith(b"\xff\xd8\xff"), f"a JPEG file: {file_name}"
        lowered = data.lower()
        for what, needle in needles.items():
            assert needle.lower() not in lowered, f"{what} found in {file_name}"


def test_the_folder_opens_again_with_the_passphrase(kit: Kit) -> None:
    read = run(
        [sys.executable, "-c", READ, kit.personal_id, kit.stored_name], kit_env(kit.data_dir)
    )
    assert read.returncode == 0, read.stderr[-3000:]
    found = json.loads(read.stdout.strip().splitlines()[-1])
    assert found == {
        "full_name": FULL_NAME,
        "sha256": hashlib.sha256(JPEG).hexdigest(),
        "size": len(JPEG),
    }


def test_the_stolen_copy_opens_with_the_passphrase_too(kit: Kit) -> None:
    """What was in the write-ahead log when the copy was taken is not lost: SQLCipher replays it."""
    read = run(
        [sys.executable, "-c", READ, kit.personal_id, kit.stored_name], kit_env(kit.snapshot)
    )
    assert read.returncode == 0, read.stderr[-3000:]
    assert json.loads(read.stdout.strip().splitlines()[-1])["full_name"] == FULL_NAME


COUNT = "from cccd.registry.models import Person; print(Person.objects.count())"


def test_a_wrong_passphrase_is_refused_with_its_sentence(kit: Kit) -> None:
    refused = cccd(
        "shell",
        "-c",
        COUNT,
        environ=kit_env(kit.data_dir, CCCD_KIT_PASSPHRASE="Tổ 3 Đắk Lao, đêm 7"),
    )
    assert refused.returncode != 0
    with translation.override("vi"):  # the kit's language (LANGUAGE_CODE)
        sentence = str(errors.AT_REST_PASSPHRASE_WRONG.message)
    assert f"AT_REST_PASSPHRASE_WRONG: {sentence}" in refused.stderr
    assert "file is not a database" not in refused.stderr
    assert "Traceback" not in refused.stderr  # the sentence alone, for the team leader to read
    assert PASSPHRASE not in refused.stderr + refused.stdout


def test_no_passphrase_is_refused_with_its_sentence(kit: Kit) -> None:
    refused = cccd("shell", "-c", COUNT, environ=kit_env(kit.data_dir, CCCD_KIT_PASSPHRASE=""))
    assert refused.returncode != 0
    assert "AT_REST_PASSPHRASE_MISSING" in refused.stderr
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_a_passphrase_file_in_the_data_folder_is_refused(kit: Kit, tmp_path: Path) -> None:
    inside = kit.data_dir / "passphrase.txt"
    inside.write_text(PASSPHRASE, encoding="utf-8")
    try:
        environ = kit_env(
            kit.data_dir, CCCD_KIT_PASSPHRASE="", CCCD_KIT_PASSPHRASE_FILE=str(inside)
        )
        refused = cccd("shell", "-c", COUNT, environ=environ)
    finally:
        inside.unlink()
    assert refused.returncode != 0
    assert "AT_REST_PASSPHRASE_FILE_INSIDE_DATA" in refused.stderr
    outside = tmp_path / "usb" / "passphrase.txt"
    outside.parent.mkdir()
    outside.write_text(PASSPHRASE + "\n", encoding="utf-8")
    environ = kit_env(kit.data_dir, CCCD_KIT_PASSPHRASE="", CCCD_KIT_PASSPHRASE_FILE=str(outside))
    counted = cccd("shell", "-c", COUNT, environ=environ)
    assert counted.returncode == 0, counted.stderr[-3000:]
    assert counted.stdout.strip().splitlines()[-1] == "1"


def test_field_mode_on_postgresql_is_refused(tmp_path: Path) -> None:
    environ = kit_env(tmp_path / "data", DATABASE_URL="postgresql://cccd:x@127.0.0.1:5432/cccd")
    refused = cccd("check", environ=environ)
    assert refused.returncode != 0
    assert (
        "CCCD_FIELD_MODE=true runs a field kit on its own encrypted SQLite database"
        in refused.stderr
    )


def test_field_mode_on_a_plain_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with closing(sqlite3.connect(tmp_path / "data" / "cccd.sqlite3")) as plain:
        plain.execute("CREATE TABLE left_from_before (id integer)")
        plain.commit()
    refused = cccd("shell", "-c", COUNT, environ=kit_env(tmp_path / "data"))
    assert refused.returncode != 0
    assert "AT_REST_DATABASE_NOT_ENCRYPTED" in refused.stderr


def test_the_test_runner_creates_its_database_through_sqlcipher(tmp_path: Path) -> None:
    suite = Path(__file__).with_name("field_mode_suite.py")
    ran = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            str(suite),
        ],
        kit_env(tmp_path / "data"),
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "3 passed" in ran.stdout
