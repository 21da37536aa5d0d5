from django import forms
from django.utils.translation import gettext_lazy as _

from cccd.queryforms import ChoiceField, QueryForm, TextField
from cccd.units.models import Unit


class UnitCreateForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Name"), max_length=200)
    division_type = forms.CharField(label=_("Division type"), max_length=40, required=False)


class UnitEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    division_type = forms.CharField(label=_("Division type"), max_length=40, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class UnitListQuery(QueryForm):
    """?q=&level=&category= of the unit list (`cccd.queryforms`' rule)."""

    q = TextField(max_length=100, label=_("Name or code"))
    level = ChoiceField(label=_("Level"), choices=Unit.Level.choices)
    category = ChoiceField(label=_("Category"), choices=Unit.Category.choices)
