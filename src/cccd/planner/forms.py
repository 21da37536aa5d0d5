"""The planner's forms: the inputs of a run (one row per team and per venue), and an edit."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.campaigns.models import Campaign, Team, Venue
from cccd.planner import inputs
from cccd.planner.presenting import shift_label

MAX_DATES = 100  # typed dates in one box: a venue closed more often is a venue not to choose
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_dates(text: str) -> set[datetime.date]:
    """Dates typed as dd/mm/yyyy (or ISO), separated by commas, semicolons or spaces."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    if len(parts) > MAX_DATES:
        raise forms.ValidationError(_("At most %(max)s dates.") % {"max": MAX_DATES})
    found = set()
    for part in parts:
        for fmt in DATE_FORMATS:
            try:
                found.add(datetime.date(*time.strptime(part, fmt)[:3]))
                break
            except ValueError:
                continue
        else:
            raise forms.ValidationError(
                _("“%(value)s” is not a date: write dates as dd/mm/yyyy, separated by commas.")
                % {"value": part[:20]}
            )
    return found


def format_dates(days: set[datetime.date]) -> str:
    return ", ".join(f"{d:%d/%m/%Y}" for d in sorted(days))


class DatesField(forms.CharField):
    def to_python(self, value: Any) -> set[datetime.date]:  # type: ignore[override]
        return parse_dates(str(value or "")[:2000])


class PlanInputsForm(forms.Form):
    """The run's inputs, pre-filled from `inputs.default_inputs`; one group of fields per team
    (`team_<pk>_…`) and per venue (`venue_<pk>_…`)."""

    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.none(), label=gettext_lazy("Campaign")
    )
    first_day = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_day = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    rate = forms.FloatField(
        label=gettext_lazy("Intakes per desk-hour"), min_value=0.5, max_value=inputs.MAX_RATE
    )
    time_limit = forms.IntegerField(
        label=gettext_lazy("Time for the planner (seconds)"),
        min_value=5,
        max_value=inputs.MAX_TIME_LIMIT,
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Teams"),
    )
    venues = forms.ModelMultipleChoiceField(
        queryset=Venue.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Venues"),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        campaigns: QuerySet[Campaign],
        teams: list[Team],
        venues: list[Venue],
        defaults: inputs.Inputs,
        people_known: dict[int, bool],
    ) -> None:
        super().__init__(data)
        self.team_rows, self.venue_rows = teams, venues
        self.people_known = people_known
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["teams"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])  # type: ignore[attr-defined]
        self.fields["venues"].queryset = Venue.objects.filter(pk__in=[v.pk for v in venues])  # type: ignore[attr-defined]
        self.initial = {
            "campaign": defaults.campaign.pk,
            "first_day": defaults.first_day,
            "last_day": defaults.last_day,
            "rate": defaults.rate,
            "time_limit": defaults.time_limit,
            "teams": [t.team.pk for t in defaults.teams],
            "venues": [v.venue.pk for v in defaults.venues if v.people > 0],
        }
        for shift in defaults.shifts:
            self.fields[f"shift_{shift.id}_start"] = forms.TimeField(label=shift_label(shift.id))
            self.fields[f"shift_{shift.id}_end"] = forms.TimeField(label=shift_label(shift.id))
            self.initial[f"shift_{shift.id}_start"] = shift.start.strftime("%H:%M")
            self.initial[f"shift_{shift.id}_end"] = shift.end.strftime("%H:%M")
        for team in defaults.teams:
            prefix = f"team_{team.team.pk}"
            self.fields[f"{prefix}_desks"] = forms.IntegerField(
                min_value=1, max_value=inputs.MAX_DESKS, label=_("Desks")
            )
            self.fields[f"{prefix}_nights"] = forms.IntegerField(
                min_value=0, max_value=7, label=_("Night shifts a week")
            )
            self.fields[f"{prefix}_unavailable"] = DatesField(
                required=False, label=_("Days unavailable"), max_length=2000
            )
            self.initial |= {
                f"{prefix}_desks": team.desks,
                f"{prefix}_nights": team.max_nights,
                f"{prefix}_unavailable": format_dates(team.unavailable),
            }
        shift_choices = [(s.id, shift_label(s.id)) for s in defaults.shifts]
        for venue in defaults.venues:
            prefix = f"venue_{venue.venue.pk}"
            self.fields[f"{prefix}_people"] = forms.IntegerField(
                min_value=0, max_value=inputs.MAX_PEOPLE, label=_("People to reach")
            )
            self.fields[f"{prefix}_desks"] = forms.IntegerField(
                min_value=1, max_value=inputs.MAX_DESKS, label=_("Desks the room holds")
            )
            self.fields[f"{prefix}_closed"] = DatesField(
                required=False, label=_("Days closed"), max_length=2000
            )
            self.fields[f"{prefix}_shifts"] = forms.MultipleChoiceField(
                choices=shift_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=_("Shifts"),
            )
            self.initial |= {
                f"{prefix}_people": venue.people,
                f"{prefix}_desks": venue.max_desks,
                f"{prefix}_closed": format_dates(venue.closed),
                f"{prefix}_shifts": sorted(venue.shifts),
            }
        self.shift_defaults = defaults.shifts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day comes before the first."))
        return data

    def team_fields(self) -> list[tuple[Team, list[forms.BoundField]]]:
        return [
            (t, [self[f"team_{t.pk}_{n}"] for n in ("desks", "nights", "unavailable")])
            for t in self.team_rows
        ]

    def venue_fields(self) -> list[tuple[Venue, bool, list[forms.BoundField]]]:
        return [
            (
                v,
                self.people_known.get(v.pk, False),
                [self[f"venue_{v.pk}_{n}"] for n in ("people", "desks", "closed", "shifts")],
            )
            for v in self.venue_rows
        ]

    def shift_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (shift_label(s.id), self[f"shift_{s.id}_start"], self[f"shift_{s.id}_end"])
            for s in self.shift_defaults
        ]

    def chosen(self, unit: Any) -> inputs.Inputs:
        """The inputs of a valid form."""
        data = self.cleaned_data
        shifts = tuple(
            inputs.ShiftHours(
                s.id,
                data[f"shift_{s.id}_start"],
                data[f"shift_{s.id}_end"],
                s.weekdays,
                s.night,
            )
            for s in self.shift_defaults
        )
        return inputs.Inputs(
            campaign=data["campaign"],
            unit=unit,
            first_day=data["first_day"],
            last_day=data["last_day"],
            rate=data["rate"],
            time_limit=data["time_limit"],
            shifts=shifts,
            teams=[
                inputs.TeamInput(
                    t,
                    data[f"team_{t.pk}_desks"],
                    data[f"team_{t.pk}_unavailable"],
                    data[f"team_{t.pk}_nights"],
                )
                for t in self.team_rows
                if t in data["teams"]
            ],
            venues=[
                inputs.VenueInput(
                    v,
                    data[f"venue_{v.pk}_people"],
                    data[f"venue_{v.pk}_desks"],
                    data[f"venue_{v.pk}_closed"],
                    set(data[f"venue_{v.pk}_shifts"]),
                )
                for v in self.venue_rows
                if v in data["venues"]
            ],
        )


class EditForm(forms.Form):
    """One planned session moved, resized or removed (found by its team and day)."""

    ACTIONS = (("move", "move"), ("remove", "remove"))

    session = forms.CharField(max_length=40)
    action = forms.ChoiceField(choices=ACTIONS)
    team = forms.CharField(max_length=20, required=False)
    day = forms.DateField(required=False)
    shift = forms.CharField(max_length=40, required=False)
    venue = forms.CharField(max_length=20, required=False)
    desks = forms.IntegerField(min_value=1, max_value=inputs.MAX_DESKS, required=False)

    def clean_session(self) -> tuple[str, datetime.date]:
        team, _sep, day = self.cleaned_data["session"].partition("|")
        try:
            return team, datetime.date.fromisoformat(day)
        except ValueError:
            raise forms.ValidationError(_("That session is not in the plan.")) from None
