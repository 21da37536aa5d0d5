"""Keeping who is reached in step with the dossiers (filled in by `cccd.reach`'s work)."""

from __future__ import annotations

from cccd.enrollments.events import DossierEvent


def on_dossier_event(event: DossierEvent) -> None:
    """A dossier event: the person's `reached_on` and the day counts move with it."""
    return
