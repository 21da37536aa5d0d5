"""Stand-ins the notification tests send to: an SMTP server (aiosmtpd) and an HTTP server playing
the SMS gateway and Zalo ZNS as their documentation answers. Every wait is on an event, bounded."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

WAIT = 30.0  # seconds; a bound on every wait, never a pause


@dataclass
class Mailbox:
    envelopes: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Gateway:
    """The answers to give in turn (status, JSON); the last one repeats. `hold` makes a request
    wait for `release` after saying it arrived (`received`), as a slow provider would."""

    answers: list[tuple[int, dict[str, Any]]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # ZNS: tracking_id → msg_id
    hold: bool = False
    received: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            self.requests.append({"path": path, "headers": headers, "body": body})
            status, answer = self.answers[min(len(self.requests) - 1, len(self.answers) - 1)]
            tracking = str(body.get("tracking_id"))
            if path == "/message/template" and status == 200 and answer.get("error") == 0:
                # ZNS: a tracking_id seen before gets its first msg_id back, not a second message
                msg_id = self.accepted.setdefault(tracking, f"zns-{len(self.accepted) + 1}")
                answer = {**answer, "data": {**answer.get("data", {}), "msg_id": msg_id}}
        if self.hold:
            self.received.set()
            self.release.wait(WAIT)
        return status, answer


def zns_ok() -> tuple[int, dict[str, Any]]:
    return 200, {"error": 0, "message": "Success", "data": {"sent_time": "1", "quota": {}}}


@contextmanager
def http_server(gateway: Gateway) -> Iterator[Gateway]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, answer = gateway.answer(self.path, dict(self.headers), body)
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client was killed while we held its request

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield gateway
    finally:
        gateway.release.set()
        server.shutdown()
        server.server_close()
        thread.join(WAIT)
