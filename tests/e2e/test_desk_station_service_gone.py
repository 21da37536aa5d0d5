"""The desk's device service itself goes away mid-intake (its process ends, as when the desk
computer's service crashes or its USB hub is pulled) and comes back: the page says so, keeps
nothing, and finds the service again on the next key, wherever it now listens.

A module of its own, so that no other simulator of the e2e suite is running meanwhile.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cccd.campaigns.models import Session
from cccd.tickets.models import Ticket
from tests.builders import Tree
from tests.devices.simulated import start_simulator, stop
from tests.e2e.test_desk_station import (
    CAPTURE_WITHIN,
    evening,  # noqa: F401 (fixture)
    finger_slots,
    press,
    up_to_the_slaps,
)


def test_the_service_goes_away_and_comes_back(page: Page, tree: Tree, evening: Session) -> None:  # noqa: F811
    process, _port = start_simulator("--delay-ms", "0")
    try:
        up_to_the_slaps(page, tree, evening)
    finally:
        stop(process)  # the service is gone
    page.keyboard.press("1")
    alert = page.get_by_test_id("station-error")
    expect(alert).to_be_visible(timeout=CAPTURE_WITHIN)
    expect(alert).to_contain_text("không trả lời")  # "does not answer"
    ticket = Ticket.objects.get(session=evening, person__isnull=False)
    assert not finger_slots(ticket)
    process, _port = start_simulator("--delay-ms", "0")  # back, maybe on another port
    try:
        press(page, "1", then_on="slap-2")
        assert sorted(finger_slots(ticket)) == [7, 8, 9, 10]
    finally:
        stop(process)
