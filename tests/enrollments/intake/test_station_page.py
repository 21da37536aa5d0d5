"""The station on the intake screen: the steps the person's age and the campaign's law call for,
the step it moves to by itself, and the SBI hash chain it hands the page."""

from __future__ import annotations

import datetime
import re

import pytest

from cccd.accounts.models import User
from cccd.devices.sbi import FIRST_PREVIOUS_HASH
from cccd.enrollments.intake import queries, services
from cccd.enrollments.models import Artefact
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.enrollments.conftest import FACES, fingerprint_png


def screen(ticket: Ticket, user: User) -> str:
    response = client_for(user).get(f"/intake/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    return response.content.decode()


def next_step(page: str) -> str:
    match = re.search(r'data-next="([a-z0-9-]+)"', page)
    assert match is not None
    return match.group(1)


def steps(page: str) -> list[str]:
    return re.findall(r'data-step="([a-z0-9-]+)"', page)


def under_the_2023_law(ticket: Ticket) -> None:
    campaign = ticket.session.campaign
    campaign.law = "2023"
    campaign.save(update_fields=["law"])


def test_the_2014_law_asks_for_the_photo_and_three_slaps_no_iris(
    called: Ticket, officer_dakmil: User
) -> None:
    page = screen(called, officer_dakmil)
    assert steps(page) == ["photo", "slap-1", "slap-2", "slap-3"]
    assert next_step(page) == "details"
    assert f'data-previous-hash="{FIRST_PREVIOUS_HASH}"' in page


def test_the_2023_law_adds_both_irises_from_six(called: Ticket, officer_dakmil: User) -> None:
    under_the_2023_law(called)
    assert steps(screen(called, officer_dakmil)) == ["photo", "slap-1", "slap-2", "slap-3", "iris"]


def test_below_six_under_the_2023_law_only_the_photo(
    called: Ticket, officer_dakmil: User, student: Person
) -> None:
    under_the_2023_law(called)
    student.birth_date = datetime.date(2017, 5, 1)  # four on the session's evening in 2021
    student.save(update_fields=["birth_date"])
    page = screen(called, officer_dakmil)
    assert steps(page) == ["photo"]
    assert 'data-testid="finger-row-1"' not in page


def test_the_station_moves_to_the_first_step_still_to_do(
    called: Ticket, officer_dakmil: User
) -> None:
    services.start_intake(called.pk, actor=officer_dakmil)
    assert next_step(screen(called, officer_dakmil)) == "photo"
    portrait = (FACES / "portrait.jpg").read_bytes()
    services.capture(called.pk, Artefact.Kind.PHOTO, 0, portrait, actor=officer_dakmil)
    assert next_step(screen(called, officer_dakmil)) == "slap-1"
    left_four = {7: fingerprint_png(7), 8: fingerprint_png(8), 10: fingerprint_png(10)}
    services.capture_slots(
        called.pk, "fingerprint", files=left_four, reasons={9: "Mất ngón"}, actor=officer_dakmil
    )
    assert next_step(screen(called, officer_dakmil)) == "slap-2"
    rest = {n: fingerprint_png(n) for n in (1, 2, 3, 4, 5, 6)}
    services.capture_slots(called.pk, "fingerprint", files=rest, reasons={}, actor=officer_dakmil)
    page = screen(called, officer_dakmil)
    assert next_step(page) == "finish"
    assert "data-next-step" in page  # the finish button takes the focus


@pytest.mark.parametrize("score", [12, 39])
def test_a_low_slot_brings_the_station_back_to_its_slap(
    called: Ticket, officer_dakmil: User, score: int
) -> None:
    services.start_intake(called.pk, actor=officer_dakmil)
    portrait = (FACES / "portrait.jpg").read_bytes()
    services.capture(called.pk, Artefact.Kind.PHOTO, 0, portrait, actor=officer_dakmil)
    every = {n: fingerprint_png(n) for n in range(1, 11)}
    services.capture_slots(called.pk, "fingerprint", files=every, reasons={}, actor=officer_dakmil)
    thumb = Artefact.objects.get(kind="fingerprint", slot=6)  # left thumb: the thumbs' slap
    thumb.quality = {**thumb.quality, "source": "device", "device_score": score, "tries": 1}
    thumb.save(update_fields=["quality"])
    page = screen(called, officer_dakmil)
    assert next_step(page) == "slap-3"
    assert 'data-testid="retake-6"' in page and "lần 1/3" in page
    thumb.quality = {**thumb.quality, "tries": 3, "kept_reason": "best of 3"}
    thumb.save(update_fields=["quality"])
    page = screen(called, officer_dakmil)
    assert next_step(page) == "finish"
    assert 'data-testid="kept-6"' in page


def test_the_chain_goes_on_from_the_latest_device_capture(
    called: Ticket, officer_dakmil: User
) -> None:
    services.start_intake(called.pk, actor=officer_dakmil)
    every = {n: fingerprint_png(n) for n in range(1, 11)}
    services.capture_slots(called.pk, "fingerprint", files=every, reasons={}, actor=officer_dakmil)
    artefacts = list(Artefact.objects.filter(kind="fingerprint").order_by("slot"))
    for n, artefact in enumerate(artefacts):
        artefact.quality = {**artefact.quality, "sbi_hash": f"{n:064X}"}
        artefact.captured_at = artefact.captured_at + datetime.timedelta(seconds=n)
        artefact.save(update_fields=["quality", "captured_at"])
    assert queries.previous_hash(artefacts) == f"{9:064X}"
    assert f'data-previous-hash="{9:064X}"' in screen(called, officer_dakmil)
