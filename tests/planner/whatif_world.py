"""A small world for the what-if tests: Đắk Mil's earlier evenings with their numbers and times,
and the evening to forecast (Saturday 6 March 2021, 19:00–22:00)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Team, Venue
from cccd.tickets.models import Desk, Ticket
from cccd.units.models import Unit
from tests.builders import Tree, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
EVENING = datetime.datetime(2021, 3, 6, 19, tzinfo=HCM)


@dataclass
class World:
    campaign: Campaign
    venue: Venue
    team: Team
    leader: User
    tonight: Session
    earlier: list[Session]


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def make_session(
    world_unit: Unit,
    campaign: Campaign,
    venue: Venue,
    team: Team,
    starts_at: datetime.datetime,
    *,
    hours: float = 3,
    desks: int = 2,
    state: str = Session.State.PLANNED,
    kind: str = Session.Kind.VENUE,
) -> Session:
    return Session.objects.create(
        campaign=campaign,
        unit=world_unit,
        venue=venue,
        team=team,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        desks=desks,
        state=state,
        kind=kind,
    )


def add_ticket(
    session: Session,
    number: int,
    *,
    line_after: float,
    called_after: float | None = None,
    service: float | None = None,
    kind: str = Ticket.Kind.WALK_IN,
    issued_at: datetime.datetime | None = None,
    group: PriorityGroup | None = None,
    state: str | None = None,
    desk: Desk | None = None,
) -> Ticket:
    start = session.starts_at
    called = start + minutes(called_after) if called_after is not None else None
    done = called + minutes(service) if called is not None and service is not None else None
    line_at = start + minutes(line_after)
    return Ticket.objects.create(
        session=session,
        number=number,
        kind=kind,
        group=group,
        state=state or (Ticket.State.DONE if done else Ticket.State.WAITING),
        slot_start=line_at if kind == Ticket.Kind.ADVANCE else None,
        line_at=line_at,
        issued_at=issued_at
        or (start - datetime.timedelta(days=1) if kind == "advance" else line_at),
        called_at=called,
        done_at=done,
        calls=1 if called else 0,
        desk=desk if done else None,
    )


def make_world(tree: Tree) -> World:
    """Two earlier evenings at the school, each of three walk-ins served in 4, 5 and 6 minutes and
    two numbers handed out in advance (one came, one did not), all at desk 1 of the two planned;
    tonight: three numbers handed out in advance, by slot."""
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    campaign = Campaign.objects.create(
        unit=tree.daknong_police,
        name="CCCD 2021",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
    )
    venue = Venue.objects.create(unit=tree.dakmil_police, kind="school", name="THPT Đắk Mil")
    team = Team.objects.create(unit=tree.dakmil_police, name="Tổ 1", leader=leader)
    earlier = []
    for days in (2, 1):
        session = make_session(
            tree.dakmil_police,
            campaign,
            venue,
            team,
            EVENING - datetime.timedelta(days=days),
            state=Session.State.CLOSED,
        )
        desk = Desk.objects.create(session=session, number=1, officer=leader)
        for number, service in enumerate((4.0, 5.0, 6.0), start=1):
            add_ticket(
                session,
                number,
                line_after=10 * number,
                called_after=12 * number,
                service=service,
                desk=desk,
            )
        add_ticket(session, 4, line_after=0, called_after=1, service=5.0, kind="advance", desk=desk)
        add_ticket(
            session, 5, line_after=0, called_after=2, kind="advance", state=Ticket.State.UNSERVED
        )
        earlier.append(session)
    tonight = make_session(tree.dakmil_police, campaign, venue, team, EVENING)
    for number, slot in enumerate((0, 0, 20), start=1):
        add_ticket(tonight, number, line_after=slot, kind="advance")
    return World(campaign, venue, team, leader, tonight, earlier)
