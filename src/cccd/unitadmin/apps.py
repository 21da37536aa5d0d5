from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitAdminConfig(AppConfig):
    """What an administrator does with the unit trees: the pages at /units/, the API at
    /api/v1/units/, `cccd load_units`. No models: `Unit` stays in `cccd.units`."""

    name = "cccd.unitadmin"
    verbose_name = _("Unit administration")
