"""cccd installations as real processes on loopback, for the field kit's tests and bench: a
district server and a kit, each with its own data folder and database, started as gunicorn on a
free port and stopped (or killed) by their own PIDs. Every wait is bounded."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 60.0
COMMAND_S = 600.0
PASSPHRASE = "đèn khuya trường THPT Đắk Mil"  # the team leader's, typed at start


class DidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Installation:
    """One cccd: a data folder (SQLite inside), its commands, and its server process."""

    def __init__(self, folder: Path, *, field: bool) -> None:
        self.folder = folder
        self.field = field
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CCCD_", "DATABASE_URL", "DJANGO_"))
        }
        env.update(
            {
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
                "CCCD_DATA_DIR": str(self.folder),
                "DATABASE_URL": f"sqlite:///{self.folder / 'cccd.sqlite3'}",
                "CCCD_DEMO_TOOLS": "true",
                "CCCD_TASKS_IMMEDIATE": "true",
                "CCCD_LOG_LEVEL": "WARNING",
                "CCCD_ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        if self.field:
            env.update({"CCCD_FIELD_MODE": "true", "CCCD_KIT_PASSPHRASE": PASSPHRASE})
        return env

    def cccd(
        self, *arguments: str, check: bool = True, timeout: float = COMMAND_S
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 - our own command, no shell
            [sys.executable, "-m", "cccd", *arguments],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"cccd {' '.join(arguments)}: {done.returncode}\n{done.stderr}")
        return done

    def python(self, script: str, *, timeout: float = COMMAND_S) -> Any:
        """Run `script` inside this installation (Django set up); it prints one JSON line last."""
        done = self.cccd("shell", "-c", script, timeout=timeout)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        """gunicorn on a free port (the same as last time, when restarted: the kit keeps the
        district's address), answering, or DidNotStart."""
        for attempt in range(5):
            if not (self.port and attempt == 0):
                self.port = free_port()
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "cccd.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--threads",
                    "2",
                    "--timeout",
                    "120",
                ],
                env=self.environment(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            if self._answers():
                return
            self.stop()
        raise DidNotStart(f"cccd did not start in {self.folder}")

    def _answers(self) -> bool:
        deadline = time.monotonic() + STARTUP_S
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request(
                    "GET", "/api/v1/kits/packets/00000000-0000-0000-0000-000000000000"
                )
                connection.getresponse().read()
                connection.close()
                return True
            except OSError:
                try:
                    self.process.wait(timeout=0.2)  # bounded: returns at once if it exited
                except subprocess.TimeoutExpired:
                    continue
        return False

    def stop(self) -> None:
        """Stop the server by its own process group (gunicorn's master and workers)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, as a power cut would: no clean-up of any kind."""
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


def seeded_district(template: Path, folder: Path) -> Installation:
    """A district with the demo data: seeded once into `template`, copied for each test."""
    if not (template / "cccd.sqlite3").exists():
        seed = Installation(template, field=False)
        seed.cccd("migrate", "--noinput", "-v", "0")
        seed.cccd("seed_demo")
    shutil.copytree(template, folder)
    return Installation(folder, field=False)
