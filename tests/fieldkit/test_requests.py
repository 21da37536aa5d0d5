"""Requests signed by a kit (`cccd.fieldkit.requests`): a signature holds for one request only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cccd.fieldkit import keys, requests
from tests.fieldkit.refusals import refused

KIT = keys.new_party_keys()
OTHER = keys.new_party_keys()
SIGNER = keys.signing_private_key(KIT.signing.private_pem)
PUBLIC = keys.signing_public_key(KIT.signing.public_hex)
OTHER_SIGNER = keys.signing_private_key(OTHER.signing.private_pem)
PATH = "/api/v1/kits/packets/0b7e5a52-3d2f-4c11-9a57-58f4e1c0d6a3?offset=0&length=5"


def _headers(**changes: str) -> dict[str, str]:
    headers = requests.sign("PATCH", PATH, b"hello", kit="dakmil-kit-1", key=SIGNER)
    return {**headers, **changes}


def test_a_signed_request_verifies_and_names_its_kit_and_clock() -> None:
    three_hours_off = datetime(2026, 3, 6, 23, 5, tzinfo=UTC) - timedelta(hours=3)
    headers = requests.sign(
        "PATCH", PATH, b"hello", kit="dakmil-kit-1", key=SIGNER, now=three_hours_off
    )
    claim = requests.verify("PATCH", PATH, b"hello", headers, PUBLIC)
    assert claim.kit == "dakmil-kit-1"
    assert claim.kit_time == three_hours_off  # read, never refused for being wrong


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", PATH, b"hello"),
        ("PATCH", PATH.replace("offset=0", "offset=1"), b"hello"),
        ("PATCH", PATH, b"hellO"),
    ],
)
def test_a_signature_does_not_move_to_another_request(method: str, path: str, body: bytes) -> None:
    refused(
        "KIT_REQUEST_SIGNATURE_INVALID",
        lambda: requests.verify(method, path, body, _headers(), PUBLIC),
    )


def test_another_kits_key_or_a_changed_claim_is_refused() -> None:
    other = requests.sign("PATCH", PATH, b"hello", kit="dakmil-kit-1", key=OTHER_SIGNER)
    refused(
        "KIT_REQUEST_SIGNATURE_INVALID",
        lambda: requests.verify("PATCH", PATH, b"hello", other, PUBLIC),
    )
    refused(
        "KIT_REQUEST_SIGNATURE_INVALID",
        lambda: requests.verify(
            "PATCH", PATH, b"hello", _headers(**{requests.KIT_HEADER: "kit-2"}), PUBLIC
        ),
    )
    later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    refused(
        "KIT_REQUEST_SIGNATURE_INVALID",
        lambda: requests.verify(
            "PATCH", PATH, b"hello", _headers(**{requests.TIME_HEADER: later}), PUBLIC
        ),
    )


@pytest.mark.parametrize(
    "changes",
    [
        {requests.KIT_HEADER: ""},
        {requests.KIT_HEADER: "k" * 65},
        {requests.TIME_HEADER: ""},
        {requests.TIME_HEADER: "yesterday"},
        {requests.TIME_HEADER: "2026-03-06T14:05:12"},  # no offset: which clock?
        {requests.SIGNATURE_HEADER: ""},
        {requests.SIGNATURE_HEADER: "A" * 101},
    ],
)
def test_missing_or_unreadable_headers_are_unsigned(changes: dict[str, str]) -> None:
    refused(
        "KIT_REQUEST_UNSIGNED",
        lambda: requests.verify("PATCH", PATH, b"hello", _headers(**changes), PUBLIC),
    )


def test_a_signature_that_is_not_base64_is_invalid() -> None:
    refused(
        "KIT_REQUEST_SIGNATURE_INVALID",
        lambda: requests.verify(
            "PATCH", PATH, b"hello", _headers(**{requests.SIGNATURE_HEADER: "!!!!"}), PUBLIC
        ),
    )
