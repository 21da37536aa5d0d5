"""A whole evening at the queue (issue 5), in four browsers at once.

The team leader hands out numbers to the session's pre-checked list and opens the hall's board;
two officers open desks 1 and 2 and call; an elderly walk-in, issued after the regular numbers,
is called before them, and so is a disabled walk-in issued mid-evening; a citizen opens the
public page of their slip (the QR's target) and sees the place in line and no name. Calling a
number opens its intake screen: desk 2 takes a pre-checked student's whole intake (photo,
ten fingerprints, signature), finishes, and the appointment slip PDF holds the dossier code; the
walk-ins without a register entry are ended at the desk without a dossier. At the end the team
leader closes the session: the page lists the numbers left, and closes only once a choice is made
for them and confirmed (issue 12).

Every browser is a vi-VN one. Selectors are language independent (data-testid, ids, hrefs, the
desk keys of board.js), except the board's words, which are Vietnamese whatever the language.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdf
import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cccd.accounts.models import User
from cccd.campaigns.models import PriorityGroup, Session
from cccd.campaigns.services import load_groups
from cccd.enrollments.models import Enrollment, Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference
from cccd.rosters import services as rosters
from cccd.tickets.models import Ticket
from tests.builders import PASSWORD, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.enrollments.conftest import FACES, fingerprint_png, signature_png
from tests.rosters.conftest import register as register  # noqa: F401 (fixtures)
from tests.rosters.conftest import session as session  # noqa: F401
from tests.rosters.test_precheck import ROWS, _school_xlsx

BOARD_WITHIN = 3_000  # ms: the board polls every second; a call shows within a couple of seconds

OpenPage = Callable[[str], Page]


@pytest.fixture
def open_page(browser: Browser, live_server: object) -> Iterator[OpenPage]:
    """Another person's browser (a context of its own, as on another machine); each is
    screenshotted into test-artifacts/ as it is at the end of the test."""
    opened: list[tuple[str, BrowserContext, Page]] = []

    def open_(name: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,  # type: ignore[attr-defined]
            locale="vi-VN",
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        opened.append((name, context, page))
        return page

    yield open_
    for name, context, page in opened:
        _snap(page, name)
        context.close()


def _logged_in(page: Page, username: str) -> Page:
    log_in(page, username, PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def _open_desk(page: Page, session: Session, number: int) -> None:
    page.goto(f"/queue/sessions/{session.pk}/desks/{number}/")
    page.get_by_test_id("open-desk").click()
    _ready_to_call(page)


def _ready_to_call(page: Page) -> None:
    expect(page.get_by_test_id("call-next")).to_be_visible()
    page.wait_for_load_state()  # board.js (deferred) binds the keys


def _at_desk(page: Page, number: str) -> None:
    """Calling opens the number's intake screen."""
    expect(page.get_by_test_id("intake-number")).to_have_attribute("data-number", number)


def _done_without_dossier(page: Page, number: str) -> None:
    page.get_by_test_id("to-desk").click()
    expect(page.get_by_test_id("current")).to_have_attribute("data-number", number)
    page.wait_for_load_state()  # board.js binds the keys
    page.keyboard.press("d")


def _take_intake(page: Page, files: Path) -> None:
    """A pre-checked student: nothing to type; the captures, then finish."""
    page.get_by_test_id("photo-file").set_input_files(str(FACES / "portrait.jpg"))
    page.get_by_test_id("photo-submit").click()
    expect(page.get_by_test_id("photo-ok")).to_be_visible()
    for n in range(1, 11):
        finger = files / f"finger-{n}.png"
        finger.write_bytes(fingerprint_png(n))
        page.get_by_test_id(f"finger-{n}").set_input_files(str(finger))
    page.get_by_test_id("fingers-submit").click()
    expect(page.locator("#fingerprint td").filter(has_text="png")).to_have_count(10)
    signature = files / "signature.png"
    signature.write_bytes(signature_png())
    page.get_by_test_id("signature-file").set_input_files(str(signature))
    page.get_by_test_id("signature-submit").click()
    expect(page.get_by_test_id("signature-ok")).to_be_visible()
    page.get_by_test_id("finish").click()
    expect(page.get_by_test_id("dossier-code")).to_be_visible()


def _shows(board: Page, number: str, desk: int) -> None:
    expect(board.get_by_test_id("latest")).to_contain_text(
        f"Mời số {number} đến bàn {desk}", timeout=BOARD_WITHIN
    )


def _snap(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"test_queue_evening-{name}.png"), full_page=True)


def _alone(number: int) -> re.Pattern[str]:
    """The number as a word of its own, in whatever language the sentence is."""
    return re.compile(rf"(^|\D){number}(\D|$)")


def test_a_whole_evening_at_the_queue(
    page: Page,
    open_page: OpenPage,
    live_server: object,
    session: Session,  # noqa: F811
    register: dict[str, object],  # noqa: F811
    officer_dakmil: User,
    settings: object,
    tmp_path: Path,
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    load_groups()  # reference data: a transactional test starts from a flushed database
    load_reference(Fee, FeeExemption, Holiday)
    groups = {g.code: g for g in PriorityGroup.objects.all()}
    make_user("canbo2.dakmil", "officer", session.unit, first_name="Nam", last_name="Lê Hoài")
    # the list as pre-checked the day before (tests/e2e/test_roster_flow.py does it in a browser):
    # 5 rows get a number in class order; the 3 not found or unreadable get none
    rosters.upload_roster(
        session.pk,
        SimpleUploadedFile("ds.xlsx", _school_xlsx(ROWS)),
        actor=officer_dakmil,
        run_now=True,
    )

    # The team leader hands out the numbers and opens the board for the hall's screen.
    leader = _logged_in(page, "totruong.dakmil")
    leader.goto(f"/queue/sessions/{session.pk}/")
    leader.locator("form[action$='/hand-out/'] [type=submit]").click()
    numbers = leader.get_by_test_id("tickets").locator("tbody tr")
    expect(numbers).to_have_count(5)
    binh = Ticket.objects.get(session=session, roster_entry__full_name="Lê Văn Bình")
    assert (binh.display, binh.class_name) == ("0005", "12A3")  # 10A1, 11A2, 12A1 ×2, then 12A3
    with leader.context.expect_page() as opened:
        leader.locator(f"a[href='/queue/sessions/{session.pk}/board/']").click()
    board = opened.value
    expect(board.get_by_test_id("latest")).to_have_attribute("data-key", "")
    expect(board.locator("#board")).to_contain_text("Đang chờ: 5")

    # An elderly person comes in after the regular numbers: one click prints their slip.
    leader.locator(f"#walk-in button[value='{groups['elderly'].pk}']").click()
    expect(leader.get_by_test_id("number")).to_have_text("0006")
    expect(leader.locator("body")).to_contain_text(groups["elderly"].name)

    # A citizen scans the QR of slip 0005 (printed from the leader's list) with their phone.
    leader.goto(f"/queue/sessions/{session.pk}/")
    numbers.filter(has_text="0005").locator("a[href$='/slip/']").click()
    expect(leader.get_by_test_id("number")).to_have_text("0005")
    target = f"{live_server.url}/queue/t/{binh.public_token}/"  # type: ignore[attr-defined]
    slip_html = leader.request.get(leader.url).text()
    assert segno.make(target, error="m").svg_inline(scale=4, border=2) in slip_html
    _snap(leader, "slip")
    citizen = open_page("citizen")
    citizen.goto(target)
    expect(citizen.get_by_test_id("number")).to_have_text("0005")
    # 0001–0004 came before; the elderly walk-in goes first
    expect(citizen.get_by_test_id("ahead")).to_have_text(_alone(5))
    expect(citizen.get_by_test_id("wait")).to_be_visible()
    for personal in ("Văn Bình", "Van Binh", "12A3", "01/01/2003", binh.person.personal_id):
        expect(citizen.locator("body")).not_to_contain_text(personal)

    # Two officers, each at their own desk: desk 1 by key, desk 2 by the button.
    desk1 = _logged_in(open_page("desk-1"), "canbo.dakmil")
    desk2 = _logged_in(open_page("desk-2"), "canbo2.dakmil")
    _open_desk(desk1, session, 1)
    _open_desk(desk2, session, 2)

    desk1.wait_for_load_state()  # the page's key script (deferred) is attached
    desk1.keyboard.press("n")
    _at_desk(desk1, "0006")  # priority first, though 0001–0005 have waited longer
    _shows(board, "0006", 1)
    desk2.get_by_test_id("call-next").click()
    _at_desk(desk2, "0001")  # the regular line in its order
    _shows(board, "0001", 2)
    # both desks keep their tile (no data-testid on the tiles yet: their class)
    expect(board.locator("#board .call").filter(has_text="0006")).to_contain_text("Bàn 1")
    expect(board.locator("#board .call").filter(has_text="0001")).to_contain_text("Bàn 2")

    # Mid-evening, someone with a disability comes in: called before the waiting 0002.
    leader.goto(f"/queue/sessions/{session.pk}/")
    leader.locator(f"#walk-in button[value='{groups['disabled'].pk}']").click()
    expect(leader.get_by_test_id("number")).to_have_text("0007")
    _done_without_dossier(desk1, "0006")  # a walk-in not in the register: no dossier tonight
    _ready_to_call(desk1)
    desk1.wait_for_load_state()  # the page's key script (deferred) is attached
    desk1.keyboard.press(" ")
    _at_desk(desk1, "0007")
    _shows(board, "0007", 1)
    _take_intake(desk2, tmp_path)  # 0001, a pre-checked student
    dossier = Enrollment.objects.get(ticket__session=session, ticket__number=1)
    expect(desk2.get_by_test_id("dossier-code")).to_have_text(dossier.code)
    pdf = desk2.request.get(desk2.get_by_test_id("slip-pdf").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    slip_text = pypdf.PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert dossier.code in slip_text and dossier.person.full_name in slip_text
    (ARTIFACTS / "test_queue_evening-slip.pdf").write_bytes(pdf.body())
    _snap(desk2, "dossier")
    desk2.get_by_test_id("back-to-desk").click()
    _ready_to_call(desk2)
    desk2.wait_for_load_state()  # the page's key script (deferred) is attached
    desk2.keyboard.press("n")
    _at_desk(desk2, "0002")
    _shows(board, "0002", 2)
    expect(board.locator("#board")).to_contain_text("Đang chờ: 3")

    # The citizen's page follows: only 0003 and 0004 are still ahead, and still no name.
    citizen.reload()
    expect(citizen.get_by_test_id("ahead")).to_have_text(_alone(2))
    expect(citizen.locator("body")).not_to_contain_text("Văn Bình")
    _snap(board, "board")
    board.goto("about:blank")  # the hall's screen goes off: no more polling while the test reads
    leader.goto(f"/queue/sessions/{session.pk}/")  # the leader's list: screenshotted by `page`
    expect(numbers).to_have_count(7)
    states = dict(Ticket.objects.filter(session=session).values_list("number", "state"))
    assert states == {
        1: "done",
        2: "called",
        3: "waiting",
        4: "waiting",
        5: "waiting",
        6: "done",
        7: "called",
    }
    _snap(leader, "queue")

    # The end of the evening: desk 1 ends 0007, 0002 did not come to desk 2, and the team leader
    # closes. The page lists what is left; nothing happens until a choice is made and confirmed.
    _done_without_dossier(desk1, "0007")
    desk2.get_by_test_id("to-desk").click()
    expect(desk2.get_by_test_id("current")).to_have_attribute("data-number", "0002")
    desk2.wait_for_load_state()
    desk2.keyboard.press("s")
    _ready_to_call(desk2)
    leader.get_by_test_id("close-link").click()
    expect(leader.get_by_test_id("left")).to_have_attribute("data-count", "4")  # 0002–0005
    expect(leader.get_by_test_id("left-numbers")).to_have_text("0002 · 0003 · 0004 · 0005")
    expect(leader.get_by_test_id("no-venue-session")).to_be_visible()  # no later evening here
    leader.get_by_test_id("close-session").click()  # no choice, no confirmation: the form holds
    expect(leader.get_by_test_id("close-form")).to_be_visible()
    leader.get_by_test_id("mark-unserved").check()
    leader.get_by_test_id("confirm-close").check()
    _snap(leader, "close")
    leader.get_by_test_id("close-session").click()
    expect(leader.get_by_test_id("unserved")).to_have_text("4")
    expect(leader.get_by_test_id("session-status")).to_have_text("Đã kết thúc")
    session.refresh_from_db()
    assert session.state == Session.State.CLOSED
    assert Ticket.objects.filter(session=session, state="unserved").count() == 4
