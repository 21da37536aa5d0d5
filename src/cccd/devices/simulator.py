"""A device service that speaks SBI on 127.0.0.1, for the demo, the tests and a desk without devices.

It runs as its own process (`cccd devices simulate`), never as a code path of the app: the app and
the browser reach it exactly as they reach a vendor's service, through `cccd.devices.sbi`'s verbs on
a port of 4501–4600. It announces three registered SBI 1.0 (L0) registration devices — a slap
scanner (deviceSubId 1 left four, 2 right four, 3 two thumbs, each slap segmented into fingers), a
double iris camera (1 left, 2 right, 3 both) and a face camera — and answers Registration Capture
with synthetic PNGs (`cccd.devices.images`) per person seed, plausible quality scores and a capture
delay.

It can be told, by `--fault` at start or by `POST /simulator/fault` on the same port, to misbehave
as devices do at a desk (`FAULTS`): low quality, a missing finger or iris, a busy, not-ready or
unplugged device, a capture that never answers; `POST /simulator/delay` sets the capture delay.
`POST /simulator/person` says whose hands are on the
glass (else the transactionId stands for the person); `GET /simulator/state` shows it all.
docs/devices.md#the-simulator lists what it answers and what it does not.

Signing: each deviceInfo and capture `data` is a JWT signed RS256 with a key and self-signed
certificate made at start (`x5c`), as an L0 device signs with its device key; no one issued it.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from cccd.devices import images, sbi

SERVICE_VERSION: Final = "1.0.0-cccd-sim"
PROVIDER: Final = "cccd"
PROVIDER_ID: Final = "CCCD-SIMULATOR"
ENV: Final = "Developer"

FAULTS: Final = (
    "low-quality",  # [:Type] the next captures score 12–35
    "missing",  # :Subtype — that finger or iris is not on the glass (error 101 for it)
    "busy",  # [:Type] deviceStatus "Busy", captures answer 111
    "not-ready",  # [:Type] deviceStatus "Not Ready", captures answer 110
    "disconnected",  # [:Type] the device is gone: not discovered, captures answer 106
    "timeout",  # [:Type] a capture answers only after the request's timeout has passed
)
"""What the simulator can be told; `kind` alone applies to every device, `kind:Finger` to one."""

UNSUPPORTED_VERB: Final = 501
UNKNOWN_PATH: Final = 502
NOT_OFFERED: Final = 503
"""The simulator's own codes, in the 5xx the spec leaves to each device provider."""

DEFAULT_DELAYS_MS: Final[Mapping[str, int]] = {"Finger": 1500, "Iris": 1200, "Face": 600}
"""A capture's time at a real desk, roughly: a slap settles in 1–2 s, irises in about 1 s, a photo
once the person is still. `--delay-ms` sets one delay for all (0 in tests)."""

TIMEOUT_OVERRUN_S: Final = 1.5
MAX_BODY: Final = 1 << 20  # a request is a few hundred bytes
MAX_HANG_S: Final = 30.0


@dataclass(frozen=True)
class Model:
    device_id: str
    type: str
    sub_type: str
    sub_ids: tuple[int, ...]
    serial: str
    make: str
    model: str


DEVICES: Final = (
    Model("1", "Finger", "Slap", (1, 2, 3), "CCCDSIMF00000001", "cccd", "SIM-SLAP-442"),
    Model("2", "Iris", "Double", (1, 2, 3), "CCCDSIMI00000002", "cccd", "SIM-IRIS-2"),
    Model("3", "Face", "Full face", (0,), "CCCDSIMC00000003", "cccd", "SIM-FACE-1"),
)


@dataclass(frozen=True)
class Fault:
    kind: str
    target: str = ""  # a bio type, a finger or iris for `missing`, "" for every device

    @classmethod
    def parse(cls, text: str) -> Fault:
        """`busy`, `busy:Finger`, `missing:Left RingFinger`, `missing:Left` (an iris)."""
        kind, _, target = text.strip().partition(":")
        kind, target = kind.strip(), target.strip()
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}: one of {', '.join(FAULTS)}")
        if kind == "missing":
            if target not in (*sbi.FINGERS, *sbi.IRISES):
                raise ValueError("missing:<a finger or iris, as the spec names it>")
        elif target and target not in sbi.BIO_TYPES:
            raise ValueError(f"{kind}:<{' | '.join(sbi.BIO_TYPES)}>")
        return cls(kind, target)

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}" if self.target else self.kind

    def hits(self, kind: str, bio_type: str) -> bool:
        return self.kind == kind and self.target in ("", bio_type)


@dataclass
class State:
    """What the simulator has been told; shared by the request threads under `lock`."""

    port: int
    delay_ms: int | None = None
    faults: list[Fault] = field(default_factory=list)
    person: str = ""
    takes: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    capturing: dict[str, threading.Lock] = field(
        default_factory=lambda: {d.device_id: threading.Lock() for d in DEVICES}
    )

    def has(self, kind: str, bio_type: str) -> bool:
        with self.lock:
            return any(f.hits(kind, bio_type) for f in self.faults)

    def missing(self) -> set[str]:
        with self.lock:
            return {f.target for f in self.faults if f.kind == "missing"}

    def status(self, model: Model) -> tuple[str, int]:
        """deviceStatus and its error code, from the faults."""
        if self.has("not-ready", model.type):
            return "Not Ready", 110
        if self.has("busy", model.type) or self.capturing[model.device_id].locked():
            return "Busy", 111
        return "Ready", 0

    def delay(self, bio_type: str) -> float:
        ms = DEFAULT_DELAYS_MS[bio_type] if self.delay_ms is None else self.delay_ms
        return ms / 1000

    def take(self, key: str) -> int:
        with self.lock:
            self.takes[key] = self.takes.get(key, 0) + 1
            return self.takes[key]

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "pid": os.getpid(),  # which simulator answers, when several are started at once
                "port": self.port,
                "delayMs": self.delay_ms,
                "faults": [str(f) for f in self.faults],
                "person": self.person,
            }


class Signer:
    """An RS256 JWS signer with a device key and a self-signed certificate made at start."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cccd device simulator")])
        now = datetime.now(UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=30))  # "a 30-day key rotation policy"
            .sign(self.key, hashes.SHA256())
        )
        der = certificate.public_bytes(serialization.Encoding.DER)
        self.x5c = [base64.b64encode(der).decode("ascii")]  # RFC 7515: standard base64 DER

    def sign(self, payload: Mapping[str, Any]) -> str:
        header = {"alg": "RS256", "typ": "JWT", "x5c": self.x5c}
        signing_input = f"{sbi.b64url(_json(header))}.{sbi.b64url(_json(payload))}".encode("ascii")
        signature = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode('ascii')}.{sbi.b64url(signature)}"


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def digital_id(model: Model) -> sbi.DigitalId:
    return {
        "serialNo": model.serial,
        "make": model.make,
        "model": model.model,
        "type": model.type,
        "deviceSubType": model.sub_type,
        "deviceProvider": PROVIDER,
        "deviceProviderId": PROVIDER_ID,
        "dateTime": sbi.iso_time(),
    }


class Service:
    """The answers of the four interfaces, apart from HTTP (the handler below only carries them)."""

    def __init__(self, state: State, signer: Signer | None = None) -> None:
        self.state = state
        self.signer = signer or Signer()

    @property
    def callback(self) -> str:
        return f"http://{sbi.HOST}:{self.state.port}/"

    def connected(self) -> list[Model]:
        return [m for m in DEVICES if not self.state.has("disconnected", m.type)]

    # Device Discovery
    def discover(self, body: Any) -> list[sbi.DiscoveredDevice]:
        wanted = body.get("type") if isinstance(body, dict) else None
        if wanted not in sbi.DISCOVERY_TYPES:
            return [self._discovery_error()]
        return [
            self._discovered(m)
            for m in self.connected()
            if wanted == "Biometric Device" or wanted == m.type
        ]

    def _discovered(self, model: Model) -> sbi.DiscoveredDevice:
        status, code = self.state.status(model)
        return {
            "deviceId": model.device_id,
            "deviceStatus": status,
            "certification": "L0",
            "serviceVersion": SERVICE_VERSION,
            "deviceSubId": [str(s) for s in model.sub_ids],
            "callbackId": self.callback,
            "digitalId": sbi.b64url(_json(digital_id(model))),  # unsigned in discovery
            "deviceCode": model.serial,
            "specVersion": [sbi.SPEC_VERSION],
            "purpose": "Registration",
            "error": sbi.error_body(code),
        }

    def _discovery_error(self) -> sbi.DiscoveredDevice:
        info = "Invalid JSON Value Type For Discovery.. ex: {type: 'Biometric Device' or 'Finger' or 'Face' or 'Iris' }"
        return {
            "deviceId": "",
            "deviceStatus": "",
            "certification": "",
            "serviceVersion": SERVICE_VERSION,
            "deviceSubId": [],
            "callbackId": self.callback,
            "digitalId": "",
            "deviceCode": "",
            "specVersion": [sbi.SPEC_VERSION],
            "purpose": "",
            "error": sbi.error_body(101, info),
        }

    # Device Info
    def info(self) -> list[sbi.DeviceInfoEntry]:
        entries: list[sbi.DeviceInfoEntry] = []
        for model in self.connected():
            status, code = self.state.status(model)
            body: sbi.DeviceInfoBody = {
                "deviceStatus": status,
                "deviceId": model.device_id,
                "firmware": SERVICE_VERSION,  # "In the case of L0, this is the same as serviceVersion"
                "certification": "L0",
                "serviceVersion": SERVICE_VERSION,
                "deviceSubId": [str(s) for s in model.sub_ids],
                "callbackId": self.callback,
                "digitalId": self.signer.sign(digital_id(model)),
                "deviceCode": model.serial,
                "env": ENV,
                "purpose": "Registration",
                "specVersion": [sbi.SPEC_VERSION],
            }
            entries.append({"deviceInfo": self.signer.sign(body), "error": sbi.error_body(code)})
        return entries

    # Registration Capture
    def rcapture(self, body: Any) -> sbi.RCaptureResponse:
        try:
            request, bio, model, wanted = self._checked(body)
        except Refusal as refusal:
            return _refused(refusal.code, refusal.info)
        status, code = self.state.status(model)
        if code:
            return _refused(code)
        lock = self.state.capturing[model.device_id]
        if not lock.acquire(blocking=False):  # "respond with success to only one call at a time"
            return _refused(111)
        try:
            return self._capture(request, bio, model, wanted)
        finally:
            lock.release()

    def _checked(self, body: Any) -> tuple[dict[str, Any], dict[str, Any], Model, tuple[str, ...]]:
        """The request, its one bio block, the device and the subtypes to return; or a Refusal."""
        if not isinstance(body, dict):
            raise Refusal(101, sbi.INVALID_JSON)
        for name in ("env", "purpose", "specVersion", "captureTime", "transactionId"):
            if not isinstance(body.get(name), str):
                raise Refusal(101, f"{sbi.INVALID_JSON}: {name}")
        if body["env"] not in sbi.ENVS or body["purpose"] != "Registration":
            raise Refusal(101, f"{sbi.INVALID_JSON}: env or purpose")
        if not sbi.TRANSACTION_ID.fullmatch(body["transactionId"]):
            raise Refusal(112)
        timeout = _number(body.get("timeout"))
        bios = body.get("bio")
        if timeout is None or timeout <= 0:
            raise Refusal(101, f"{sbi.INVALID_JSON}: timeout")
        if not isinstance(bios, list) or len(bios) != 1 or not isinstance(bios[0], dict):
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio")
        bio = bios[0]
        if bio.get("type") not in sbi.BIO_TYPES:
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.type")
        model = next((m for m in DEVICES if m.device_id == bio.get("deviceId")), None)
        if model is None or model not in self.connected():
            raise Refusal(106)
        if model.type != bio["type"]:
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.type is not the device's type")
        sub_id, count, score = (
            _number(bio.get(k)) for k in ("deviceSubId", "count", "requestedScore")
        )
        if sub_id is None or int(sub_id) not in model.sub_ids:
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.deviceSubId")
        if score is None or not 0 <= score <= 100:
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.requestedScore")
        if not isinstance(bio.get("previousHash"), str):
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.previousHash")
        exception = bio.get("exception") or []
        sub_types = bio.get("bioSubType")
        allowed = sbi.EXCEPTIONS.get(model.type, ())
        if not isinstance(exception, list) or not all(
            isinstance(e, str) and e in allowed for e in exception
        ):
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.exception")
        if sub_types is not None and (
            not isinstance(sub_types, list)
            or not all(s in sbi.BIO_SUB_TYPES[model.type] for s in sub_types)
        ):
            raise Refusal(101, f"{sbi.INVALID_JSON}: bio.bioSubType")
        wanted = sbi.expected_sub_types(model.type, int(sub_id), exception, sub_types or None)
        if count is None or int(count) != len(wanted) or not wanted:
            raise Refusal(109)
        return body, bio, model, wanted

    def _capture(
        self, request: dict[str, Any], bio: dict[str, Any], model: Model, wanted: Iterable[str]
    ) -> sbi.RCaptureResponse:
        timeout_s = float(_number(request["timeout"]) or 0) / 1000
        if self.state.has("timeout", model.type):
            time.sleep(min(timeout_s + TIMEOUT_OVERRUN_S, MAX_HANG_S))
        else:
            time.sleep(min(self.state.delay(model.type), timeout_s))
        seed = self.state.person or request["transactionId"]
        low = self.state.has("low-quality", model.type)
        missing = self.state.missing()
        requested = str(_number(bio["requestedScore"]))
        signed_id = self.signer.sign(digital_id(model))
        previous = bio["previousHash"]
        entries: list[sbi.CaptureEntry] = []
        for sub_type in wanted:
            take = self.state.take(f"{seed}|{model.type}|{sub_type}")
            generator = images.rng(seed, model.type, sub_type, take)
            quality = float(round(generator.uniform(12, 35) if low else generator.uniform(62, 96)))
            absent = sub_type in missing
            if absent:
                value = b""
            elif model.type == "Finger":
                value = images.finger(seed, sub_type, take, quality)
            elif model.type == "Iris":
                value = images.iris(seed, sub_type, take, quality)
            else:
                value = images.face(seed, take, quality)
            data: sbi.CaptureData = {
                "digitalId": signed_id,
                "bioType": model.type,
                "deviceCode": model.serial,
                "deviceServiceVersion": SERVICE_VERSION,
                "bioSubType": sub_type,
                "purpose": "Registration",
                "env": request["env"],
                "bioValue": sbi.b64url(value),
                "transactionId": request["transactionId"],
                "timestamp": sbi.iso_time(),
                "requestedScore": requested,
                "qualityScore": "0" if absent else str(quality),
            }
            if absent:
                entry_hash, error = "", sbi.error_body(101)
            else:
                previous = entry_hash = sbi.chain_hash(previous, value)
                error = sbi.error_body(0)
            entries.append(
                {
                    "specVersion": sbi.SPEC_VERSION,
                    "data": self.signer.sign(data),
                    "hash": entry_hash,
                    "error": error,
                }
            )
        return {"biometrics": entries}


class Refusal(Exception):
    def __init__(self, code: int, info: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.info = info


def _refused(code: int, info: str | None = None) -> sbi.RCaptureResponse:
    return {
        "biometrics": [
            {
                "specVersion": sbi.SPEC_VERSION,
                "data": "",
                "hash": "",
                "error": sbi.error_body(code, info),
            }
        ]
    }


def _number(value: Any) -> float | None:
    """A number written as the spec's examples write it (a string) or bare."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


class Handler(BaseHTTPRequestHandler):
    """HTTP for the Service: the spec's verbs and headers, CORS for the desk's browser."""

    server: Server
    protocol_version = "HTTP/1.1"
    verbose = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # an unknown verb: answered in JSON, not with an HTML 501
            return self._unsupported
        raise AttributeError(name)

    def _unsupported(self) -> None:
        self._read_body()
        self._send(
            {"error": sbi.error_body(UNSUPPORTED_VERB, f"Unsupported method {self.command}")},
            HTTPStatus.METHOD_NOT_ALLOWED,
        )

    def do_OPTIONS(self) -> None:  # noqa: N802 - the name http.server calls
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", ", ".join((*sbi.VERBS, "GET", "POST")))
        self.send_header("Access-Control-Allow-Headers", "Content-Type, EXT")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_MOSIPDISC(self) -> None:  # noqa: N802
        body, ok = self._json()
        if self._path_is(sbi.DISCOVER[1]):
            self._send(self.server.service.discover(body if ok else None))

    def do_MOSIPDINFO(self) -> None:  # noqa: N802
        self._read_body()
        if self._path_is(sbi.INFO[1]):
            self._send(self.server.service.info())

    def do_RCAPTURE(self) -> None:  # noqa: N802
        body, ok = self._json()
        if self._path_is(sbi.RCAPTURE[1]):
            self._send(
                self.server.service.rcapture(body) if ok else _refused(101, sbi.INVALID_JSON)
            )

    def do_CAPTURE(self) -> None:  # noqa: N802
        self._read_body()
        if self._path_is(sbi.CAPTURE[1]):
            self._send(
                _refused(
                    NOT_OFFERED, "Auth capture is for L1 devices; this is an L0 registration device"
                )
            )

    def do_STREAM(self) -> None:  # noqa: N802
        self._read_body()
        self._send({"error": sbi.error_body(NOT_OFFERED, "The simulator has no stream")})

    def do_GET(self) -> None:  # noqa: N802
        if self._path_is("/simulator/state"):
            self._send(self.server.state.snapshot())

    def do_POST(self) -> None:  # noqa: N802
        body, ok = self._json()
        state = self.server.state
        if self.path == "/simulator/fault":
            try:
                if not ok or not isinstance(body, dict) or not isinstance(body.get("faults"), list):
                    raise ValueError('{"faults": ["busy:Finger", …]} ([] clears them)')
                faults = [Fault.parse(str(f)) for f in body["faults"]]
            except ValueError as error:
                self._send({"error": str(error)}, HTTPStatus.BAD_REQUEST)
                return
            with state.lock:
                state.faults = faults
            self._send(state.snapshot())
        elif self.path == "/simulator/delay":
            ms = body.get("ms", -1) if ok and isinstance(body, dict) else -1
            if ms is not None and (not isinstance(ms, int) or isinstance(ms, bool) or ms < 0):
                self._send(
                    {"error": '{"ms": 0 or more, or null for the defaults}'}, HTTPStatus.BAD_REQUEST
                )
                return
            with state.lock:
                state.delay_ms = ms
            self._send(state.snapshot())
        elif self.path == "/simulator/person":
            if not ok or not isinstance(body, dict) or not isinstance(body.get("seed"), str):
                self._send({"error": '{"seed": "…"}'}, HTTPStatus.BAD_REQUEST)
                return
            with state.lock:
                state.person = body["seed"]
            self._send(state.snapshot())
        else:
            self._send(
                {"error": sbi.error_body(UNKNOWN_PATH, f"Unknown path {self.path}")},
                HTTPStatus.NOT_FOUND,
            )

    def _path_is(self, path: str) -> bool:
        if self.path.rstrip("/") == path:
            return True
        self._send(
            {"error": sbi.error_body(UNKNOWN_PATH, f"Unknown path {self.path}")},
            HTTPStatus.NOT_FOUND,
        )
        return False

    def _read_body(self) -> bytes:
        """The body, or nothing when it is not a sane size (then it is not JSON: error 101)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            self.close_connection = True
            return b""
        return self.rfile.read(length)

    def _json(self) -> tuple[Any, bool]:
        raw = self._read_body()
        try:
            return json.loads(raw), True
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None, False

    def _send(self, body: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        payload = _json(body)
        self.send_response(status)
        # The headers of each interface's "HTTP Response" in the spec.
        self.send_header("CACHE-CONTROL", "no-store")
        self.send_header("LOCATION", f"http://{sbi.HOST}:{self.server.state.port}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        if self.verbose:
            super().log_message(format, *args)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, state: State) -> None:
        super().__init__((sbi.HOST, port), Handler)
        self.state = state
        self.service = Service(state)


def serve(
    port: int | None = None, delay_ms: int | None = None, faults: Iterable[Fault] = ()
) -> Server:
    """A server ready to `serve_forever` on `port`, else on the first free port of 4501–4600 (each
    tried by binding it, so two simulators started at once never take the same one)."""
    for candidate in sbi.PORTS if port is None else (port,):
        state = State(port=candidate, delay_ms=delay_ms, faults=list(faults))
        try:
            return Server(candidate, state)
        except OSError:
            if port is not None:
                raise
    raise OSError("no free port in 4501–4600")
