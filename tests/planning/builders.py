"""Small hand-made planner instances for the tests, built as files (dicts) so that the tests go
through `parse_instance` like an operator's file."""

from __future__ import annotations

import copy
from typing import Any

MON, TUE, SAT = "2026-03-02", "2026-03-03", "2026-03-07"  # one ISO week (2026-W10)


def instance_file(**changes: Any) -> dict[str, Any]:
    """One team of 3 desks, one venue of 100 people holding 2 desks, a Monday evening (3 h, a
    night) and a Saturday morning (4 h), 5 intakes per desk-hour."""
    data: dict[str, Any] = {
        "days": [MON, TUE, SAT],
        "shifts": [
            {"id": "evening", "hours": 3, "weekdays": ["mon", "tue"], "night": True},
            {"id": "morning", "hours": 4, "weekdays": ["sat"], "night": False},
        ],
        "rate": 5,
        "teams": [{"id": "A", "desks": 3, "unavailable": [], "max_nights_per_week": 1}],
        "venues": [
            {
                "id": "school",
                "people": 100,
                "max_desks": 2,
                "closed": [],
                "shifts": ["evening", "morning"],
            }
        ],
    }
    data.update(copy.deepcopy(changes))
    return data
