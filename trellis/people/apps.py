from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "trellis.people"
    label = "people"

    def ready(self) -> None:
        # Tell authz how to find the scope of this app's objects (authz imports only core).
        from trellis.people import scopes

        scopes.register()
