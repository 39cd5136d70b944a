from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "trellis.authz"
    label = "authz"
