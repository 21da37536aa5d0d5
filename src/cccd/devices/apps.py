from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "cccd.devices"
    verbose_name = "Devices"
