"""The query strings of the dossier screens, read by `cccd.queryforms`' rule: the work queue's
filters (kept in every next/previous link), the search box, the deadline lists' window.

A session or officer of another unit is the 404 of a missing one, not an empty queue that looks
like "nothing to do"; a state that does not exist is a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.campaigns.models import Session
from cccd.enrollments import errors
from cccd.enrollments.dossiers import queries as dq
from cccd.enrollments.models import Enrollment
from cccd.queryforms import ChoiceField, FlagField, QueryForm, ScopedChoiceField, TextField

STATES = [s for s in Enrollment.State if s != Enrollment.State.DRAFT]
"""The states a dossier can be filtered by: a draft is still at the desk."""


class QueueQuery(QueryForm):
    """?state=&session=&officer=&overdue= of the work queue (and of a dossier opened from it)."""

    state = ChoiceField(
        label=_("State"),
        choices=[
            ("", _("open work")),
            (dq.ALL_STATES, _("all")),
            *[(s.value, s.label) for s in STATES],
        ],
    )
    session = ScopedChoiceField(Session.objects.none(), label=_("Session"))
    officer = ScopedChoiceField(User.objects.none(), label=_("Officer"))
    overdue = FlagField(label=_("Overdue only"))

    def scope(self, user: Any) -> None:
        self.fields["session"].queryset = visible_to(user, Session.objects.all())  # type: ignore[attr-defined]
        self.fields["officer"].queryset = visible_to(user, User.objects.all())  # type: ignore[attr-defined]

    @classmethod
    def filters(cls, request: Any, *, state: str | None = None) -> dq.DossierFilter:
        """The queue's filters from the request's query string; `state` fixes the state (the
        approval page shows completed dossiers only)."""
        query = cls.read(request.GET, user=request.user)
        session, officer = query["session"], query["officer"]
        return dq.DossierFilter(
            query["state"] if state is None else state,
            session.pk if session is not None else None,
            officer.pk if officer is not None else None,
            query["overdue"],
        )


class SearchQuery(QueryForm):
    """?q= of the search box (the page has its `maxlength`)."""

    q = TextField(
        max_length=dq.QUERY_MAX_LENGTH, label=_("Dossier code, personal ID number or name")
    )


def _days_message() -> str:
    return str(errors.BAD_DUE_SOON_DAYS.message) % {"max": dq.MAX_DUE_SOON_DAYS}


DAYS_MESSAGE = lazy(_days_message, str)()


class DeadlinesQuery(QueryForm):
    """?days= of the deadline lists: "due within N working days"."""

    days = forms.IntegerField(
        required=False,
        label=_("Due within (working days)"),
        min_value=1,
        max_value=dq.MAX_DUE_SOON_DAYS,
        error_messages={
            "invalid": DAYS_MESSAGE,
            "min_value": DAYS_MESSAGE,
            "max_value": DAYS_MESSAGE,
        },
    )
