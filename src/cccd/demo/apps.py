from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cccd.demo"
    verbose_name = "Demo data"
