"""The one entry point for unit scoping: every query for units, people, sessions or dossiers
goes through `visible_to(user, queryset)`.

A model opts in by naming, in `scope_field`, the path to its Unit foreign key ("" for Unit
itself). A user sees their police unit's subtree and the administrative subtree it serves (the two
share a path below the root, see `cccd.units.models.Unit`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q

from cccd import errors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cccd.accounts.models import User

M = TypeVar("M", bound=models.Model)


def scope_prefixes(user: User | AnonymousUser) -> list[str]:
    """The unit path prefixes a user may see; empty for anyone without an active unit."""
    unit = getattr(user, "unit", None)
    if not user.is_authenticated or not user.is_active or unit is None or not unit.is_active:
        return []
    return [unit.path, unit.mirror_path]


def unit_q(user: User | AnonymousUser, field: str) -> Q:
    prefix = f"{field}__path" if field else "path"
    condition = Q(pk__in=[])
    for path in scope_prefixes(user):
        condition |= Q(**{f"{prefix}__startswith": path})
    return condition


def visible_to(user: User | AnonymousUser, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    field = getattr(queryset.model, "scope_field", None)
    if field is None:
        raise TypeError(f"{queryset.model.__name__} has no scope_field: it cannot be scoped.")
    return queryset.filter(unit_q(user, field))


def get_visible(user: User | AnonymousUser, queryset: models.QuerySet[M], **lookup: Any) -> M:
    """One object the user may see, or the same 404 whether it is missing or another unit's.

    The user cannot tell the two apart; the security trail can (`note_hidden_objects`)."""
    try:
        return visible_to(user, queryset).get(**lookup)
    except ObjectDoesNotExist:  # the model's own DoesNotExist, which the stubs cannot name here
        _note_if_hidden(queryset, lookup)
        raise errors.NOT_FOUND() from None
    except (ValueError, TypeError):
        raise errors.NOT_FOUND() from None


_hidden_seen: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "hidden_objects_seen", default=None
)


@contextmanager
def note_hidden_objects() -> Iterator[list[str]]:
    """Inside, `get_visible` notes (by model label) each object asked for that exists in another
    unit: a request's security event tells a cross-unit 404 from a missing object."""
    seen: list[str] = []
    token = _hidden_seen.set(seen)
    try:
        yield seen
    finally:
        _hidden_seen.reset(token)


def _note_if_hidden(queryset: models.QuerySet[M], lookup: dict[str, Any]) -> None:
    seen = _hidden_seen.get()
    if seen is None:
        return
    probe = queryset.filter(**lookup)
    probe.query.select_for_update = False  # a look, never a lock on another unit's row
    if probe.exists():
        seen.append(queryset.model._meta.label)


def unit_is_visible(user: User | AnonymousUser, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in scope_prefixes(user))


def ancestor_paths(path: str) -> list[str]:
    """ "/ca/L67/663/" → ["/ca/", "/ca/L67/"]: the units above, whose plans reach below."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def visible_with_ancestors(
    user: User | AnonymousUser, queryset: models.QuerySet[M]
) -> models.QuerySet[M]:
    """Objects of the user's subtree and of the units above it (a province's campaign is a
    district's campaign too); only for objects that carry no personal data."""
    field = getattr(queryset.model, "scope_field", None)
    if field is None:
        raise TypeError(f"{queryset.model.__name__} has no scope_field: it cannot be scoped.")
    unit = getattr(user, "unit", None)
    above = ancestor_paths(unit.path) if scope_prefixes(user) and unit is not None else []
    path_field = f"{field}__path" if field else "path"
    return queryset.filter(unit_q(user, field) | Q(**{f"{path_field}__in": above}))
