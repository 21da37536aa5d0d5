"""The device-service simulator as its own process, for every test (and the bench) that needs a
desk's devices: started on a free port of 4501–4600, told what to do through its control
endpoints, stopped by its own PID."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from cccd.devices import sbi, simulator

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 30.0


class SimulatorDidNotStart(RuntimeError):
    pass


def raw(port: int, verb: str, path: str, body: bytes | None = None) -> tuple[int, Any, Any]:
    """One request as bytes: the HTTP status, the headers and the JSON body."""
    connection = http.client.HTTPConnection(sbi.HOST, port, timeout=10)
    try:
        connection.request(verb, path, body=body, headers={"EXT": "cccd-tests"})
        response = connection.getresponse()
        return response.status, response.headers, json.loads(response.read())
    finally:
        connection.close()


def control(port: int, path: str, body: dict[str, Any]) -> Any:
    status, _headers, answer = raw(port, "POST", path, json.dumps(body).encode())
    if status != 200:
        raise AssertionError(answer)
    return answer


def calm(port: int) -> None:
    """No faults, no delay, no person: as started with --delay-ms 0."""
    control(port, "/simulator/fault", {"faults": []})
    control(port, "/simulator/delay", {"ms": 0})
    control(port, "/simulator/person", {"seed": ""})


def start_simulator(*arguments: str) -> tuple[subprocess.Popen[bytes], int]:
    """`cccd devices simulate` on a free port of 4501–4600, answering discovery, or fail."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    for _attempt in range(5):
        port = simulator.serve().server_address[1]  # bound and released: free a moment ago
        process = subprocess.Popen(  # noqa: S603 - our own command, no shell
            [sys.executable, "-m", "cccd", "devices", "simulate", "--port", str(port), *arguments],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            try:
                state = sbi.call(port, "GET", "/simulator/state", timeout=0.5)
            except sbi.SBIError:
                try:
                    process.wait(timeout=0.1)  # bounded: returns at once if it has exited
                except subprocess.TimeoutExpired:
                    continue
                break  # it exited (the port was taken in between): try another
            else:
                if state.get("pid") == process.pid:
                    return process, port
                break  # another test's simulator took the port first: try another
        stop(process)
    raise SimulatorDidNotStart("the simulator did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # its own PID
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()
