"""The citizen's own look-up of a dossier, no login: by the link in the slip's QR code, or by the
dossier code and the birth date typed on the status page.

**The link** on the slip's QR code is signed (`links`): it opens the dossier at once, with no birth
date, and is never rate-limited nor locked, because a signature cannot be guessed.

**Typing the code and birth date**: the code is printed on the slip, and codes are sequential, so
the birth date is the shared secret. A wrong code and a wrong birth date give the same answer, so
a guess never tells which codes exist, and wrong guesses are limited per client address only (5
per 15 minutes). There is no limit per dossier code: one would let anyone lock the owner out with
five wrong dates, and what it cost a guesser spread over many addresses is no more than what a
state, a return date and a unit's name are worth (the page shows nothing else). The counters are
rows of `LookupAttempt` in the database, so the limit holds across gunicorn workers and app
servers; a row keeps only a SHA-256 of "ip:<address>". Two guesses racing in two workers may both
pass the check: the limit can be overshot by the number of concurrent requests. The code is taken
as people type it: spaces or dots instead of dashes, no dashes at all, lower case, full-width
digits.

What the citizen sees is only the code, a state in citizen's words, the expected return date and
where to collect the card (the unit's name, and whether it is posted): no name, no ID number, no
address. Every opening, by link or by typing, is audited with the dossier and its state, no
personal data (the public has no actor).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone

from cccd.accounts.audit import record
from cccd.core import birthdates
from cccd.enrollments import errors
from cccd.enrollments.models import Enrollment, LookupAttempt
from cccd.enrollments.public.links import LINK_MAX_LENGTH, legacy_link_hash, signed_code
from cccd.registry.models import Person

CLIENT_LIMIT = 5
CLIENT_WINDOW = datetime.timedelta(minutes=15)
CODE_MAX_LENGTH = 32  # Enrollment.code's column

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
# What people type between the parts of a code: spaces, dots, slashes, and the dashes a phone's
# keyboard or a word processor puts in place of "-" (hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, minus sign).
_SEPARATORS = re.compile(r"[\s./_\u2010\u2011\u2012\u2013\u2014\u2212-]+")
_DATE_PART = 6  # yymmdd
_ROW_PART = 6  # at least: the row number is written with 6 digits or more (services.dossier_code)


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


def clean_code(text: str) -> list[str]:
    """The stored codes the typed text can mean, the likeliest first; refuse what cannot be one.

    Full-width characters become ASCII (NFKC), letters upper case, and any run of separators a
    dash: "663 210306 000123" is "663-210306-000123". Typed without separators, the code is cut
    again from the right (row number, then the yymmdd date, then the unit code), once for each
    length the row number can have, so "663210306000123" finds it too.
    """
    text = unicodedata.normalize("NFKC", text or "").strip().upper()
    parts = [part for part in _SEPARATORS.split(text) if part]
    typed = "-".join(parts)
    if not parts or len(typed) > CODE_MAX_LENGTH or not typed.isascii() or not _CODE.match(typed):
        raise errors.STATUS_CODE_NEEDED()
    candidates = [typed]
    compact = "".join(parts)
    for row_digits in range(_ROW_PART, len(compact) - _DATE_PART):
        unit_end = len(compact) - row_digits - _DATE_PART
        day, row = compact[unit_end : unit_end + _DATE_PART], compact[unit_end + _DATE_PART :]
        if day.isdigit() and row.isdigit():
            candidates.append(f"{compact[:unit_end]}-{day}-{row}")
    return list(dict.fromkeys(candidates))


def parse_birth_date(text: str, *, today: datetime.date) -> BirthDate:
    """dd/mm/yyyy, d/m/yyyy (also with '.' or '-'), or yyyy alone; refuse the impossible."""
    text = (text or "").strip()
    try:
        day, year = birthdates.parse_typed(text, today=today)
    except birthdates.NoSuchDay:
        raise errors.STATUS_NO_SUCH_DATE(date=text) from None
    except birthdates.TypedBirthDateError:
        raise errors.STATUS_BIRTH_DATE_NEEDED() from None
    return BirthDate(day=day, year=year)


def attempt_key(kind: str, value: str) -> str:
    """The counter's key: a hash, so the table never holds an address."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _retry_at(key: str, now: datetime.datetime) -> datetime.datetime | None:
    """When the client may guess again, or None when it is under its limit now."""
    recent = LookupAttempt.objects.filter(key=key, at__gt=now - CLIENT_WINDOW).order_by("at")
    times = list(recent.values_list("at", flat=True)[: CLIENT_LIMIT * 2])
    if len(times) < CLIENT_LIMIT:
        return None
    # the guess that must age out for the count to fall below the limit
    return times[len(times) - CLIENT_LIMIT] + CLIENT_WINDOW


def _refuse_if_limited(client: str, now: datetime.datetime) -> None:
    until = _retry_at(client, now)
    if until is not None:
        local = timezone.localtime(until)
        text = (
            formats.date_format(local, "H:i")
            if local.date() == timezone.localdate(now)
            else formats.date_format(local, "H:i d/m/Y")
        )
        raise errors.STATUS_TOO_MANY_GUESSES(time=text)


def _count_wrong_guess(client: str, now: datetime.datetime) -> None:
    """One row per wrong guess; rows past the window are deleted on the way (no cron needed)."""
    with transaction.atomic():
        LookupAttempt.objects.filter(at__lt=now - CLIENT_WINDOW).delete()
        LookupAttempt.objects.create(key=client, at=now)


def _dossiers() -> QuerySet[Enrollment]:
    """Only dossiers the desk has finished: a draft has no code and nothing to tell."""
    return (
        Enrollment.objects.exclude(state=Enrollment.State.DRAFT)
        .exclude(code=None)
        .select_related("unit", "person")
        .only(
            "pk",
            "code",
            "state",
            "return_date",
            "return_method",
            "unit__name",
            "person__birth_date",
            "person__birth_date_precision",
            "person__birth_year",
        )
    )


def _opened(enrollment: Enrollment, *, via: str) -> PublicStatus:
    """What the page shows, after the audit record of this opening (no actor: the public)."""
    record(
        "enrollment.public_lookup",
        actor=None,
        unit=enrollment.unit,
        obj=enrollment,
        after={"state": enrollment.state, "via": via},
        object_repr=enrollment.code,
    )
    vi, en = _CITIZEN_WORDS[enrollment.state]
    return PublicStatus(
        code=enrollment.code or "",
        state_label=vi,
        state_label_en=en,
        return_date=enrollment.return_date,
        unit_name=enrollment.unit.name,
        by_post=enrollment.return_method == Enrollment.ReturnMethod.POST,
    )


def public_status(code: str, birth_date_text: str, *, client_key: str) -> PublicStatus:
    """The state of one dossier for the citizen who holds its slip.

    `client_key` is the client's address (see `views.client_address`). Malformed input is
    refused before anything is counted; a limited client is refused before the dossier is read,
    so a right answer does not help while the limit holds; a successful look-up is audited and
    does not count against the limit.
    """
    now = timezone.now()
    candidates = clean_code(code)
    born = parse_birth_date(birth_date_text, today=timezone.localdate(now))
    client = attempt_key("ip", client_key)
    _refuse_if_limited(client, now)
    found = {e.code: e for e in _dossiers().filter(code__in=candidates)}
    for candidate in candidates:
        enrollment = found.get(candidate)
        if enrollment is not None and born.matches(enrollment.person):
            return _opened(enrollment, via="code")
    _count_wrong_guess(client, now)
    raise errors.STATUS_NOT_FOUND()


@transaction.atomic
def status_by_link(token: str) -> PublicStatus:
    """The state of the dossier whose slip carries this link: no birth date, no limit, no lock.

    A link that does not verify and matches no old slip's token is refused with the same answer
    whatever is wrong with it; it counts against nothing, as a signature cannot be guessed.
    """
    token = (token or "")[:LINK_MAX_LENGTH]
    code = signed_code(token)
    if code is not None:
        enrollment = _dossiers().filter(code=code).first()
    else:
        enrollment = _dossiers().filter(legacy_link_sha256=legacy_link_hash(token)).first()
    if enrollment is None:
        raise errors.STATUS_LINK_UNKNOWN()
    return _opened(enrollment, via="link")
