from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "trellis.learning"
    label = "learning"
    verbose_name = "Professional learning"

    def ready(self) -> None:
        # Tell authz the scope of PD sessions and learning communities.
        from trellis.learning import scopes

        scopes.register()
