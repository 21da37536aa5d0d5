"""Query strings read through forms, and the one rule for a value a page cannot use.

**The rule.** Pages, downloads and API routes read their query strings (`?day=`, `?unit=`,
`?state=` …) through a `QueryForm`, and answer a value they cannot use in one of two ways only:

- A value that cannot be read — a day that is not a date (or not between 1900 and 2100, but for
  a filter's bound that takes a farther day as none: `DayField(any_year=True)`), an id that is
  not a number, a choice the field does not offer, text longer than the field, a flag
  that is neither on nor off — is `BAD_QUERY`, 400, with a sentence naming the field and what is
  wrong: the error page on a page or a download, `{"code", "message"}` in the API. Never ignored
  (a filter dropped in silence shows a list that looks like "nothing to do"), never a 404 or 422.
- A well-formed id of an object the user may not see — another unit's, or none at all — is
  `NOT_FOUND`, 404, the same answer for both (`ScopedChoiceField`), as for an id in the path: a
  query string no more tells a user that another unit's object exists than a URL does.

Rules about what a well-formed value means stay with the services and keep their codes: a day
still to come (`FUTURE_DAY`), a period longer than a year, a search too short to run. What the
API's schema refuses before the form sees it (a parameter longer than its `Text(n)`) keeps the
API's `INVALID_INPUT` (422), as for every other API parameter. `?page=` is left to Django's
`Paginator.get_page`, which shows the nearest page by design.

Each query is a `QueryForm` subclass next to its views: its fields carry the query string's names
(`QUERY_NAMES` for a name Python cannot spell, such as `from`), its id fields are scoped to the
user's subtree in `scope()`, and `read(request.GET, user=…)` gives the cleaned values or raises.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from cccd.errors import BAD_QUERY, NOT_FOUND
from cccd.localtime import is_plausible

ID_DIGITS = 12  # ids are at most 12 digits in every link cccd makes; more cannot fit a bigint


def is_id(text: str) -> bool:
    """Whether `text` is written as a row id: ASCII digits only ("²".isdigit() is True, and
    int("²") fails), at most `ID_DIGITS`. Form posts that carry ids check them with it too."""
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS


class DayField(forms.DateField):
    """A day as the locale writes it (dd/mm/yyyy, or ISO yyyy-mm-dd: `cccd.formats`), between
    1900 and 2100 (further out is a typo or a probe, and time-zone arithmetic overflows) unless
    `any_year`: a filter's bound whose query takes a day past them as no bound (the audit trail's,
    as in its API)."""

    default_error_messages = {"invalid": _("“%(text)s” is not a date: write it as dd/mm/yyyy.")}

    def __init__(self, *, any_year: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.any_year = any_year

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            day = super().to_python(value)
        except ValidationError:
            raise self._invalid(value) from None
        if day is not None and not self.any_year and not is_plausible(day):
            raise self._invalid(value)
        return day

    def _invalid(self, value: Any) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid"], code="invalid", params={"text": str(value)[:20]}
        )


class ScopedChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """An object by its id among those the form's `scope()` leaves the user.

    An id that is not a number (digits only, at most 12) is the form's error: 400. A number that
    names nothing in the scoped queryset raises NOT_FOUND at once — missing and another unit's
    are the same 404."""

    default_error_messages = {
        "invalid_choice": _("“%(text)s” is not a number from this site's links.")
    }

    def __init__(self, queryset: QuerySet[Any], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(queryset, **kwargs)

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not is_id(text):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"text": text[:20]},
            )
        queryset: QuerySet[Model] = self.queryset  # type: ignore[assignment]
        found = queryset.filter(pk=int(text)).first()
        if found is None:
            raise NOT_FOUND()
        return found


class ChoiceField(forms.ChoiceField):
    """One of the field's choices; "" is none (the field is optional)."""

    default_error_messages = {"invalid_choice": _("“%(value)s” is not one of the choices.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:40]},
            )
        forms.Field.validate(self, value)


class FlagField(forms.Field):
    """A checkbox or a link's flag: on as "1", "on" or "true"; off when absent, "", "0", "off"
    or "false"; anything else is not a flag."""

    ON = frozenset({"1", "on", "true"})
    OFF = frozenset({"", "0", "off", "false"})
    default_error_messages = {"invalid": _("“%(value)s” is neither on nor off.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool:
        text = "" if value is None else str(value).strip().lower()
        if text in self.ON:
            return True
        if text in self.OFF:
            return False
        raise ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": str(value)[:20]}
        )


class TextField(forms.CharField):
    """Typed text, at most `max_length` characters as sent. Control characters become spaces
    rather than a refusal (a NUL pasted into a search box is no reason to stop it, and PostgreSQL
    refuses one in a parameter); the services fold what they search for."""

    default_error_messages = {
        "max_length": _("at most %(limit_value)d characters; this has %(show_value)d.")
    }

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        if self.max_length is not None and len(text) > self.max_length:
            return text  # refused by the length validator, as sent
        cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
        return cleaned.strip()


class QueryForm(forms.Form):
    """A query string read as a form: always bound (an absent value is the field's empty one),
    scoped to the user in `scope()`; `read()` applies the module's rule."""

    QUERY_NAMES: ClassVar[Mapping[str, str]] = {}
    """Field name → the query string's name, for names that are not Python names (`from`)."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: AbstractBaseUser | AnonymousUser | None = None,
    ) -> None:
        super().__init__(data if data is not None else {})
        self.user = user if user is not None else AnonymousUser()  # nobody: no id is in scope
        self.scope(self.user)

    def scope(self, user: AbstractBaseUser | AnonymousUser) -> None:
        """Give each `ScopedChoiceField` the objects `user` may see (subclasses with ids)."""

    def add_prefix(self, field_name: str) -> str:
        return self.QUERY_NAMES.get(field_name, super().add_prefix(field_name))

    @classmethod
    def read(
        cls,
        data: Mapping[str, Any] | None,
        *,
        user: AbstractBaseUser | AnonymousUser | None = None,
    ) -> dict[str, Any]:
        """The cleaned values; BAD_QUERY (400) for the first field that cannot be read, and
        NOT_FOUND (404) from a `ScopedChoiceField` whose object the user may not see."""
        form = cls(data, user=user)
        if not form.is_valid():
            name, problems = next(iter(form.errors.items()))
            field = form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            raise BAD_QUERY(field=label, problem=" ".join(str(p) for p in problems))
        return form.cleaned_data
