"""What the hall's board says. The words are Vietnamese whatever the page's language: they are
read out by the browser's vi-VN voice to the people waiting in the hall."""

from __future__ import annotations

from typing import Protocol


class _Call(Protocol):
    number: str
    desk: int


def call_text(call: _Call) -> str:
    """ "Mời số 0123 đến bàn 2"."""
    return f"Mời số {call.number} đến bàn {call.desk}"
