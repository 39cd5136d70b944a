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
        # The need-profile import kind (performance bands) of the one import pipeline.
        from trellis.coaching.import_kinds import register_kinds

        register_kinds()
