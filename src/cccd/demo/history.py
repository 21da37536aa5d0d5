"""Three weeks of the demo campaign's past, so the dashboard's chart, ranking and forecast and the
officer report have something to show.

For every day from the campaign's start to yesterday, Đắk Mil and Tây Sơn each held sessions —
an evening on weekdays (one a week running past midnight), a morning and an evening at weekends —
and received dossiers at their desks: fewer in the first week (the ramp-up), more in the evenings
and at weekends, more in Tây Sơn than in Đắk Mil, students the biggest group, each person with the
kind of application their card, old ID and age allow (`cccd.core.kinds`). The older a dossier, the further along it is: most of the first fortnight's
are delivered, the last days' still captured or completed.

These rows are written in bulk, as an import of past records would be: the sessions (closed),
their desks and their dossiers, with codes, return dates (`compute_return_date`, the desk's own
rule) and the demo officers as receivers; one audit event covers the import. **History dossiers
carry no captures** (no photo, fingerprint or signature files, no production batch): they exist
for the figures. Each person of the register is used at most once, and only people with no number
and no dossier yet, so nobody ever has two open applications. Idempotent: the history sessions
carry `HISTORY_NOTE`, and a second run that finds them adds nothing. The caller rebuilds the
counters afterwards (`cccd.reports.counters.rebuild`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Team, Venue
from cccd.core import validity
from cccd.demo.seed import DEMO_CAMPAIGN, HISTORY_NOTE
from cccd.enrollments.dossiers.notices import arrived_key
from cccd.enrollments.intake import kinds
from cccd.enrollments.intake.rules import compute_return_date, quote_fee
from cccd.enrollments.models import Enrollment, Kind
from cccd.notify.contacts import context_for
from cccd.notify.models import Message, MessageTemplate
from cccd.notify.services import render
from cccd.registry.models import Person
from cccd.tickets.models import Desk, SessionQueue, Ticket
from cccd.units.models import Unit

SEED = 2021


@dataclass(frozen=True)
class District:
    police: str  # the police unit's path
    area: str  # the administrative subtree its people live in
    officers: tuple[str, ...]  # demo users who sit at the desks
    per_session: int  # dossiers of a full weekday evening


DISTRICTS = (
    District("/ca/L67/663/", "/hc/L67/663/", ("canbo.dakmil", "totruong.dakmil"), 40),
    District("/ca/L52/547/", "/hc/L52/547/", ("canbo.tayson",), 50),
)
# (start, end, how busy against a weekday evening); an evening a week runs past midnight
WEEKDAY = [("19:00", "22:30", 1.0)]
LATE_WEEKDAY = [("19:30", "00:30", 1.15)]
WEEKEND = [("07:30", "11:30", 1.3), ("19:00", "22:30", 1.1)]
RAMP_DAYS = 7
SHARE_PHONE = 0.55  # of the people: a phone given at the desk, to be told by SMS
SHARE_EMAIL = 0.15  # an e-mail
ARRIVAL_DAY = 11  # days from the intake to the card at the unit
COLLECTION_WAIT_MEAN = 4  # days, for the exponential wait before collection
COLLECTION_WAIT_MAX = 40
S = Enrollment.State
ReturnMethod = Enrollment.ReturnMethod


def seed_history(today: date) -> int:
    """Write the campaign's past before `today`; the number of dossiers written (0 when the
    history is already there, or there is no demo campaign)."""
    campaign = Campaign.objects.filter(name=DEMO_CAMPAIGN).first()
    if campaign is None or Session.objects.filter(campaign=campaign, note=HISTORY_NOTE).exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    groups = {g.code: g for g in PriorityGroup.objects.all()}
    written = 0
    with transaction.atomic():
        for district in DISTRICTS:
            written += _district_history(campaign, district, today, rng, groups)
        record(
            "demo.history",
            actor=None,
            unit=Unit.objects.filter(path="/ca/").first(),
            obj=campaign,
            after={"dossiers": written},
        )
    return written


def _district_history(
    campaign: Campaign,
    district: District,
    today: date,
    rng: random.Random,
    groups: dict[str, PriorityGroup],
) -> int:
    unit = Unit.objects.filter(path=district.police).first()
    officers = list(User.objects.filter(username__in=district.officers).order_by("username"))
    venues = list(Venue.objects.filter(unit=unit).order_by("pk"))
    team = Team.objects.filter(unit=unit).order_by("pk").first()
    if unit is None or not officers or not venues or team is None:
        return 0
    sessions = _plan_sessions(campaign, unit, venues, team, today, district.per_session, rng)
    Session.objects.bulk_create([s for s, _n in sessions])
    # one evening in four in a two-officer unit, only one of them sat at a desk
    crews = {
        s.pk: officers if len(officers) == 1 or rng.random() < 0.75 else [rng.choice(officers)]
        for s, _n in sessions
    }
    Desk.objects.bulk_create(
        [
            Desk(session=s, number=i, officer=o)
            for s, _n in sessions
            for i, o in enumerate(crews[s.pk], 1)
        ]
    )
    young, adults = _people(district.area, today)
    rows: list[Enrollment] = []
    fees: dict[tuple[str, date], int] = {}
    desks = _desks_by_session(Desk.objects.filter(session__in=[s for s, _n in sessions]))
    tickets: list[Ticket] = []
    for session, wanted in sessions:
        evening: list[Enrollment] = []
        for _ in range(wanted):
            school = session.venue.kind == Venue.Kind.SCHOOL
            wants_young = rng.random() < (0.85 if school else 0.25)
            pool = young if (wants_young and young) or not adults else adults
            if not pool:
                break
            person = pool.pop()
            dossier = _dossier(
                campaign, session, person, crews[session.pk], today, rng, groups, fees
            )
            if dossier is not None:
                evening.append(dossier)
        tickets += queue_evening(session, evening, desks[session.pk])
        rows += evening
    Ticket.objects.bulk_create(tickets, batch_size=500)
    SessionQueue.objects.bulk_create(
        [SessionQueue(session=s, last_number=n) for s, n in _last_numbers(tickets).items()]
    )
    _codes_and_dates(rows, unit)
    _contacts(rows, random.Random(f"{SEED} contacts {unit.path}"))  # noqa: S311 (demo data)
    Enrollment.objects.bulk_create(rows, batch_size=500)
    AuditEvent.objects.bulk_create(_deliveries(rows), batch_size=500)
    Message.objects.bulk_create(_cards_arrived(rows), batch_size=500)
    return len(rows)


def _desks_by_session(desks: Iterable[Desk]) -> dict[int, list[Desk]]:
    by_session: dict[int, list[Desk]] = {}
    for desk in desks:
        by_session.setdefault(desk.session_id, []).append(desk)
    return by_session


def _last_numbers(tickets: list[Ticket]) -> dict[Session, int]:
    last: dict[Session, int] = {}
    for ticket in tickets:
        last[ticket.session] = max(last.get(ticket.session, 0), ticket.number)
    return last


# The evening's queue: a process of its own, NOT the what-if simulation (cccd.planning.whatif),
# so that the what-if can be checked against it without checking a model against itself. Desks
# open a few minutes after the start; at a school the students hold numbers by class, a class
# every 20 minutes, and come around their slot (some never come); everyone else walks in, more of
# them early in the evening; the elderly are called first (always: the team's habit here, not the
# software's rule of three); each intake takes a time drawn around a median of its kind.
STUDENTS = "student"  # the priority group (campaigns.PriorityGroup.code) a class list gives
CLASS_SIZE = 12
CLASS_EVERY = 20  # minutes between two classes' slots
NO_SHOW = 0.08  # of the numbers handed out to a class
SERVICE_MEDIAN: dict[str, float] = {  # minutes at the desk, by kind
    Kind.FIRST_ISSUE: 6.0,
    Kind.FROM_CMND: 5.0,
    Kind.EXCHANGE_AGE: 4.5,
    Kind.EXCHANGE_CHANGE: 4.5,
    Kind.REISSUE: 5.5,
}


@dataclass
class _Visitor:
    number: int
    line_at: datetime
    arrives: datetime
    first: bool  # called before the others (the elderly)
    dossier: Enrollment | None  # None: a number handed out to someone who never came
    class_name: str = ""


def queue_evening(session: Session, dossiers: list[Enrollment], desks: list[Desk]) -> list[Ticket]:
    """The numbers of one past evening, with the times they were called and done, for `dossiers`
    (who came and were served) and the numbers handed out to people who never came; each dossier
    gets its ticket, its desk's officer and the times of its intake."""
    rng = random.Random(f"{SEED}:queue:{session.unit.path}:{session.starts_at.isoformat()}")  # noqa: S311 (demo data)
    visitors = _visitors(session, dossiers, rng)
    free = [session.starts_at + timedelta(minutes=rng.uniform(0, 8)) for _ in desks]
    waiting = sorted(visitors, key=lambda v: v.arrives)
    tickets = []
    while waiting:
        index = min(range(len(free)), key=lambda i: free[i])
        now = max(free[index], min(_present_from(v) for v in waiting))
        present = [v for v in waiting if _present_from(v) <= now]
        visitor = min(present, key=lambda v: (not v.first, v.line_at, v.number))
        waiting.remove(visitor)
        tickets.append(_ticket(session, visitor, desks[index], now, rng))
        free[index] = tickets[-1].done_at or now + timedelta(minutes=1)  # a no-show: a minute lost
    return tickets


def _present_from(visitor: _Visitor) -> datetime:
    """When the desk can call the number: its holder has come, or (never coming) its slot is due."""
    return visitor.arrives if visitor.dossier is not None else visitor.line_at


def _visitors(session: Session, dossiers: list[Enrollment], rng: random.Random) -> list[_Visitor]:
    start = session.starts_at
    span = (session.ends_at - start).total_seconds() / 60 - 20
    school = session.venue.kind == Venue.Kind.SCHOOL
    students = [d for d in dossiers if school and d.group is not None and d.group.code == STUDENTS]
    holders: list[_Visitor] = []
    for index, dossier in enumerate([*students, *[None] * round(len(students) * NO_SHOW)]):
        klass = index % max(1, math.ceil(len(students) / CLASS_SIZE))
        slot = start + timedelta(minutes=CLASS_EVERY * klass)
        late = timedelta(minutes=max(-15.0, rng.gauss(2, 6)))
        name = f"12A{klass + 1}"
        holders.append(_Visitor(0, slot, slot + late, False, dossier, name))
    holders.sort(key=lambda v: (v.line_at, rng.random()))
    walkers = []
    for dossier in dossiers:
        if dossier in students:
            continue
        came = start + timedelta(minutes=span * rng.betavariate(1.6, 2.6))
        elderly = dossier.group is not None and dossier.group.served_first
        walkers.append(_Visitor(0, came, came, elderly, dossier))
    walkers.sort(key=lambda v: v.arrives)
    for number, visitor in enumerate([*holders, *walkers], start=1):
        visitor.number = number
    return [*holders, *walkers]


def _ticket(
    session: Session, visitor: _Visitor, desk: Desk, called: datetime, rng: random.Random
) -> Ticket:
    dossier = visitor.dossier
    advance = bool(visitor.class_name)
    ticket = Ticket(
        session=session,
        number=visitor.number,
        kind=Ticket.Kind.ADVANCE if advance else Ticket.Kind.WALK_IN,
        person=dossier.person if dossier else None,
        class_name=visitor.class_name,
        group=None if advance or dossier is None else dossier.group,
        state=Ticket.State.DONE if dossier else Ticket.State.UNSERVED,
        slot_start=visitor.line_at if advance else None,
        line_at=visitor.line_at,
        desk=desk if dossier else None,  # a number skipped and left: no desk
        issued_at=session.starts_at - timedelta(days=1) if advance else visitor.arrives,
        issued_by=desk.officer,
        called_at=called,
        calls=1,
    )
    if dossier is None:
        return ticket
    minutes = SERVICE_MEDIAN.get(dossier.kind, 5.0) * rng.lognormvariate(0, 0.3)
    ticket.done_at = called + timedelta(minutes=minutes)
    dossier.ticket = ticket
    dossier.created_at = called + timedelta(seconds=30)
    dossier.received_at = ticket.done_at
    dossier.created_by = dossier.received_by = desk.officer
    if dossier.state == S.CAPTURED:
        dossier.state_changed_at, dossier.state_changed_by = ticket.done_at, desk.officer
    else:
        dossier.state_changed_at = max(dossier.state_changed_at, ticket.done_at)
    return ticket


def _plan_sessions(
    campaign: Campaign,
    unit: Unit,
    venues: list[Venue],
    team: Team,
    today: date,
    per_session: int,
    rng: random.Random,
) -> list[tuple[Session, int]]:
    """The history's sessions and how many dossiers each receives; an evening where the demo
    already has a session of this unit is left to that one (no officer works two at once)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    taken = list(Session.objects.filter(unit=unit).values_list("starts_at", "ends_at"))
    planned = []
    day = campaign.start_date
    while day < today:
        ramp = min(1.0, 0.3 + 0.7 * (day - campaign.start_date).days / RAMP_DAYS)
        slots = WEEKEND if day.weekday() >= 5 else LATE_WEEKDAY if day.weekday() == 3 else WEEKDAY
        for start, end, busy in slots:
            starts = datetime.combine(day, time.fromisoformat(start), tzinfo=zone)
            ends = datetime.combine(day, time.fromisoformat(end), tzinfo=zone)
            ends += timedelta(days=1) if ends <= starts else timedelta()
            if any(s < ends and starts < e for s, e in taken):
                continue
            venue = rng.choices(venues, [3 if v.kind == Venue.Kind.SCHOOL else 1 for v in venues])[
                0
            ]
            wanted = round(per_session * busy * ramp * rng.uniform(0.8, 1.2))
            session = Session(
                campaign=campaign,
                unit=unit,
                venue=venue,
                team=team,
                starts_at=starts,
                ends_at=ends,
                desks=2,
                capacity=max(wanted, 50),
                state=Session.State.CLOSED,
                note=HISTORY_NOTE,
            )
            planned.append((session, wanted))
        day += timedelta(days=1)
    return planned


def _people(area: str, today: date) -> tuple[list[Person], list[Person]]:
    """People of the district old enough for a card, never ticketed nor with a dossier: the young
    (to 22, the students) and the others, each in a fixed shuffled order."""
    people = list(
        Person.objects.filter(
            residence_unit__path__startswith=area,
            status="alive",
            birth_year__lte=today.year - 14,
            enrollments__isnull=True,
        )
        .exclude(pk__in=Ticket.objects.filter(person__isnull=False).values("person_id"))
        .only(
            "pk",
            "birth_date",
            "birth_year",
            "birth_date_precision",
            "card_issue_date",
            "card_expiry",
            "old_id_number",
        )
        .order_by("personal_id")
    )
    random.Random(SEED + len(area)).shuffle(people)  # noqa: S311 (demo data)
    young = [p for p in people if p.birth_year >= today.year - 22]
    return young, [p for p in people if p.birth_year < today.year - 22]


def _dossier(
    campaign: Campaign,
    session: Session,
    person: Person,
    officers: list[User],
    today: date,
    rng: random.Random,
    groups: dict[str, PriorityGroup],
    fees: dict[tuple[str, date], int],
) -> Enrollment | None:
    """One dossier received during `session` (a quarter of an hour from its end at the latest),
    by one of its desks' officers, moved on as far as its age makes likely; None when no kind of
    application is open to the person that day (`cccd.core.kinds`)."""
    span = (session.ends_at - session.starts_at).total_seconds() / 60 - 15
    received = session.starts_at + timedelta(minutes=5 + rng.random() * span)
    zone = ZoneInfo(settings.TIME_ZONE)
    day = received.astimezone(zone).date()
    age = validity.age_on(person.birth_date, day)
    kind, kind_reason = _kind(person, day, campaign.law, rng)
    if not kind:
        return None
    if (kind, day) not in fees:
        fees[kind, day] = quote_fee(kind, day, None)
    group = "student" if age <= 22 else ("elderly" if age >= 70 else "general")
    officer = officers[rng.randrange(len(officers))]
    state, moved = _state((today - day).days, rng)
    changed = min(
        received + timedelta(days=moved, hours=rng.randint(1, 8)),
        datetime.combine(today, time(7), tzinfo=zone),
    )
    dossier = Enrollment(
        unit=session.unit,
        campaign=campaign,
        session=session,
        person=person,
        kind=kind,
        kind_reason=kind_reason,
        group=groups.get(group),
        law=campaign.law,
        fee=fees[kind, day],
        state=state,
        state_changed_at=changed if state != S.CAPTURED else received,
        state_changed_by=officer,
        created_at=received - timedelta(minutes=4),
        created_by=officer,
        received_at=received,
        received_by=officer,
    )
    if state in (S.PRODUCED, S.AT_UNIT, S.DELIVERED):
        issued = day + timedelta(days=max(1, moved - 3))
        dossier.card_issue_date = issued
        dossier.card_expiry = validity.card_expiry(person.birth_date, issued, law=campaign.law)  # type: ignore[arg-type]
        dossier.chip_serial = f"{rng.getrandbits(48):012X}"
    if state == S.DELIVERED:
        dossier.delivery = (
            Enrollment.Delivery.POSTED if rng.random() < 0.3 else Enrollment.Delivery.HANDED_OVER
        )
        if dossier.delivery == Enrollment.Delivery.POSTED:
            dossier.tracking_number = f"EE{rng.randrange(10**9, 10**10)}VN"
    if state in (S.REJECTED, S.CANCELLED, S.RETURNED):
        dossier.reason = {
            S.REJECTED: "Đã có thẻ còn hạn",
            S.CANCELLED: "Công dân xin rút hồ sơ",
            S.RETURNED: "Ảnh chân dung mờ, mời chụp lại",
        }[state]
    return dossier


def _kind(person: Person, day: date, law: str, rng: random.Random) -> tuple[str, str]:
    """The kind the person's register entry allows on the day (`cccd.core.kinds`: most people of
    2021 changed their old CMND), with the reason a card holder not yet due for age gives; ("", "")
    when none is open to them."""
    kind = kinds.suggest(person, law, day) or ""
    if kind in (Kind.EXCHANGE_CHANGE, Kind.REISSUE):
        return (
            (Kind.EXCHANGE_CHANGE, "Thẻ bị gãy góc")
            if rng.random() < 0.7
            else (Kind.REISSUE, "Mất thẻ")
        )
    return kind, ""


def _state(age_days: int, rng: random.Random) -> tuple[Enrollment.State, int]:
    """The state a dossier received `age_days` ago is likely in, and after how many days it got
    there (working through the back office, the commander, the centre and the post)."""
    roll = rng.random()
    if roll < 0.01 and age_days > 3:
        return S.REJECTED, 3
    if roll < 0.02 and age_days > 3:
        return S.CANCELLED, 2
    if roll < 0.03 and age_days > 3:
        return S.RETURNED, 2
    ladder = [
        (1, S.COMPLETED),
        (3, S.APPROVED),
        (5, S.IN_PRODUCTION),
        (9, S.PRODUCED),
        (ARRIVAL_DAY, S.AT_UNIT),
    ]
    reach = age_days - rng.randint(0, 3)  # some dossiers wait longer at a step
    state, moved = S.CAPTURED, 0
    for days, step in ladder:
        if reach >= days:
            state, moved = step, days
    wait = _collection_wait(rng)
    if state == S.AT_UNIT and reach >= ARRIVAL_DAY + wait:
        state, moved = S.DELIVERED, ARRIVAL_DAY + wait
    return state, moved


def _collection_wait(rng: random.Random) -> int:
    """Days a card waits at the unit before its owner collects it: most within the week, a few
    for a month (those are the ones the unit has to remind)."""
    return min(COLLECTION_WAIT_MAX, 1 + int(rng.expovariate(1 / COLLECTION_WAIT_MEAN)))


def _deliveries(rows: list[Enrollment]) -> list[AuditEvent]:
    """The `deliver` moves of the history's delivered cards, as the lifecycle records them (the
    arrival's stamp before, the delivery's after): the dashboard's days from arrival to
    collection are read from these."""
    return [
        AuditEvent(
            at=dossier.state_changed_at,
            actor=dossier.state_changed_by,
            actor_username=dossier.state_changed_by.username if dossier.state_changed_by else "",
            action="enrollment.deliver",
            object_type=Enrollment._meta.label_lower,
            object_id=str(dossier.pk),
            object_repr=dossier.code or "",
            unit=dossier.unit,
            before={"state": S.AT_UNIT.value, "state_changed_at": _arrived(dossier).isoformat()},
            after={
                "state": S.DELIVERED.value,
                "state_changed_at": dossier.state_changed_at.isoformat(),
                "delivery": dossier.delivery,
            },
            source="demo history",
        )
        for dossier in rows
        if dossier.state == S.DELIVERED and dossier.pk is not None
    ]


def _contacts(rows: list[Enrollment], rng: random.Random) -> None:
    """A phone for about half the people, an e-mail for some, nothing for the rest (the desk
    asks; not everyone gives one). Made-up numbers and addresses of example.vn."""
    for turn, dossier in enumerate(rows):
        roll = rng.random()
        if roll < SHARE_PHONE:
            dossier.notify_channel = "sms"
            dossier.notify_address = f"8491{rng.randrange(10**7):07d}"
        elif roll < SHARE_PHONE + SHARE_EMAIL:
            dossier.notify_channel = "email"
            dossier.notify_address = f"congdan.{dossier.unit.code}.{turn}@example.vn".lower()


def _cards_arrived(rows: list[Enrollment]) -> list[Message]:
    """The "card arrived" message each card with a contact got on its arrival, as the dossier's
    notices send it (`cccd.enrollments.dossiers.notices`): the dashboard counts them as notified.
    None when the templates are not loaded."""
    templates = {t.channel: t for t in MessageTemplate.objects.filter(code="card_arrived")}
    messages = []
    for dossier in rows:
        template = templates.get(dossier.notify_channel)
        arrived = dossier.state in (S.AT_UNIT, S.DELIVERED)
        if template is None or not arrived or dossier.return_method == ReturnMethod.POST:
            continue
        values = {"place": dossier.unit.name, "hours": settings.CCCD_CARD_COLLECTION_HOURS}
        context = context_for(dossier.notify_channel, values)
        subject, text = render(template, context)
        messages.append(
            Message(
                unit=dossier.unit,
                channel=dossier.notify_channel,
                address=dossier.notify_address,
                template_code="card_arrived",
                subject=subject,
                text=text,
                template_data=context,
                event_key=arrived_key(dossier.pk),
                state=Message.State.SENT,
                attempts=1,
                sent_at=_arrived(dossier),
            )
        )
    return messages


def _arrived(dossier: Enrollment) -> datetime:
    received: datetime = dossier.received_at  # type: ignore[assignment]
    return received + timedelta(days=ARRIVAL_DAY, hours=9)


def _codes_and_dates(rows: list[Enrollment], unit: Unit) -> None:
    """Codes of past records (`<unit>-<yymmdd>-L<n>`, apart from the desk's `<unit>-<yymmdd>-<id>`)
    and return dates by the desk's rule, computed once per day and kind."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows.sort(key=lambda e: e.received_at)  # type: ignore[arg-type,return-value]
    start = Enrollment.objects.filter(unit=unit, code__contains="-L").count()
    dates: dict[tuple[date, str], date] = {}
    for number, dossier in enumerate(rows, start=start + 1):
        day = dossier.received_at.astimezone(zone).date()  # type: ignore[union-attr]
        dossier.code = f"{unit.code}-{day:%y%m%d}-L{number:05d}"
        if (day, dossier.kind) not in dates:
            dates[(day, dossier.kind)] = compute_return_date(dossier, day)
        dossier.return_date = dates[(day, dossier.kind)]
