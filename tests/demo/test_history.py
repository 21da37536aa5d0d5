"""The demo's history: a few weeks of dossiers behind the campaign, written once, shaped like a
real campaign (not a flat line), giving the forecast a pace, never two open dossiers for a person."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone

from cccd.campaigns.models import Session
from cccd.demo import seed
from cccd.demo.history import HISTORY_NOTE, seed_history
from cccd.enrollments.models import Enrollment
from cccd.reports import counters, queries
from cccd.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: object) -> datetime.date:
    """The demo's units, users, a small register and the campaign started 21 days ago."""
    monkeypatch.setattr(seed, "DEMO_PEOPLE", 9000)
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    today = timezone.localdate()
    seed.seed_units()
    seed.seed_users()
    seed.seed_register(2021)
    seed.seed_campaign(today)
    return today


def test_the_history_is_written_once(demo: datetime.date) -> None:
    written = seed_history(demo)
    dossiers, sessions = Enrollment.objects.count(), Session.objects.count()

    assert written == dossiers > 500
    assert seed_history(demo) == 0
    assert (Enrollment.objects.count(), Session.objects.count()) == (dossiers, sessions)


def test_the_history_is_a_campaign_not_a_flat_line(demo: datetime.date) -> None:
    seed_history(demo)
    counters.rebuild()
    campaign = Session.objects.filter(note=HISTORY_NOTE).first().campaign
    dakmil = Unit.objects.get(path="/ca/L67/663/")
    tayson = Unit.objects.get(path="/ca/L52/547/")

    figures = queries.figures(dakmil, campaign, demo)
    past = [n for day, n, _c in figures.daily if day < demo]
    first_week, last_week = sum(past[:7]), sum(past[-7:])
    assert len(set(past)) > 5  # days differ
    assert first_week < last_week  # the ramp-up
    assert figures.forecast.pace > 0
    assert figures.forecast.reaches_on is not None
    assert queries.figures(tayson, campaign, demo).done > figures.done
    received = Enrollment.objects.exclude(received_at=None)
    assert received.filter(received_by__username="canbo.dakmil").exists()
    assert received.filter(received_by__username="canbo.tayson").exists()
    groups = received.values_list("group__code").annotate(n=Count("pk")).order_by("-n")
    assert groups[0][0] == "student", list(groups)
    kinds = dict(received.values_list("kind").annotate(n=Count("pk")))
    assert len(kinds) >= 3, kinds  # each the kind the person's card and age allow (core.kinds)
    states = set(received.values_list("state", flat=True))
    assert {"captured", "completed", "delivered"} <= states
    late = [timezone.localtime(t).hour for t in received.values_list("received_at", flat=True)]
    assert any(h < 2 for h in late)  # some evenings ran past midnight


def test_no_person_has_two_open_dossiers(demo: datetime.date) -> None:
    seed_history(demo)
    open_ = Enrollment.objects.exclude(state__in=Enrollment.CLOSED_STATES)
    assert not open_.values("person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    everyone = Enrollment.objects.values("person").annotate(n=Count("pk")).filter(n__gt=1)
    assert not everyone.exists()  # the history uses each person once


def test_the_history_has_its_queues_times_from_its_own_process(demo: datetime.date) -> None:
    """Every dossier came through a number of its evening, called then done at a desk of it; some
    numbers handed out to a class were never answered. The what-if is checked against these times
    (bench/whatif.py), so they come from `queue_evening`, not from the simulator."""
    from cccd.tickets.models import Ticket

    seed_history(demo)
    dossiers = Enrollment.objects.select_related("ticket__desk")
    assert dossiers.exists()
    for dossier in dossiers:
        ticket = dossier.ticket
        assert ticket is not None
        assert ticket.session_id == dossier.session_id
        assert ticket.state == Ticket.State.DONE
        assert ticket.line_at <= ticket.done_at  # type: ignore[operator]
        assert ticket.called_at <= ticket.done_at == dossier.received_at  # type: ignore[operator]
        assert ticket.desk is not None and ticket.desk.officer_id == dossier.received_by_id
    never = Ticket.objects.filter(state=Ticket.State.UNSERVED, kind=Ticket.Kind.ADVANCE)
    assert never.exists()
    assert not never.filter(person__isnull=False).exists()
    assert Ticket.objects.filter(kind=Ticket.Kind.WALK_IN, group__served_first=True).exists()
