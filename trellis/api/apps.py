from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "trellis.api"
    label = "api"
