"""API tokens expire and end with a password change: each token gets its expiry (its creation
plus the configured lifetime) and the stamp of its user's password as it is now."""

import datetime

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def fill(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    lifetime = datetime.timedelta(days=settings.CCCD_API_TOKEN_DAYS)
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = token.created_at + lifetime
        token.password_stamp = salted_hmac(
            "cccd.accounts.ApiToken.password_stamp", token.user.password, algorithm="sha256"
        ).hexdigest()
        token.save(update_fields=["expires_at", "password_stamp"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_stamp",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
