from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "trellis.selection"
    label = "selection"

    def ready(self) -> None:
        # Tell authz where cycles and applications lie, and whom an interviewer reaches.
        from trellis.selection import scopes

        scopes.register()
