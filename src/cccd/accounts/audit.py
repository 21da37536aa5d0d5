"""Writing the audit trail. Services call `record` inside their transaction."""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.fields.files import FieldFile

from cccd.accounts.models import AuditEvent

if TYPE_CHECKING:
    from cccd.accounts.models import User
    from cccd.units.models import Unit

_source: contextvars.ContextVar[str] = contextvars.ContextVar("audit_source", default="system")
_batch: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "audit_batch", default=None
)


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Say where the changes made inside come from: an address for a request, `cli:<command>`."""
    token = _source.set(source[:100])
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str:
    return _source.get()


@contextmanager
def batched() -> Iterator[None]:
    """The audit rows recorded inside are written together as it ends, in one INSERT, each row
    as `record` makes it (its time too): for a service that records several events in one
    transaction, e.g. a desk's first capture (the number served, the dossier opened, the capture).
    Use it inside the transaction; an error inside writes none (the transaction rolls back too).
    Nested, the outermost one writes."""
    if _batch.get() is not None:
        yield
        return
    rows: list[AuditEvent] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
    if rows:
        AuditEvent.objects.bulk_create(rows)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row as JSON values, for the before/after of an audit record."""
    return {name: _jsonable(getattr(obj, _attname(obj, name))) for name in fields}


def _attname(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
    return field.attname if isinstance(field, models.ForeignKey) else name


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):  # the stored file's name, never its bytes
        return value.name or ""
    return value


def record(
    action: str,
    *,
    actor: User | None,
    unit: Unit | None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_username=actor.username if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(
            object_repr if object_repr is not None else str(obj) if obj is not None else ""
        )[:200],
        unit=unit,
        before=before,
        after=after,
        source=current_source(),
    )
    rows = _batch.get()
    if rows is None:
        event.save(force_insert=True)
    else:
        rows.append(event)
    return event


def record_read(
    action: str, obj: models.Model, *, actor: User, unit: Unit | None, **ids: int
) -> AuditEvent:
    """A read of personal data (a person's record, a dossier, a slip, a card, a list of names):
    who, what, when, from where. The event names the object by its code or row id, never by a
    person's name, so the trail itself holds no personal data."""
    code = getattr(obj, "code", None)
    return record(
        action,
        actor=actor,
        unit=unit,
        obj=obj,
        after=ids or None,
        object_repr=str(code) if code else f"#{obj.pk}",
    )
