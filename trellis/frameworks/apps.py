from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "trellis.frameworks"
    label = "frameworks"

    def ready(self) -> None:
        from trellis.frameworks.import_kinds import register_kinds

        register_kinds()
