"""The Content-Security-Policy in Chromium (issue 12, item 14): a script, an event handler or a
style slipped into a page does nothing, while every real page renders and runs its own scripts
with no violation; and no button covers an input, on a desk PC's 1280 px and on a narrow 800 px
window. Screenshots of every page at both widths go to test-artifacts/csp/."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Route, expect

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import load_groups
from cccd.enrollments.models import Enrollment
from cccd.enrollments.public.links import link_token
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk
from tests.builders import PASSWORD, Tree, make_person, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.tickets.conftest import desks as desks  # noqa: F401 (fixtures)
from tests.tickets.conftest import leader as leader  # noqa: F401
from tests.tickets.conftest import session as session  # noqa: F401

SHOTS = ARTIFACTS / "csp"
WIDTHS = {"wide": {"width": 1280, "height": 800}, "narrow": {"width": 800, "height": 900}}
PHONE = {"width": 390, "height": 844}

INJECTED = (
    "<script>window.__injected = 'script';</script>"
    "<img src='/favicon.ico' onload=\"window.__injected = 'handler'\">"
    "<p id='injected-style' style='color: rgb(255, 0, 0)'>injected</p>"
)


class Browsing:
    """One browser context that remembers every policy violation and script error it saw."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int]) -> None:
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, locale="vi-VN", viewport=viewport
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")


@pytest.fixture
def browsing(browser: Browser, live_server: Any) -> Iterator[Any]:
    opened: list[Browsing] = []

    def open_(width: str = "wide") -> Browsing:
        opened.append(Browsing(browser, live_server.url, WIDTHS.get(width, PHONE)))
        return opened[-1]

    yield open_
    for one in opened:
        one.context.close()


@pytest.fixture
def evening(
    tree: Tree,
    session: Session,
    desks: list[Desk],
    officer_dakmil: User,  # noqa: F811
    leader: User,
) -> dict[str, Any]:  # noqa: F811
    """A session with a number called to desk 1, one waiting, and a dossier whose card arrived."""
    load_groups()
    person = make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")
    tickets.issue_walk_in(session.pk, actor=leader)
    called = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    waiting = tickets.issue_walk_in(session.pk, actor=leader)
    dossier = Enrollment.objects.create(
        unit=tree.dakmil_police,
        person=person,
        session=session,
        code="663-210306-000042",
        state=Enrollment.State.AT_UNIT,
        kind="first_issue",
        law="2014",
        received_at=timezone.now(),
        received_by=officer_dakmil,
        return_date=datetime.date(2021, 3, 17),
    )
    admin = make_user("quantri", "administrator", tree.ministry, is_superuser=True)  # type: ignore[arg-type]
    return {
        "session": session,
        "called": called,
        "waiting": waiting,
        "dossier": dossier,
        "person": person,
        "admin": admin,
    }


def _pages(e: dict[str, Any], tree: Tree) -> list[str]:
    s, d = e["session"].pk, e["dossier"].pk
    person: Person = e["person"]
    campaign = e["session"].campaign_id
    return [
        "/",
        "/registry/?q=Nguyễn Văn Đức 2006",
        f"/registry/people/{person.pk}/",
        "/registry/imports/",
        "/campaigns/",
        f"/campaigns/{campaign}/",
        f"/campaigns/{campaign}/sessions/new/",
        "/campaigns/sessions/",
        "/campaigns/venues/",
        "/campaigns/groups/",
        f"/rosters/sessions/{s}/",
        f"/queue/sessions/{s}/",
        f"/queue/sessions/{s}/sheets/",
        f"/queue/sessions/{s}/desks/1/",
        f"/queue/sessions/{s}/desks/3/",
        f"/queue/tickets/{e['waiting'].pk}/slip/",
        f"/intake/tickets/{e['called'].pk}/",
        f"/intake/sessions/{s}/close/",
        "/dossiers/",
        "/dossiers/approve/",
        f"/dossiers/{d}/",
        f"/dossiers/{d}/deliver/",
        f"/dossiers/{d}/card/",
        "/dossiers/search/?q=663-210306-000042",
        "/dossiers/deadlines/",
        "/batches/",
        "/batches/new/",
        "/reports/",
        "/reports/report/",
        "/reports/officers/",
        "/coverage/",
        "/units/",
        f"/units/{tree.dakmil_police.pk}/",
        f"/units/{tree.dakmil_police.pk}/edit/",
        f"/units/{tree.dakmil_police.pk}/new/",
        "/accounts/users/",
        "/accounts/users/new/",
        "/accounts/audit/",
        "/accounts/tokens/",
        "/api/v1/docs",
    ]


def _public_pages(e: dict[str, Any]) -> list[str]:
    return [
        "/accounts/login/",
        "/status/",
        f"/intake/d/{link_token(e['dossier'])}/",
        f"/queue/t/{e['waiting'].public_token}/",
    ]


_OVERLAPS = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });  // the forms they hold
  const visible = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true}); };
  const controls = [...document.querySelectorAll(
    'button, a[role=button], summary[role=button], input:not([type=hidden]), select, textarea'
  )].filter(visible);
  const name = (el) => (el.name || el.textContent || el.value || el.tagName).trim().slice(0, 30);
  const found = [];
  const width = document.documentElement.clientWidth;
  controls.forEach((a, i) => { const p = a.getBoundingClientRect();
    if (p.right > width + 1) found.push(name(a) + ' goes past the right edge');
    controls.slice(i + 1).forEach((b) => {
      if (a.contains(b) || b.contains(a)) return;
      const q = b.getBoundingClientRect();
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) found.push(name(a) + ' / ' + name(b));
    });
  });
  return found;
}"""


def _shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "home"


def _walk(one: Browsing, paths: list[str], width: str) -> dict[str, list[str]]:
    overlaps: dict[str, list[str]] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in paths:
        response = one.page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        one.page.wait_for_load_state("load")
        found = one.page.evaluate(_OVERLAPS)
        if found:
            overlaps[path] = found
        one.page.screenshot(path=str(SHOTS / f"{width}-{_shot_name(path)}.png"), full_page=True)
    return overlaps


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_runs_under_the_policy_and_no_button_covers_an_input(
    browsing: Any, evening: dict[str, Any], tree: Tree, width: str
) -> None:
    anonymous = browsing(width)
    overlaps = _walk(anonymous, _public_pages(evening), width)
    staff = browsing(width)
    log_in(staff.page, "quantri", PASSWORD)
    expect(staff.page).not_to_have_url(re.compile(r"/accounts/login/"))
    overlaps |= _walk(staff, _pages(evening, tree), width)
    assert not anonymous.violations + staff.violations
    assert not anonymous.errors + staff.errors
    assert not overlaps


def test_an_injected_script_handler_and_style_do_nothing(
    browsing: Any, evening: dict[str, Any]
) -> None:
    """The server's policy header stays on the page while a script, an onload handler and a
    style attribute are slipped into its HTML (as a stored XSS would): none of them takes effect,
    the browser reports each, and the page's own form still works."""
    one = browsing()

    def inject(route: Route) -> None:
        response = route.fetch()
        body = response.text().replace("</h1>", "</h1>" + INJECTED, 1)
        route.fulfill(response=response, body=body)

    one.page.route(re.compile(r".*/status/$"), inject)
    response = one.page.goto("/status/")
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    expect(one.page.locator("#injected-style")).to_have_text("injected")
    one.page.wait_for_load_state("load")
    assert one.page.evaluate("() => window.__injected === undefined")
    color = one.page.evaluate(
        "() => getComputedStyle(document.getElementById('injected-style')).color"
    )
    assert color != "rgb(255, 0, 0)"
    assert len(one.violations) >= 3, one.violations  # the script, the handler, the style
    one.page.unroute(re.compile(r".*/status/$"))
    one.page.locator("input[name=code]").fill("663 210306 000042")
    one.page.locator("input[name=birth_date]").fill("15/03/2006")
    one.page.get_by_test_id("status-form").locator("button[type=submit]").click()
    expect(one.page.get_by_test_id("state")).to_contain_text("Thẻ đã về")


def test_the_pages_own_scripts_still_work(
    browsing: Any, evening: dict[str, Any], leader: User
) -> None:  # noqa: F811
    """Behaviours only JavaScript gives, under the policy: the board's polling (htmx) shows a new
    call, the desk calls the next number by its key, the slip's print button prints."""
    one = browsing()
    log_in(one.page, "totruong.dakmil", PASSWORD)
    session = evening["session"]
    one.page.goto(f"/queue/sessions/{session.pk}/board/")
    expect(one.page.get_by_test_id("latest")).to_contain_text(evening["called"].display)
    desk_2 = Desk.objects.get(session=session, number=2)
    called = tickets.call_next(desk_2.pk, actor=leader)
    expect(one.page.get_by_test_id("latest")).to_contain_text(called.display)
    tickets.finish_ticket(desk_2.pk, called.pk, actor=leader)
    walk_in = tickets.issue_walk_in(session.pk, actor=leader)
    one.page.goto(f"/queue/sessions/{session.pk}/desks/2/")
    one.page.wait_for_load_state()  # the page's key script (deferred) is attached
    one.page.keyboard.press("n")
    expect(one.page).to_have_url(re.compile(f"/intake/tickets/{walk_in.pk}/$"))  # called, opened
    one.page.goto(f"/queue/tickets/{evening['waiting'].pk}/slip/")
    one.page.evaluate(
        "() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }"
    )
    one.page.locator("[data-print]").click()
    assert one.page.evaluate("() => window.__printed") == 1
    assert not one.violations and not one.errors


def test_the_citizens_status_page_fits_a_phone(browsing: Any, evening: dict[str, Any]) -> None:
    """The slip's QR opens on a phone: the answer, the form and a refusal fit its width."""
    one = browsing("phone")
    SHOTS.mkdir(parents=True, exist_ok=True)
    one.page.goto(f"/intake/d/{link_token(evening['dossier'])}/")
    expect(one.page.get_by_test_id("state")).to_contain_text("Thẻ đã về")
    one.page.screenshot(path=str(SHOTS / "phone-status-link.png"), full_page=True)
    fits = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert one.page.evaluate(fits)
    one.page.get_by_test_id("another").click()
    one.page.locator("input[name=code]").fill("663210306000042")
    one.page.locator("input[name=birth_date]").fill("16/03/2006")
    one.page.get_by_test_id("status-form").locator("button[type=submit]").click()
    expect(one.page.get_by_test_id("error")).to_be_visible()
    one.page.screenshot(path=str(SHOTS / "phone-status-refused.png"), full_page=True)
    assert one.page.evaluate(fits)
    assert not one.page.evaluate(_OVERLAPS)
    assert not one.violations and not one.errors


def test_the_review_keys_send_each_decision(browsing: Any, evening: dict[str, Any]) -> None:
    """The review buttons lost their onclick: R and N now carry their decision as the pressed
    button's value, and 1 picks the candidate, by key as by click."""
    from cccd.rosters.models import RosterEntry
    from tests.tickets.conftest import make_roster

    roster = make_roster(evening["session"], [("Nguyễn Văn Đức", "12A1", "review")] * 3)
    candidate = [{"person": evening["person"].pk, "probability": 0.8}]
    RosterEntry.objects.filter(roster=roster).update(candidates=candidate)
    one = browsing()
    log_in(one.page, "quantri", PASSWORD)
    one.page.goto(f"/rosters/{roster.pk}/review/")
    for key, row in (("r", 1), ("n", 2), ("1", 3)):
        expect(one.page.get_by_test_id("review-entry")).to_have_attribute("data-row", str(row))
        one.page.wait_for_load_state()  # the page's key script (deferred) is attached
        one.page.keyboard.press(key)
    expect(one.page.get_by_test_id("review-done")).to_be_visible()
    decisions = list(
        RosterEntry.objects.filter(roster=roster).order_by("row").values_list("decision", "person")
    )
    assert decisions == [
        ("rejected", None),
        ("not_in_register", None),
        ("picked", evening["person"].pk),
    ]
    assert not one.violations and not one.errors
