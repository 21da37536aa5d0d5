"""Progress no longer counts rejected or cancelled dossiers (issue 12, item 4).

The `captured` rows of `DailyCount` and `UnitDayCount` counted every dossier received; they now
count the dossiers received that still count as progress (`cccd.reports.counters`). This takes the
rejected and cancelled dossiers out of the day they were received, at their unit and every unit
above it, as the counters would have done had they moved with the dossier; going back puts them in
again. It reads the historical models only, so it stays valid as the code moves on.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Count, F
from django.db.models.functions import TruncDate

WITHDRAWN = ("rejected", "cancelled")


def _chain(Unit, unit_id, cache):  # noqa: N803 (a historical model)
    """The unit and every unit above it, by the materialised path."""
    if unit_id not in cache:
        path = Unit.objects.get(pk=unit_id).path
        parts = path.strip("/").split("/")
        paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
        cache[unit_id] = list(Unit.objects.filter(path__in=paths).values_list("pk", flat=True))
    return cache[unit_id]


def _shift(apps, sign):
    Enrollment = apps.get_model("enrollments", "Enrollment")  # noqa: N806
    Unit = apps.get_model("units", "Unit")  # noqa: N806
    DailyCount = apps.get_model("reports", "DailyCount")  # noqa: N806
    UnitDayCount = apps.get_model("reports", "UnitDayCount")  # noqa: N806
    zone = ZoneInfo(settings.TIME_ZONE)
    withdrawn = (
        Enrollment.objects.filter(state__in=WITHDRAWN, received_at__isnull=False)
        .order_by()
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("unit_id", "campaign_id", "group_id", "kind", "day")
        .annotate(n=Count("pk"))
    )
    chains: dict[int, list[int]] = {}
    for row in withdrawn:
        campaign, group, day = row["campaign_id"] or 0, row["group_id"] or 0, row["day"]
        for unit_id in _chain(Unit, row["unit_id"], chains):
            DailyCount.objects.filter(
                unit_id=unit_id, campaign=campaign, group=group, kind=row["kind"], day=day,
                event="captured",
            ).update(count=F("count") + sign * row["n"])
            UnitDayCount.objects.filter(
                unit_id=unit_id, campaign=campaign, day=day, event="captured"
            ).update(count=F("count") + sign * row["n"])


def leave_out_withdrawn(apps, schema_editor):
    _shift(apps, -1)


def count_withdrawn_again(apps, schema_editor):
    _shift(apps, +1)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_unit_day_counts"),
        ("enrollments", "0003_lifecycle"),
    ]

    operations = [migrations.RunPython(leave_out_withdrawn, count_withdrawn_again)]
