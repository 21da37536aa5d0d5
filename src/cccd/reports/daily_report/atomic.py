"""Writing a file through a Django storage so that a reader, or a crash, finds the old file whole
or the new one whole."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage


def replace_file(storage: Storage, name: str, data: bytes) -> str:
    """Put `data` at `name`, replacing what is there, so that a reader (or a crash) finds the old
    file whole or the new one whole, never none and never a truncated one.

    `Storage.save` cannot do it: it never overwrites (an existing name gets a random suffix), so
    the name would have to be deleted first, and a kill between the delete and the end of the
    write leaves no report or half of one. On a storage with a local path, the bytes go to a
    hidden temporary file in the same folder (so on the same filesystem), are flushed to disk, then
    `os.replace` renames it over the name in one atomic step. A temporary left by a kill ends in
    `.part` and is never listed as a report. A storage without local paths (an object store; none
    is configured) has no rename: the old object is deleted, then the new one written in one
    upload, whole but not atomically."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        if storage.exists(name):
            storage.delete(name)
        return storage.save(name, ContentFile(data))
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, getattr(storage, "file_permissions_mode", None) or 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return name


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: the folder's entry is data of the folder)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
