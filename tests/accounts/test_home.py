"""The home page of those who work the desks starts at today's sessions and the desk they hold —
tonight's, and last night's still running after midnight (issue 12)."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_venue, plan_session
from cccd.tickets import services
from cccd.tickets.models import Desk
from tests.conftest import client_for
from tests.tickets.conftest import HCM
from tests.tickets.conftest import leader as leader  # noqa: F401  (fixtures)
from tests.tickets.conftest import session as session  # noqa: F401

pytestmark = pytest.mark.django_db
DURING = datetime.datetime(2021, 3, 6, 20, 0, tzinfo=HCM)


def test_an_officer_starts_at_tonights_session_and_the_desk_they_hold(
    session: Session,  # noqa: F811
    officer_dakmil: User,
) -> None:
    services.open_queue(session.pk, actor=officer_dakmil)
    services.open_desk(Desk.objects.get(session=session, number=2).pk, actor=officer_dakmil)
    with time_machine.travel(DURING, tick=False):
        response = client_for(officer_dakmil).get("/")
    html = response.content.decode()
    [item] = response.context["tonight"].sessions
    assert item.session == session and item.desk.number == 2 and item.in_team
    assert f'href="/queue/sessions/{session.pk}/desks/2/" data-testid="my-desk"' in html
    assert f'href="/queue/sessions/{session.pk}/"' in html
    assert html.index('data-testid="tonight"') < html.index("Your unit")  # the page starts there
    assert 'data-status="running"' in html


def test_after_midnight_last_nights_session_is_still_tonights(
    session: Session,  # noqa: F811
    leader: User,  # noqa: F811
) -> None:
    late = plan_session(
        campaign_id=session.campaign_id,
        venue_id=create_venue(
            unit_id=session.unit_id, kind="commune_hall", name="Hội trường xã Đắk Lao", actor=leader
        ).pk,
        team_id=session.team_id,
        starts_at=datetime.datetime(2021, 3, 7, 20, tzinfo=HCM),
        ends_at=datetime.datetime(2021, 3, 8, 0, 30, tzinfo=HCM),
        desks=1,
        capacity=50,
        actor=leader,
    )
    with time_machine.travel(datetime.datetime(2021, 3, 8, 0, 15, tzinfo=HCM), tick=False):
        tonight = client_for(leader).get("/").context["tonight"]
    assert [t.session for t in tonight.sessions] == [late]  # not the 06/03 evening


def test_a_desk_left_open_elsewhere_is_pointed_out(
    session: Session,  # noqa: F811
    officer_dakmil: User,
) -> None:
    services.open_queue(session.pk, actor=officer_dakmil)
    services.open_desk(Desk.objects.get(session=session, number=1).pk, actor=officer_dakmil)
    with time_machine.travel(DURING + datetime.timedelta(days=1), tick=False):
        response = client_for(officer_dakmil).get("/")
    assert response.context["tonight"].sessions == []
    assert [d.session for d in response.context["tonight"].elsewhere] == [session]
    assert 'data-testid="desks-elsewhere"' in response.content.decode()


def test_a_commander_or_a_liaison_sees_no_desk_section(
    session: Session,  # noqa: F811
    commander_daknong: User,
    liaison_dakmil: User,
) -> None:
    for user in (commander_daknong, liaison_dakmil):
        with time_machine.travel(DURING, tick=False):
            response = client_for(user).get("/")
        assert response.context["tonight"] is None
        assert 'data-testid="tonight"' not in response.content.decode()


def test_the_section_reads_in_vietnamese(session: Session, officer_dakmil: User) -> None:  # noqa: F811
    with time_machine.travel(DURING, tick=False):
        html = client_for(officer_dakmil).get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Buổi thu nhận hôm nay và bàn của bạn" in html and "Đang thu nhận" in html
    assert Session.objects.count() == 1
