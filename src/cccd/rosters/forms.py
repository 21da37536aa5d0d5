from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cccd.queryforms import ChoiceField, QueryForm
from cccd.rosters.models import Outcome

MAX_ROW = 2**31 - 1  # a row number; a list holds far fewer (`CCCD_MAX_TABLE_ROWS`)


class RosterUploadForm(forms.Form):
    """A file, and whether it adds a list or replaces one of the session's lists (chosen by name:
    never guessed from the file)."""

    file = forms.FileField(label=_("List of people (Excel .xlsx or CSV)"))
    replaces = forms.ChoiceField(label=_("This file"), required=False)
    name = forms.CharField(
        label=_("Name of the new list"),
        required=False,
        max_length=100,
        help_text=_("For example “Lớp 12A1”. Left empty, the list is named after the file."),
    )

    def __init__(self, *args: Any, lists: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        replaces = cast("forms.ChoiceField", self.fields["replaces"])
        replaces.choices = [("", _("adds a new list"))] + [
            (name, _("replaces the list “%(name)s”") % {"name": name}) for name in lists
        ]


class MappingForm(forms.Form):
    """One select per roster column, offering the file's headers (by index)."""

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, int],
        columns: tuple[str, ...],
        labels: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
        for column in columns:
            initial = str(mapping[column]) if column in mapping else ""
            self.fields[column] = forms.ChoiceField(
                label=labels.get(column, column), choices=choices, required=False, initial=initial
            )

    def mapping(self) -> dict[str, int]:
        return {column: int(value) for column, value in self.cleaned_data.items() if value != ""}


class OutcomeQuery(QueryForm):
    """?outcome= of a list's rows (the page's links); none is every row."""

    outcome = ChoiceField(label=_("Outcome"), choices=Outcome.choices)


class ReviewQuery(QueryForm):
    """?after= of the review screen: the row skipped ("J"), to show the next doubtful one."""

    after = forms.IntegerField(required=False, min_value=0, max_value=MAX_ROW, label=_("Row"))
