"""`python -m bench station`: one person's intake from call-next to the slip, in Chromium, driven
through the desk station (devices through the SBI simulator) and, in the same run, through
today's file forms (the baseline): officer actions counted, time measured.

Set-up: a fresh SQLite database in a temporary folder (the embedded default), one Law 2023 session
(irises from 6) with one open desk, pre-checked students of 17 with a number each; the app under
gunicorn on 127.0.0.1; the simulator (`cccd devices simulate`) as its own process with its default
capture delays — slap 1.5 s, irises 1.2 s, face 0.6 s (`simulator.DEFAULT_DELAYS_MS`), what a real
desk takes. The runs alternate station / files, one person each.

What is counted as an officer action: a key pressed, a click, a file chosen. The person's own
signature strokes on the canvas are theirs, not counted, and are the same in both flows.

Time: the measured figure is the machine's, call-next pressed → the slip's PDF answered. It leaves
out the officer's own time, which is most of it with file dialogs, so the bench also gives a
modelled desk time: measured time + each action's time by the Keystroke-Level Model (Card, Moran
and Newell, 1980: K 0.28 s a key, P 1.1 s pointing, B 0.1 s a button press or release, M 1.35 s
mental preparation, H 0.4 s a hand between keyboard and mouse), and for the baseline the
captures in the scanner's own software (the same delays, as the files must come from somewhere).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PORT = 8766

# Keystroke-Level Model operators (s): Card, Moran & Newell, CACM 23(7), 1980.
K, P, B, M, H = 0.28, 1.1, 0.1, 1.35, 0.4
MODEL_S = {
    "key": M + K,  # decide, press
    "click": M + H + P + 2 * B,  # decide, hand to mouse, point, click
    "file": M + H + 2 * (P + 2 * B),  # open the dialog, then pick the scanner's file in it
}
VENDOR_CAPTURE_S = 0.6 + 3 * 1.5 + 1.2
"""The baseline's captures, taken first in the devices' own software: the simulator's delays."""


@dataclass
class Officer:
    """The officer's hands: every key, click and file choice goes through here and is counted."""

    page: Any
    actions: dict[str, int] = field(default_factory=lambda: {"key": 0, "click": 0, "file": 0})

    def key(self, name: str) -> None:
        self.actions["key"] += 1
        self.page.keyboard.press(name)

    def click(self, test_id: str) -> None:
        self.actions["click"] += 1
        self.page.get_by_test_id(test_id).click()

    def file(self, test_id: str, path: Path) -> None:
        self.actions["file"] += 1
        self.page.get_by_test_id(test_id).set_input_files(str(path))

    @property
    def count(self) -> int:
        return sum(self.actions.values())

    def modelled_s(self) -> float:
        return sum(MODEL_S[kind] * n for kind, n in self.actions.items())


def sign(page: Any) -> None:
    """The person's signature on the canvas (not counted)."""
    pad = page.locator("canvas[data-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 110)
    page.mouse.down()
    for x, y in ((120, 40), (200, 120), (300, 50), (420, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


READY = """step => {
  const station = document.querySelector('[data-testid="station"]');
  return station && station.dataset.next === step && station.dataset.ready === "1";
}"""


def wait_for(page: Any, css: str, count: int = 1) -> None:
    """Until `count` elements match `css`, checked every animation frame (as `wait_step`)."""
    page.wait_for_function(
        "([css, n]) => document.querySelectorAll(css).length >= n",
        arg=[css, count],
        polling="raf",
        timeout=30_000,
    )


def wait_step(page: Any, step: str) -> None:
    """Until the screen is on `step` with its devices found, checked every animation frame (an
    `expect` polls every 100 ms or more, which would count against the station)."""
    page.wait_for_function(READY, arg=step, polling="raf", timeout=30_000)


def call_next(page: Any, officer: Officer, desk_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(desk_url)
    expect(page.get_by_test_id("call-next")).to_be_visible()
    page.wait_for_load_state()
    officer.key("n")
    wait_for(page, '[data-testid="intake-number"]')


def until_slip(page: Any, finish: Callable[[], None]) -> None:
    try:
        with page.expect_response(lambda r: r.url.endswith("/slip.pdf") and r.ok, timeout=30_000):
            finish()
    except Exception:
        shot = Path(tempfile.gettempdir()) / "bench-station-failed.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"no slip; the page is in {shot}", file=sys.stderr)
        raise


def station_flow(page: Any, desk_url: str) -> tuple[Officer, float]:
    from playwright.sync_api import expect

    officer = Officer(page)
    started = time.perf_counter()
    call_next(page, officer, desk_url)
    for step in ("details", "photo", "slap-1", "slap-2", "slap-3", "iris"):
        wait_step(page, step)
        officer.key("Enter")
    wait_step(page, "finish")
    sign(page)
    expect(page.get_by_test_id("finish")).to_be_focused()  # the pad hands the focus back
    until_slip(page, lambda: officer.key("Enter"))
    return officer, time.perf_counter() - started


def file_flow(page: Any, desk_url: str, files: dict[str, Path]) -> tuple[Officer, float]:

    officer = Officer(page)
    started = time.perf_counter()
    call_next(page, officer, desk_url)
    officer.click("save-details")
    officer.file("photo-file", files["photo"])
    officer.click("photo-submit")
    wait_for(page, '[data-testid="photo-ok"]')
    for n in range(1, 11):
        officer.file(f"finger-{n}", files[f"finger-{n}"])
    officer.click("fingers-submit")
    wait_for(page, '[data-testid="finger-thumbnail-10"]')
    iris_inputs = page.locator("#iris input[type=file]")
    for n in (1, 2):
        officer.actions["file"] += 1
        iris_inputs.nth(n - 1).set_input_files(str(files[f"iris-{n}"]))
    officer.actions["click"] += 1
    page.locator("#iris button[type=submit]").click()
    wait_for(page, "#iris img", 2)
    sign(page)
    officer.click("signature-submit")
    wait_for(page, '[data-testid="signature-ok"]')
    until_slip(page, lambda: officer.click("finish"))
    return officer, time.perf_counter() - started


def capture_files(folder: Path) -> dict[str, Path]:
    """What the scanner's own software would have saved: the simulator's images of one person."""
    from cccd.devices import images
    from cccd.enrollments.intake.devicecapture import FINGER_SLOTS, IRIS_SLOTS

    files = {"photo": ROOT / "tests" / "fixtures" / "faces" / "portrait.jpg"}
    for name, n in FINGER_SLOTS.items():
        files[f"finger-{n}"] = folder / f"finger-{n}.png"
        files[f"finger-{n}"].write_bytes(images.finger("bench", name))
    for side, n in IRIS_SLOTS.items():
        files[f"iris-{n}"] = folder / f"iris-{n}.png"
        files[f"iris-{n}"].write_bytes(images.iris("bench", side))
    return files


def seed(people: int) -> tuple[str, str]:
    """One session and desk; `people` numbers waiting. The desk's URL and officer's name."""
    from django.utils import timezone
    from tests.builders import make_person

    from bench.desk import seed as seed_desks
    from cccd.tickets import services as tickets

    the_seed = seed_desks(1, 1)
    desk = the_seed.desks[0]
    born = timezone.localdate().year - 17
    given = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Khánh", "Lan", "Minh", "Nam")
    middle = ("Văn", "Thị", "Hữu", "Ngọc", "Đức", "Thanh")
    for i in range(people):
        name = f"Nguyễn {middle[i % len(middle)]} {given[i % len(given)]}"
        person = make_person(the_seed.commune, name, f"{1 + i % 28:02d}/03/{born}", "MF"[i % 2])
        tickets.issue_walk_in(desk.session_id, person_id=person.pk, actor=the_seed.leader)
    return f"/queue/sessions/{desk.session_id}/desks/{desk.number}/", desk.username


def machine() -> str:
    return f"{os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench station", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="people through each flow")
    parser.add_argument("--port", type=int, default=PORT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    data_dir = Path(tempfile.mkdtemp(prefix="cccd-bench-station-"))
    url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    from bench.desk import PASSWORD, setup_django, start_gunicorn

    setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connections
    from playwright.sync_api import sync_playwright
    from tests.devices.simulated import start_simulator, stop
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    desk_url, username = seed(2 * args.runs + 2)
    files = capture_files(data_dir)
    connections.close_all()
    server = start_gunicorn(url, data_dir, args.port, 2, 2, data_dir / "gunicorn.log")
    simulator, sbi_port = start_simulator()  # the default, realistic capture delays
    results: dict[str, list[tuple[int, float, float]]] = {"station": [], "files": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            context = browser.new_context(
                base_url=f"http://127.0.0.1:{args.port}",
                locale="vi-VN",
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(30_000)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Tên đăng nhập").fill(username)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(lambda u: "/accounts/login/" not in u)
            station_flow(page, desk_url)  # warm-up: discovery cached, pages compiled
            file_flow(page, desk_url, files)
            for run in range(args.runs):
                for name in ("station", "files"):
                    if name == "station":
                        officer, seconds = station_flow(page, desk_url)
                        modelled = seconds + officer.modelled_s()
                    else:
                        officer, seconds = file_flow(page, desk_url, files)
                        modelled = seconds + officer.modelled_s() + VENDOR_CAPTURE_S
                    results[name].append((officer.count, seconds, modelled))
                    print(
                        f"run {run + 1} {name:8}: {officer.count:2} actions {officer.actions}, "
                        f"{seconds:5.2f} s measured, {modelled:5.1f} s modelled",
                        flush=True,
                    )
            browser.close()
    finally:
        stop(simulator)
        server.terminate()
        server.wait(timeout=30)
    report(results, args.runs, sbi_port)


def report(results: dict[str, list[tuple[int, float, float]]], runs: int, sbi_port: int) -> None:
    def median(name: str, index: int) -> float:
        return statistics.median(r[index] for r in results[name])

    print(f"\nMachine: {machine()}; {runs} people through each flow; simulator on :{sbi_port}")
    print("| flow | officer actions | measured s (call-next → slip) | modelled desk s |")
    print("| --- | ---: | ---: | ---: |")
    for name in ("station", "files"):
        print(f"| {name} | {median(name, 0):.0f} | {median(name, 1):.2f} | {median(name, 2):.1f} |")
    print(
        f"| station / files | {median('station', 0) / median('files', 0):.2f} | "
        f"{median('station', 1) / median('files', 1):.2f} | "
        f"{median('station', 2) / median('files', 2):.2f} |"
    )


if __name__ == "__main__":
    main()
