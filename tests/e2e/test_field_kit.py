"""A field kit in the hall, in Chromium (issue 15): the district server and the kit are two
processes on loopback, each with its own database. The kit is paired and holds the demo's next
session; the district goes away; an officer signs in on the kit without it, opens desk 1, calls
the first pre-checked student and takes the whole intake in the browser; the kit's outbox shows
the packet waiting and says the district cannot be reached when asked to send; the district
comes back and the same button gets the packet acknowledged, and the district holds the dossier
under the code printed on the kit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, log_in
from tests.e2e.test_queue_evening import _ready_to_call
from tests.enrollments.conftest import FACES, fingerprint_png, signature_png
from tests.enrollments.intake.test_captures import IRIS_IMAGE, encode
from tests.kits.processes import Installation, seeded_district

DEMO_PASSWORD = "Demo@cccd2021"


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[Installation, Installation, int]]:
    district = seeded_district(tmp_path / "template", tmp_path / "district")
    kit = Installation(tmp_path / "kit", field=True)
    district.start()
    try:
        code = district.cccd("demo_kit", "code").stdout.strip().splitlines()[-1]
        session = int(district.cccd("demo_kit", "session").stdout.strip().splitlines()[-1])
        kit.cccd("migrate", "--noinput", "-v", "0")
        kit.cccd("kit", "join", district.url, code)
        kit.cccd("kit", "checkout", str(session))
        kit.cccd("collectstatic", "--noinput", "-v", "0")
        district.stop()  # the network is gone for the evening
        kit.start()
        yield district, kit, session
    finally:
        kit.stop()
        district.stop()


@pytest.fixture
def kit_page(browser: Browser, hall: tuple[Installation, Installation, int]) -> Iterator[Page]:
    context = browser.new_context(
        base_url=hall[1].url, locale="vi-VN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "test_field_kit-outbox.png"), full_page=True)
    context.close()


def take_intake(page: Page, files: Path) -> None:
    """The whole intake by the page's forms: the kind's reason (the student's card is old), the
    photo, ten fingers, both irises (the 2023 law), the signature; then finish."""
    reason = page.get_by_test_id("kind-reason")
    if reason.is_visible():
        reason.fill("Thẻ cũ bị gãy")
    page.get_by_test_id("save-details").click()
    page.get_by_test_id("photo-file").set_input_files(str(FACES / "portrait.jpg"))
    page.get_by_test_id("photo-submit").click()
    expect(page.get_by_test_id("photo-ok")).to_be_visible()
    for n in range(1, 11):
        finger = files / f"finger-{n}.png"
        finger.write_bytes(fingerprint_png(n))
        page.get_by_test_id(f"finger-{n}").set_input_files(str(finger))
    page.get_by_test_id("fingers-submit").click()
    expect(page.locator("#fingerprint td").filter(has_text="png")).to_have_count(10)
    eye = files / "iris.jpg"
    eye.write_bytes(encode(IRIS_IMAGE))
    for n in (1, 2):
        page.locator(f"#iris input[name=slot_{n}]").set_input_files(str(eye))
    page.locator("#iris button[type=submit]").click()
    expect(page.locator("#iris td").filter(has_text="jpeg")).to_have_count(2)
    signature = files / "signature.png"
    signature.write_bytes(signature_png())
    page.get_by_test_id("signature-file").set_input_files(str(signature))
    page.get_by_test_id("signature-submit").click()
    expect(page.get_by_test_id("signature-ok")).to_be_visible()
    page.get_by_test_id("finish").click()
    expect(page.get_by_test_id("dossier-code")).to_be_visible()


def test_an_intake_on_the_kit_offline_then_sent_when_the_district_is_back(
    kit_page: Page, hall: tuple[Installation, Installation, int], tmp_path: Path
) -> None:
    district, _kit, session = hall
    page = kit_page
    log_in(page, "canbo.dakmil", DEMO_PASSWORD)  # the district is down: the kit signs in alone
    expect(page).not_to_have_url("**/accounts/login/**")
    page.goto(f"/queue/sessions/{session}/desks/1/")
    page.get_by_test_id("open-desk").click()
    _ready_to_call(page)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("intake-number")).to_be_visible()
    take_intake(page, tmp_path)
    code = page.get_by_test_id("dossier-code").inner_text().strip()
    assert code.startswith("663-")

    page.goto("/kit/outbox/")
    expect(page.get_by_test_id("waiting")).to_have_text("1")
    page.get_by_test_id("send-now").click()
    expect(page.locator(".messages")).to_contain_text("Không liên lạc được")
    expect(page.get_by_test_id("acknowledged")).to_have_text("0")

    district.start()  # the network is back
    page.get_by_test_id("send-now").click()
    expect(page.get_by_test_id("acknowledged")).to_have_text("1")
    expect(page.get_by_test_id("waiting")).to_have_text("0")
    assert district.python(
        "import json\n"
        "from cccd.enrollments.models import Enrollment\n"
        f"print(json.dumps(list(Enrollment.objects.filter(code={code!r}).values_list('state', flat=True))))"
    ) == ["captured"]
