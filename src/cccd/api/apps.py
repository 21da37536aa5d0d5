from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cccd.api"
    verbose_name = "API"
