"""The counters follow every intake and every move in the same transaction, and a rebuild from the
dossiers gives exactly the same rows."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment
from cccd.reports import counters
from cccd.reports.models import DailyCount, DueCount, StateCount, UnitDayCount
from cccd.tickets.models import Desk
from cccd.units.models import Unit
from tests.builders import make_person
from tests.enrollments.conftest import HCM, another_captured

pytestmark = pytest.mark.django_db


def _states(**only: object) -> dict[tuple, int]:
    return {
        (r.unit_id, r.campaign, r.group, r.kind, r.state): r.count
        for r in StateCount.objects.filter(**only).exclude(count=0)
    }


def _days() -> dict[tuple, int]:
    return {
        (r.unit_id, r.campaign, r.group, r.kind, r.day, r.event): r.count
        for r in DailyCount.objects.exclude(count=0)
    }


def _unit_days() -> dict[tuple, int]:
    return {
        (r.unit_id, r.campaign, r.day, r.event): r.count
        for r in UnitDayCount.objects.exclude(count=0)
    }


def _dues() -> dict[tuple, int]:
    return {(r.unit_id, r.return_date): r.count for r in DueCount.objects.exclude(count=0)}


def test_the_late_states_are_the_lifecycles() -> None:
    assert counters.LATE_STATES == set(lifecycle.LATE_STATES)


def test_a_finished_intake_counts_on_its_local_day(captured: Enrollment) -> None:
    assert _states(unit=captured.unit) == {
        (
            captured.unit_id,
            captured.campaign_id,
            captured.group_id or 0,
            captured.kind,
            "captured",
        ): 1
    }
    days = DailyCount.objects.filter(unit=captured.unit).values_list("day", "event", "count")
    assert list(days) == [(datetime.date(2021, 3, 6), "captured", 1)]


def test_a_dossier_counts_at_its_unit_and_every_unit_above(captured: Enrollment) -> None:
    chain = Unit.objects.filter(pk__in=counters.counted_units(captured.unit)).order_by("path")
    assert [u.path for u in chain] == ["/ca/", "/ca/L67/", "/ca/L67/663/"]
    for table in (StateCount, DailyCount, DueCount):
        assert set(table.objects.values_list("unit__path", "count")) == {
            ("/ca/", 1),
            ("/ca/L67/", 1),
            ("/ca/L67/663/", 1),
        }, table


def test_an_intake_after_midnight_counts_on_the_next_day(
    session: Session,
    desks: list[Desk],
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
    captured: Enrollment,
    time_machine: object,
) -> None:
    time_machine.move_to(datetime.datetime(2021, 3, 7, 0, 10, tzinfo=HCM))  # type: ignore[attr-defined]
    person = make_person(captured.person.residence_unit, "Lê Thị Hoa", "01/01/2005", "F")
    late = another_captured(session, desks[0], officer_dakmil, leader, portrait, person)
    assert counters.local_day(late.received_at) == datetime.date(2021, 3, 7)
    by_day = dict(
        DailyCount.objects.filter(event="captured", unit=late.unit).values_list("day", "count")
    )
    assert by_day == {datetime.date(2021, 3, 6): 1, datetime.date(2021, 3, 7): 1}


def test_moves_shift_the_pipeline_and_delivery_counts_its_day(
    captured: Enrollment, back_office_dakmil: User, commander_dakmil: User, time_machine: object
) -> None:
    lifecycle.move(captured.pk, "complete", actor=back_office_dakmil)
    lifecycle.move(captured.pk, "approve", actor=commander_dakmil)
    assert {key[-1]: n for key, n in _states(unit=captured.unit).items()} == {"approved": 1}
    Enrollment.objects.filter(pk=captured.pk).update(state="at_unit")
    counters.state_moved(Enrollment.objects.get(pk=captured.pk), "approved", captured.received_at)
    time_machine.move_to(datetime.datetime(2021, 3, 20, 9, 0, tzinfo=HCM))  # type: ignore[attr-defined]
    lifecycle.deliver(
        captured.pk, actor=back_office_dakmil, delivery="posted", tracking_number="EE123456789VN"
    )
    assert {key[-1]: n for key, n in _states(unit=captured.unit).items()} == {"delivered": 1}
    assert DailyCount.objects.get(event="delivered", unit=captured.unit).day == datetime.date(
        2021, 3, 20
    )


def test_a_refused_move_changes_no_counter(captured: Enrollment, commander_dakmil: User) -> None:
    before = (_states(), _days())
    with pytest.raises(Exception):  # noqa: B017, PT011 (any refusal: the move is not allowed)
        lifecycle.move(captured.pk, "approve", actor=commander_dakmil)
    assert (_states(), _days()) == before


def test_rebuild_gives_the_same_counters_as_the_incremental_path(
    session: Session,
    desks: list[Desk],
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
    captured: Enrollment,
    back_office_dakmil: User,
    commander_dakmil: User,
    time_machine: object,
) -> None:
    commune = captured.person.residence_unit
    dossiers = [captured]
    for i, minute in enumerate((20, 40, 59, 70, 95)):  # the last two after midnight
        time_machine.move_to(
            datetime.datetime(2021, 3, 6, 23, 0, tzinfo=HCM)  # type: ignore[attr-defined]
            + datetime.timedelta(minutes=minute)
        )
        name = ("Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường", "Hoàng Thị Dung", "Vũ Văn Em")[i]
        person = make_person(commune, name, f"0{i + 1}/02/2004", "MF"[i % 2])
        dossiers.append(
            another_captured(session, desks[i % 2], officer_dakmil, leader, portrait, person)
        )
    time_machine.move_to(datetime.datetime(2021, 3, 8, 8, 0, tzinfo=HCM))  # type: ignore[attr-defined]
    for dossier in dossiers[:4]:
        lifecycle.move(dossier.pk, "complete", actor=back_office_dakmil)
    lifecycle.move_many([d.pk for d in dossiers[:3]], "approve", actor=commander_dakmil)
    lifecycle.move(dossiers[3].pk, "return", actor=commander_dakmil, reason="Ảnh mờ")
    lifecycle.move(dossiers[4].pk, "reject", actor=commander_dakmil, reason="Trùng hồ sơ")
    Enrollment.objects.filter(pk=dossiers[0].pk).update(state="at_unit")
    counters.state_moved(
        Enrollment.objects.get(pk=dossiers[0].pk), "approved", dossiers[0].received_at
    )
    lifecycle.deliver(
        dossiers[0].pk, actor=back_office_dakmil, delivery="posted", tracking_number="EE1VN"
    )
    incremental = (_states(), _days(), _dues(), _unit_days())
    district = captured.unit_id
    assert sum(n for key, n in incremental[0].items() if key[0] == district) == 6
    assert len(incremental[1]) >= 3 * 3  # captured on two days and delivered, at three levels
    # owed: 2 approved, 1 returned, 1 still captured (1 delivered, 1 rejected are not)
    assert sum(n for key, n in incremental[2].items() if key[0] == district) == 4
    call_command("rebuild_counters", stdout=io.StringIO())
    assert (_states(), _days(), _dues(), _unit_days()) == incremental
    for (unit, campaign, day, event), n in incremental[
        3
    ].items():  # the coarse rows add up the fine
        assert n == sum(
            c
            for k, c in incremental[1].items()
            if (k[0], k[1], k[4], k[5]) == (unit, campaign, day, event)
        )
