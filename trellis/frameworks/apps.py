from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "trellis.frameworks"
    label = "frameworks"
