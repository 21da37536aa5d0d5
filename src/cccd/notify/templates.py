"""The message templates as reference data: a versioned file, loaded by `cccd load_message_templates`."""

import json
from importlib import resources

from cccd.notify.models import MessageTemplate


def load_templates() -> int:
    """Create or update the templates from notify/data/message_templates.json; returns how many."""
    data = json.loads(
        resources.files("cccd.notify").joinpath("data/message_templates.json").read_text("utf-8")
    )
    for item in data:
        MessageTemplate.objects.update_or_create(
            code=item["code"],
            channel=item["channel"],
            defaults={k: v for k, v in item.items() if k not in ("code", "channel")},
        )
    return len(data)
