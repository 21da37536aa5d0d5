import json
from importlib import resources

from django.db import migrations


def load(apps, schema_editor):
    group_model = apps.get_model("campaigns", "PriorityGroup")
    text = resources.files("cccd.campaigns").joinpath("data/priority_groups.json").read_text("utf-8")
    for item in json.loads(text):
        group_model.objects.update_or_create(code=item["code"], defaults={k: v for k, v in item.items() if k != "code"})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
