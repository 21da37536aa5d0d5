"""The card as it will be printed: both faces of a dossier's card, for the preview page.

The person checks the preview before signing; later the officer compares it with the produced card.
Every rule of the card comes from `cccd.core` (docs/domain.md#validity, docs/domain.md#mrz,
docs/domain.md#qr-payload); this module only chooses the inputs (which issue date, which expiry,
which birth date) and formats the printed text.

What docs/domain.md leaves open, and what we chose here:
- The layout and the bilingual labels follow the 2021 chip card; the 2024 "thẻ căn cước" of the
  2023 law moved some fields between the faces **[unverified in detail]**: the preview keeps one
  layout and changes only the title by law.
- A birth date known only as a year: the front shows the year alone; the MRZ and the expiry use the
  date `cccd.core.validity.assumed_birth_date` assumes (1 January, itself **[unverified]**).
  ICAO 9303 would allow fillers for an unknown day and month; how the real card writes it is
  **[unverified]**, and `cccd.core.mrz` writes a full date.
- The four trailing QR fields of 2024 cards are **[unverified]** and not written
  (`cccd.core.qrpayload`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, cast

import segno

from cccd.core import mrz, names, qrpayload, validity
from cccd.core._errors import CoreError
from cccd.core.idnumber import Sex
from cccd.enrollments import errors
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError

NATIONALITY: Final = "Việt Nam"
NO_EXPIRY_TEXT: Final = "Không thời hạn"
"""Printed as the expiry of a card issued at or after 58 (docs/domain.md#validity)."""

TITLES: Final = {
    "2014": ("CĂN CƯỚC CÔNG DÂN", "CITIZEN IDENTITY CARD"),
    "2023": ("CĂN CƯỚC", "IDENTITY CARD"),
}
"""The card's title by law: CCCD under the 2014 law, "thẻ căn cước" from 1 July 2024."""


@dataclass(frozen=True)
class CardFaces:
    """Every field printed on the card, as display text, plus the MRZ and the QR code.

    `is_preview` says the issue date is today's (the card is not produced yet), and
    `expiry_estimated` that the expiry rests on an assumed birth day (year-only birth date).
    """

    title: str
    title_en: str
    personal_id: str
    full_name: str
    birth_date: str
    sex: str
    nationality: str
    hometown: str
    residence: str
    issue_date: str
    expiry: str
    issued_on: dt.date
    expires_on: dt.date | None
    is_preview: bool
    birth_year_only: bool
    expiry_estimated: bool
    mrz: tuple[str, str, str]
    qr_text: str
    qr_svg: str


def _ddmmyyyy(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _card_birth_date(enrollment: Enrollment) -> tuple[dt.date, bool]:
    """The birth date the card rules work on, and whether only its year is known.

    A year-only birth goes through `validity.assumed_birth_date` rather than the stored
    1 January, so the assumption lives in one place (cccd.core).
    """
    person = enrollment.person
    if person.birth_date_precision == "year":
        return validity.assumed_birth_date(person.birth_year), True
    return person.birth_date, False


def _issue_and_expiry(
    enrollment: Enrollment, born: dt.date, today: dt.date
) -> tuple[dt.date, dt.date | None, bool]:
    """Issue date, expiry and whether this is a preview.

    Once the production centre reported the card (`card_issue_date` set by the "produce" move),
    the preview shows the produced card's dates, so the officer can compare them with the card in
    hand; `card_expiry` None means "no expiry" there. Before that, the card is imagined as issued
    today, under the dossier's law.
    """
    if enrollment.card_issue_date is not None:
        return enrollment.card_issue_date, enrollment.card_expiry, False
    law = cast(validity.Law, enrollment.law)  # validity refuses an unknown law
    return today, validity.card_expiry(born, today, law=law), True


def _qr_svg(text: str) -> str:
    """The QR code as inline SVG, scaled by CSS (a viewBox, no fixed size).

    UTF-8 is forced: docs/domain.md#qr-payload says the card's QR holds UTF-8 text, and segno would
    otherwise pick ISO 8859-1 for a payload that happens to fit it.
    """
    code = segno.make(text, error="m", micro=False, encoding="utf-8")
    return code.svg_inline(scale=1, border=2, omitsize=True, svgclass="card-qr", lineclass=None)


def _qr_text(enrollment: Enrollment, born: dt.date, issued: dt.date) -> str:
    person = enrollment.person
    return qrpayload.encode(
        qrpayload.CardQR(
            personal_id=person.personal_id,
            old_id_number=person.old_id_number,
            full_name=person.full_name,
            birth_date=born,
            sex=cast("Sex", person.sex),  # checked by mrz.td1 before
            address=person.permanent_address,
            issue_date=issued,
        )
    )


def card_faces(enrollment: Enrollment, today: dt.date) -> CardFaces:
    """Both faces of the dossier's card, as they will be printed.

    `today` is the issue date of a card not yet produced (the page says it is a preview). The
    name is printed in capitals as on the card; the MRZ is `cccd.core.mrz.td1`, the QR payload
    `cccd.core.qrpayload.encode`, the expiry `cccd.core.validity.card_expiry`.

    Raises:
        DomainError: CARD_DATA_INVALID (422) when the register's data break a rule of the card
            (a personal ID that disagrees with the birth year or sex, an old ID number that is
            not 9 or 12 digits, a child under 14 under the 2014 law …).
    """
    person = enrollment.person
    try:
        born, year_only = _card_birth_date(enrollment)
        issued, expires, preview = _issue_and_expiry(enrollment, born, today)
        lines = mrz.td1(person.personal_id, person.full_name, born, person.sex, expires)
        qr_text = _qr_text(enrollment, born, issued)
        printed_name = names.normalize(person.full_name).upper()
    except CoreError as error:
        raise DomainError(errors.CARD_DATA_INVALID, {"detail": error.message}) from None
    title, title_en = TITLES.get(enrollment.law, TITLES["2023"])
    return CardFaces(
        title=title,
        title_en=title_en,
        personal_id=person.personal_id,
        full_name=printed_name,
        birth_date=str(born.year) if year_only else _ddmmyyyy(born),
        sex=qrpayload.SEX_WORDS[cast("Sex", person.sex)],
        nationality=NATIONALITY,
        hometown=person.hometown,
        residence=person.permanent_address,
        issue_date=_ddmmyyyy(issued),
        expiry=NO_EXPIRY_TEXT if expires is None else _ddmmyyyy(expires),
        issued_on=issued,
        expires_on=expires,
        is_preview=preview,
        birth_year_only=year_only,
        expiry_estimated=year_only and preview and expires is not None,
        mrz=lines,
        qr_text=qr_text,
        qr_svg=_qr_svg(qr_text),
    )
