from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "trellis.imports"
    label = "imports"
    verbose_name = "Imports"
