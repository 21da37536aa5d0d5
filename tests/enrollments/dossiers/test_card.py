"""The card preview: every previewed MRZ passes the tests' own ICAO 9303 checker, the QR payload
reads back as the person, and the page is scoped, permission-checked and audited."""

from __future__ import annotations

import datetime
import html
import random
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cccd.accounts.models import AuditEvent, User
from cccd.core import idnumber, qrpayload, validity
from cccd.enrollments.documents.card import NO_EXPIRY_TEXT, card_faces
from cccd.enrollments.errors import CARD_DATA_INVALID
from cccd.enrollments.intake import services
from cccd.enrollments.models import Artefact, Enrollment
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.icao9303 import MrzError, check_digit, parse_td1

# -- people built in memory: card_faces reads only the enrollment and its person ---------------

TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
VOWELS = "aăâeêioôơuưy"
ONSETS = (
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "h",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
)
CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")


def syllable(onset: str, vowel: str, tone: str, coda: str) -> str:
    """A capitalised syllable in NFC; every vowel with every tone mark can come out."""
    return unicodedata.normalize("NFC", onset + vowel + tone + coda).capitalize()


syllables = st.builds(
    syllable,
    st.sampled_from(ONSETS),
    st.sampled_from(VOWELS),
    st.sampled_from(TONES),
    st.sampled_from(CODAS),
)
full_names = st.lists(syllables, min_size=2, max_size=7).map(" ".join)


def fold_for_mrz(text: str) -> str:
    """The tests' own transliteration: diacritics dropped, Đ → D, capitals (docs/domain.md#mrz)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def expected_name_line(full_name: str) -> str:
    words = fold_for_mrz(full_name).split()
    line = words[0] + "<<" + "<".join(words[1:])
    return line[:30].ljust(30, "<")


def yymmdd(day: datetime.date) -> str:
    return day.strftime("%y%m%d")


def in_memory(
    full_name: str,
    born: datetime.date,
    sex: str,
    *,
    year_only: bool = False,
    law: str = "2023",
    old_id: str = "",
    seed: int = 0,
) -> Enrollment:
    """An enrollment and its person, unsaved: the card is a pure function of them."""
    pid = idnumber.generate("067", sex, born.year, random.Random(seed))
    person = Person(
        personal_id=pid,
        full_name=full_name,
        birth_date=born,
        birth_year=born.year,
        birth_date_precision="year" if year_only else "day",
        sex=sex,
        old_id_number=old_id,
        hometown="Xã Đức Minh, Huyện Đắk Mil, Tỉnh Đắk Nông",
        permanent_address="Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông",
    )
    return Enrollment(person=person, law=law, code="PA08-210306-1")


def assert_card_mrz(enrollment: Enrollment, today: datetime.date) -> None:
    """The previewed MRZ passes the ICAO checker, and each field is this person's."""
    person = enrollment.person
    faces = card_faces(enrollment, today)
    fields = parse_td1(faces.mrz)
    born = (
        person.birth_date
        if person.birth_date_precision == "day"
        else datetime.date(person.birth_year, 1, 1)
    )
    expiry = validity.card_expiry(born, today, law=enrollment.law)
    assert (fields.document_code, fields.issuing_state, fields.nationality) == ("ID", "VNM", "VNM")
    assert fields.document_number == person.personal_id[3:]
    assert fields.optional_data_1 == person.personal_id + "<<" + check_digit(person.personal_id)
    assert fields.birth_date == yymmdd(born)
    assert fields.sex == person.sex
    assert fields.expiry_date == ("991231" if expiry is None else yymmdd(expiry))
    assert faces.mrz[2] == expected_name_line(person.full_name)
    assert faces.expiry == (NO_EXPIRY_TEXT if expiry is None else expiry.strftime("%d/%m/%Y"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    full_name=full_names,
    born=st.dates(datetime.date(1926, 1, 1), datetime.date(2030, 12, 31)),
    today=st.dates(datetime.date(2021, 1, 1), datetime.date(2035, 12, 31)),
    sex=st.sampled_from("MF"),
    year_only=st.booleans(),
    law=st.sampled_from(["2014", "2023"]),
    seed=st.integers(0, 10**6),
)
def test_every_previewed_mrz_passes_an_independent_icao_check(
    full_name: str,
    born: datetime.date,
    today: datetime.date,
    sex: str,
    year_only: bool,
    law: str,
    seed: int,
) -> None:
    if year_only:
        born = datetime.date(born.year, 1, 1)
    assume(born <= today)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assume(law == "2023" or age >= 14)
    assert_card_mrz(in_memory(full_name, born, sex, year_only=year_only, law=law, seed=seed), today)


@pytest.mark.parametrize(
    ("full_name", "birth", "sex", "law", "today", "expiry"),
    [
        # the examples of the two-year window in docs/domain.md#validity
        ("Nguyễn Văn Đức", "15/03/2006", "M", "2014", "10/03/2021", "15/03/2031"),
        ("Trần Thị Hoa", "20/07/1998", "F", "2014", "01/06/2021", "20/07/2023"),
        ("Trần Thị Hoa", "20/07/1998", "F", "2014", "01/09/2021", "20/07/2038"),
        # each milestone under each law, and no expiry from 58
        ("Lê Minh Khôi", "02/05/2019", "M", "2023", "01/08/2024", "02/05/2033"),  # 5 → 14
        ("Phạm Ngọc Ánh", "10/10/2011", "F", "2023", "01/08/2024", "10/10/2036"),  # 12 → 25
        ("Võ Thành Đạt", "01/01/1990", "M", "2014", "01/06/2021", "01/01/2030"),  # 31 → 40
        ("Huỳnh Thị Mỹ", "29/02/2000", "F", "2014", "01/06/2021", "28/02/2025"),  # 21 → 25
        ("Mai Văn Sơn", "29/02/1972", "M", "2014", "01/06/2021", "29/02/2032"),  # 49 → 60
        ("Đỗ Văn Lực", "1961", "M", "2014", "01/06/2021", None),  # 60, year only
        ("Bùi Thị Ẩn", "1963", "F", "2023", "01/08/2024", None),  # 61, year only
        ("Đặng Thị Thu Hương", "15/03/1999", "F", "2014", "01/06/2021", "15/03/2024"),  # 22 → 25
        ("Đặng Thị Thu Hương", "15/03/1999", "F", "2014", "15/03/2022", "15/03/2039"),  # 23 → 40
        # names longer than line 3: cut at 30 characters
        (
            "Nguyễn Phước Đoan Trang Thùy Dương",
            "03/09/1985",
            "F",
            "2014",
            "01/06/2021",
            "03/09/2025",
        ),
        (
            "Tôn Nữ Hoàng Thị Quỳnh Ngọc Diễm Phượng",
            "12/12/2000",
            "F",
            "2023",
            "02/08/2024",
            "12/12/2040",
        ),
    ],
)
def test_cards_of_each_expiry_rule(
    full_name: str, birth: str, sex: str, law: str, today: str, expiry: str | None
) -> None:
    """Expiries written out by hand (docs/domain.md#validity), not computed by the code tested."""
    year_only = len(birth) == 4
    born = (
        datetime.date(int(birth), 1, 1)
        if year_only
        else datetime.datetime.strptime(birth, "%d/%m/%Y").date()
    )
    issued = datetime.datetime.strptime(today, "%d/%m/%Y").date()
    enrollment = in_memory(full_name, born, sex, year_only=year_only, law=law)
    faces = card_faces(enrollment, issued)
    assert faces.expiry == (expiry or "Không thời hạn")
    assert faces.issue_date == today and faces.is_preview
    assert faces.birth_date == (birth if not year_only else str(born.year))
    assert faces.expiry_estimated == (year_only and expiry is not None)
    assert_card_mrz(enrollment, issued)
    fields = parse_td1(faces.mrz)
    assert fields.expiry_date == (
        "991231"
        if expiry is None
        else yymmdd(datetime.datetime.strptime(expiry, "%d/%m/%Y").date())
    )


def test_the_domain_example_reads_as_written() -> None:
    """The synthetic MRZ of docs/domain.md#mrz, from the person it describes."""
    enrollment = in_memory("Đặng Thị Thu Hương", datetime.date(1999, 3, 15), "F", law="2014")
    enrollment.person.personal_id = "001199012345"
    faces = card_faces(enrollment, datetime.date(2022, 6, 1))  # at 23: valid to 40
    assert faces.mrz == (
        "IDVNM1990123456001199012345<<7",
        "9903159F3903157VNM<<<<<<<<<<<8",
        "DANG<<THI<THU<HUONG<<<<<<<<<<<",
    )
    assert faces.full_name == "ĐẶNG THỊ THU HƯƠNG"


def test_the_checker_is_not_vacuous() -> None:
    good = [
        "IDVNM1990123456001199012345<<7",
        "9903159F3903157VNM<<<<<<<<<<<8",
        "DANG<<THI<THU<HUONG<<<<<<<<<<<",
    ]
    parse_td1(good)
    for line, position in [(0, 14), (1, 6), (1, 14), (1, 29)]:
        wrong = list(good)
        digit = wrong[line][position]
        wrong[line] = (
            wrong[line][:position] + str((int(digit) + 1) % 10) + wrong[line][position + 1 :]
        )
        with pytest.raises(MrzError, match="check digit"):
            parse_td1(wrong)
    with pytest.raises(MrzError, match="characters"):
        parse_td1([good[0] + "<", good[1], good[2]])
    with pytest.raises(MrzError, match="characters"):
        parse_td1([good[0], good[1][:-1], good[2]])
    with pytest.raises(MrzError, match="3 lines"):
        parse_td1(good[:2])
    with pytest.raises(MrzError, match="outside"):
        parse_td1([good[0], good[1], "ĐANG<<THI<THU<HUONG<<<<<<<<<<<"])
    # a changed birth date with its own check digit still breaks the composite
    with pytest.raises(MrzError, match="composite"):
        parse_td1([good[0], "990415" + check_digit("990415") + good[1][7:], good[2]])
    assert check_digit("D23145890") == "7"  # Doc 9303 part 3's worked example


@settings(max_examples=60, deadline=None)
@given(
    full_name=full_names,
    sex=st.sampled_from("MF"),
    old=st.sampled_from(["", "241234567", "241234567890"]),
    born=st.dates(datetime.date(1940, 1, 1), datetime.date(2010, 1, 1)),
)
def test_qr_payload_reads_back_as_the_person(
    full_name: str, sex: str, old: str, born: datetime.date
) -> None:
    today = datetime.date(2024, 8, 1)
    enrollment = in_memory(full_name, born, sex, old_id=old)
    faces = card_faces(enrollment, today)
    person = enrollment.person
    card = qrpayload.decode(faces.qr_text)
    assert (card.personal_id, card.old_id_number, card.full_name) == (
        person.personal_id,
        old,
        unicodedata.normalize("NFC", full_name),
    )
    assert (card.birth_date, card.sex, card.address, card.issue_date) == (
        born,
        sex,
        person.permanent_address,
        today,
    )
    assert faces.qr_svg.startswith("<svg") and "viewBox" in faces.qr_svg


def svg_to_pixels(svg: str) -> object:
    """Draw a segno SVG path (M/m moves, h runs of dark modules at half-module height) as pixels."""
    import numpy as np

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    grid = np.ones((size, size), np.uint8)
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            grid[int(y), int(x) : int(x + float(a))] = 0
            x += float(a)
    return np.kron(grid, np.ones((8, 8), np.uint8)) * 255


def test_the_qr_image_scans_back_to_the_payload() -> None:
    """The page's inline SVG, drawn as pixels, decodes (OpenCV's detector) to the UTF-8 payload."""
    import cv2
    import numpy as np

    faces = card_faces(
        in_memory("Đặng Thị Thu Hương", datetime.date(1999, 3, 15), "F"), datetime.date(2024, 8, 1)
    )
    image = np.pad(svg_to_pixels(faces.qr_svg), 16, constant_values=255)
    text, _points, _code = cv2.QRCodeDetector().detectAndDecode(image)
    assert text == faces.qr_text
    assert "Đặng Thị Thu Hương" in text


def test_data_that_break_a_card_rule_are_a_422_not_a_500() -> None:
    enrollment = in_memory("Lê Na", datetime.date(1990, 1, 1), "F", old_id="1234567")
    with pytest.raises(DomainError) as caught:
        card_faces(enrollment, datetime.date(2021, 6, 1))
    assert caught.value.error is CARD_DATA_INVALID and caught.value.status == 422
    assert "9 or 12 digits" in caught.value.message
    child = in_memory("Lê Na", datetime.date(2015, 1, 1), "F", law="2014")
    with pytest.raises(DomainError):
        card_faces(child, datetime.date(2021, 6, 1))  # the 2014 law issues cards from 14


def test_a_produced_card_shows_its_own_dates() -> None:
    enrollment = in_memory("Trần Thị Hoa", datetime.date(1962, 7, 20), "F", law="2014")
    enrollment.card_issue_date = datetime.date(2021, 6, 1)
    enrollment.card_expiry = None  # issued at 58: no expiry
    faces = card_faces(enrollment, datetime.date(2025, 1, 1))
    assert (faces.issue_date, faces.expiry, faces.is_preview) == (
        "01/06/2021",
        "Không thời hạn",
        False,
    )
    assert parse_td1(faces.mrz).expiry_date == "991231"
    assert qrpayload.decode(faces.qr_text).issue_date == datetime.date(2021, 6, 1)


# -- the page ----------------------------------------------------------------------------------


def url(enrollment: Enrollment) -> str:
    return f"/dossiers/{enrollment.pk}/card/"


def test_the_page_shows_both_faces_to_the_dossiers_unit(
    captured: Enrollment, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).get(url(captured))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())  # "<" of the MRZ is sent as &lt;
    faces = card_faces(captured, datetime.date(2021, 3, 6))
    assert "NGUYỄN VĂN ĐỨC" in page
    assert captured.person.personal_id in page
    for line in faces.mrz:
        assert line in page
    assert parse_td1(faces.mrz).birth_date == "060315"
    assert 'data-testid="preview-note"' in page
    assert "06/03/2021" in page and "15/03/2031" in page  # issued today, valid to 25
    assert "data:image/jpeg;base64," in page
    assert '<svg viewBox="' in page


def test_the_look_is_audited_without_personal_data(
    captured: Enrollment, officer_dakmil: User
) -> None:
    client_for(officer_dakmil).get(url(captured))
    event = AuditEvent.objects.get(action="enrollment.view_card")
    assert (event.actor, event.unit_id, event.object_id) == (
        officer_dakmil,
        captured.unit_id,
        str(captured.pk),
    )
    assert event.after == {"enrollment": captured.pk}
    stored = f"{event.after} {event.before} {event.object_repr}"
    assert captured.person.personal_id not in stored and "Đức" not in stored


def test_another_units_dossier_is_the_same_404_as_a_missing_one(
    captured: Enrollment, officer_tayson: User
) -> None:
    client = client_for(officer_tayson)
    other = client.get(url(captured))
    missing = client.get(f"/dossiers/{captured.pk + 1000}/card/")
    assert other.status_code == missing.status_code == 404

    # the same page but for the CSRF token (new for each response) and the path itself
    def page(response: object, pk: int) -> str:
        text = response.content.decode().replace(f"/dossiers/{pk}/", "/dossiers/ID/")  # type: ignore[attr-defined]
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", text)

    assert page(other, captured.pk) == page(missing, captured.pk + 1000)
    assert not AuditEvent.objects.filter(action="enrollment.view_card").exists()


def test_a_role_without_view_dossier_is_refused(captured: Enrollment, liaison_dakmil: User) -> None:
    response = client_for(liaison_dakmil).get(url(captured))
    assert response.status_code == 403
    assert captured.person.personal_id not in response.content.decode()
    assert not AuditEvent.objects.filter(action="enrollment.view_card").exists()


def test_anonymous_is_sent_to_log_in(captured: Enrollment, client: object) -> None:
    response = client.get(url(captured))  # type: ignore[attr-defined]
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_draft_has_no_card_yet(called: Ticket, officer_dakmil: User, portrait: bytes) -> None:
    services.capture(called.pk, Artefact.Kind.PHOTO, 0, portrait, actor=officer_dakmil)
    draft = Enrollment.objects.get(ticket=called)
    assert draft.state == Enrollment.State.DRAFT and draft.code is None
    assert client_for(officer_dakmil).get(url(draft)).status_code == 404


def test_a_produced_dossier_shows_the_produced_dates(
    captured: Enrollment, officer_dakmil: User, time_machine: object
) -> None:
    # Set as the centre's result file would (lifecycle "produce"); its own tests cover the move.
    Enrollment.objects.filter(pk=captured.pk).update(
        state=Enrollment.State.PRODUCED,
        card_issue_date=datetime.date(2021, 3, 12),
        card_expiry=datetime.date(2031, 3, 15),
    )
    time_machine.move_to(datetime.datetime(2021, 5, 2, 9, 0))  # type: ignore[attr-defined]
    page = client_for(officer_dakmil).get(url(captured)).content.decode()
    assert 'data-testid="card-issued">12/03/2021<' in page
    assert "02/05/2021" not in page
    assert 'data-testid="produced-note"' in page and 'data-testid="preview-note"' not in page
    assert "15/03/2031" in page


def test_a_year_only_birth_shows_the_year_and_an_estimated_expiry(
    captured: Enrollment, officer_dakmil: User
) -> None:
    Person.objects.filter(pk=captured.person_id).update(
        birth_date=datetime.date(2006, 1, 1), birth_date_precision="year"
    )
    page = client_for(officer_dakmil).get(url(captured)).content.decode()
    assert 'data-testid="card-birth">2006<' in page
    assert 'data-testid="card-expiry">01/01/2031<' in page  # 25th birthday from 1 January
    assert "the expiry is an estimate" in page


def test_a_missing_photo_file_shows_the_placeholder(
    captured: Enrollment, officer_dakmil: User
) -> None:
    photo = Artefact.objects.get(enrollment=captured, kind=Artefact.Kind.PHOTO)
    photo.file.storage.delete(photo.file.name)
    page = client_for(officer_dakmil).get(url(captured)).content.decode()
    assert 'data-testid="card-photo-missing"' in page and "data:image" not in page


def test_bad_register_data_are_a_422_page_and_no_audit(
    captured: Enrollment, officer_dakmil: User
) -> None:
    Person.objects.filter(pk=captured.person_id).update(old_id_number="1234567")
    response = client_for(officer_dakmil).get(url(captured))
    assert response.status_code == 422
    assert "9 or 12 digits" in response.content.decode()
    assert not AuditEvent.objects.filter(action="enrollment.view_card").exists()
