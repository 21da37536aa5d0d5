"""The coverage page's query string and posts, read by `cccd.queryforms`' rule.

A campaign or place of another unit is the 404 of a missing one; a day that is not a date, or an
id that is not a number, is a 400 naming the field. The suggested targets' boxes (`total_<unit
id>`) are read here into numbers, each refusal naming the unit it was typed for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cccd.campaigns.models import Campaign
from cccd.queryforms import DayField, QueryForm, ScopedChoiceField, is_id
from cccd.reach import errors, queries
from cccd.reach.services import MAX_TARGET
from cccd.units.models import Unit

TOTAL_PREFIX = "total_"
# A whole number as typed: digits, or digits in groups of three split by dots or spaces, as
# Vietnamese write thousands (1.234.567); ASCII digits only. "1,5" is no number of people.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}|[0-9]{1,3}(?:[. ][0-9]{3}){1,3}")


class CoverageQuery(QueryForm):
    """?campaign=&unit=&day= of the coverage page (each optional: the page picks its defaults)."""

    campaign = ScopedChoiceField(Campaign.objects.none(), label=_("Campaign"))
    unit = ScopedChoiceField(Unit.objects.none(), label=_("Place"))
    day = DayField(required=False, label=_("Day"))

    def scope(self, user: Any) -> None:
        self.fields["campaign"].queryset = queries.campaigns_for(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = queries.places_for(user)  # type: ignore[attr-defined]


class CoverageAction(CoverageQuery):
    """The page's posts (count again, accept targets): the campaign and the place are required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].required = True
        self.fields["unit"].required = True


def read_totals(data: Mapping[str, Any], place: Unit) -> dict[int, int]:
    """The targets typed in the boxes `total_<unit id>`: {child unit id: number}. An empty box is
    left out (no change asked); a box for a unit not directly below `place`, or holding anything
    but a whole number of people, refuses the whole form."""
    names = dict(Unit.objects.filter(parent=place).values_list("pk", "name"))
    totals: dict[int, int] = {}
    for key in data:
        if not key.startswith(TOTAL_PREFIX):
            continue
        unit_id = key[len(TOTAL_PREFIX) :]
        if not is_id(unit_id) or int(unit_id) not in names:
            raise errors.TARGET_NOT_CHILD(place=place.name)
        text = str(data.get(key) or "").strip()
        if not text:
            continue
        if not WHOLE_NUMBER.fullmatch(text):
            raise errors.TARGET_VALUE(
                unit=names[int(unit_id)],
                value=text[:20],
                max=number_format(MAX_TARGET, force_grouping=True),
            )
        totals[int(unit_id)] = int(re.sub(r"[. ]", "", text))
    return totals
