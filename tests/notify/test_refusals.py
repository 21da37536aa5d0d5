"""A caller's mistake is refused with a clear code and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from cccd.errors import DomainError
from cccd.notify import services
from cccd.notify.models import Message
from cccd.units.models import Unit

GOOD: dict[str, Any] = {
    "channel": "sms",
    "address": "0912345678",
    "template_code": "card_arrived",
    "context": {"place": "xã", "hours": "sáng"},
    "event_key": "card:1:arrived",
}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"template_code": "no_such"}, "NOTIFY_UNKNOWN_TEMPLATE"),
        ({"channel": "fax"}, "NOTIFY_UNKNOWN_TEMPLATE"),
        ({"address": "091234"}, "NOTIFY_BAD_ADDRESS"),
        ({"address": "0212345678"}, "NOTIFY_BAD_ADDRESS"),
        ({"address": "+1 555 0100"}, "NOTIFY_BAD_ADDRESS"),
        ({"channel": "email", "address": "an@"}, "NOTIFY_BAD_ADDRESS"),
        ({"channel": "email", "address": ""}, "NOTIFY_BAD_ADDRESS"),
        ({"context": {"place": "xã"}}, "NOTIFY_TEMPLATE_MISMATCH"),
        ({"context": {"place": "xã", "hours": "s", "id_number": "0"}}, "NOTIFY_TEMPLATE_MISMATCH"),
        ({"event_key": ""}, "NOTIFY_BAD_EVENT_KEY"),
        ({"event_key": "x" * 201}, "NOTIFY_BAD_EVENT_KEY"),
        ({"event_key": "has space"}, "NOTIFY_BAD_EVENT_KEY"),
    ],
)
@pytest.mark.django_db
def test_refused_and_nothing_written(
    unit: Unit, templates: None, change: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.queue(unit=unit, **(GOOD | change))
    assert refused.value.code == code
    assert refused.value.message  # a sentence, its parameters filled in
    assert Message.objects.count() == 0
