from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "trellis.orgs"
    label = "orgs"

    def ready(self) -> None:
        # Tell authz how to find the scope of this app's objects (authz imports only core).
        from trellis.orgs import scopes

        scopes.register()
