"""The kit's side of the conversation with its district, over HTTP (`httpx`).

Every request but the join is signed with the kit's key (`cccd.fieldkit.requests`). A refusal
from the district comes back as `Refused` with the district's code and sentence; a district that
cannot be reached (no network, server down, a cut connection) as `Unreachable`, so that the caller
can tell "try again later" from "this will never work".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from cccd.fieldkit import keys, requests

TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=5.0)


class Unreachable(Exception):
    """The district could not be reached or stopped answering mid-way; nothing is known to have
    been decided (the next try asks what the district holds)."""


@dataclass
class Refused(Exception):
    """The district answered with a refusal: its status, code and sentence."""

    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class District:
    """A connection to the district server at `base_url` (e.g. http://10.0.0.5:8000)."""

    def __init__(self, base_url: str, *, kit: str = "", signing_key_pem: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.kit = kit
        self._key = keys.signing_private_key(signing_key_pem) if signing_key_pem else None
        self._client = httpx.Client(timeout=TIMEOUT, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> District:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        signed: bool = True,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        url = f"{self.base_url}/api/v1/kits{path}"
        headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            if self._key is None:
                raise ValueError("this kit has no key: join it first")
            split = urlsplit(url)
            full = split.path + (f"?{split.query}" if split.query else "")
            headers.update(requests.sign(method, full, body, kit=self.kit, key=self._key))
        try:
            response = self._client.request(method, url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise Unreachable(type(exc).__name__) from None
        if response.status_code >= 500:
            raise Unreachable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _refused(response)
        return response

    def json(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        signed: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body = json.dumps(payload).encode() if payload is not None else b""
        return self._send(method, path, body, signed=signed, headers=headers).json()

    def json_bytes(self, method: str, path: str, body: bytes) -> Any:
        """Raw bytes up, JSON back (a packet's part and the district's answer)."""
        return self._send(method, path, body, content_type="application/octet-stream").json()

    def raw(self, method: str, path: str, body: bytes = b"") -> bytes:
        return self._send(method, path, body, content_type="application/octet-stream").content


def _refused(response: httpx.Response) -> Refused:
    try:
        document = response.json()
        return Refused(response.status_code, str(document["code"]), str(document["message"]))
    except (ValueError, KeyError, TypeError):
        return Refused(response.status_code, "HTTP_ERROR", f"HTTP {response.status_code}")
