from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import Role
from cccd.queryforms import DayField, QueryForm, TextField
from cccd.units.models import Unit


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    def label_from_instance(self, obj: Unit) -> str:
        return "\u2003" * max(obj.depth, 0) + obj.name


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("User name"), max_length=150, regex=r"^[\w.@+-]+$")
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units


class UserEditForm(forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["unit"]).queryset = units


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, max_length=128)


class OwnPasswordForm(forms.Form):
    """The current password, and the new one typed twice; the service checks the current one."""

    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)


class AuditFilterForm(QueryForm):
    """?action=&actor=&date_from=&date_to= of the audit trail (`cccd.queryforms`' rule); the page
    renders its fields."""

    action = TextField(label=_("Action"), max_length=64)
    actor = TextField(label=_("User"), max_length=150)
    date_from = DayField(label=_("From"), required=False, any_year=True)  # beyond: no bound
    date_to = DayField(label=_("To"), required=False, any_year=True)


class UserListQuery(QueryForm):
    """?q= of the user list (`cccd.queryforms`' rule)."""

    q = TextField(max_length=100, label=_("User name or family name"))
