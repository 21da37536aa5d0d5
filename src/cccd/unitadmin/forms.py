from django import forms
from django.utils.translation import gettext_lazy as _


class UnitCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=200)
    division_type = forms.CharField(label=_("Division type"), max_length=40, required=False)


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    division_type = forms.CharField(label=_("Division type"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)
