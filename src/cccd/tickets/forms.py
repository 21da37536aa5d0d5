from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cccd.notify.contacts import ContactFields
from cccd.queryforms import QueryForm, TextField
from cccd.registry.search import QUERY_MAX_LENGTH

_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})")


class HandOutForm(forms.Form):
    """Numbers in advance: in class order, or by the time slots written one class a line."""

    slots = forms.CharField(
        label=_("Time slots (one class a line: 12A1 19:00); empty for class order"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "12A1 19:00\n12A2 19:30"}),
    )
    include_unmatched = forms.BooleanField(
        label=_("Also rows not found in the register or unreadable"), required=False
    )

    def clean_slots(self) -> dict[str, datetime.time]:
        slots: dict[str, datetime.time] = {}
        for line in self.cleaned_data["slots"].splitlines():
            if not line.strip():
                continue
            parts = line.replace("\t", " ").rsplit(None, 1)
            time = _TIME.fullmatch(parts[-1].strip())
            try:
                if len(parts) != 2 or time is None:
                    raise ValueError(line)
                name, at = parts[0].strip(), datetime.time(int(time[1]), int(time[2]))
            except ValueError:
                raise forms.ValidationError(
                    _("Cannot read the time slot: %(line)s"), params={"line": line.strip()[:60]}
                ) from None
            slots[name] = at
        return slots


class LookUpForm(QueryForm):
    """?q= of the register look-up at the door and at the desk (`cccd.queryforms`' rule): empty
    looks nothing up; long enough for the QR code of the card the person holds. The box is marked required in the page, so a click asks for something."""

    q = TextField(
        max_length=QUERY_MAX_LENGTH,
        label=_("Name and year, or personal ID"),
        widget=forms.TextInput(attrs={"required": True}),
    )


class WalkInForm(ContactFields):
    """The door's optional "tell me when my number is near": a phone (SMS or Zalo) or an e-mail;
    a bad one is refused before a number is printed."""
