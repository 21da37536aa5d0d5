from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


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

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, int], columns: tuple[str, ...],
                 labels: dict[str, str], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
        for column in columns:
            initial = str(mapping[column]) if column in mapping else ""
            self.fields[column] = forms.ChoiceField(label=labels.get(column, column), choices=choices,
                                                    required=False, initial=initial)  # fmt: skip

    def mapping(self) -> dict[str, int]:
        return {column: int(value) for column, value in self.cleaned_data.items() if value != ""}
