from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "trellis.frameworks"
    label = "frameworks"

    def ready(self) -> None:
        from trellis.frameworks.import_kinds import register_kinds

        register_kinds()
        # Tell authz how to find the scope of this app's objects (authz imports only core).
        from trellis.frameworks import scopes

        scopes.register()
