"""Slips' status links are signed from now on; the random tokens of the slips already printed are
kept only as their SHA-256, so those links still open and the database holds no working link.

Only finished dossiers (with a code) ever had a slip, so drafts keep no hash. Going back cannot
recover the old tokens: every dossier gets a new random one, and the links already printed stop
opening.
"""

import hashlib
import secrets

from django.db import migrations, models

BATCH = 1000


def _hash_printed_tokens(apps, schema_editor):
    Enrollment = apps.get_model("enrollments", "Enrollment")
    rows = Enrollment.objects.exclude(code=None).exclude(public_token=None).only("pk", "public_token")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.legacy_link_sha256 = hashlib.sha256(row.public_token.encode()).hexdigest()
        batch.append(row)
        if len(batch) == BATCH:
            Enrollment.objects.bulk_update(batch, ["legacy_link_sha256"])
            batch = []
    Enrollment.objects.bulk_update(batch, ["legacy_link_sha256"])


def _new_random_tokens(apps, schema_editor):
    Enrollment = apps.get_model("enrollments", "Enrollment")
    batch = []
    for row in Enrollment.objects.only("pk").iterator(chunk_size=BATCH):
        row.public_token = secrets.token_urlsafe(16)
        batch.append(row)
        if len(batch) == BATCH:
            Enrollment.objects.bulk_update(batch, ["public_token"])
            batch = []
    Enrollment.objects.bulk_update(batch, ["public_token"])


class Migration(migrations.Migration):

    dependencies = [
        ("enrollments", "0004_kind_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="legacy_link_sha256",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True),
        ),
        # Not unique and nullable first, so that going back can add the column to existing rows
        # before it fills them with distinct tokens.
        migrations.AlterField(
            model_name="enrollment",
            name="public_token",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.RunPython(_hash_printed_tokens, _new_random_tokens),
        migrations.RemoveField(
            model_name="enrollment",
            name="public_token",
        ),
    ]
