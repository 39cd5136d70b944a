from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "trellis.programs"
    label = "programs"
    verbose_name = "Programs and cohorts"

    def ready(self) -> None:
        # Tell authz the scope of programs, cohorts and participants.
        from trellis.programs import scopes

        scopes.register()
