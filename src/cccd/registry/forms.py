from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Personal ID number, or name and year of birth"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. nguyen van an 1990"), "autofocus": True}),
    )  # fmt: skip


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Register file (CSV UTF-8 or Excel .xlsx)"))
