from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "trellis.coaching"
    label = "coaching"
    verbose_name = "Coaching"

    def ready(self) -> None:
        # Tell authz the scope of sessions, next steps, comments and protocols.
        from trellis.coaching import scopes

        scopes.register()
        scopes.register_visits()
