"""The kit's data at rest: the key from the passphrase, and the encrypted file storage.

The whole kit (SQLCipher database, storage, `cccd` commands) is tested on a real data folder in
`test_atrest_kit.py`; here the parts, in process, with scrypt at a low cost (a folder's cost is
kept in its `kit-at-rest.json`, so a test may choose it)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from cccd.fieldkit.atrest import keys, storage
from tests.fieldkit.refusals import refused

PASSPHRASE = "tổ trưởng Đắk Lao 2026"
CHEAP = 2**10


@pytest.fixture(autouse=True)
def _no_keys_in_memory() -> Iterator[None]:
    keys.forget()
    yield
    keys.forget()


def env(passphrase: str = PASSPHRASE) -> dict[str, str]:
    return {keys.PASSPHRASE_VARIABLE: passphrase}


def set_up(folder: Path, passphrase: str = PASSPHRASE) -> keys.AtRestKeys:
    return keys.unlock(folder, may_set_up=True, environ=env(passphrase), n=CHEAP)


# --- the key ------------------------------------------------------------------------------------


def test_a_new_folder_gets_a_salt_and_a_verifier_and_no_key(tmp_path: Path) -> None:
    at_rest = set_up(tmp_path)
    state = json.loads((tmp_path / keys.STATE_FILE).read_text())
    assert state["format"] == "cccd-kit-at-rest" and state["kdf"] == "scrypt"
    assert (state["n"], state["r"], state["p"]) == (CHEAP, 8, 1)
    assert len(bytes.fromhex(state["salt"])) == 16
    stored = (tmp_path / keys.STATE_FILE).read_bytes()
    for secret in (at_rest.database, at_rest.files):
        assert secret.hex().encode() not in stored and secret not in stored
    assert PASSPHRASE.encode() not in stored
    assert len(at_rest.database) == len(at_rest.files) == 32
    assert at_rest.database != at_rest.files  # one key per purpose
    assert "AtRestKeys(…)" == repr(at_rest) and at_rest.database.hex() not in repr(at_rest)
    assert [p.name for p in tmp_path.iterdir()] == [keys.STATE_FILE]  # no temporary file left


def test_the_default_cost_is_memory_hard() -> None:
    parameters = keys.KdfParameters(salt=b"\0" * 16)
    assert parameters.memory_bytes() == 128 * 1024 * 1024


def test_the_same_passphrase_opens_the_folder_again(tmp_path: Path) -> None:
    first = set_up(tmp_path)
    keys.forget()
    again = keys.unlock(tmp_path, may_set_up=False, environ=env())
    assert again == first


def test_two_folders_with_one_passphrase_have_different_keys(tmp_path: Path) -> None:
    assert set_up(tmp_path / "a") != set_up(tmp_path / "b")


def test_a_wrong_passphrase_is_refused_with_a_sentence(tmp_path: Path) -> None:
    set_up(tmp_path)
    keys.forget()
    error = refused(
        "AT_REST_PASSPHRASE_WRONG",
        lambda: keys.unlock(tmp_path, may_set_up=False, environ=env("tổ trưởng Đắk Lao 2025")),
    )
    assert "2025" not in error.message and "2026" not in error.message


def test_once_unlocked_the_passphrase_file_may_leave(tmp_path: Path) -> None:
    """The team leader pulls out the USB key after start: the kit goes on."""
    usb = tmp_path / "usb" / "passphrase"
    usb.parent.mkdir()
    usb.write_text(PASSPHRASE)
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(usb)}
    first = keys.unlock(tmp_path / "data", may_set_up=True, environ=environ, n=CHEAP)
    usb.unlink()
    assert keys.unlock(tmp_path / "data", may_set_up=False, environ=environ) == first
    keys.forget()
    refused(
        "AT_REST_PASSPHRASE_FILE_UNREADABLE",
        lambda: keys.unlock(tmp_path / "data", may_set_up=False, environ=environ),
    )


def test_the_key_is_derived_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(tmp_path)
    calls: list[int] = []
    real = keys.derive

    def counted(*args: Any) -> tuple[keys.AtRestKeys, bytes]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(keys, "derive", counted)
    for _ in range(3):
        keys.unlock(tmp_path, may_set_up=False, environ=env())
    assert calls == []


@pytest.mark.parametrize("environ", [{}, {keys.PASSPHRASE_VARIABLE: ""}])
def test_a_missing_passphrase_is_refused(tmp_path: Path, environ: dict[str, str]) -> None:
    refused(
        "AT_REST_PASSPHRASE_MISSING",
        lambda: keys.unlock(tmp_path, may_set_up=True, environ=environ),
    )
    assert not (tmp_path / keys.STATE_FILE).exists()


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    error = refused("AT_REST_PASSPHRASE_TOO_SHORT", lambda: set_up(tmp_path, "hunter2"))
    assert error.params == {"length": 7, "minimum": keys.MIN_PASSPHRASE_LENGTH}


def test_a_passphrase_given_twice_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "usb" / "passphrase"
    outside.parent.mkdir()
    outside.write_text(PASSPHRASE)
    environ = {**env(), keys.PASSPHRASE_FILE_VARIABLE: str(outside)}
    refused("AT_REST_PASSPHRASE_TWICE", lambda: keys.read_passphrase(tmp_path / "data", environ))


def test_the_passphrase_from_a_file_outside_the_data_folder(tmp_path: Path) -> None:
    outside = tmp_path / "usb" / "passphrase"
    outside.parent.mkdir()
    outside.write_text(PASSPHRASE + "\n", encoding="utf-8")
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(outside)}
    assert keys.read_passphrase(tmp_path / "data", environ) == PASSPHRASE.encode()
    from_file = keys.unlock(tmp_path / "data", may_set_up=True, environ=environ, n=CHEAP)
    keys.forget()
    assert keys.unlock(tmp_path / "data", may_set_up=False, environ=env()) == from_file


@pytest.mark.parametrize("where", ["passphrase", "sub/passphrase", "."])
def test_a_passphrase_file_inside_the_data_folder_is_refused(tmp_path: Path, where: str) -> None:
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    inside = data / where
    if where != ".":
        inside.write_text(PASSPHRASE)
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(inside)}
    refused("AT_REST_PASSPHRASE_FILE_INSIDE_DATA", lambda: keys.read_passphrase(data, environ))


def test_a_link_outside_to_a_passphrase_file_inside_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "passphrase").write_text(PASSPHRASE)
    link = tmp_path / "looks-outside"
    link.symlink_to(data / "passphrase")
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(link)}
    refused("AT_REST_PASSPHRASE_FILE_INSIDE_DATA", lambda: keys.read_passphrase(data, environ))


def test_a_data_folder_given_through_a_link_still_refuses_the_file_inside(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "passphrase").write_text(PASSPHRASE)
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(tmp_path / "real" / "passphrase")}
    refused(
        "AT_REST_PASSPHRASE_FILE_INSIDE_DATA",
        lambda: keys.read_passphrase(tmp_path / "alias", environ),
    )


@pytest.mark.parametrize("content", [None, "dir", b"\xff\xfe not utf-8", b"x" * 5000])
def test_an_unreadable_passphrase_file_is_refused(tmp_path: Path, content: object) -> None:
    path = tmp_path / "passphrase"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    environ = {keys.PASSPHRASE_FILE_VARIABLE: str(path)}
    refused(
        "AT_REST_PASSPHRASE_FILE_UNREADABLE",
        lambda: keys.read_passphrase(tmp_path / "data", environ),
    )


def test_a_folder_without_its_state_is_not_set_up_by_a_reader(tmp_path: Path) -> None:
    refused(
        "AT_REST_STATE_MISSING",
        lambda: keys.unlock(tmp_path, may_set_up=False, environ=env()),
    )
    assert not (tmp_path / keys.STATE_FILE).exists()


def _rewrite_state(folder: Path, **changes: object) -> None:
    path = folder / keys.STATE_FILE
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


@pytest.mark.parametrize(
    "changes",
    [
        {"n": 2**30},  # gigabytes of memory at every start
        {"n": 3000},  # not a power of two
        {"r": 0},
        {"p": 99},
        {"n": True},
        {"salt": "00"},
        {"verifier": "zz" * 32},
        {"kdf": "pbkdf2"},
        {"version": 2},
        {"format": "something else"},
    ],
)
def test_a_changed_state_file_is_refused_before_any_kdf(
    tmp_path: Path, changes: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_up(tmp_path)
    keys.forget()
    _rewrite_state(tmp_path, **changes)
    monkeypatch.setattr(keys, "derive", lambda *a: pytest.fail("derived from a refused file"))
    refused(
        "AT_REST_STATE_UNREADABLE", lambda: keys.unlock(tmp_path, may_set_up=False, environ=env())
    )


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b"null", b" " * 5000])
def test_an_unreadable_state_file_is_refused(tmp_path: Path, content: bytes) -> None:
    (tmp_path / keys.STATE_FILE).write_bytes(content)
    refused(
        "AT_REST_STATE_UNREADABLE", lambda: keys.unlock(tmp_path, may_set_up=True, environ=env())
    )


def test_a_changed_salt_is_a_wrong_passphrase(tmp_path: Path) -> None:
    set_up(tmp_path)
    keys.forget()
    _rewrite_state(tmp_path, salt="11" * 16)
    refused(
        "AT_REST_PASSPHRASE_WRONG", lambda: keys.unlock(tmp_path, may_set_up=False, environ=env())
    )


def test_two_processes_setting_up_together_agree_on_one_salt(tmp_path: Path) -> None:
    """One that saw no state file, but finds one when it links its own, takes the first one's salt
    instead of its own."""
    first = set_up(tmp_path)
    keys.forget()
    second = keys._create_state(tmp_path.resolve(), PASSPHRASE.encode(), CHEAP)
    assert second == first
    assert sorted(p.name for p in tmp_path.iterdir()) == [keys.STATE_FILE]


def test_the_sqlcipher_pragma_names_the_raw_key(tmp_path: Path) -> None:
    at_rest = set_up(tmp_path)
    assert at_rest.sqlcipher_key_pragma() == f"PRAGMA key = \"x'{at_rest.database.hex()}'\""


# --- the file storage ---------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(2000) + b"\xff\xd9"


@pytest.fixture
def encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> storage.EncryptedFileSystemStorage:
    monkeypatch.setenv(keys.PASSPHRASE_VARIABLE, PASSPHRASE)
    monkeypatch.delenv(keys.PASSPHRASE_FILE_VARIABLE, raising=False)
    set_up(tmp_path)
    return storage.EncryptedFileSystemStorage(
        location=tmp_path / "media", key_folder=tmp_path, max_file_mb=1
    )


def test_a_stored_file_is_sealed_and_opens_to_its_bytes(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    name = encrypted.save("captures/2026/photo-0.jpeg", ContentFile(JPEG))
    assert name == "captures/2026/photo-0.jpeg"
    on_disk = (tmp_path / "media" / name).read_bytes()
    assert on_disk.startswith(b"CCCD-ATR\x01") and JPEG[:16] not in on_disk
    assert len(on_disk) == len(JPEG) + storage.OVERHEAD
    with encrypted.open(name) as file:
        assert file.read() == JPEG
    assert encrypted.size(name) == len(JPEG)
    assert (
        hashlib.sha256(encrypted.open(name).read()).hexdigest() == hashlib.sha256(JPEG).hexdigest()
    )
    assert sorted(p.name for p in (tmp_path / "media/captures/2026").iterdir()) == ["photo-0.jpeg"]


def test_the_same_file_saved_twice_is_sealed_differently(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    first = encrypted.save("a.jpeg", ContentFile(JPEG))
    second = encrypted.save("a.jpeg", ContentFile(JPEG))
    assert first != second  # a free name, as FileSystemStorage gives
    media = tmp_path / "media"
    assert (media / first).read_bytes() != (media / second).read_bytes()
    assert encrypted.open(second).read() == JPEG


def test_text_chunks_and_uploads_are_stored_as_bytes(
    encrypted: storage.EncryptedFileSystemStorage,
) -> None:
    name = encrypted.save("notes.txt", ContentFile("Đắk Lao"))
    assert encrypted.open(name).read() == "Đắk Lao".encode()
    upload = SimpleUploadedFile("photo.jpeg", JPEG, content_type="image/jpeg")
    assert encrypted.open(encrypted.save("up.jpeg", upload)).read() == JPEG
    assert encrypted.open(encrypted.save("empty", ContentFile(b""))).read() == b""


@pytest.mark.parametrize("where", [0, 8, 9, 20, 21, 500, -1])
def test_a_changed_byte_is_refused_not_returned(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path, where: int
) -> None:
    name = encrypted.save("photo.jpeg", ContentFile(JPEG))
    path = tmp_path / "media" / name
    data = bytearray(path.read_bytes())
    data[where] ^= 0x01
    path.write_bytes(bytes(data))
    error = refused("AT_REST_FILE_DAMAGED", lambda: encrypted.open(name))
    assert error.params == {"name": name}


@pytest.mark.parametrize("keep", [0, 8, storage.OVERHEAD - 1, storage.OVERHEAD, 100])
def test_a_cut_file_is_refused(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path, keep: int
) -> None:
    name = encrypted.save("photo.jpeg", ContentFile(JPEG))
    path = tmp_path / "media" / name
    path.write_bytes(path.read_bytes()[:keep])
    refused("AT_REST_FILE_DAMAGED", lambda: encrypted.open(name))


def test_a_file_put_in_place_of_another_is_refused(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    mine = encrypted.save("people/1/photo.jpeg", ContentFile(JPEG))
    theirs = encrypted.save("people/2/photo.jpeg", ContentFile(b"\xff\xd8\xff another face"))
    media = tmp_path / "media"
    (media / theirs).write_bytes((media / mine).read_bytes())
    refused("AT_REST_FILE_DAMAGED", lambda: encrypted.open(theirs))
    assert encrypted.open(mine).read() == JPEG


def test_a_name_asked_for_in_another_form_opens_the_same_file(
    encrypted: storage.EncryptedFileSystemStorage,
) -> None:
    encrypted.save("captures/photo.jpeg", ContentFile(JPEG))
    assert encrypted.open("captures/./photo.jpeg").read() == JPEG


def test_a_plain_file_left_in_the_folder_is_refused(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "planted.jpeg").write_bytes(JPEG)
    refused("AT_REST_FILE_DAMAGED", lambda: encrypted.open("planted.jpeg"))


def test_a_file_sealed_under_another_passphrase_is_refused(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    other = set_up(tmp_path / "other", "another team leader's words")
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "x.jpeg").write_bytes(storage.seal(other.files, "x.jpeg", JPEG))
    refused("AT_REST_FILE_DAMAGED", lambda: encrypted.open("x.jpeg"))


def test_a_file_too_large_is_refused_before_it_is_read(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    class Unread(ContentFile[bytes]):
        def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
            raise AssertionError("read")

    big = Unread(b"x" * (1024 * 1024 + 1), name="big")
    error = refused("AT_REST_FILE_TOO_LARGE", lambda: encrypted.save("big.bin", big))
    assert error.params == {"size": "1.0", "limit": "1.0"}
    assert not (tmp_path / "media" / "big.bin").exists()


def test_a_file_whose_size_is_not_told_is_still_bounded(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    class Untold(ContentFile[bytes]):
        size = None  # type: ignore[assignment]

    refused(
        "AT_REST_FILE_TOO_LARGE",
        lambda: encrypted.save("big.bin", Untold(b"x" * (2 * 1024 * 1024))),
    )
    assert not (tmp_path / "media" / "big.bin").exists()


def test_a_file_too_large_on_disk_is_refused_before_it_is_read(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "huge").write_bytes(b"\0" * (1024 * 1024 + storage.OVERHEAD + 1))
    refused("AT_REST_FILE_TOO_LARGE", lambda: encrypted.open("huge"))


def test_a_stored_file_is_opened_to_be_read_only(
    encrypted: storage.EncryptedFileSystemStorage,
) -> None:
    name = encrypted.save("photo.jpeg", ContentFile(JPEG))
    with pytest.raises(ValueError, match="read only"):
        encrypted.open(name, "wb")


def test_a_missing_file_is_missing(encrypted: storage.EncryptedFileSystemStorage) -> None:
    with pytest.raises(FileNotFoundError):
        encrypted.open("nothing.jpeg")
    assert not encrypted.exists("nothing.jpeg")


def test_a_damaged_size_is_refused(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "stub").write_bytes(b"CCCD")
    refused("AT_REST_FILE_DAMAGED", lambda: encrypted.size("stub"))


def test_the_storage_needs_its_key_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="key_folder"):
        storage.EncryptedFileSystemStorage(location=tmp_path)


def test_the_storage_does_not_set_a_folder_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keys.PASSPHRASE_VARIABLE, PASSPHRASE)
    bare = storage.EncryptedFileSystemStorage(location=tmp_path / "media", key_folder=tmp_path)
    refused("AT_REST_STATE_MISSING", lambda: bare.save("photo.jpeg", ContentFile(JPEG)))
    assert not (tmp_path / keys.STATE_FILE).exists()


def test_no_path_is_given_past_the_encryption(
    encrypted: storage.EncryptedFileSystemStorage,
) -> None:
    name = encrypted.save("photo.jpeg", ContentFile(JPEG))
    with pytest.raises(NotImplementedError):
        encrypted.path(name)


def test_a_report_replaced_in_place_is_sealed_too(
    encrypted: storage.EncryptedFileSystemStorage, tmp_path: Path
) -> None:
    """`replace_file` writes through a path when the storage gives one; this one gives none, so it
    saves through the storage, encrypted."""
    from cccd.reports.daily_report.atomic import replace_file

    name = "reports/daily/2026-03-06.csv"
    replace_file(encrypted, name, b"first")
    replace_file(encrypted, name, "Đắk Lao;12".encode())
    assert encrypted.open(name).read() == "Đắk Lao;12".encode()
    assert "Đắk Lao".encode() not in (tmp_path / "media" / name).read_bytes()
    assert encrypted.listdir("reports/daily") == ([], ["2026-03-06.csv"])


def test_the_storage_lists_dates_and_deletes(
    encrypted: storage.EncryptedFileSystemStorage,
) -> None:
    name = encrypted.save("captures/photo.jpeg", ContentFile(JPEG))
    assert encrypted.exists(name)
    assert encrypted.listdir("") == (["captures"], [])
    assert encrypted.listdir("captures") == ([], ["photo.jpeg"])
    for when in (
        encrypted.get_modified_time,
        encrypted.get_created_time,
        encrypted.get_accessed_time,
    ):
        assert when(name).tzinfo is not None
    encrypted.delete(name)
    encrypted.delete(name)  # gone already: nothing to do
    assert not encrypted.exists(name)
    encrypted.delete("captures")
    assert encrypted.listdir("") == ([], [])
    with pytest.raises(ValueError, match="name must be given"):
        encrypted.delete("")
