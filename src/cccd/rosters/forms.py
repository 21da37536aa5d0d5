from django import forms
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("List of people (Excel .xlsx or CSV)"))


class MappingForm(forms.Form):
    """One select per roster column, offering the file's headers (by index)."""

    def __init__(self, *args: object, headers: list[str], mapping: dict[str, int], columns: tuple[str, ...],
                 labels: dict[str, str], **kwargs: object) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", "—")] + [(str(i), h or f"#{i + 1}") for i, h in enumerate(headers)]
        for column in columns:
            initial = str(mapping[column]) if column in mapping else ""
            self.fields[column] = forms.ChoiceField(label=labels.get(column, column), choices=choices,
                                                    required=False, initial=initial)  # fmt: skip

    def mapping(self) -> dict[str, int]:
        return {column: int(value) for column, value in self.cleaned_data.items() if value != ""}
