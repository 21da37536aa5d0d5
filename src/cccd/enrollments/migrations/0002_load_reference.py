from django.db import migrations

from cccd.enrollments.reference import load_reference


def load(apps, schema_editor):
    load_reference(
        apps.get_model("enrollments", "Fee"),
        apps.get_model("enrollments", "FeeExemption"),
        apps.get_model("enrollments", "Holiday"),
    )


class Migration(migrations.Migration):
    dependencies = [("enrollments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
