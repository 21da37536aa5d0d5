"""Packets uploaded in parts, resumably (docs/field-kit.md#sync).

A kit sends a packet's bytes from an offset; the district appends them to a staged file and
remembers how much it holds (`PacketUpload.received`), so a cut upload continues where the
district's copy ends — never from where the kit believes it ended. When the last byte arrives the
whole packet is handed to `ingest.receive_packet`, which answers with the signed receipt; the
staged file is deleted then, and on any refusal. The packet id is the key throughout: a packet the
district has already decided on is answered with its receipt again, whatever is sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cccd.fieldkit.packets import LIMITS
from cccd.kits import errors, ingest
from cccd.kits.models import Kit, PacketUpload, ReceivedPacket

PART_MAX_BYTES = 8 * 1024 * 1024
"""The largest part one request may carry: a whole packet of a usual intake (about 1 MB) goes in
one request; a large one in several, each bounded before it is read."""


@dataclass(frozen=True)
class UploadState:
    """How much of a packet the district holds, and its receipt once it has decided."""

    received: int
    length: int | None
    receipt: bytes | None


def _staged(packet_id: uuid.UUID) -> Path:
    folder = Path(settings.DATA_DIR) / "kit-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{packet_id}.part"


def _decided(packet_id: uuid.UUID) -> bytes | None:
    """A `duplicate` receipt for a packet already taken (accepted, or kept as a conflict). A
    refused packet is decided again when it comes again: the id travels in the clear, so a
    stranger's bytes sent under it first must not stand in for the kit's own."""
    row = (
        ReceivedPacket.objects.select_related("kit")
        .filter(packet_id=packet_id)
        .exclude(outcome=ReceivedPacket.Outcome.REFUSED)
        .first()
    )
    return None if row is None else ingest.duplicate_receipt(row)


def state(packet_id: uuid.UUID, *, kit: Kit) -> UploadState:
    """What the district holds of `packet_id` (for the kit to resume, or to learn its receipt)."""
    receipt = _decided(packet_id)
    if receipt is not None:
        return UploadState(received=0, length=None, receipt=receipt)
    upload = PacketUpload.objects.filter(packet_id=packet_id, kit=kit).first()
    if upload is None:
        return UploadState(received=0, length=None, receipt=None)
    return UploadState(received=upload.received, length=upload.length, receipt=None)


def check_part(offset: int, length: int, size: int) -> None:
    """A part's numbers, before its bytes are read."""
    if not (0 < length <= LIMITS.max_envelope_bytes) or not (0 < size <= PART_MAX_BYTES):
        raise errors.UPLOAD_LENGTH_INVALID(limit=LIMITS.max_envelope_bytes, part=PART_MAX_BYTES)
    if offset < 0 or offset + size > length:
        raise errors.UPLOAD_LENGTH_INVALID(limit=LIMITS.max_envelope_bytes, part=PART_MAX_BYTES)


def receive_part(
    packet_id: uuid.UUID,
    *,
    kit: Kit,
    offset: int,
    length: int,
    data: bytes,
    clock_offset_seconds: int,
) -> UploadState:
    """Append one part. The whole packet, once here, is decided on and its receipt returned."""
    check_part(offset, length, len(data))
    receipt = _decided(packet_id)
    if receipt is not None:
        return UploadState(received=length, length=length, receipt=receipt)
    if offset == 0 and length == len(data):  # the usual case: the whole packet at once
        return _decide(packet_id, data, kit=kit, clock_offset_seconds=clock_offset_seconds)
    complete = _append(packet_id, kit=kit, offset=offset, length=length, data=data)
    if complete is None:
        upload = PacketUpload.objects.get(packet_id=packet_id)
        return UploadState(received=upload.received, length=length, receipt=None)
    return _decide(packet_id, complete, kit=kit, clock_offset_seconds=clock_offset_seconds)


def _append(
    packet_id: uuid.UUID, *, kit: Kit, offset: int, length: int, data: bytes
) -> bytes | None:
    """Write the part under the upload's row lock; the whole packet when it is complete."""
    path = _staged(packet_id)
    with transaction.atomic():
        upload = _locked_upload(packet_id, kit=kit, length=length)
        if upload.length != length:
            raise errors.UPLOAD_LENGTH_MISMATCH(length=upload.length, sent=length)
        if offset != upload.received:
            raise errors.UPLOAD_OFFSET_MISMATCH(received=upload.received, offset=offset)
        if offset == 0:
            path.unlink(missing_ok=True)
        with path.open("r+b" if path.exists() else "wb") as staged:
            staged.truncate(offset)  # a part written but not counted (a crash) is written again
            staged.seek(offset)
            staged.write(data)
        upload.received, upload.updated_at = offset + len(data), timezone.now()
        upload.save(update_fields=["received", "updated_at"])
        if upload.received < length:
            return None
    whole = path.read_bytes()
    return whole if len(whole) == length else None


def _locked_upload(packet_id: uuid.UUID, *, kit: Kit, length: int) -> PacketUpload:
    upload = PacketUpload.objects.select_for_update().filter(packet_id=packet_id).first()
    if upload is not None:
        if upload.kit_id != kit.pk:
            raise errors.UPLOAD_OFFSET_MISMATCH(received=0, offset=0)
        return upload
    try:
        with transaction.atomic():
            PacketUpload.objects.create(packet_id=packet_id, kit=kit, length=length)
    except IntegrityError:  # another request started it at the same moment
        pass
    return PacketUpload.objects.select_for_update().get(packet_id=packet_id)


def _decide(
    packet_id: uuid.UUID, envelope: bytes, *, kit: Kit, clock_offset_seconds: int
) -> UploadState:
    """Hand the whole packet to the ingest, then drop the staged copy (kept or not, it is done)."""
    try:
        if ingest.read_packet_id(envelope) != packet_id:
            raise errors.UPLOAD_PACKET_ID_MISMATCH()
        receipt = ingest.receive_packet(
            envelope, kit_name=kit.name, clock_offset_seconds=clock_offset_seconds
        )
    finally:
        PacketUpload.objects.filter(packet_id=packet_id).delete()
        _staged(packet_id).unlink(missing_ok=True)
    return UploadState(received=len(envelope), length=len(envelope), receipt=receipt)
