from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "trellis.rosters"
    label = "rosters"

    def ready(self) -> None:
        from trellis.rosters.import_kinds import register_kinds

        register_kinds()
