"""Conformance of `cccd.devices.sbi` (the client) and `cccd devices simulate` (the simulator) to
MOSIP's SBI, judged by the specification's own examples, not by our code.

The examples are in `spec_examples/` (their README says which section of mosip/documentation
`docs/biometrics/mds-specification.md` @ 71d0cdec each comes from and the edits that made them
JSON). (a) The client's requests have exactly the examples' members, and it reads the examples'
answers once their placeholders hold values from the spec's "Accepted Values" tables. (b) Every
answer of the simulator has exactly the examples' members with values in those domains, and its
malformed cases answer the spec's error codes. The simulator runs as its own process on 127.0.0.1,
started per module and stopped by its PID.
"""

from __future__ import annotations

import copy
import hashlib
import http.client
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from cccd.devices import sbi, simulator
from tests.devices.simulated import control, raw, start_simulator, stop

EXAMPLES = Path(__file__).parent / "spec_examples"
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
UPPER_HEX = re.compile(r"[0-9A-F]{64}")


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The members of a JSON value, recursively: names and nesting, not values (an array is an
    array, whatever it holds: the spec's placeholders are strings where values are numbers)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return "array" if isinstance(value, list) else type(value).__name__


def fill(template: Any, values: dict[str, Any]) -> Any:
    """The spec's example with its placeholders replaced by `values` (every key must be one of the
    example's members, so the shape stays the spec's)."""
    filled = copy.deepcopy(template)
    unused = set(values)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                if key in values:
                    node[key] = values[key]
                    unused.discard(key)
                else:
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(filled)
    assert not unused, f"not members of the spec's example: {unused}"
    return filled


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    process, chosen = start_simulator("--delay-ms", "0")
    yield chosen
    stop(process)


@pytest.fixture(autouse=True)
def _calm(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts without faults, with no delay and no person."""
    yield
    if "port" in request.fixturenames:
        chosen = request.getfixturevalue("port")
        control(chosen, "/simulator/fault", {"faults": []})
        control(chosen, "/simulator/delay", {"ms": 0})
        control(chosen, "/simulator/person", {"seed": ""})


def capture(port: int, bio_type: sbi.BioType, sub_id: int, **options: Any) -> list[sbi.Biometric]:
    device = {"Finger": "1", "Iris": "2", "Face": "3"}[bio_type]
    request = sbi.rcapture_request(
        bio_type=bio_type,
        device_id=device,
        device_sub_id=sub_id,
        transaction_id=options.pop("transaction_id", "TX-0001"),
        **options,
    )
    return sbi.rcapture(port, request)


# --- (a) The client against the spec's examples ------------------------------------------------


def test_the_discovery_request_has_the_spec_members() -> None:
    assert shape(sbi.discovery_request()) == shape(example("discovery_request.json"))
    for device_type in ("Biometric Device", "Finger", "Face", "Iris"):  # "Accepted Values"
        assert sbi.discovery_request(device_type) == {"type": device_type}
    with pytest.raises(ValueError, match="device type"):
        sbi.discovery_request("Palm")


def test_the_registration_capture_request_has_exactly_the_spec_members() -> None:
    spec = example("rcapture_request.json")
    ours = sbi.rcapture_request(
        bio_type="Finger",
        device_id="1",
        device_sub_id=1,
        transaction_id="TX-0001",
        bio_sub_type=["Left IndexFinger", "Left MiddleFinger"],
    )
    assert shape(ours) == shape(spec)
    without_sub_types = sbi.rcapture_request(
        bio_type="Face", device_id="3", device_sub_id=0, transaction_id="TX-0001"
    )
    spec_bio = set(spec["bio"][0])
    assert set(without_sub_types["bio"][0]) == spec_bio - {"bioSubType"}  # "//Optional"
    assert set(without_sub_types) == set(spec)


def test_the_registration_capture_request_values_are_in_the_spec_domains() -> None:
    request = sbi.rcapture_request(
        bio_type="Finger",
        device_id="1",
        device_sub_id=2,
        transaction_id="TX-0001",
        exception=["Right RingFinger"],
        requested_score=70,
        timeout_ms=8000,
    )
    assert request["env"] in sbi.ENVS
    assert request["purpose"] == "Registration"
    assert request["specVersion"] == "0.9.5"
    assert request["timeout"] == "8000"  # "All timeouts are in milliseconds"
    assert ISO_TIME.fullmatch(request["captureTime"])
    bio = request["bio"][0]
    assert bio["type"] == "Finger"
    assert bio["count"] == "3"  # the right four less the exception
    assert bio["exception"] == ["Right RingFinger"]
    assert bio["deviceSubId"] == "2"  # "2 for right slap"
    # "For the first capture, the previousHash is the SHA256 hash of an empty UTF-8 string."
    assert bio["previousHash"] == hashlib.sha256(b"").hexdigest().upper()
    with pytest.raises(ValueError, match="transactionId"):
        sbi.rcapture_request(bio_type="Face", device_id="3", device_sub_id=0, transaction_id="T1")
    with pytest.raises(ValueError, match="exception"):
        sbi.rcapture_request(
            bio_type="Iris", device_id="2", device_sub_id=3, transaction_id="TX-1", exception=["X"]
        )


def test_the_client_reads_the_spec_discovery_answer() -> None:
    digital = fill(
        example("digital_id.json"),
        {"serialNo": "SN0000000001", "type": "Finger", "deviceSubType": "Slap"},
    )
    answer = fill(
        example("discovery_response.json"),
        {
            "deviceStatus": "Ready",
            "certification": "L0",
            "deviceSubId": ["1", "2", "3"],
            "callbackId": "http://127.0.0.1:4501/",
            "digitalId": sbi.b64url(json.dumps(digital).encode()),  # "Unsigned Digital ID"
            "specVersion": ["0.9.5"],
            "purpose": "Registration",
        },
    )
    (device,) = sbi.parse_discovery(answer, 4501)
    assert device.device_id == "Internal ID"
    assert device.sub_ids == (1, 2, 3)
    assert device.type == "Finger"
    assert device.sub_type == "Slap"
    assert device.digital_id["serialNo"] == "SN0000000001"
    assert device.error_code == 101  # the example's own error
    assert device.error_info == "Invalid JSON Value Type For Discovery.."


DIGITAL_ID = sbi.b64url(
    json.dumps(
        fill(
            example("digital_id.json"),
            {"serialNo": "SN0000000001", "type": "Finger", "deviceSubType": "Slap"},
        )
    ).encode()
)
"""The spec's Digital ID example, unsigned ("base64urlencoded(payload)"), its values from the
"Accepted Values for Digital ID"."""


def test_the_client_reads_both_forms_of_the_spec_device_info_answer() -> None:
    decoded = fill(example("device_info_response_decoded.json"), {"digitalId": DIGITAL_ID})
    (info,) = sbi.parse_device_info(decoded)  # the object itself, as the first block shows it
    assert set(info.info) == set(decoded[0]["deviceInfo"])
    assert info.digital_id["deviceSubType"] == "Slap"
    assert info.error_code == 101
    # "Device not registered. In this case, the device info will be only base64urlencode(payload)"
    payload = sbi.b64url(json.dumps(decoded[0]["deviceInfo"]).encode())
    (unsigned,) = sbi.parse_device_info(
        fill(example("device_info_response.json"), {"deviceInfo": payload})
    )
    assert unsigned.info == decoded[0]["deviceInfo"]
    assert not unsigned.signed
    assert unsigned.error_code == 100


def test_the_client_reads_the_spec_registration_capture_answer() -> None:
    spec = example("rcapture_response.json")
    assert [e["data"]["bioSubType"] for e in spec["biometrics"]] == [
        "Left IndexFinger",
        "Left MiddleFinger",
    ]
    filled = copy.deepcopy(spec)
    for entry, image in zip(filled["biometrics"], (b"first", b"second"), strict=True):
        entry["data"].update(
            bioValue=sbi.b64url(image),
            requestedScore="60",
            qualityScore="81.5",
            bioType="Finger",
            digitalId=DIGITAL_ID,
        )
        entry["specVersion"] = "0.9.5"
    found = sbi.parse_rcapture(filled)
    assert found[0].digital_id["serialNo"] == "SN0000000001"
    assert [b.bio_sub_type for b in found] == ["Left IndexFinger", "Left MiddleFinger"]
    assert [b.bio_value for b in found] == [b"first", b"second"]
    assert found[0].quality_score == 81.5
    assert found[0].requested_score == 60.0
    assert found[0].timestamp == "2019-02-15T10:01:57Z"
    assert {b.error_code for b in found} == {101}


def test_the_error_table_is_the_spec_table_word_for_word() -> None:
    rows = re.findall(
        r"^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$", (EXAMPLES / "error_codes.md").read_text(), re.M
    )
    assert {int(code): text for code, text in rows} == dict(sbi.ERRORS)


def test_the_hash_chain_follows_the_spec_definition() -> None:
    first = sbi.chain_hash(sbi.FIRST_PREVIOUS_HASH, b"iso-1")
    assert UPPER_HEX.fullmatch(first)
    inner = hashlib.sha256(b"iso-1").hexdigest().upper()
    assert first == hashlib.sha256((sbi.FIRST_PREVIOUS_HASH + inner).encode()).hexdigest().upper()


def test_a_jwt_payload_is_read_signed_or_not() -> None:
    body = {"deviceId": "1"}
    assert sbi.jwt_payload(sbi.b64url(json.dumps(body).encode())) == body
    signed = simulator.Signer().sign(body)
    assert sbi.jwt_payload(signed) == body
    assert sbi.jwt_header(signed)["alg"] == "RS256"  # type: ignore[index]
    assert sbi.signed_by_own_certificate(signed)
    head, payload, signature = signed.split(".")
    forged = sbi.b64url(json.dumps({"deviceId": "2"}).encode())
    assert not sbi.signed_by_own_certificate(f"{head}.{forged}.{signature}")
    with pytest.raises(sbi.SBIError):
        sbi.jwt_payload("a.b")


def test_discovery_skips_ports_where_nothing_listens() -> None:
    server = simulator.serve()
    closed = server.server_address[1]
    server.server_close()
    assert sbi.discover([closed], timeout=0.2) == []


# --- (b) The simulator against the spec's examples ---------------------------------------------


def test_the_simulator_discovers_three_devices_with_the_spec_members(port: int) -> None:
    status, headers, answer = raw(
        port, "MOSIPDISC", "/device", json.dumps({"type": "Biometric Device"}).encode()
    )
    assert status == 200
    assert headers["CACHE-CONTROL"] == "no-store"  # the spec's "HTTP Response"
    assert headers["LOCATION"] == f"http://127.0.0.1:{port}"
    assert headers["Content-Type"] == "application/json"
    spec_entry = shape(example("discovery_response.json")[0])
    assert [shape(entry) for entry in answer] == [spec_entry] * 3
    digital_members = set(example("digital_id.json"))
    for entry in answer:
        assert entry["deviceStatus"] in sbi.DEVICE_STATUSES
        assert entry["certification"] in sbi.CERTIFICATIONS
        assert entry["callbackId"] == f"http://127.0.0.1:{port}/"
        assert entry["specVersion"][0] == "0.9.5"
        assert entry["purpose"] in sbi.PURPOSES
        assert entry["error"] == {"errorCode": "0", "errorInfo": "Success"}
        assert set(entry["deviceSubId"]) <= {"0", "1", "2", "3"}
        digital = sbi.jwt_payload(entry["digitalId"])  # unsigned in discovery: one part
        assert "." not in entry["digitalId"]
        assert set(digital) == digital_members
        assert entry["deviceCode"] == digital["serialNo"]
        assert digital["deviceSubType"] in sbi.DEVICE_SUB_TYPES[digital["type"]]
        assert ISO_TIME.fullmatch(digital["dateTime"])
    devices = {d.type: d for d in sbi.discover([port])}
    assert (devices["Finger"].sub_type, devices["Finger"].sub_ids) == ("Slap", (1, 2, 3))
    assert (devices["Iris"].sub_type, devices["Iris"].sub_ids) == ("Double", (1, 2, 3))
    assert devices["Face"].sub_type == "Full face"


def test_discovery_answers_only_the_type_asked(port: int) -> None:
    for device_type in sbi.BIO_TYPES:
        found = sbi.discover([port], device_type)
        assert [d.type for d in found] == [device_type]


def test_the_simulator_device_info_has_the_spec_members_signed(port: int) -> None:
    status, _headers, answer = raw(port, "MOSIPDINFO", "/info")
    assert status == 200
    spec = example("device_info_response_decoded.json")[0]
    for entry in answer:
        assert set(entry) == set(spec)
        assert sbi.signed_by_own_certificate(entry["deviceInfo"])  # a registered device signs
        info = sbi.jwt_payload(entry["deviceInfo"])
        assert shape(info) == shape(spec["deviceInfo"])
        assert info["deviceStatus"] in sbi.DEVICE_STATUSES
        assert info["env"] in sbi.ENVS
        assert info["purpose"] in sbi.PURPOSES
        assert info["firmware"] == info["serviceVersion"]  # "In the case of L0"
        assert sbi.signed_by_own_certificate(info["digitalId"])
    assert {i.device_id for i in sbi.device_info(port)} == {"1", "2", "3"}


@pytest.mark.parametrize(
    ("bio_type", "sub_id", "expected"),
    [
        ("Finger", 1, sbi.FINGERS[0:4]),
        ("Finger", 2, sbi.FINGERS[5:9]),
        ("Finger", 3, ("Left Thumb", "Right Thumb")),
        ("Iris", 1, ("Left",)),
        ("Iris", 2, ("Right",)),
        ("Iris", 3, ("Left", "Right")),
        ("Face", 0, ("",)),
    ],
)
def test_registration_capture_answers_the_spec_members_and_domains(
    port: int, bio_type: sbi.BioType, sub_id: int, expected: tuple[str, ...]
) -> None:
    request = sbi.rcapture_request(
        bio_type=bio_type,
        device_id={"Finger": "1", "Iris": "2", "Face": "3"}[bio_type],
        device_sub_id=sub_id,
        transaction_id="TX-CONFORM-1",
    )
    status, headers, answer = raw(port, *sbi.RCAPTURE, json.dumps(request).encode())
    assert status == 200
    assert headers["CACHE-CONTROL"] == "no-store"
    spec = example("rcapture_response.json")["biometrics"][0]
    assert set(answer) == {"biometrics"}
    previous = request["bio"][0]["previousHash"]
    for entry in answer["biometrics"]:
        assert set(entry) == set(spec)
        assert entry["specVersion"] == "0.9.5"
        assert entry["error"] == {"errorCode": "0", "errorInfo": "Success"}
        assert sbi.signed_by_own_certificate(entry["data"])  # "sent as JSON Web Token (JWT)"
        data = sbi.jwt_payload(entry["data"])
        assert set(data) == set(spec["data"])
        assert data["bioType"] == bio_type
        assert data["bioSubType"] in (*sbi.BIO_SUB_TYPES[bio_type], "")
        assert data["purpose"] in sbi.PURPOSES
        assert data["env"] == request["env"]
        assert data["transactionId"] == "TX-CONFORM-1"  # "Same transactionId … in the request"
        assert ISO_TIME.fullmatch(data["timestamp"])
        assert 0 <= float(data["qualityScore"]) <= 100
        assert float(data["requestedScore"]) == 60
        assert sbi.signed_by_own_certificate(data["digitalId"])
        value = sbi.unb64url(data["bioValue"])
        assert UPPER_HEX.fullmatch(entry["hash"])
        previous = sbi.chain_hash(previous, value)
        assert entry["hash"] == previous
    assert tuple(sbi.jwt_payload(e["data"])["bioSubType"] for e in answer["biometrics"]) == expected


def test_captures_are_images_distinct_per_person(port: int) -> None:
    control(port, "/simulator/person", {"seed": "person-a"})
    (a_index, *_), (a_iris, _), (a_face,) = (
        capture(port, "Finger", 1),
        capture(port, "Iris", 3),
        capture(port, "Face", 0),
    )
    control(port, "/simulator/person", {"seed": "person-b"})
    b_index = capture(port, "Finger", 1)[0]
    assert a_index.bio_value != b_index.bio_value
    finger = cv2.imdecode(np.frombuffer(a_index.bio_value, np.uint8), cv2.IMREAD_UNCHANGED)
    iris = cv2.imdecode(np.frombuffer(a_iris.bio_value, np.uint8), cv2.IMREAD_UNCHANGED)
    face = cv2.imdecode(np.frombuffer(a_face.bio_value, np.uint8), cv2.IMREAD_UNCHANGED)
    assert finger.ndim == 2
    assert iris.shape[0] == iris.shape[1] >= 150  # "Aspect Ratio 1:1", iris over 150 px
    assert iris.ndim == 2  # "gray scale with pixel depth of 8 bits"
    assert face.ndim == 3  # "24 bit RGB"


def test_exceptions_leave_the_missing_fingers_out(port: int) -> None:
    found = capture(port, "Finger", 1, exception=["Left RingFinger", "Left LittleFinger"])
    assert [b.bio_sub_type for b in found] == ["Left IndexFinger", "Left MiddleFinger"]
    assert sbi.chain_holds(sbi.FIRST_PREVIOUS_HASH, found)


def test_a_face_capture_with_exceptions_is_the_exception_photo(port: int) -> None:
    # "exception value for Iris or Finger should be sent in bio.exception for bio.type = 'Face'"
    (photo,) = capture(port, "Face", 0, exception=["Left Thumb", "Right"])
    assert photo.ok
    assert photo.bio_value


def test_a_low_quality_device_still_returns_its_best_frame(port: int) -> None:
    control(port, "/simulator/fault", {"faults": ["low-quality:Finger"]})
    found = capture(port, "Finger", 2, requested_score=60)
    assert all(b.ok and b.bio_value for b in found)
    assert all(b.quality_score is not None and b.quality_score < 60 for b in found)
    assert all(b.quality_score and b.quality_score >= 60 for b in capture(port, "Iris", 3))


def test_a_finger_missing_from_the_glass_is_error_101(port: int) -> None:
    control(port, "/simulator/fault", {"faults": ["missing:Left RingFinger"]})
    found = capture(port, "Finger", 1)
    ring = next(b for b in found if b.bio_sub_type == "Left RingFinger")
    assert (ring.error_code, ring.error_info) == (101, "Unable to detect a biometric object")
    assert ring.bio_value == b""
    assert [b.ok for b in found] == [True, True, False, True]
    assert sbi.chain_holds(sbi.FIRST_PREVIOUS_HASH, found)


@pytest.mark.parametrize(
    ("fault", "status", "code"), [("busy", "Busy", 111), ("not-ready", "Not Ready", 110)]
)
def test_a_busy_or_not_ready_device_says_so(port: int, fault: str, status: str, code: int) -> None:
    control(port, "/simulator/fault", {"faults": [f"{fault}:Iris"]})
    devices = {d.type: d for d in sbi.discover([port])}
    assert (devices["Iris"].status, devices["Iris"].error_code) == (status, code)
    assert devices["Finger"].ready
    (refused,) = capture(port, "Iris", 3)
    assert (refused.error_code, refused.error_info) == (code, sbi.ERRORS[code])


def test_an_unplugged_device_disappears_and_returns(port: int) -> None:
    control(port, "/simulator/fault", {"faults": ["disconnected:Finger"]})
    assert {d.type for d in sbi.discover([port])} == {"Iris", "Face"}
    assert {i.device_id for i in sbi.device_info(port)} == {"2", "3"}
    (refused,) = capture(port, "Finger", 1)
    assert refused.error_code == 106  # "Device not found"
    control(port, "/simulator/fault", {"faults": []})
    assert all(b.ok for b in capture(port, "Finger", 1))


def test_a_capture_that_never_answers_times_out_at_the_client(port: int) -> None:
    control(port, "/simulator/fault", {"faults": ["timeout:Face"]})
    request = sbi.rcapture_request(
        bio_type="Face", device_id="3", device_sub_id=0, transaction_id="TX-1", timeout_ms=200
    )
    with pytest.raises(sbi.DeviceTimeout):
        sbi.rcapture(port, request, margin=0.3)


def wait_for_face(port: int, status: str) -> None:
    deadline = time.monotonic() + 10
    while sbi.discover([port], "Face")[0].status != status:
        assert time.monotonic() < deadline, f"the camera is not {status}"


def test_one_capture_at_a_time_a_second_is_busy(port: int) -> None:
    wait_for_face(port, "Ready")  # a capture another test left hanging has let go
    control(port, "/simulator/delay", {"ms": 1500})
    first: list[sbi.Biometric] = []
    thread = threading.Thread(target=lambda: first.extend(capture(port, "Face", 0)))
    thread.start()
    wait_for_face(port, "Busy")  # the first capture holds the camera
    (second,) = capture(port, "Face", 0, transaction_id="TX-0002")
    thread.join(timeout=10)
    assert second.error_code == 111
    assert first[0].ok


# --- Malformed requests: the spec's error codes ------------------------------------------------


def rcapture_raw(port: int, body: Any) -> sbi.Error:
    status, _headers, answer = raw(port, *sbi.RCAPTURE, json.dumps(body).encode())
    assert status == 200
    (entry,) = answer["biometrics"]
    assert (entry["data"], entry["hash"]) == ("", "")
    return entry["error"]  # type: ignore[no-any-return]


def good_request(**bio: Any) -> dict[str, Any]:
    request: dict[str, Any] = sbi.rcapture_request(
        bio_type="Finger", device_id="1", device_sub_id=1, transaction_id="TX-0001"
    )
    request["bio"][0].update(bio)
    return request


def test_a_body_that_is_not_json_is_101_invalid_json_value(port: int) -> None:
    status, _headers, answer = raw(port, *sbi.RCAPTURE, b"{not json")
    assert status == 200
    assert answer["biometrics"][0]["error"] == {"errorCode": "101", "errorInfo": sbi.INVALID_JSON}
    _status, _headers, discovered = raw(port, *sbi.DISCOVER, b"[")
    assert discovered[0]["error"]["errorCode"] == "101"
    assert discovered[0]["error"]["errorInfo"].startswith("Invalid JSON Value Type For Discovery")


def test_a_discovery_of_an_unknown_type_is_101(port: int) -> None:
    _status, _headers, answer = raw(port, *sbi.DISCOVER, json.dumps({"type": "Palm"}).encode())
    assert shape(answer[0]) == shape(example("discovery_response.json")[0])
    assert answer[0]["error"]["errorCode"] == "101"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"deviceId": "99"}, "106"),  # "Device not found"
        ({"type": "Iris"}, "101"),  # an iris capture asked of the slap scanner
        ({"type": "Palm"}, "101"),
        ({"deviceSubId": "0"}, "101"),  # "0 is not applicable for fingerprint slap"
        ({"deviceSubId": "7"}, "101"),
        ({"count": "5"}, "109"),  # "Requested number of biometric … not supported"
        ({"count": "four"}, "109"),
        ({"exception": ["Left Toe"]}, "101"),
        ({"requestedScore": "high"}, "101"),
        ({"requestedScore": "101"}, "101"),
    ],
)
def test_a_wrong_bio_block_gets_the_spec_code(port: int, change: dict[str, Any], code: str) -> None:
    assert rcapture_raw(port, good_request(**change))["errorCode"] == code


@pytest.mark.parametrize("transaction_id", ["abc", "x" * 51, "TX 0001", "TX_0001"])
def test_an_invalid_transaction_id_is_112(port: int, transaction_id: str) -> None:
    request = good_request()
    request["transactionId"] = transaction_id
    assert rcapture_raw(port, request) == {
        "errorCode": "112",
        "errorInfo": "Invalid Transaction ID",
    }


@pytest.mark.parametrize(
    "change",
    [{"env": "Moon"}, {"purpose": "Auth"}, {"timeout": "soon"}, {"bio": []}, {"bio": "Finger"}],
)
def test_a_wrong_request_member_is_101(port: int, change: dict[str, Any]) -> None:
    request = {**good_request(), **change}
    error = rcapture_raw(port, request)
    assert error["errorCode"] == "101"
    assert error["errorInfo"].startswith(sbi.INVALID_JSON)
    assert rcapture_raw(port, ["not", "an", "object"])["errorCode"] == "101"


def test_an_unknown_verb_or_path_is_a_provider_code(port: int) -> None:
    status, _headers, answer = raw(port, "MOSIPFOO", "/device")
    assert (status, answer["error"]["errorCode"]) == (405, "501")
    status, _headers, answer = raw(port, "MOSIPDISC", "/nowhere", b"{}")
    assert (status, answer["error"]["errorCode"]) == (404, "502")
    # Auth capture is for L1 devices ("Compliance Level"); this one is L0 registration only.
    _status, _headers, answer = raw(port, *sbi.CAPTURE, b"{}")
    assert answer["biometrics"][0]["error"]["errorCode"] == "503"


def test_the_browser_may_call_it_across_origins(port: int) -> None:
    connection = http.client.HTTPConnection(sbi.HOST, port, timeout=5)
    connection.request("OPTIONS", "/capture")
    response = connection.getresponse()
    assert response.status == 204
    assert "RCAPTURE" in (response.headers["Access-Control-Allow-Methods"] or "")
    connection.close()


def test_faults_can_be_given_at_start() -> None:
    process, chosen = start_simulator("--delay-ms", "0", "--fault", "busy:Finger")
    try:
        devices = {d.type: d.status for d in sbi.discover([chosen])}
        assert devices == {"Finger": "Busy", "Iris": "Ready", "Face": "Ready"}
        status, _headers, answer = raw(chosen, "GET", "/simulator/state")
        assert answer["faults"] == ["busy:Finger"]
        assert status == 200
    finally:
        stop(process)


def test_a_fault_it_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        simulator.Fault.parse("on-fire")
    with pytest.raises(ValueError, match="missing"):
        simulator.Fault.parse("missing:Left Toe")
    assert str(simulator.Fault.parse("missing:Left RingFinger")) == "missing:Left RingFinger"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--port", "8000"], "4501–4600"),
        (["--fault", "on-fire"], "unknown fault"),
        (["--delay-ms", "-1"], "0 or more"),
    ],
)
def test_the_command_refuses_what_the_spec_or_the_simulator_cannot_do(
    arguments: list[str], message: str
) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("devices", "simulate", *arguments)


def test_a_body_too_large_is_not_read(port: int) -> None:
    connection = http.client.HTTPConnection(sbi.HOST, port, timeout=5)
    connection.putrequest("RCAPTURE", "/capture")
    connection.putheader("Content-Length", str(simulator.MAX_BODY + 1))
    connection.endheaders()
    answer = json.loads(connection.getresponse().read())
    connection.close()
    assert answer["biometrics"][0]["error"]["errorCode"] == "101"
