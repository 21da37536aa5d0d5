"""`cccd.queryforms`: the fields a query string is read with, and the one rule `QueryForm.read`
applies — a value that cannot be read is BAD_QUERY (400) naming the field, a well-formed id
outside the user's scope the NOT_FOUND (404) of a missing one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.errors import BAD_QUERY, DomainError
from cccd.queryforms import (
    ChoiceField,
    DayField,
    FlagField,
    QueryForm,
    ScopedChoiceField,
    TextField,
)
from cccd.units.models import Unit
from tests.builders import Tree


class Sample(QueryForm):
    QUERY_NAMES = {"date_from": "from"}

    date_from = DayField(required=False, label=_("From"))
    unit = ScopedChoiceField(Unit.objects.none(), label="Unit")
    level = ChoiceField(label="Level", choices=Unit.Level.choices)
    flag = FlagField(label="Flag")
    q = TextField(max_length=10, label="Text")

    def scope(self, user: Any) -> None:
        self.fields["unit"].queryset = visible_to(user, Unit.objects.all())  # type: ignore[attr-defined]


def _refusal(data: dict[str, str], user: Any = None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        Sample.read(data, user=user)
    return caught.value


def test_nothing_asked_is_every_field_empty() -> None:
    assert Sample.read({}) == {"date_from": None, "unit": None, "level": "", "flag": False, "q": ""}
    assert Sample.read(None)["q"] == ""


@pytest.mark.parametrize("text", ["06/03/2021", "6/3/2021", "2021-03-06", " 06/03/2021 "])
def test_a_day_is_read_as_the_locale_writes_it_or_iso(text: str) -> None:
    for language in ("vi", "en"):
        with translation.override(language):
            assert Sample.read({"from": text})["date_from"] == datetime.date(2021, 3, 6)


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2021",
        "2021-13-01",
        "yesterday",
        "06/03/21",
        "06/03/2021junk",
        "2021-03-06T10:00",
        "01/01/1899",
        "31/12/2101",
        "0001-01-01",
        "9" * 500,
        "06/03/2021\x00",
    ],
)
def test_a_day_that_is_not_a_date_is_a_400_naming_the_field_and_the_text(text: str) -> None:
    error = _refusal({"from": text})
    assert error.error is BAD_QUERY and error.status == 400
    assert error.message.startswith("“From” cannot be read: “")
    assert "is not a date: write it as dd/mm/yyyy." in error.message
    assert text[:20].strip() in error.message


def test_the_sentence_is_in_the_users_language() -> None:
    with translation.override("vi"):
        assert _refusal({"from": "31/02/2021"}).message == (
            "Không đọc được “Từ”: “31/02/2021” không phải là ngày hợp lệ: hãy ghi theo dạng dd/mm/yyyy."
        )


@pytest.mark.parametrize("text", ["abc", "-1", "1.0", "1e3", "²", "１", "9" * 13, "1;drop", "0x1"])
def test_an_id_that_is_not_a_number_is_a_400(tree: Tree, text: str) -> None:
    error = _refusal({"unit": text})
    assert error.error is BAD_QUERY
    assert "is not a number from this site's links." in error.message


def test_a_well_formed_id_outside_the_scope_is_the_404_of_a_missing_one(
    tree: Tree, officer_dakmil: User
) -> None:
    assert Sample.read({"unit": str(tree.daklao_police.pk)}, user=officer_dakmil)["unit"] == (
        tree.daklao_police
    )
    other = _refusal({"unit": str(tree.tayson_police.pk)}, user=officer_dakmil)
    missing = _refusal({"unit": "999999999999"}, user=officer_dakmil)
    assert other.code == missing.code == "NOT_FOUND"
    assert other.status == missing.status == 404
    assert other.message == missing.message


def test_without_a_user_no_id_is_in_scope(tree: Tree) -> None:
    assert _refusal({"unit": str(tree.ministry.pk)}).code == "NOT_FOUND"


@pytest.mark.parametrize("text", ["bogus", "PROVINCE", "province ", "x" * 500])
def test_a_choice_that_is_not_offered_is_a_400(text: str) -> None:
    error = _refusal({"level": text})
    assert error.error is BAD_QUERY
    assert error.message.startswith("“Level” cannot be read: “")
    assert "is not one of the choices." in error.message
    assert len(error.message) < 140  # the value is quoted cut short


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", True),
        ("on", True),
        ("true", True),
        ("TRUE", True),
        ("", False),
        ("0", False),
        ("off", False),
        ("false", False),
    ],
)
def test_a_flag_is_on_or_off(text: str, value: bool) -> None:
    assert Sample.read({"flag": text})["flag"] is value


@pytest.mark.parametrize("text", ["yes", "2", "maybe"])
def test_a_flag_that_is_neither_is_a_400(text: str) -> None:
    assert "is neither on nor off." in _refusal({"flag": text}).message


def test_text_longer_than_the_field_is_a_400_not_cut_short() -> None:
    assert Sample.read({"q": "x" * 10})["q"] == "x" * 10
    error = _refusal({"q": "x" * 11})
    assert error.error is BAD_QUERY
    assert error.message == "“Text” cannot be read: at most 10 characters; this has 11."


def test_control_characters_in_text_become_spaces() -> None:
    assert Sample.read({"q": " an\x00 b\tc\x1f "})["q"] == "an  b c"


def test_the_first_field_that_cannot_be_read_is_the_one_named() -> None:
    error = _refusal({"from": "bad", "level": "bad", "q": "x" * 50})
    assert error.message.startswith("“From” cannot")


def test_a_form_field_without_a_label_is_named_by_its_query_name() -> None:
    class Bare(QueryForm):
        n = forms.IntegerField(required=False, label="")

    with pytest.raises(DomainError) as caught:
        Bare.read({"n": "x"})
    assert caught.value.message.startswith("“n” cannot")


def test_a_filters_bound_may_take_any_year() -> None:
    class Bound(QueryForm):
        since = DayField(required=False, any_year=True)

    assert Bound.read({"since": "0001-01-01"})["since"] == datetime.date(1, 1, 1)
    with pytest.raises(DomainError):
        Bound.read({"since": "2021-02-30"})
