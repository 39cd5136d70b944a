from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "trellis.orgs"
    label = "orgs"
