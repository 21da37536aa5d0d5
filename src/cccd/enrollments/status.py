"""The citizen's own look-up of a dossier: the dossier code and the birth date, no login.

The code is printed on the appointment slip and the birth date is the shared secret, so the page
must not let anyone guess either: a wrong code and a wrong birth date give the same answer, and
wrong guesses are limited per client address (5 per 15 minutes) and per dossier code (10 per hour,
so many addresses guessing one dossier's birth date are capped too). The counters are rows of
`LookupAttempt` in the database, so the limit holds across gunicorn workers and app servers; a
row keeps only a SHA-256 of "ip:<address>" or "code:<CODE>". Two guesses racing in two workers
may both pass the check: the limit can be overshot by the number of concurrent requests, which
does not change what a guesser can achieve in an hour.

What the citizen sees is only the code, a state in citizen's words, the expected return date and
where to collect the card (the unit's name, and whether it is posted): no name, no ID number, no
address.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cccd.accounts.audit import record
from cccd.enrollments.models import Enrollment, LookupAttempt
from cccd.errors import ErrorCode
from cccd.registry.models import Person

CLIENT_LIMIT = 5
CLIENT_WINDOW = datetime.timedelta(minutes=15)
CODE_LIMIT = 10
CODE_WINDOW = datetime.timedelta(hours=1)
CODE_MAX_LENGTH = 32  # Enrollment.code's column
EARLIEST_BIRTH_YEAR = 1900

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")

# Refusals of the public page. They live here, not in errors.py, because only this page uses them.
STATUS_CODE_NEEDED = ErrorCode(
    "STATUS_CODE_NEEDED",
    _("Type the dossier code printed on your appointment slip (letters, digits and dashes)."),
    400,
)
STATUS_BIRTH_DATE_NEEDED = ErrorCode(
    "STATUS_BIRTH_DATE_NEEDED",
    _(
        "Type your date of birth as dd/mm/yyyy (or only the year, if your papers show only the year)."
    ),
    400,
)
STATUS_NO_SUCH_DATE = ErrorCode(
    "STATUS_NO_SUCH_DATE",
    _("%(date)s is not a date in the calendar: check the day and month."),
    400,
)
STATUS_NOT_FOUND = ErrorCode(
    "STATUS_NOT_FOUND",
    _("No dossier matches this code and date of birth. Check both against your appointment slip."),
    404,
)
STATUS_TOO_MANY_GUESSES = ErrorCode(
    "STATUS_TOO_MANY_GUESSES",
    _("Too many wrong attempts. For your safety, please try again after %(time)s."),
    429,
)

_CITIZEN_WORDS: dict[str, tuple[str, str]] = {
    Enrollment.State.CAPTURED: ("Đang xử lý hồ sơ", "Your dossier is being processed"),
    Enrollment.State.COMPLETED: ("Đang xử lý hồ sơ", "Your dossier is being processed"),
    Enrollment.State.APPROVED: ("Đang xử lý hồ sơ", "Your dossier is being processed"),
    Enrollment.State.IN_PRODUCTION: ("Đang sản xuất thẻ", "Your card is being produced"),
    Enrollment.State.PRODUCED: ("Đang sản xuất thẻ", "Your card is being produced"),
    Enrollment.State.AT_UNIT: (
        "Thẻ đã về, mời đến nhận",
        "Your card has arrived: please collect it",
    ),
    Enrollment.State.DELIVERED: ("Đã trả thẻ", "Your card has been handed over"),
    Enrollment.State.RETURNED: (
        "Cần bổ sung, vui lòng liên hệ cơ quan công an",
        "Something must be added: please contact the police office",
    ),
    Enrollment.State.REJECTED: ("Hồ sơ không được chấp nhận", "The application was not accepted"),
    Enrollment.State.CANCELLED: ("Đã hủy", "Cancelled"),
}
"""Internal states in the words a citizen understands: (Vietnamese, English). The citizen does not
need to know the office's steps (completed, approved), only whether to wait, come, or call. The
Vietnamese words are fixed by the issue; the English is for the page's English version."""

BY_POST_VI = "Gửi qua bưu điện"
BY_POST_EN = "Sent by post"


@dataclass(frozen=True)
class PublicStatus:
    """Everything the citizen's page may show: nothing here identifies a person."""

    code: str
    state_label: str  # Vietnamese, for citizens
    state_label_en: str
    return_date: datetime.date | None
    unit_name: str
    by_post: bool


@dataclass(frozen=True)
class BirthDate:
    """What the citizen typed: a whole date, or only a year (register dates known by year)."""

    day: datetime.date | None = None
    year: int | None = None

    def matches(self, person: Person) -> bool:
        """A year matches only a person whose register date is year-only, and a whole date only
        a whole date: a year alone is far easier to guess, so it never opens a dated record."""
        if person.birth_date_precision == Person.Precision.YEAR:
            return self.year is not None and self.year == person.birth_year
        return self.day is not None and self.day == person.birth_date


def clean_code(text: str) -> str:
    """The dossier code as stored: spaces trimmed, upper case; refuse anything that cannot be one."""
    code = (text or "").strip().upper()
    if not code or len(code) > CODE_MAX_LENGTH or not _CODE.match(code) or not code.isascii():
        raise STATUS_CODE_NEEDED()
    return code


def parse_birth_date(text: str, *, today: datetime.date) -> BirthDate:
    """dd/mm/yyyy, d/m/yyyy (also with '.' or '-'), or yyyy alone; refuse the impossible."""
    text = (text or "").strip()
    if not text.isascii():
        raise STATUS_BIRTH_DATE_NEEDED()
    if _YEAR.match(text):
        year = int(text)
        if not EARLIEST_BIRTH_YEAR <= year <= today.year:
            raise STATUS_BIRTH_DATE_NEEDED()
        return BirthDate(year=year)
    match = _DAY.match(text)
    if match is None:
        raise STATUS_BIRTH_DATE_NEEDED()
    day, month, year = (int(part) for part in match.groups())
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        raise STATUS_NO_SUCH_DATE(date=text) from None
    if not EARLIEST_BIRTH_YEAR <= year or born > today:
        raise STATUS_BIRTH_DATE_NEEDED()
    return BirthDate(day=born)


def attempt_key(kind: str, value: str) -> str:
    """The counter's key: a hash, so the table never holds an address or a dossier code."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _retry_at(key: str, limit: int, window: datetime.timedelta,
              now: datetime.datetime) -> datetime.datetime | None:  # fmt: skip
    """When the key may guess again, or None when it is under its limit now."""
    recent = LookupAttempt.objects.filter(key=key, at__gt=now - window).order_by("at")
    times = list(recent.values_list("at", flat=True)[: limit * 2])
    if len(times) < limit:
        return None
    # the guess that must age out for the count to fall below the limit
    return times[len(times) - limit] + window


def _refuse_if_limited(client: str, code: str, now: datetime.datetime) -> None:
    waits = [
        _retry_at(client, CLIENT_LIMIT, CLIENT_WINDOW, now),
        _retry_at(code, CODE_LIMIT, CODE_WINDOW, now),
    ]
    until = max((w for w in waits if w is not None), default=None)
    if until is not None:
        local = timezone.localtime(until)
        text = formats.date_format(local, "H:i") if local.date() == timezone.localdate(now) \
            else formats.date_format(local, "H:i d/m/Y")  # fmt: skip
        raise STATUS_TOO_MANY_GUESSES(time=text)


def _count_wrong_guess(client: str, code: str, now: datetime.datetime) -> None:
    """One row per key; rows past the longest window are deleted on the way (no cron needed)."""
    with transaction.atomic():
        LookupAttempt.objects.filter(at__lt=now - max(CLIENT_WINDOW, CODE_WINDOW)).delete()
        LookupAttempt.objects.bulk_create([LookupAttempt(key=client, at=now),
                                           LookupAttempt(key=code, at=now)])  # fmt: skip


def _dossiers() -> QuerySet[Enrollment]:
    """Only dossiers the desk has finished: a draft has no code and nothing to tell."""
    return (
        Enrollment.objects.exclude(state=Enrollment.State.DRAFT)
        .select_related("unit", "person")
        .only("pk", "code", "state", "return_date", "return_method", "unit__name",
              "person__birth_date", "person__birth_date_precision", "person__birth_year")
    )  # fmt: skip


def public_status(code: str, birth_date_text: str, *, client_key: str) -> PublicStatus:
    """The state of one dossier for the citizen who holds its slip.

    `client_key` is the client's address (see `status_views.client_address`). Malformed input is
    refused before anything is counted; a limited client is refused before the dossier is read,
    so a right answer does not help while the limit holds; a successful look-up is audited and
    does not count against the limit.
    """
    now = timezone.now()
    code = clean_code(code)
    born = parse_birth_date(birth_date_text, today=timezone.localdate(now))
    client, code_key = attempt_key("ip", client_key), attempt_key("code", code)
    _refuse_if_limited(client, code_key, now)
    enrollment = _dossiers().filter(code=code).first()
    if enrollment is None or not born.matches(enrollment.person):
        _count_wrong_guess(client, code_key, now)
        raise STATUS_NOT_FOUND()
    record("enrollment.public_lookup", actor=None, unit=enrollment.unit, obj=enrollment,
           after={"state": enrollment.state})  # fmt: skip
    vi, en = _CITIZEN_WORDS[enrollment.state]
    return PublicStatus(
        code=enrollment.code or code,
        state_label=vi,
        state_label_en=en,
        return_date=enrollment.return_date,
        unit_name=enrollment.unit.name,
        by_post=enrollment.return_method == Enrollment.ReturnMethod.POST,
    )
