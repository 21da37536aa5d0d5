"""The demo installation: units of Đắk Nông and Bình Định as in 2021, and one user per role.

Deterministic and idempotent: running it again finds what is there and creates only what is
missing. The passwords are printed and listed in README.md; they are for a demo only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction

from cccd.accounts.models import Role, User
from cccd.accounts.services import create_administrator, create_user
from cccd.campaigns.models import Campaign
from cccd.demo.generator import communes_for_districts, generate_people, write_csv
from cccd.spreadsheets import first_sheet
from cccd.unitadmin.services import load_units
from cccd.units.models import Unit

if TYPE_CHECKING:
    import random

    from cccd.campaigns.models import Session
    from cccd.registry.models import Person
    from cccd.rosters.models import Roster
    from cccd.tickets.models import Desk, Ticket

DEMO_PROVINCES = ["67", "52"]  # Đắk Nông, Bình Định (legacy codes)
DEMO_DISTRICTS = ["663", "547"]  # Đắk Mil, Tây Sơn
DEMO_PEOPLE = 22000
DEMO_CAMPAIGN = "Cấp thẻ Căn cước gắn chíp — đợt cao điểm"
HISTORY_NOTE = "Lịch sử đợt cao điểm (dữ liệu mẫu)"
"""The note on the sessions of the campaign's past (`cccd.demo.history`), which the evenings seeded
here must never be taken for: defined here, the lower of the two modules, so neither imports back."""
DEMO_PLANNERS = {"/ca/L67/663/": "totruong.dakmil", "/ca/L52/547/": "chihuy.tayson"}
DEMO_FACE = Path(__file__).parent / "data" / "portrait.jpg"  # public domain, see data/README.md


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    unit_path: str
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("quantri", "Demo@cccd2021", Role.ADMINISTRATOR, "/ca/", "Minh", "Trần Quang"),
    DemoUser("chihuy.daknong", "Demo@cccd2021", Role.COMMANDER, "/ca/L67/", "Hùng", "Nguyễn Văn"),
    DemoUser("chihuy.dakmil", "Demo@cccd2021", Role.COMMANDER, "/ca/L67/663/", "Dũng", "Lê Tiến"),
    DemoUser(
        "totruong.dakmil", "Demo@cccd2021", Role.TEAM_LEADER, "/ca/L67/663/", "Thắng", "Phạm Đức"
    ),
    DemoUser(
        "canbo.dakmil", "Demo@cccd2021", Role.OFFICER, "/ca/L67/663/", "Hương", "Đặng Thị Thu"
    ),
    DemoUser("hauky.dakmil", "Demo@cccd2021", Role.BACK_OFFICE, "/ca/L67/663/", "Lan", "Võ Thị"),
    DemoUser(
        "lienlac.dakmil", "Demo@cccd2021", Role.LIAISON, "/ca/L67/663/", "Bình", "Hoàng Thanh"
    ),
    DemoUser("canbo.tayson", "Demo@cccd2021", Role.OFFICER, "/ca/L52/547/", "Tâm", "Huỳnh Minh"),
    DemoUser("chihuy.tayson", "Demo@cccd2021", Role.COMMANDER, "/ca/L52/547/", "Phong", "Bùi Văn"),
]


def seed_units() -> None:
    if (
        not Unit.objects.filter(path="/ca/L52/547/").exists()
        or not Unit.objects.filter(path="/ca/L67/663/").exists()
    ):
        load_units("legacy", DEMO_PROVINCES, with_police=True, actor=None)


@transaction.atomic
def seed_users() -> list[tuple[DemoUser, bool]]:
    """Create the missing demo users; report which ones were new."""
    results = []
    administrator = None
    for demo in DEMO_USERS:  # the administrator comes first and creates the others
        existing = User.objects.filter(username=demo.username).first()
        if demo.role == Role.ADMINISTRATOR:
            administrator = existing
        if existing is not None:
            results.append((demo, False))
            continue
        unit = Unit.objects.get(path=demo.unit_path)
        if demo.role == Role.ADMINISTRATOR:
            administrator = user = create_administrator(
                username=demo.username, password=demo.password, unit=unit
            )
            user.first_name, user.last_name = demo.first_name, demo.last_name
            user.save(update_fields=["first_name", "last_name"])
        else:
            if administrator is None:
                raise RuntimeError("the demo administrator is created first")
            create_user(
                username=demo.username,
                password=demo.password,
                unit=unit,
                role=demo.role,
                first_name=demo.first_name,
                last_name=demo.last_name,
                actor=administrator,
            )
        results.append((demo, True))
    return results


def seed_register(seed: int) -> int:
    """Generate the demo register for Đắk Mil and Tây Sơn and import it (once); the people count."""
    from django.conf import settings

    from cccd.registry.importing import run_import
    from cccd.registry.models import Person
    from cccd.registry.services import import_file

    if Person.objects.exists():
        return Person.objects.count()
    path = settings.DATA_DIR / f"demo-register-{seed}.csv"
    rows = generate_people(
        seed=seed, communes=communes_for_districts(DEMO_DISTRICTS), people=DEMO_PEOPLE
    )
    write_csv(rows, path, bom=True)
    run_import(import_file(path, actor=None, unit_path="/ca/"))
    return Person.objects.count()


DEMO_VENUES = [
    ("/ca/L67/663/", "school", "Trường THPT Đắk Mil", "Thị trấn Đắk Mil, huyện Đắk Mil"),
    ("/ca/L67/663/", "school", "Trường THPT Trần Hưng Đạo", "Xã Đắk Lao, huyện Đắk Mil"),
    ("/ca/L67/663/", "commune_hall", "Hội trường UBND xã Thuận An", "Xã Thuận An, huyện Đắk Mil"),
    ("/ca/L67/663/", "cultural_house", "Nhà văn hóa thôn 5, xã Đắk Lao", "Thôn 5, xã Đắk Lao"),
    ("/ca/L52/547/", "school", "Trường THPT Quang Trung", "Thị trấn Phú Phong, huyện Tây Sơn"),
    ("/ca/L52/547/", "school", "Trường THPT Nguyễn Huệ", "Xã Tây Phú, huyện Tây Sơn"),
    ("/ca/L52/547/", "office", "Trụ sở Công an huyện Tây Sơn", "Thị trấn Phú Phong"),
]
# (venue index, day offset from today, start, end, desks, capacity): evenings, weekends, one past midnight
DEMO_SESSIONS = [
    (0, -16, "19:00", "23:30", 3, 300), (1, -6, "07:30", "11:30", 2, 150), (2, -4, "19:30", "00:30", 2, 120),
    (3, -1, "14:00", "17:30", 1, 60), (0, 0, "19:00", "23:30", 3, 300), (1, 2, "19:00", "22:30", 3, 200),
    (2, 5, "07:30", "11:00", 2, 120), (4, -3, "19:00", "23:00", 3, 250), (5, 1, "19:00", "23:30", 3, 250),
    (6, 3, "08:00", "17:00", 2, 150), (0, 7, "19:00", "23:00", 3, 300),
]  # fmt: skip
DEMO_PAST_EVENING = 2  # the evening at Thuận An four days ago: served through the desk, then closed
DEMO_OLDER_EVENING = 0  # THPT Đắk Mil sixteen days ago: its dossiers go on to every later state
DEMO_TONIGHT = 4  # THPT Đắk Mil tonight, under way; the school's next evening is a week later


def seed_campaign(today: date) -> Campaign:
    """A campaign of Đắk Nông and Bình Định a few weeks in, with targets, venues, teams and sessions."""
    from cccd.campaigns import services as plan
    from cccd.campaigns.models import PriorityGroup, Session

    existing = Campaign.objects.filter(name=DEMO_CAMPAIGN).first()
    if existing is not None:
        return existing
    admin = User.objects.get(username="quantri")
    campaign = plan.create_campaign(
        unit_id=Unit.objects.get(path="/ca/").pk,
        name=DEMO_CAMPAIGN,
        law="2023",
        start_date=today - timedelta(days=21),
        end_date=today + timedelta(days=42),
        actor=admin,
    )
    students = PriorityGroup.objects.get(code="student")
    for path, total, student_total in (
        ("/ca/L67/663/", 2450, 600),  # a tenth of 2021's figures, as the demo register is small
        ("/ca/L52/547/", 2100, 520),
    ):
        unit = Unit.objects.get(path=path)
        plan.set_target(
            campaign_id=campaign.pk,
            unit_id=unit.pk,
            group_id=None,
            total=total,
            per_day=40,
            actor=admin,
        )
        plan.set_target(
            campaign_id=campaign.pk,
            unit_id=unit.pk,
            group_id=students.pk,
            total=student_total,
            per_day=None,
            actor=admin,
        )
    planners = {path: User.objects.get(username=name) for path, name in DEMO_PLANNERS.items()}
    venues = [
        plan.create_venue(
            unit_id=Unit.objects.get(path=p).pk, kind=k, name=n, address=a, actor=planners[p]
        )
        for p, k, n, a in DEMO_VENUES
    ]
    teams = {}
    for path, leader in planners.items():
        unit = Unit.objects.get(path=path)
        staff = User.objects.filter(
            unit=unit, role__in=["officer", "team_leader", "back_office", "commander"]
        )
        teams[path] = plan.create_team(
            unit_id=unit.pk,
            name=f"Tổ công tác lưu động — {unit.name}",
            leader_id=leader.pk,
            member_ids=list(staff.values_list("pk", flat=True)),
            actor=leader,
        )
    zone = ZoneInfo(settings.TIME_ZONE)
    for number, (index, offset, start, end, desks, capacity) in enumerate(DEMO_SESSIONS):
        venue = venues[index]
        day = today + timedelta(days=offset)
        starts = datetime.combine(day, time.fromisoformat(start), tzinfo=zone)
        ends = datetime.combine(day, time.fromisoformat(end), tzinfo=zone)
        ends += timedelta(days=1) if ends < starts else timedelta()
        session = plan.plan_session(
            campaign_id=campaign.pk,
            venue_id=venue.pk,
            team_id=teams[venue.unit.path].pk,
            starts_at=starts,
            ends_at=ends,
            desks=desks,
            capacity=capacity,
            actor=planners[venue.unit.path],
        )
        # past days' sessions are closed (seed_past_evening closes its own); tonight's stays open even
        # when the demo is seeded after it should have ended, so its queue always works
        if (
            offset < 0
            and ends < datetime.now(zone)
            and number not in (DEMO_PAST_EVENING, DEMO_OLDER_EVENING)
        ):
            Session.objects.filter(pk=session.pk).update(state=Session.State.CLOSED)
    return campaign


def seed_roster(seed: int) -> int:
    """The school's lists for tonight's session at THPT Đắk Mil, sent class by class as schools
    do: grade 12, then grades 10 and 11, both pre-checked with some rows to review; and a corrected
    grade 12 list that drops a student who left, waiting for the officer's confirmation."""
    import random

    from cccd.campaigns.models import Venue
    from cccd.registry.models import Person
    from cccd.rosters.models import Roster

    venue = Venue.objects.get(name="Trường THPT Đắk Mil")
    session = demo_session(DEMO_TONIGHT)
    if session is None or Roster.objects.filter(session=session).exists():
        return 0
    liaison = User.objects.get(username="lienlac.dakmil")
    Venue.objects.filter(pk=venue.pk).update(liaison=liaison)
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    students = list(
        Person.objects.filter(
            residence_unit__path__startswith="/hc/L67/663/",
            birth_year__in=[2004, 2005, 2006],
            birth_date_precision="day",
            status="alive",
        ).order_by("personal_id")[:400]
    )
    chosen = rng.sample(students, min(140, len(students)))
    rows = [_roster_row(person, rng) for person in chosen]
    rows += [
        [
            "Hoàng Thị Mai Anh",
            f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2005",
            "Nữ",
            "11A2",
            "",
            "",
        ],
        [
            "Y Khoa Niê",
            f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2005",
            "Nam",
            "11A2",
            "",
            "",
        ],
        [
            "Nông Văn Thành",
            f"{rng.randint(1, 28):02d}/0{rng.randint(1, 9)}/2005",
            "Nam",
            "11A2",
            "",
            "",
        ],
    ]
    grade_12 = [r for r in rows if r[3].startswith("12")]
    others = [r for r in rows if not r[3].startswith("12")]
    count = 0
    for name, title, part in (
        ("Khối 12", "KHỐI 12", grade_12),
        ("Khối 10 và 11", "KHỐI 10 VÀ 11", others),
    ):
        if part:
            count += _send_list(session, liaison, name, title, part).entries.count()
    if len(grade_12) >= 2:  # a student moved to another school; the list was sent again
        _send_list(session, liaison, "Khối 12", "KHỐI 12", grade_12[:-1], replaces=True)
    return count


def _roster_row(person: Person, rng: random.Random) -> list[str]:
    """A student as a teacher types them, with the mistakes school lists have."""
    from cccd.core import names

    name, born = person.full_name, person.birth_date.strftime("%d/%m/%Y")
    roll = rng.random()
    if roll < 0.08:
        name = names.fold(name).upper()  # typed without diacritics, in capitals
    elif roll < 0.12 and person.birth_date.day <= 12:
        born = person.birth_date.strftime("%m/%d/%Y")  # day and month swapped
    elif roll < 0.15:
        name = name[:-1] + ("a" if name[-1] != "a" else "e")  # a typo in the given name
    father, mother = person.father_name, person.mother_name
    if 0.15 <= roll < 0.19:  # a hastily typed row: the year one off, no parents
        born = person.birth_date.replace(year=person.birth_year + 1).strftime("%d/%m/%Y")
        father, mother = "", ""
    elif 0.19 <= roll < 0.23 and len(name.split()) > 2:  # middle name dropped, a typo, no parents
        words = name.split()
        name = " ".join([words[0], words[-1][:-1] + ("a" if words[-1][-1] != "a" else "e")])
        father, mother = "", ""
    grade = {2006: "10", 2005: "11", 2004: "12"}[person.birth_year]
    return [name, born, person.get_sex_display(), f"{grade}A{rng.randint(1, 6)}", father, mother]


def _send_list(
    session: Session,
    liaison: User,
    name: str,
    title: str,
    rows: list[list[str]],
    *,
    replaces: bool = False,
    school: str = "THPT Đắk Mil",
) -> Roster:
    """One list as the school makes it (title rows, header, signature block), sent by the liaison."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.text import slugify
    from openpyxl import Workbook

    from cccd.rosters.services import upload_roster

    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.append([f"TRƯỜNG {school.upper()}"])
    sheet.merge_cells("A1:G1")
    sheet.append([f"DANH SÁCH HỌC SINH {title} ĐĂNG KÝ CẤP THẺ CĂN CƯỚC"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Lớp", "Họ tên cha", "Họ tên mẹ"])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    sheet.append([])
    sheet.append(["", "Đắk Mil, ngày 01 tháng 03 năm 2021"])
    sheet.append(["", "HIỆU TRƯỞNG"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file_name = f"danh-sach-{slugify(name)}-{slugify(school)}{'-sua' if replaces else ''}.xlsx"
    upload = SimpleUploadedFile(file_name, buffer.getvalue())
    return upload_roster(
        session.pk,
        upload,
        actor=liaison,
        run_now=True,
        name="" if replaces else name,
        replaces=name if replaces else None,
    )


def seed_deadline_areas() -> None:
    """Đắk Mil is a highland border district: the 2014 law's mountain/island deadlines apply."""
    from cccd.enrollments.models import DeadlineArea

    unit = Unit.objects.get(path="/ca/L67/663/")
    DeadlineArea.objects.get_or_create(
        unit=unit, defaults={"area": DeadlineArea.Area.MOUNTAIN_ISLAND}
    )


def seed_queue() -> int:
    """Tonight's session at THPT Đắk Mil under way: numbers handed out, two desks, some served
    through the intake desk (dossiers received with their captures), one draft half taken at
    desk 1; and an earlier evening of the campaign served and closed with its counts."""
    from cccd.campaigns.models import PriorityGroup
    from cccd.enrollments.intake import services as intake
    from cccd.tickets import services as queue
    from cccd.tickets.models import Desk, Ticket

    seed_deadline_areas()
    seed_older_evening()
    seed_past_evening()
    session = demo_session(DEMO_TONIGHT)
    if session is None or Ticket.objects.filter(session=session).exists():
        return 0
    leader = User.objects.get(username="totruong.dakmil")
    officer = User.objects.get(username="canbo.dakmil")
    queue.open_queue(session.pk, actor=leader)
    # 12A1 from 19:00, 12A2 from 19:15 … one class every quarter of an hour
    classes = [f"{grade}A{n}" for grade in (12, 11, 10) for n in range(1, 7)]
    slots = {name: time(19 + (15 * i) // 60, (15 * i) % 60) for i, name in enumerate(classes)}
    tickets = queue.hand_out_numbers(session.pk, actor=leader, slots=slots)
    desks = {d.number: d for d in Desk.objects.filter(session=session)}
    queue.open_desk(desks[1].pk, actor=officer)
    queue.open_desk(desks[2].pk, actor=leader)
    elderly = PriorityGroup.objects.get(code="elderly")
    grandmother = next(iter(_walk_in_people(1, born_before=1960)), None)
    queue.issue_walk_in(
        session.pk,
        group_id=elderly.pk,
        actor=leader,
        person_id=grandmother.pk if grandmother else None,
    )
    queue.issue_walk_in(session.pk, actor=leader)  # nobody looked up: only asking, no dossier
    face = DEMO_FACE.read_bytes()
    for turn in range(min(DEMO_SERVED, len(tickets) // 2)):  # half the numbers still wait
        desk, actor = (desks[1], officer) if turn % 2 == 0 else (desks[2], leader)
        ticket = queue.call_next(desk.pk, actor=actor)
        if turn == 5:
            queue.skip_ticket(desk.pk, ticket.pk, actor=actor)  # did not come when called
        else:
            _take_intake(ticket, desk, turn, face, actor=actor)
    waiting = Ticket.objects.filter(session=session, state=Ticket.State.WAITING)
    while waiting.exists():  # desk 1: the officer's number, photo taken, fingerprints next
        ticket = queue.call_next(desks[1].pk, actor=officer)
        if ticket.person_id is not None:
            intake.capture(ticket.pk, "photo", 0, face, actor=officer)
            break
        queue.finish_ticket(desks[1].pk, ticket.pk, actor=officer)  # only asking: no dossier
    if waiting.exists():  # desk 2: a number just called, its intake not opened yet
        queue.call_next(desks[2].pk, actor=leader)
    _spread_service_times(session)
    return len(tickets) + 2


DEMO_SERVED = 22  # numbers through the desks tonight: ~20 dossiers received, one skipped


def _walk_in_people(count: int, *, born_before: int, born_after: int = 1900) -> list[Person]:
    """Adults of Đắk Mil with no number and no dossier yet, in a fixed order."""
    from cccd.registry.models import Person
    from cccd.tickets.models import Ticket

    return list(
        Person.objects.filter(
            residence_unit__path__startswith="/hc/L67/663/",
            status="alive",
            birth_date_precision="day",
            birth_year__lt=born_before,
            birth_year__gt=born_after,
            enrollments__isnull=True,
        )
        .exclude(pk__in=Ticket.objects.filter(person__isnull=False).values("person_id"))
        .order_by("personal_id")[:count]
    )


def _demo_png(kind: str, seed: int) -> bytes:
    """A scanner-like capture as PNG: fingerprint ridges, an iris disc or a signature stroke."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    image: np.ndarray[Any, Any]  # uint8 pixels; OpenCV's own type for what it draws
    if kind == "fingerprint":
        ridges = (np.sin(np.arange(400)[:, None] / 3 + rng.random()) * 100 + 128).astype(np.uint8)
        image = np.repeat(ridges, 300, axis=1)
    elif kind == "iris":
        image = cv2.circle(np.full((480, 640), 200, np.uint8), (320, 240), 120, 60, -1)
        cv2.circle(image, (320, 240), 40 + int(rng.integers(0, 15)), 15, -1)
    else:
        image = np.full((160, 480), 255, np.uint8)
        middle = (160 + int(rng.integers(0, 80)), 40 + int(rng.integers(0, 30)))
        cv2.line(image, (40, 120), middle, 0, 3)
        cv2.line(image, middle, (420, 110), 0, 3)
    return cv2.imencode(".png", image)[1].tobytes()


def _take_intake(ticket: Ticket, desk: Desk, turn: int, face: bytes, *, actor: User) -> None:
    """The whole intake of the number at the desk, through the desk's own services: photo, ten
    fingers (one missing for some), irises, signature, return method, finish. A number with nobody
    from the register behind it was only asking: it is finished without a dossier."""
    from cccd.enrollments.intake import rules
    from cccd.enrollments.intake import services as intake
    from cccd.enrollments.models import Enrollment, FeeExemption, Kind
    from cccd.tickets import services as queue

    if ticket.person_id is None:
        queue.finish_ticket(desk.pk, ticket.pk, actor=actor)
        return
    pk = ticket.pk
    enrollment = intake.start_intake(pk, actor=actor)
    intake.capture(pk, "photo", 0, face, actor=actor)
    fingers = {n: _demo_png("fingerprint", pk * 10 + n) for n in rules.FINGERS}
    reasons = {}
    if turn % 7 == 3:
        del fingers[10]
        reasons[10] = "Mất ngón"
    intake.capture_slots(pk, "fingerprint", actor=actor, files=fingers, reasons=reasons)
    if rules.biometrics_due(
        enrollment.law, enrollment.person.birth_date, enrollment.created_at.date()
    )[1]:
        irises = {n: _demo_png("iris", pk * 10 + n) for n in rules.IRISES}
        intake.capture_slots(pk, "iris", actor=actor, files=irises, reasons={})
    intake.capture(pk, "signature", 0, _demo_png("signature", pk), actor=actor)
    exemption = None
    if ticket.group_id is not None:  # the elderly walk-in
        exemption = FeeExemption.objects.filter(code="poor_household").first()
    # The kind the register points to (`cccd.core.kinds`); a card holder not yet due for an
    # exchange at a milestone age came because the card broke or was lost, and says so.
    kind, reason = enrollment.kind, ""
    if kind in (Kind.EXCHANGE_CHANGE, Kind.REISSUE):
        kind, reason = (
            (Kind.EXCHANGE_CHANGE, "Thẻ bị gãy góc"),
            (Kind.REISSUE, "Mất thẻ khi đi làm rẫy"),
        )[turn % 2]
    if turn % 3 == 1 or exemption is not None or reason:
        person = enrollment.person
        address = person.permanent_address or f"{person.residence_unit}, huyện Đắk Mil, Đắk Nông"
        intake.update_intake(
            pk,
            actor=actor,
            kind=kind,
            group_id=enrollment.group_id,
            exemption_id=exemption.pk if exemption else None,
            return_method=Enrollment.ReturnMethod.POST
            if turn % 3 == 1
            else Enrollment.ReturnMethod.OFFICE,
            post_address=address,
            kind_reason=reason,
        )
    intake.finish_intake(pk, actor=actor)


def seed_past_evening() -> int:
    """The evening at the Thuận An commune hall four days ago: walk-ins served at two desks, most
    captured with their dossiers, one who did not come, a few left waiting; then the team leader
    closed the session (its counts are the audit's). Times are moved back to that evening."""
    return _serve_past_session(DEMO_PAST_EVENING, people=10, served=8, born=(1965, 2002))


def seed_older_evening() -> int:
    """The first evening at THPT Đắk Mil, sixteen days ago: 25 people through two desks. Their
    dossiers are far enough along for every step after the desk (`seed_lifecycle`)."""
    return _serve_past_session(DEMO_OLDER_EVENING, people=26, served=25, born=(1985, 2005))


def demo_session(number: int) -> Session | None:
    """The session DEMO_SESSIONS[number] planned: at its venue, on its day or the nearest one (the
    demo may be seeded again on a later day); never one of the history's evenings, which may fall
    at the same venue the day before."""
    from django.utils import timezone

    from cccd.campaigns.models import Session

    venue_index, offset = DEMO_SESSIONS[number][:2]
    day = timezone.localdate() + timedelta(days=offset)
    candidates = (
        Session.objects.filter(
            venue__name=DEMO_VENUES[venue_index][2],
            starts_at__date__gte=day - timedelta(days=1),
            starts_at__date__lte=day + timedelta(days=1),
        )
        .exclude(note=HISTORY_NOTE)
        .order_by("starts_at")
    )
    return min(candidates, key=lambda s: abs((s.local_day - day).days), default=None)


def _serve_past_session(number: int, *, people: int, served: int, born: tuple[int, int]) -> int:

    from cccd.campaigns.models import Session
    from cccd.enrollments.intake import services as intake
    from cccd.tickets import services as queue
    from cccd.tickets.models import Desk, Ticket

    session = demo_session(number)
    if session is None or Ticket.objects.filter(session=session).exists():
        return 0
    if session.state == Session.State.CLOSED:  # seeded before the desk existed: close it properly
        Session.objects.filter(pk=session.pk).update(state=Session.State.PLANNED)
        session.refresh_from_db()
    leader = User.objects.get(username="totruong.dakmil")
    officer = User.objects.get(username="canbo.dakmil")
    queue.open_queue(session.pk, actor=leader)
    walk_ins = _walk_in_people(people, born_before=born[1], born_after=born[0])
    for person in walk_ins:
        queue.issue_walk_in(session.pk, person_id=person.pk, actor=leader)
    desks = {d.number: d for d in Desk.objects.filter(session=session)}
    queue.open_desk(desks[1].pk, actor=officer)
    queue.open_desk(desks[2].pk, actor=leader)
    face = DEMO_FACE.read_bytes()
    for turn in range(min(served, len(walk_ins))):
        desk, actor = (desks[1], officer) if turn % 2 == 0 else (desks[2], leader)
        ticket = queue.call_next(desk.pk, actor=actor)
        if turn == 4:
            queue.skip_ticket(desk.pk, ticket.pk, actor=actor)
        else:
            _take_intake(ticket, desk, turn + 100, face, actor=actor)
    queue.close_desk(desks[1].pk, actor=officer)
    queue.close_desk(desks[2].pk, actor=leader)
    # the one who did not come is marked not served: this evening's venue has no later session
    intake.close_session(session.pk, confirm=True, actor=leader)
    _move_evening_back(session)
    return len(walk_ins)


def _move_evening_back(session: Session) -> None:
    """The services stamped everything now; put the evening's times back on that evening: numbers
    from its start, one served every eight minutes, dossier codes and return dates of that day."""
    from cccd.enrollments.intake import rules
    from cccd.enrollments.intake import services as intake
    from cccd.enrollments.models import Artefact, Enrollment
    from cccd.tickets.models import Ticket

    start = session.starts_at
    day = start.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    for index, ticket in enumerate(Ticket.objects.filter(session=session).order_by("number")):
        called = start + timedelta(minutes=10 + 8 * index)
        done = called + timedelta(minutes=3 + index % 3) if ticket.done_at else None
        Ticket.objects.filter(pk=ticket.pk).update(
            issued_at=start + timedelta(minutes=index),
            line_at=start + timedelta(minutes=index),
            called_at=called if ticket.called_at else None,
            done_at=done,
        )
        for enrollment in Enrollment.objects.filter(ticket=ticket).select_related("unit"):
            values: dict[str, object] = {"created_at": called}
            if enrollment.received_at is not None:
                values.update(
                    received_at=done,
                    code=intake.dossier_code(enrollment, day),
                    return_date=rules.compute_return_date(enrollment, day),
                )
            Enrollment.objects.filter(pk=enrollment.pk).update(**values)
            Artefact.objects.filter(enrollment=enrollment).update(captured_at=called)


def _spread_service_times(session: Session) -> None:
    """The seeded calls happened in one instant; give the finished ones 3–5 minutes each, as at a
    real desk (docs/domain.md#the-2021-campaign), so the queue's average and the public wait
    estimate mean something."""
    from datetime import timedelta as td

    from django.utils import timezone

    from cccd.enrollments.models import Artefact, Enrollment
    from cccd.tickets.models import Ticket

    end = timezone.now()
    for index, ticket in enumerate(
        Ticket.objects.filter(session=session, state="done").order_by("-done_at", "-pk")
    ):
        minutes = 3 + index % 3
        done = end - td(minutes=4 * index)
        called = done - td(minutes=minutes)
        Ticket.objects.filter(pk=ticket.pk).update(called_at=called, done_at=done)
        Enrollment.objects.filter(ticket=ticket).update(created_at=called, received_at=done)
        Artefact.objects.filter(enrollment__ticket=ticket).update(captured_at=called)


def seed_lifecycle() -> dict[str, int]:
    """The dossiers of the first evening taken on through every step after the desk, by the unit's
    back office and commander through the real services: completed, approved (in bulk), a batch
    sent, produced by the simulated centre (one dossier refused there) and imported, its cards
    arrived, some handed over or posted; a second batch produced, its cards not yet arrived; a
    third still at the centre; one returned for correction, one rejected, one cancelled; the rest
    still to complete, some of them overdue. Idempotent: it runs once, while no dossier of the
    unit has left `captured`."""
    from cccd.demo.card_centre import simulate_result
    from cccd.enrollments.dossiers import lifecycle
    from cccd.enrollments.models import Enrollment
    from cccd.enrollments.production import services as production

    S = Enrollment.State
    unit_dossiers = Enrollment.objects.filter(unit__path="/ca/L67/663/")
    if unit_dossiers.exclude(state__in=[S.DRAFT, S.CAPTURED]).exists():
        return {}
    back_office = User.objects.get(username="hauky.dakmil")
    commander = User.objects.get(username="chihuy.dakmil")
    older = list(
        unit_dossiers.filter(state=S.CAPTURED, session__starts_at__lt=_days_ago(7)).order_by("code")
    )
    if len(older) < 22:
        return {}
    first, second, third = older[:8], older[8:12], older[12:15]
    approved_only, completed_only = older[15:17], older[17:19]
    returned, rejected, cancelled = older[19], older[20], older[21]
    sent = first + second + third
    for dossier in sent + approved_only + completed_only:
        lifecycle.move(dossier.pk, "complete", actor=back_office)
    lifecycle.move_many([d.pk for d in sent + approved_only], "approve", actor=commander)
    batch = production.export_batch(actor=back_office, enrollment_ids=[d.pk for d in first])
    refused = {str(first[-1].code): "Ảnh chân dung không đạt: đeo kính râm"}
    production.import_result(simulate_result(batch, reject=refused), actor=back_office)
    production.cards_arrived(batch.pk, actor=back_office)
    for index, dossier in enumerate(first[:4]):
        if index % 2 == 0:
            lifecycle.deliver(
                dossier.pk,
                actor=back_office,
                delivery="handed_over",
                signature=_demo_png("signature", 9000 + index),
            )
        else:
            lifecycle.deliver(
                dossier.pk,
                actor=back_office,
                delivery="posted",
                tracking_number=f"EE{4_012_345_670 + index}VN",
            )
    produced = production.export_batch(actor=back_office, enrollment_ids=[d.pk for d in second])
    production.import_result(simulate_result(produced), actor=back_office)  # not arrived
    production.export_batch(
        actor=back_office, enrollment_ids=[d.pk for d in third]
    )  # at the centre
    lifecycle.move(
        returned.pk, "return", actor=back_office, reason="Chữ ký mờ, mời công dân ký lại"
    )
    lifecycle.move(
        rejected.pk,
        "reject",
        actor=commander,
        reason="Người này đã có thẻ còn hạn, không thuộc trường hợp cấp đổi",
    )
    lifecycle.move(cancelled.pk, "cancel", actor=commander, reason="Công dân xin rút hồ sơ")
    return dict(
        unit_dossiers.values_list("state").annotate(n=models.Count("pk")).values_list("state", "n")
    )


def _days_ago(days: int) -> datetime:
    from django.utils import timezone

    return timezone.now() - timedelta(days=days)


DEMO_KIT = "dakmil-kit-1"
DEMO_KIT_UNIT = "663"
DEMO_KIT_VENUE = 1  # Trường THPT Trần Hưng Đạo, xã Đắk Lao
DEMO_KIT_NOTE = "Buổi tối mai mang đi bằng bộ máy lưu động dakmil-kit-1 (dữ liệu mẫu)"
DEMO_KIT_STUDENTS = 40


def seed_kit() -> int | None:
    """Đắk Mil's field kit, registered (its pairing code is issued by `cccd demo_kit code`, which
    `make demo` runs), and tomorrow evening's session at THPT Trần Hưng Đạo in xã Đắk Lao for it
    to check out: a class list pre-checked and numbers handed out, no dossier yet (a session with
    dossiers cannot be checked out). Returns the session's id."""
    from cccd.kits import services as kits
    from cccd.kits.models import Kit

    if not Kit.objects.filter(name=DEMO_KIT).exists():
        kits.register_kit(DEMO_KIT, unit_code=DEMO_KIT_UNIT, actor=None)
    session = demo_kit_session()
    if session is None:
        session = _plan_kit_session()
    _hand_out_kit_numbers(session)
    return session.pk


def demo_kit_session() -> Session | None:
    """The kit's evening: the latest one seeded that is not over, closed or cancelled (the demo
    may be seeded again on a later day: then a new one is planned for the new tomorrow)."""
    from cccd.campaigns.models import Session

    for session in Session.objects.filter(note=DEMO_KIT_NOTE).order_by("-starts_at"):
        if session.status in (Session.Status.SCHEDULED, Session.Status.RUNNING):
            return session
    return None


def _plan_kit_session() -> Session:
    from django.utils import timezone

    from cccd.campaigns import services as plan
    from cccd.campaigns.models import Team, Venue

    venue = Venue.objects.get(name=DEMO_VENUES[DEMO_KIT_VENUE][2])
    planner = User.objects.get(username=DEMO_PLANNERS[venue.unit.path])
    team = Team.objects.filter(unit=venue.unit).order_by("pk").first()
    assert team is not None, "seed_campaign makes one team per district"  # noqa: S101
    zone = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localdate() + timedelta(days=1)
    return plan.plan_session(
        campaign_id=Campaign.objects.get(name=DEMO_CAMPAIGN).pk,
        venue_id=venue.pk,
        team_id=team.pk,
        starts_at=datetime.combine(day, time(19, 0), tzinfo=zone),
        ends_at=datetime.combine(day, time(22, 30), tzinfo=zone),
        desks=2,
        capacity=120,
        note=DEMO_KIT_NOTE,
        accept_clashes=True,
        actor=planner,
    )


def _hand_out_kit_numbers(session: Session) -> None:
    """The school's list (students of Đắk Mil with no number and no dossier anywhere yet) and its
    numbers, one class every ten minutes from 19:00. Done once per session."""
    import random

    from cccd.campaigns.models import Venue
    from cccd.enrollments.models import Enrollment
    from cccd.registry.models import Person
    from cccd.rosters.models import Roster
    from cccd.tickets import services as queue
    from cccd.tickets.models import Ticket

    if Roster.objects.filter(session=session).exists():
        return
    liaison = User.objects.get(username="lienlac.dakmil")
    leader = User.objects.get(username="totruong.dakmil")
    Venue.objects.filter(pk=session.venue_id).update(liaison=liaison)  # the school's lists are his
    rng = random.Random(session.pk)  # noqa: S311 (demo data, not secrets)
    students = list(
        Person.objects.filter(
            residence_unit__path__startswith="/hc/L67/663/",
            birth_year__in=[2004, 2005, 2006],
            birth_date_precision="day",
            status="alive",
        )
        .exclude(pk__in=Ticket.objects.filter(person__isnull=False).values("person_id"))
        .exclude(pk__in=Enrollment.objects.values("person_id"))
        .order_by("-personal_id")[:200]
    )
    chosen = rng.sample(students, min(DEMO_KIT_STUDENTS, len(students)))
    if not chosen:  # a register too small (the tests'): the session stays without a list
        return
    rows = [_roster_row(person, rng) for person in chosen]
    _send_list(session, liaison, "Khối 10, 11 và 12", "KHỐI 10, 11 VÀ 12", rows,
               school="THPT Trần Hưng Đạo")  # fmt: skip
    if not Roster.objects.filter(session=session, state=Roster.State.CHECKED).exists():
        return
    queue.open_queue(session.pk, actor=leader)
    classes = sorted({row[3] for row in rows}, reverse=True)
    slots = {name: time(19 + (10 * i) // 60, (10 * i) % 60) for i, name in enumerate(classes)}
    queue.hand_out_numbers(session.pk, actor=leader, slots=slots)
