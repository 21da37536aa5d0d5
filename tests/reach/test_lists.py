"""The list of people still to reach: what `lists.still_to_reach` holds is a direct filter of the
cohort, in the order a village head walks it, and never a person outside the reader's unit; each
read is audited without a name."""

from __future__ import annotations

import json

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.errors import DomainError
from cccd.reach import cohort, lists
from cccd.reach.models import Reachable
from tests.reach.lists_world import HOSTILE, Commune

pytestmark = pytest.mark.django_db

ORDER = [
    "one",  # Thôn 1, số 4
    "alone",  # Thôn 1, số 6
    "old",  # Thôn 1, số 8
    "visitor",  # Thôn 2: "Nhà trọ số 6, Thôn 2" — the temporary residence's address
    "two_early",  # Thôn 2, số 1
    "hostile",  # Thôn 2, số 2
    "rejected",  # Thôn 2, số 5: a rejected dossier does not count
    "two",  # Thôn 2, số 9
    "ten_a",  # Thôn 10, số 2, Lê before Trần
    "ten_b",
    "disabled",  # Thôn 10, số 7
    "none",  # no village: last
]


def _ids(commune: Commune, keys: list[str]) -> list[int]:
    return [commune.people[k].pk for k in keys]


def _listed(actor: User, commune: Commune, **kwargs: object) -> list[int]:
    people = lists.still_to_reach(
        actor=actor, campaign=commune.campaign, unit=commune.tree.daklao, **kwargs
    )
    return [row.person_id for row in lists.rows_of(people)]


def test_the_list_is_the_cohort_not_reached_in_walking_order(
    commune: Commune, officer_dakmil: User
) -> None:
    listed = _listed(officer_dakmil, commune)
    direct = Reachable.objects.filter(
        campaign=commune.campaign, unit=commune.tree.daklao, reached_on__isnull=True
    ).values_list("person_id", flat=True)
    assert sorted(listed) == sorted(direct)
    assert listed == _ids(commune, ORDER)


def test_a_village_and_the_home_visits_are_direct_filters_too(
    commune: Commune, officer_dakmil: User
) -> None:
    assert _listed(officer_dakmil, commune, village="Thôn 10") == _ids(
        commune, ["ten_a", "ten_b", "disabled"]
    )
    home = _listed(officer_dakmil, commune, home_visit_only=True)
    direct = (
        Reachable.objects.filter(
            campaign=commune.campaign, unit=commune.tree.daklao, reached_on__isnull=True
        )
        .exclude(home_visit="")
        .values_list("person_id", flat=True)
    )
    assert sorted(home) == sorted(direct)
    assert home == _ids(commune, ["alone", "old", "disabled"])


def test_a_row_says_what_the_register_holds_and_why_to_go_home(
    commune: Commune, officer_dakmil: User
) -> None:
    people = lists.still_to_reach(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao
    )
    rows = {row.person_id: row for row in lists.rows_of(people)}
    ten_a = rows[commune.people["ten_a"].pk]
    assert (ten_a.birth, ten_a.sex, ten_a.village, ten_a.card) == (
        "05/06/1985",
        "Female",
        "Thôn 10",
        "None",
    )
    assert ten_a.personal_id == commune.people["ten_a"].personal_id
    assert rows[commune.people["ten_b"].pk].birth == "1990"  # a year-only birth date
    assert rows[commune.people["old"].pk].reason == "80 years old or more"
    assert rows[commune.people["alone"].pk].reason == "Lives alone"
    disabled = rows[commune.people["disabled"].pk]
    assert disabled.reason == "Disabled: Liệt hai chân gọi trước"  # the officer's note, one line
    assert rows[commune.people["two"].pk].reason == ""
    assert rows[commune.people["visitor"].pk].address == "Nhà trọ số 6, Thôn 2"
    hostile = rows[commune.people["hostile"].pk]
    assert "\u202e" not in hostile.name and "\x07" not in hostile.name
    assert hostile.name.startswith('=HYPERLINK("http://x.invalid","<b>Bấm</b>")\ufffdNgô\ufffd')
    assert HOSTILE.split("\u202e")[0] in hostile.name


def test_villages_sort_naturally() -> None:
    shuffled = ["Thôn 10", "", "Thôn 2", "Tổ dân phố 1", "thôn 1", "Buôn Ea", "Thôn 1"]
    assert sorted(shuffled, key=lists.natural_key) == [
        "Buôn Ea",
        "Thôn 1",
        "thôn 1",
        "Thôn 2",
        "Thôn 10",
        "Tổ dân phố 1",
        "",
    ]


def test_a_commune_officer_sees_only_their_commune(commune: Commune, officer_daklao: User) -> None:
    assert _listed(officer_daklao, commune) == _ids(commune, ORDER)
    with pytest.raises(DomainError) as refused:
        lists.still_to_reach(actor=officer_daklao, campaign=commune.campaign, unit=commune.ducminh)
    assert refused.value.code == "NOT_FOUND"
    # Asked for the whole district, the commune officer still gets Đắk Lao only.
    with pytest.raises(DomainError):
        lists.still_to_reach(
            actor=officer_daklao, campaign=commune.campaign, unit=commune.tree.dakmil
        )


def test_a_district_reads_its_communes_and_nothing_of_another_district(
    commune: Commune, officer_dakmil: User, officer_tayson: User
) -> None:
    district = lists.still_to_reach(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.dakmil
    )
    assert set(district.values_list("person_id", flat=True)) == set(
        _ids(commune, [*ORDER, "ducminh"])
    )
    for unit in (commune.tree.daklao, commune.tree.dakmil):
        with pytest.raises(DomainError) as refused:
            lists.still_to_reach(actor=officer_tayson, campaign=commune.campaign, unit=unit)
        assert refused.value.code == "NOT_FOUND"


def test_the_rows_are_scoped_even_inside_a_visible_place(
    commune: Commune, officer_daklao: User
) -> None:
    """A cohort row counted outside the reader's subtree never shows, whatever unit is asked."""
    Reachable.objects.filter(campaign=commune.campaign, person=commune.people["two"]).update(
        unit=commune.ducminh
    )
    assert commune.people["two"].pk not in _listed(officer_daklao, commune)


def test_roles_without_the_permission_are_refused(
    commune: Commune,
    back_office_dakmil: User,
    liaison_dakmil: User,
    administrator: User,
) -> None:
    for user in (back_office_dakmil, liaison_dakmil, administrator):
        with pytest.raises(DomainError) as refused:
            lists.still_to_reach(actor=user, campaign=commune.campaign, unit=commune.tree.daklao)
        assert refused.value.code == "PERMISSION_DENIED"
        with pytest.raises(DomainError):
            lists.read_list(actor=user, campaign=commune.campaign, unit=commune.tree.daklao)
    assert not AuditEvent.objects.filter(action__startswith="reach.").exists()


def _names_in(event: AuditEvent, commune: Commune) -> list[str]:
    text = json.dumps(
        [event.object_repr, event.before, event.after, event.object_id], ensure_ascii=False
    )
    found = []
    for person in commune.people.values():
        person.refresh_from_db()
        for value in (person.full_name, person.personal_id, person.permanent_address):
            if value and value in text:
                found.append(value)
    return found


def test_reading_a_page_is_audited_without_names(commune: Commune, officer_dakmil: User) -> None:
    listed = lists.read_list(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao, village="Thôn 2"
    )
    assert [r.person_id for r in listed.rows] == _ids(
        commune, ["visitor", "two_early", "hostile", "rejected", "two"]
    )
    event = AuditEvent.objects.get(action="reach.list_view")
    assert event.actor == officer_dakmil and event.unit == commune.tree.daklao
    assert event.object_id == str(commune.campaign.pk)
    assert event.after == {
        "commune": commune.tree.daklao.pk,
        "village": "Thôn 2",
        "home_visit_only": False,
        "people": 5,
        "page": 1,
        "shown": 5,
    }
    assert _names_in(event, commune) == []


def test_each_export_is_one_audit_event_without_names(
    commune: Commune, officer_dakmil: User
) -> None:
    kwargs = {"actor": officer_dakmil, "campaign": commune.campaign, "unit": commune.tree.daklao}
    lists.export_xlsx(**kwargs)  # type: ignore[arg-type]
    lists.export_pdf(**kwargs, home_visit_only=True)  # type: ignore[arg-type]
    lists.export_xlsx(**kwargs)  # type: ignore[arg-type]
    events = list(AuditEvent.objects.filter(action__startswith="reach.").order_by("pk"))
    assert [e.action for e in events] == ["reach.list_xlsx", "reach.list_pdf", "reach.list_xlsx"]
    assert [e.after["people"] for e in events] == [12, 3, 12]  # type: ignore[index]
    assert events[1].after["home_visit_only"] is True  # type: ignore[index]
    for event in events:
        assert _names_in(event, commune) == []


def test_a_list_longer_than_a_file_holds_is_refused_with_the_way_to_narrow_it(
    commune: Commune, officer_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lists, "MAX_PDF_ROWS", 5)
    with pytest.raises(DomainError) as refused:
        lists.export_pdf(actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao)
    assert refused.value.code == "LIST_TOO_LONG"
    assert "12 people" in refused.value.message and "Choose a village" in refused.value.message
    assert not AuditEvent.objects.filter(action__startswith="reach.").exists()
    lists.export_pdf(  # a village fits
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao, village="Thôn 1"
    )


def test_an_unknown_village_is_refused(commune: Commune, officer_dakmil: User) -> None:
    with pytest.raises(DomainError) as refused:
        lists.read_list(
            actor=officer_dakmil,
            campaign=commune.campaign,
            unit=commune.tree.daklao,
            village="Thôn 99",
        )
    assert refused.value.code == "UNKNOWN_VILLAGE"
    assert not AuditEvent.objects.filter(action__startswith="reach.").exists()


def test_a_village_where_everyone_is_reached_stays_in_the_choice(
    commune: Commune, officer_dakmil: User
) -> None:
    """Thôn 3 of Đức Minh, all reached: still a village of the list, with nobody left."""
    from cccd.enrollments.models import Enrollment

    Enrollment.objects.create(
        unit=commune.tree.dakmil_police,
        person=commune.people["ducminh"],
        kind="first_issue",
        law="2014",
        state="captured",
        received_at=commune.campaign.created_at,
    )
    cohort.build(commune.campaign)
    listed = lists.read_list(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.ducminh, village="Thôn 3"
    )
    assert (listed.cohort, listed.remaining, listed.rows) == (1, 0, [])
    assert [v.name for v in listed.villages] == ["Thôn 3"]
