from django import forms
from django.utils.translation import gettext_lazy as _

from cccd.queryforms import QueryForm, TextField
from cccd.registry.search import QUERY_MAX_LENGTH


class SearchForm(QueryForm):
    """?q= of the register look-up (`cccd.queryforms`' rule); what is too short to search is the
    service's refusal (`PERSON_QUERY_TOO_SHORT`)."""

    q = TextField(
        label=_("Personal ID number, or name and year of birth"),
        max_length=QUERY_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. nguyen van an 1990"), "autofocus": True}
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Register file (CSV UTF-8 or Excel .xlsx)"))
