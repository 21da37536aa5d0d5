from __future__ import annotations

import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cccd.accounts.forms import UnitChoiceField
from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup, Team, Venue
from cccd.campaigns.services import check_campaign_days
from cccd.errors import DomainError
from cccd.units.models import Unit


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    start_date = forms.DateField(label=_("Start date"), help_text=_("dd/mm/yyyy"))
    end_date = forms.DateField(label=_("End date"), help_text=_("dd/mm/yyyy"))
    law = forms.ChoiceField(label=_("Law"), choices=Campaign.Law.choices)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units

    def clean(self) -> dict[str, object]:
        """The service's own rule for the dates, shown beside the fields instead of on a page."""
        data = super().clean() or {}
        if data.get("start_date") and data.get("end_date"):
            try:
                check_campaign_days(data["start_date"], data["end_date"])
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return data


class TargetForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=PriorityGroup.objects.filter(is_active=True),
        required=False,
        empty_label=_("All groups"),
    )
    total = forms.IntegerField(label=_("Target"), min_value=0, max_value=10_000_000)
    per_day = forms.IntegerField(
        label=_("Per day"), min_value=0, max_value=1_000_000, required=False
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Venue.Kind.choices)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=Team.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Team.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], users: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units
        cast("forms.ModelChoiceField[Any]", self.fields["leader"]).queryset = users
        cast("forms.ModelChoiceField[Any]", self.fields["members"]).queryset = users


class SessionForm(forms.Form):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none())
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    day = forms.DateField(label=_("Day"), help_text=_("dd/mm/yyyy"))
    start_time = forms.TimeField(label=_("From"), help_text=_("hh:mm"))
    end_time = forms.TimeField(
        label=_("To"), help_text=_("hh:mm; earlier than the start means the next day")
    )
    desks = forms.IntegerField(label=_("Desks"), min_value=1, max_value=50, initial=2)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=20_000, initial=100)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    accept_clashes = forms.BooleanField(
        label=_("Plan it anyway: the clashes above are intended"), required=False
    )

    def __init__(
        self, *args: Any, venues: QuerySet[Venue], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["venue"]).queryset = venues
        cast("forms.ModelChoiceField[Any]", self.fields["team"]).queryset = teams

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware start and end; an end before the start is on the next day (a night session)."""
        zone = ZoneInfo(settings.TIME_ZONE)
        day = self.cleaned_data["day"]
        start = datetime.datetime.combine(day, self.cleaned_data["start_time"], tzinfo=zone)
        end = datetime.datetime.combine(day, self.cleaned_data["end_time"], tzinfo=zone)
        if end < start:
            end += datetime.timedelta(days=1)
        return start, end


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    priority = forms.IntegerField(
        label=_("Order (lower is served first)"), min_value=0, max_value=999
    )
    served_first = forms.BooleanField(label=_("Served first in the queue"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
