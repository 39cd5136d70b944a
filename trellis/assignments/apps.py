from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "trellis.assignments"
    label = "assignments"

    def ready(self) -> None:
        # Tell authz whom a supporter reaches, and the scope of an assignment.
        from trellis.assignments import scopes

        scopes.register()
