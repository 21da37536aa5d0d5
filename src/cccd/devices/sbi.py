"""MOSIP's Secure Biometric Interface (SBI, the "MDS specification"): its shapes and a client.

Followed as written in mosip/documentation, `docs/biometrics/mds-specification.md` at commit
71d0cdec2d8bf08b87a93f1fe2873b95385fd234 (version 0.9.5 with its revisions to 24-Oct-2023; SBI
certification level 1.0, the former "L0": a registration device whose host signs). docs/devices.md
says why SBI and what is and is not done. The sections used: "Digital ID", "Device Discovery",
"Device Info", "Registration Capture", "Error Codes". A vendor's real service must work with this
client unchanged, so nothing here is our own invention except what the spec leaves open, each
marked where it stands.

The client speaks plain HTTP on 127.0.0.1 with the spec's custom verbs (`MOSIPDISC /device`,
`MOSIPDINFO /info`, `RCAPTURE /capture`) through `http.client`, with short timeouts: a desk scans
the 100 ports of 4501–4600 and a closed port answers at once. It is used by the tests and the bench;
the browser will speak the same protocol in JavaScript.

Signatures: the spec's JWTs (RFC 7515, RS256, the device certificate in `x5c`) are decoded here
(`jwt_payload`) and can be checked against the certificate they carry (`signed_by_own_certificate`);
that certificate's chain to a device provider is not checked yet — docs/devices.md#what-is-not-done-yet.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, NotRequired, TypedDict

SOURCE: Final = (
    "mosip/documentation docs/biometrics/mds-specification.md "
    "@ 71d0cdec2d8bf08b87a93f1fe2873b95385fd234"
)
SPEC_VERSION: Final = "0.9.5"
"""The version the text calls itself; "SBI 1.0" is its certification level 1.0 (L0)."""

HOST: Final = "127.0.0.1"
""""The IP address used for binding has to be 127.0.0.1 and not localhost." (Device Discovery)"""
PORTS: Final = range(4501, 4601)
""""The device always binds to any of the available ports ranging from 4501 - 4600." """

# The verbs and paths of "Windows/Linux" under each interface.
DISCOVER: Final = ("MOSIPDISC", "/device")
INFO: Final = ("MOSIPDINFO", "/info")
CAPTURE: Final = ("CAPTURE", "/capture")  # auth capture: L1 devices only (Compliance Level)
RCAPTURE: Final = ("RCAPTURE", "/capture")
STREAM: Final = ("STREAM", "/stream")
VERBS: Final = ("MOSIPDISC", "MOSIPDINFO", "CAPTURE", "RCAPTURE", "STREAM")

BioType = Literal["Finger", "Iris", "Face"]
BIO_TYPES: Final[tuple[BioType, ...]] = ("Finger", "Iris", "Face")
DISCOVERY_TYPES: Final = ("Biometric Device", *BIO_TYPES)
"""Device Discovery Request: "Biometric Device" is the special type for any device."""

DEVICE_SUB_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "Finger": ("Slap", "Single", "Touchless"),
    "Iris": ("Single", "Double"),
    "Face": ("Full face",),
}
FINGERS: Final = (
    "Left IndexFinger",
    "Left MiddleFinger",
    "Left RingFinger",
    "Left LittleFinger",
    "Left Thumb",
    "Right IndexFinger",
    "Right MiddleFinger",
    "Right RingFinger",
    "Right LittleFinger",
    "Right Thumb",
)
IRISES: Final = ("Left", "Right")
UNKNOWN: Final = "UNKNOWN"
BIO_SUB_TYPES: Final[Mapping[str, tuple[str, ...]]] = {
    "Finger": (*FINGERS, UNKNOWN),
    "Iris": (*IRISES, UNKNOWN),
    "Face": (),  # "For Face: No bioSubType"
}
EXCEPTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "Finger": FINGERS,
    "Iris": IRISES,
    "Face": (*FINGERS, *IRISES),
}
"""bio.exception: fingers or irises the device must not wait for (UNKNOWN is not one). For a face
they ask for the exception photo: "To capture the exception photo exception value for Iris or
Finger should be sent in bio.exception for bio.type = 'Face'"."""

SLAPS: Final[Mapping[int, tuple[str, ...]]] = {
    1: FINGERS[0:4],  # left slap: the four fingers of the left hand
    2: FINGERS[5:9],  # right slap
    3: (FINGERS[4], FINGERS[9]),  # two thumbs
}
"""deviceSubId of a slap scanner: "1 for left slap/iris, 2 for right slap/iris and 3 for two
thumbs/irises" (0, "unknown", "is not applicable for fingerprint slap")."""
IRIS_SUB_IDS: Final[Mapping[int, tuple[str, ...]]] = {1: ("Left",), 2: ("Right",), 3: IRISES}

ENVS: Final = ("Staging", "Developer", "Pre-Production", "Production")
PURPOSES: Final = ("Auth", "Registration")
DEVICE_STATUSES: Final = ("Ready", "Busy", "Not Ready", "Not Registered")
CERTIFICATIONS: Final = ("L0", "L1")

ERRORS: Final[Mapping[int, str]] = {
    0: "Success",
    100: "Device not registered",
    101: "Unable to detect a biometric object",
    102: "Technical error during extraction.",
    103: "Device tamper detected",
    104: "Unable to connect to the management server",
    105: "Image orientation error",
    106: "Device not found",
    107: "Device public key expired",
    108: "Domain public key missing",
    109: "Requested number of biometric (Finger/IRIS) not supported",
    110: "Device is not ready",
    111: "Device is Busy",
    112: "Invalid Transaction ID",
}
"""The table "Error Codes", word for word; 5xx are the device provider's own."""
INVALID_JSON: Final = "Invalid JSON Value"
"""The spec's own examples answer a malformed request with code 101 and this errorInfo."""

TRANSACTION_ID: Final = re.compile(r"[A-Za-z0-9-]{4,50}")
"""transactionId: "minimum length as 4 and max length as 50 … alphabets, numbers and hyphens"."""


# --- The bodies, as the spec writes them ------------------------------------------------------


class Error(TypedDict):
    errorCode: str
    errorInfo: str


class DigitalId(TypedDict):
    serialNo: str
    make: str
    model: str
    type: str
    deviceSubType: str
    deviceProvider: str
    deviceProviderId: str
    dateTime: str


class DiscoveryRequest(TypedDict):
    type: str


class DiscoveredDevice(TypedDict):
    deviceId: str
    deviceStatus: str
    certification: str
    serviceVersion: str
    deviceSubId: list[str]
    callbackId: str
    digitalId: str
    deviceCode: str
    specVersion: list[str]
    purpose: str
    error: Error


class DeviceInfoBody(TypedDict):
    deviceStatus: str
    deviceId: str
    firmware: str
    certification: str
    serviceVersion: str
    deviceSubId: list[str]
    callbackId: str
    digitalId: str
    deviceCode: str
    env: str
    purpose: str
    specVersion: list[str]


class DeviceInfoEntry(TypedDict):
    deviceInfo: str  # a JWT, or base64url(payload) for a device not registered
    error: Error


class RCaptureBio(TypedDict):
    type: str
    count: str
    bioSubType: NotRequired[list[str]]  # "Optional"
    exception: list[str]
    requestedScore: str
    deviceId: str
    deviceSubId: str
    previousHash: str


class RCaptureRequest(TypedDict):
    env: str
    purpose: str
    specVersion: str
    timeout: str
    captureTime: str
    transactionId: str
    bio: list[RCaptureBio]
    customOpts: dict[str, str]


class CaptureData(TypedDict):
    digitalId: str
    bioType: str
    deviceCode: str
    deviceServiceVersion: str
    bioSubType: str
    purpose: str
    env: str
    bioValue: str
    transactionId: str
    timestamp: str
    requestedScore: str
    qualityScore: str


class CaptureEntry(TypedDict):
    specVersion: str
    data: str  # the JWT of a CaptureData
    hash: str
    error: Error


class RCaptureResponse(TypedDict):
    biometrics: list[CaptureEntry]


# --- Encodings ----------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    """Base64 URL-safe without padding, as JWS (RFC 7515) writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """The bytes of a base64url text, padded or not (vendors do both); SBIError if it is not one."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise SBIError(f"not base64url: {error}") from error


def jwt_payload(token: str) -> dict[str, Any]:
    """The JSON payload of a signed `header.payload.signature` or of an unsigned `payload`.

    The signature is not verified: docs/devices.md#what-is-not-done-yet."""
    parts = token.split(".")
    if len(parts) not in (1, 3):
        raise SBIError("neither a JWT nor a base64url payload")
    try:
        payload = json.loads(unb64url(parts[0] if len(parts) == 1 else parts[1]))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SBIError(f"payload not JSON: {error}") from error
    if not isinstance(payload, dict):
        raise SBIError("payload not a JSON object")
    return payload


def jwt_header(token: str) -> dict[str, Any] | None:
    """The header of a signed JWT (`alg`, `typ`, `x5c`), or None for an unsigned payload."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(unb64url(parts[0]))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SBIError(f"header not JSON: {error}") from error
    if not isinstance(header, dict):
        raise SBIError("header not a JSON object")
    return header


def signed_by_own_certificate(token: str) -> bool:
    """Whether a JWT's RS256 signature is made by the key of the first certificate of its own
    `x5c` — the data untouched since that key signed it. Not whether the certificate is one a
    device provider was issued: no trust chain is checked (docs/devices.md#what-is-not-done-yet)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    try:
        header = jwt_header(token)
    except SBIError:
        return False
    if header is None or header.get("alg") != "RS256":
        return False
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return False
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0]))
    except (ValueError, binascii.Error):
        return False
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    signing_input, _, signature = token.rpartition(".")
    try:
        key.verify(
            unb64url(signature), signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, SBIError):
        return False
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest().upper()


FIRST_PREVIOUS_HASH: Final = sha256_hex(b"")
"""bio.previousHash of the first capture: "the SHA256 hash of an empty UTF-8 string"."""


def chain_hash(previous_hash: str, bio_value: bytes) -> str:
    """`hash` of a capture: "sha256 in hex format in upper case (previous "hash" + sha256 hash of the
    current biometric ISO data)" — the two upper-case hex texts joined, then hashed (the reading of
    MOSIP's registration client, which checks the chain this way)."""
    return sha256_hex((previous_hash + sha256_hex(bio_value)).encode("utf-8"))


def iso_time(moment: datetime | None = None) -> str:
    """ "ISO 8601 with the format yyyy-mm-ddTHH:MM:ssZ … in UTC" (Glossary of Terms)."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_body(code: int, info: str | None = None) -> Error:
    return {"errorCode": str(code), "errorInfo": info if info is not None else ERRORS[code]}


# --- Requests -----------------------------------------------------------------------------------


def discovery_request(device_type: str = "Biometric Device") -> DiscoveryRequest:
    if device_type not in DISCOVERY_TYPES:
        raise ValueError(f"device type {device_type!r} is not one of {DISCOVERY_TYPES}")
    return {"type": device_type}


def rcapture_request(
    *,
    bio_type: BioType,
    device_id: str,
    device_sub_id: int,
    transaction_id: str,
    count: int | None = None,
    exception: Sequence[str] = (),
    bio_sub_type: Sequence[str] | None = None,
    requested_score: int = 60,
    previous_hash: str = FIRST_PREVIOUS_HASH,
    timeout_ms: int = 10_000,
    env: str = "Developer",
    captured_at: datetime | None = None,
    custom_opts: Mapping[str, str] | None = None,
) -> RCaptureRequest:
    """A Registration Capture Request with the spec's fields and no others.

    `count`, when not given, is what the sub-device holds less the exceptions: the four fingers of a
    slap less the missing ones, one iris or two, one face. Numbers travel as decimal strings, as in
    the spec's example (a vendor's service reads both)."""
    if not TRANSACTION_ID.fullmatch(transaction_id):
        raise ValueError("transactionId: 4 to 50 letters, digits or hyphens")
    for name in exception:
        if name not in EXCEPTIONS.get(bio_type, ()):
            raise ValueError(f"{name!r} is not an exception of {bio_type}")
    if count is None:
        count = len(expected_sub_types(bio_type, device_sub_id, exception, bio_sub_type))
    bio: RCaptureBio = {
        "type": bio_type,
        "count": str(count),
        "exception": list(exception),
        "requestedScore": str(requested_score),
        "deviceId": device_id,
        "deviceSubId": str(device_sub_id),
        "previousHash": previous_hash,
    }
    if bio_sub_type is not None:
        bio["bioSubType"] = list(bio_sub_type)
    return {
        "env": env,
        "purpose": "Registration",
        "specVersion": SPEC_VERSION,
        "timeout": str(timeout_ms),
        "captureTime": iso_time(captured_at),
        "transactionId": transaction_id,
        "bio": [bio],
        "customOpts": dict(custom_opts or {}),
    }


def expected_sub_types(
    bio_type: str,
    device_sub_id: int,
    exception: Iterable[str] = (),
    bio_sub_type: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The bioSubTypes a capture should return: the sub-device's fingers or irises (or those asked
    for by bioSubType), less the exceptions; a face is one capture with no subtype."""
    if bio_type == "Face":
        return ("",)  # one photo, the exception photo too
    held = (SLAPS if bio_type == "Finger" else IRIS_SUB_IDS).get(device_sub_id)
    if held is None:
        raise ValueError(f"deviceSubId {device_sub_id} of {bio_type}")
    wanted = held if bio_sub_type is None else tuple(s for s in held if s in bio_sub_type)
    skipped = set(exception)
    return tuple(s for s in wanted if s not in skipped)


# --- Parsed answers ----------------------------------------------------------------------------


class SBIError(Exception):
    """A device service's answer that does not follow the spec, or no answer."""


class DeviceUnreachable(SBIError):
    """Nothing answers on the port (no service, or it went away)."""


class DeviceTimeout(SBIError):
    """The service took the connection but did not answer in time."""


@dataclass(frozen=True)
class Device:
    """One entry of a discovery answer, with the port it came from."""

    port: int
    device_id: str
    status: str
    certification: str
    service_version: str
    sub_ids: tuple[int, ...]
    callback_id: str
    digital_id: dict[str, Any]
    device_code: str
    spec_versions: tuple[str, ...]
    purpose: str
    error_code: int
    error_info: str

    @property
    def type(self) -> str:
        return str(self.digital_id.get("type", ""))

    @property
    def sub_type(self) -> str:
        return str(self.digital_id.get("deviceSubType", ""))

    @property
    def ready(self) -> bool:
        return self.status == "Ready"


@dataclass(frozen=True)
class DeviceInfo:
    """One entry of a device info answer: the decoded deviceInfo, its signature header if signed."""

    info: dict[str, Any]
    signed: bool
    error_code: int
    error_info: str
    digital_id: dict[str, Any] = field(default_factory=dict)

    @property
    def device_id(self) -> str:
        return str(self.info.get("deviceId", ""))

    @property
    def status(self) -> str:
        return str(self.info.get("deviceStatus", ""))


@dataclass(frozen=True)
class Biometric:
    """One capture of a Registration Capture answer (one finger, one iris, one face)."""

    spec_version: str
    bio_type: str
    bio_sub_type: str
    bio_value: bytes
    quality_score: float | None
    requested_score: float | None
    transaction_id: str
    timestamp: str
    device_code: str
    digital_id: dict[str, Any]
    hash: str
    error_code: int
    error_info: str
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.error_code == 0


def _int(value: Any, name: str) -> int:
    """A number the spec writes in a string ("errorCode": "101") or a vendor writes bare."""
    if isinstance(value, bool):
        raise SBIError(f"{name}: not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise SBIError(f"{name}: {value!r} is not a number")


def _score(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SBIError(f"{name}: not a number")
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise SBIError(f"{name}: {value!r} is not a number") from error


def _error(entry: Mapping[str, Any]) -> tuple[int, str]:
    error = entry.get("error") or {}
    if not isinstance(error, Mapping):
        raise SBIError("error: not an object")
    code = error.get("errorCode", "0")
    return _int(code, "errorCode"), str(error.get("errorInfo", ""))


def _list(body: Any, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(e, Mapping) for e in body):
        raise SBIError(f"{what}: not a JSON array of objects")
    return body


def parse_discovery(body: Any, port: int) -> list[Device]:
    devices = []
    for entry in _list(body, "discovery"):
        code, info = _error(entry)
        digital = entry.get("digitalId") or ""
        devices.append(
            Device(
                port=port,
                device_id=str(entry.get("deviceId", "")),
                status=str(entry.get("deviceStatus", "")),
                certification=str(entry.get("certification", "")),
                service_version=str(entry.get("serviceVersion", "")),
                sub_ids=tuple(_int(s, "deviceSubId") for s in entry.get("deviceSubId") or ()),
                callback_id=str(entry.get("callbackId", "")),
                digital_id=jwt_payload(digital) if digital else {},
                device_code=str(entry.get("deviceCode", "")),
                spec_versions=tuple(str(v) for v in entry.get("specVersion") or ()),
                purpose=str(entry.get("purpose", "")),
                error_code=code,
                error_info=info,
            )
        )
    return devices


def parse_device_info(body: Any) -> list[DeviceInfo]:
    infos = []
    for entry in _list(body, "device info"):
        code, text = _error(entry)
        raw = entry.get("deviceInfo") or ""
        if isinstance(raw, Mapping):  # the spec's first example shows the object itself
            info, signed = dict(raw), False
        elif isinstance(raw, str) and raw:
            info, signed = jwt_payload(raw), jwt_header(raw) is not None
        else:
            info, signed = {}, False
        digital = info.get("digitalId") or ""
        infos.append(
            DeviceInfo(
                info=info,
                signed=signed,
                error_code=code,
                error_info=text,
                digital_id=jwt_payload(digital) if isinstance(digital, str) and digital else {},
            )
        )
    return infos


def parse_rcapture(body: Any) -> list[Biometric]:
    if not isinstance(body, Mapping):
        raise SBIError("capture: not a JSON object")
    found = []
    for entry in _list(body.get("biometrics"), "biometrics"):
        code, text = _error(entry)
        raw = entry.get("data") or ""
        if isinstance(raw, Mapping):
            data = dict(raw)
        elif isinstance(raw, str) and raw:
            data = jwt_payload(raw)
        else:
            data = {}
        value = data.get("bioValue") or ""
        digital = data.get("digitalId") or ""
        found.append(
            Biometric(
                spec_version=str(entry.get("specVersion", "")),
                bio_type=str(data.get("bioType", "")),
                bio_sub_type=str(data.get("bioSubType") or ""),
                bio_value=unb64url(value) if isinstance(value, str) and value else b"",
                quality_score=_score(data.get("qualityScore"), "qualityScore"),
                requested_score=_score(data.get("requestedScore"), "requestedScore"),
                transaction_id=str(data.get("transactionId", "")),
                timestamp=str(data.get("timestamp", "")),
                device_code=str(data.get("deviceCode", "")),
                digital_id=jwt_payload(digital) if isinstance(digital, str) and digital else {},
                hash=str(entry.get("hash", "")),
                error_code=code,
                error_info=text,
                data=data,
            )
        )
    return found


def chain_holds(previous_hash: str, captures: Iterable[Biometric]) -> bool:
    """Whether each capture's `hash` chains from the one before (the first from previous_hash)."""
    current = previous_hash
    for capture in captures:
        if not capture.ok:
            continue
        current = chain_hash(current, capture.bio_value)
        if capture.hash.upper() != current:
            return False
    return True


# --- The client -------------------------------------------------------------------------------


def call(
    port: int,
    verb: str,
    path: str,
    body: Any = None,
    *,
    timeout: float = 1.0,
    app: str = "cccd",
) -> Any:
    """One request to the service on `port`, its JSON answer. The `EXT` header names the app."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    payload = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"EXT": app, "Content-Type": "application/json"}
    try:
        connection.request(verb, path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    except TimeoutError as error:
        raise DeviceTimeout(f"port {port}: no answer in {timeout:.1f} s") from error
    except (ConnectionError, OSError, http.client.HTTPException) as error:
        raise DeviceUnreachable(f"port {port}: {error.__class__.__name__}") from error
    finally:
        connection.close()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SBIError(f"port {port}: the answer is not JSON") from error


def discover(
    ports: Iterable[int] = PORTS,
    device_type: str = "Biometric Device",
    *,
    timeout: float = 0.5,
) -> list[Device]:
    """Every device the services on `ports` announce (a port with no service is skipped)."""
    request = discovery_request(device_type)
    devices: list[Device] = []
    for port in ports:
        try:
            body = call(port, *DISCOVER, request, timeout=timeout)
        except DeviceUnreachable:
            continue
        except SBIError:
            continue  # something else listens there: not a device service
        try:
            devices.extend(parse_discovery(body, port))
        except SBIError:
            continue
    return devices


def device_info(port: int, *, timeout: float = 1.0) -> list[DeviceInfo]:
    """The Device Info of every device of the service on `port` (the request has no body)."""
    return parse_device_info(call(port, *INFO, timeout=timeout))


def rcapture(port: int, request: RCaptureRequest, *, margin: float = 2.0) -> list[Biometric]:
    """A Registration Capture. The service is to answer before the request's own timeout with its
    best frame; the connection waits that long and `margin` seconds more."""
    seconds = _int(request["timeout"], "timeout") / 1000 + margin
    return parse_rcapture(call(port, *RCAPTURE, request, timeout=seconds))
