from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "trellis.surveys"
    label = "surveys"
    verbose_name = "Surveys, assessments and the impact report"

    def ready(self) -> None:
        # Tell authz the scope of instruments and administrations; register the import kinds.
        from trellis.surveys import import_kinds, scopes

        scopes.register()
        import_kinds.register_kinds()
