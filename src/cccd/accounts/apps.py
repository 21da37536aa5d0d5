from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cccd.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from cccd.accounts import signals  # noqa: F401  (connects login/logout auditing and role sync)
