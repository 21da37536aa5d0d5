"""A file storage that encrypts every file it keeps: the kit's photos, fingerprints and documents.

`EncryptedFileSystemStorage` is Django's `FileSystemStorage` with each file sealed on its way to
disk and opened on its way back; the rest of cccd sees plain bytes (an artefact's SHA-256 is its
plaintext's, as at the district). A stored file is:

| bytes | field |
| --- | --- |
| 8 | magic: ASCII `CCCD-ATR` |
| 1 | version: `1` |
| 12 | nonce, random |
| n + 16 | AES-256-GCM ciphertext of the file (n bytes), then its tag |

The key is the folder's file key (`keys.AtRestKeys.files`). The associated data is the header and
the file's **storage name**, so a file copied over another's name (one person's photo put in place
of another's) fails to open exactly as a changed byte does: `AT_REST_FILE_DAMAGED`, never garbage.
A file is written whole under a temporary name and then linked into place, so a power cut leaves
the old file or the new one, not half of one. Files are read whole into memory: each is bounded
(`max_file_mb`, 64 MB by default — an intake's captures at the desk's limits come to 42 MB at
worst), checked on the size given before anything is read, and on disk before it is opened.

Random 96-bit nonces under one key stay safe for about 2^32 files (NIST SP 800-38D's bound for
random nonces), far beyond what a kit keeps.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from cccd.fieldkit import errors
from cccd.fieldkit.atrest import keys

MAGIC = b"CCCD-ATR"
VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + 1 + NONCE_BYTES
OVERHEAD = HEADER_BYTES + TAG_BYTES
DEFAULT_MAX_FILE_MB = 64
_MB = 1024 * 1024


def _megabytes(size: int) -> str:
    return f"{size / _MB:.1f}"


def seal(key: bytes, name: str, data: bytes) -> bytes:
    """`data` encrypted under `key`, bound to the storage name `name`."""
    header = MAGIC + bytes([VERSION]) + secrets.token_bytes(NONCE_BYTES)
    nonce = header[len(MAGIC) + 1 :]
    return header + AESGCM(key).encrypt(nonce, data, header + name.encode("utf-8"))


def unseal(key: bytes, name: str, sealed: bytes) -> bytes:
    """The plaintext of a sealed file kept as `name`; anything else is `AT_REST_FILE_DAMAGED`."""
    header = sealed[:HEADER_BYTES]
    if len(sealed) < OVERHEAD or header[: len(MAGIC)] != MAGIC or header[len(MAGIC)] != VERSION:
        raise errors.AT_REST_FILE_DAMAGED(name=name)
    try:
        return AESGCM(key).decrypt(
            header[len(MAGIC) + 1 :], sealed[HEADER_BYTES:], header + name.encode("utf-8")
        )
    except InvalidTag:
        raise errors.AT_REST_FILE_DAMAGED(name=name) from None


class EncryptedFileSystemStorage(FileSystemStorage):
    """`FileSystemStorage` whose files are sealed at rest. Options: those of `FileSystemStorage`,
    `key_folder` (the data folder that holds `kit-at-rest.json`; required) and `max_file_mb`."""

    def __init__(
        self,
        *args: Any,
        key_folder: str | Path | None = None,
        max_file_mb: int = DEFAULT_MAX_FILE_MB,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if key_folder is None:
            raise ValueError("EncryptedFileSystemStorage needs key_folder, the kit's data folder")
        self.key_folder = Path(key_folder)
        self.max_bytes = max_file_mb * _MB

    def path(self, name: str) -> str:
        """Not given: a path lets its caller read or write the file past the encryption (Django's
        way of saying so is `NotImplementedError`, on which `reports.daily_report.atomic`, for one,
        falls back to `save`)."""
        raise NotImplementedError("An encrypted storage's files are read and written through it.")

    def _disk_path(self, name: str) -> str:
        return super().path(name)

    def _key(self) -> bytes:
        # Only the database sets a folder up: files come after `cccd migrate`.
        return keys.unlock(self.key_folder, may_set_up=False).files

    def _stored_name(self, full_path: str) -> str:
        """The name a file is bound to: relative to the storage's root, with forward slashes, as
        `FileSystemStorage` returns it, whatever form of the name was asked for."""
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def _read_bounded(self, content: File[Any]) -> bytes:
        size = getattr(content, "size", None)
        if isinstance(size, int) and size > self.max_bytes:
            raise errors.AT_REST_FILE_TOO_LARGE(
                size=_megabytes(size), limit=_megabytes(self.max_bytes)
            )
        if hasattr(content, "seek") and getattr(content, "seekable", lambda: True)():
            content.seek(0)
        parts: list[bytes] = []
        total = 0
        for chunk in content.chunks():
            part = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            total += len(part)
            if total > self.max_bytes:
                raise errors.AT_REST_FILE_TOO_LARGE(
                    size=f">{_megabytes(self.max_bytes)}", limit=_megabytes(self.max_bytes)
                )
            parts.append(part)
        return b"".join(parts)

    def _save(self, name: str, content: File[Any]) -> str:
        data = self._read_bounded(content)
        key = self._key()
        full_path = self._disk_path(name)
        os.makedirs(os.path.dirname(full_path), exist_ok=True)
        while True:
            stored = self._stored_name(full_path)
            temporary = f"{full_path}.{secrets.token_hex(8)}.part"
            with open(temporary, "xb") as file:
                file.write(seal(key, stored, data))
                file.flush()
                os.fsync(file.fileno())
            try:
                if getattr(self, "_allow_overwrite", False):
                    os.replace(temporary, full_path)
                else:
                    os.link(temporary, full_path)  # refused if the name was taken meanwhile
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self._disk_path(name)
                continue
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            break
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return stored

    def _open(self, name: str, mode: str = "rb") -> File[Any]:
        if mode not in ("rb", "r"):
            raise ValueError("An encrypted stored file is opened to be read only ('rb').")
        full_path = self._disk_path(name)
        stored = self._stored_name(full_path)
        on_disk = os.stat(full_path).st_size
        if on_disk > self.max_bytes + OVERHEAD:
            raise errors.AT_REST_FILE_TOO_LARGE(
                size=_megabytes(on_disk), limit=_megabytes(self.max_bytes)
            )
        with open(full_path, "rb") as file:
            sealed = file.read(self.max_bytes + OVERHEAD + 1)
        return ContentFile(unseal(self._key(), stored, sealed), name=name)

    def size(self, name: str) -> int:
        """The plaintext's size, from the file's size on disk (nothing is decrypted)."""
        on_disk = os.path.getsize(self._disk_path(name))
        if on_disk < OVERHEAD:
            raise errors.AT_REST_FILE_DAMAGED(name=self._stored_name(self._disk_path(name)))
        return on_disk - OVERHEAD

    # FileSystemStorage's own methods, on the path kept to this class
    def delete(self, name: str) -> None:
        if not name:
            raise ValueError("The name must be given to delete().")
        full_path = self._disk_path(name)
        try:
            if os.path.isdir(full_path):
                os.rmdir(full_path)
            else:
                os.remove(full_path)
        except FileNotFoundError:
            pass

    def exists(self, name: str) -> bool:
        return os.path.lexists(self._disk_path(name))

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        directories: list[str] = []
        files: list[str] = []
        with os.scandir(self._disk_path(path)) as entries:
            for entry in entries:
                (directories if entry.is_dir() else files).append(entry.name)
        return directories, files

    def get_accessed_time(self, name: str) -> datetime:
        return self._datetime_from_timestamp(os.path.getatime(self._disk_path(name)))  # type: ignore[attr-defined,no-any-return]

    def get_created_time(self, name: str) -> datetime:
        return self._datetime_from_timestamp(os.path.getctime(self._disk_path(name)))  # type: ignore[attr-defined,no-any-return]

    def get_modified_time(self, name: str) -> datetime:
        return self._datetime_from_timestamp(os.path.getmtime(self._disk_path(name)))  # type: ignore[attr-defined,no-any-return]
